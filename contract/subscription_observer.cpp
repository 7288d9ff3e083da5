#include "contract/subscription_observer.hpp"

#include <stdexcept>

#include "core/encoding.hpp"
#include "http/curl/curl_http_client.hpp"

namespace golive::contract {

namespace {

std::int64_t json_integer(const nlohmann::json& value) {
  if (value.is_number_integer()) return value.get<std::int64_t>();
  if (value.is_string()) return std::stoll(value.get<std::string>());
  return 0;
}

}  // namespace

nlohmann::json SubscriptionState::to_json() const {
  if (!exists) return {{"exists", false}};
  return {{"exists", true},
          {"status", status},
          {"last_event_created", last_event_created},
          {"update_count", update_count}};
}

SubscriptionObserver::SubscriptionObserver(const config::Environment& env) : env_(env) {
  if (env.database_url.empty()) return;
  target::DatabaseConnection connection = target::connect_database(env.database_url);
  if (!connection.ok()) throw std::runtime_error("database: " + connection.error);
  database_ = std::move(connection.connection);
}

SubscriptionState SubscriptionObserver::subscription(const std::string& stripe_subscription_id,
                                                     const std::string& user_token) {
  SubscriptionState state;
  if (database_) {
    pqxx::work txn(*database_);
    const pqxx::result row = txn.exec_params(
        "SELECT status, last_event_created, update_count FROM public.subscriptions "
        "WHERE stripe_subscription_id = $1",
        stripe_subscription_id);
    txn.commit();
    if (row.empty()) return state;
    state.exists = true;
    state.status = row[0][0].as<std::string>();
    state.last_event_created = row[0][1].is_null() ? 0 : row[0][1].as<std::int64_t>();
    state.update_count = row[0][2].is_null() ? 0 : row[0][2].as<std::int64_t>();
    return state;
  }
  http::HttpRequest request;
  request.url = env_.url(env_.paths.rest) + "/subscriptions?select=status,last_event_created," +
                "update_count&stripe_subscription_id=eq." + core::percent_encode(stripe_subscription_id);
  request.headers = {{"apikey", env_.anon_key}, {"Authorization", "Bearer " + user_token}};
  const http::HttpResponse response = http::fetch(request, http::client_options_for(env_));
  if (!response.transport_ok() || response.status != 200) {
    throw std::runtime_error("GET /subscriptions answered " + std::to_string(response.status) +
                             " " + response.error_message);
  }
  const nlohmann::json rows = nlohmann::json::parse(response.body, nullptr, false);
  if (!rows.is_array()) throw std::runtime_error("GET /subscriptions did not return a JSON array");
  if (rows.empty()) return state;
  state.exists = true;
  state.status = rows[0].value("status", "");
  state.last_event_created = json_integer(rows[0].value("last_event_created", nlohmann::json()));
  state.update_count = json_integer(rows[0].value("update_count", nlohmann::json()));
  return state;
}

std::optional<std::int64_t> SubscriptionObserver::webhook_event_rows(const std::string& event_id) {
  if (!database_) return std::nullopt;
  pqxx::work txn(*database_);
  const pqxx::result row =
      txn.exec_params("SELECT count(*) FROM public.webhook_events WHERE id = $1", event_id);
  txn.commit();
  return row[0][0].as<std::int64_t>();
}

std::int64_t SubscriptionObserver::delete_webhook_events(const std::string& run_tag) {
  if (!database_) return 0;
  pqxx::work txn(*database_);
  const pqxx::result deleted = txn.exec_params(
      "DELETE FROM public.webhook_events WHERE strpos(id, $1) > 0", run_tag);
  txn.commit();
  return deleted.affected_rows();
}

}  // namespace golive::contract
