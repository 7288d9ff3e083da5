#include "contract/subscription_observer.hpp"

#include <stdexcept>
#include <vector>

#include "contract/observe_template.hpp"
#include "core/encoding.hpp"
#include "core/input_error.hpp"
#include "core/redactor.hpp"
#include "http/curl/curl_http_client.hpp"

namespace golive::contract {

namespace {

// The reference target's tables (fixtures/SCHEMA.md): the defaults of "sql".
constexpr const char* kDefaultSubscriptionQuery =
    "SELECT status, last_event_created, update_count FROM public.subscriptions "
    "WHERE stripe_subscription_id = {{subscription_id}}";
constexpr const char* kDefaultEventQuery =
    "SELECT count(*) FROM public.webhook_events WHERE id = {{event_id}}";
constexpr const char* kDefaultCleanupQuery =
    "DELETE FROM public.webhook_events WHERE strpos(id, {{run_tag}}) > 0";

std::int64_t json_integer(const nlohmann::json& value) {
  if (value.is_number_integer()) return value.get<std::int64_t>();
  if (value.is_number()) return static_cast<std::int64_t>(value.get<double>());
  if (value.is_string()) {
    try {
      return std::stoll(value.get<std::string>());
    } catch (const std::exception&) {
      return 0;
    }
  }
  return 0;
}

using Variables = TemplateVariables;

Variables subscription_variables(const ObservedSubscription& which) {
  return {{"subscription_id", which.subscription_id},
          {"customer_id", which.customer_id},
          {"user_id", which.user_id}};
}

const std::set<std::string> kSubscriptionNames = {"subscription_id", "customer_id", "user_id"};

struct FieldInfo {
  ObservedField field;
  const char* name;
};
constexpr FieldInfo kFields[] = {{ObservedField::kStatus, "status"},
                                 {ObservedField::kUpdateCount, "update_count"},
                                 {ObservedField::kLastEventCreated, "last_event_created"}};

}  // namespace

const char* field_name(ObservedField field) {
  for (const auto& info : kFields)
    if (info.field == field) return info.name;
  return "?";
}

std::string field_setting(ObservedField field) {
  return std::string("stripe.observe (sql: a ") + field_name(field) +
         " column; http: pointers." + field_name(field) + ")";
}

nlohmann::json SubscriptionState::to_json() const {
  if (!exists) return {{"exists", false}};
  return {{"exists", true},
          {"status", status},
          {"last_event_created", last_event_created},
          {"update_count", update_count}};
}

ObserveSettings read_observe_settings(const config::Environment& env, bool user_available) {
  ObserveSettings settings;
  const std::string& file = env.source_file;
  if (env.stripe.observe.is_null()) {
    if (!env.database_url.empty()) {
      settings.kind = ObserverKind::kSql;
    } else if (user_available && !env.anon_key.empty()) {
      settings.kind = ObserverKind::kSupabaseApi;
    }
    settings.subscription_query = kDefaultSubscriptionQuery;
    settings.event_query = kDefaultEventQuery;
    settings.cleanup_query = kDefaultCleanupQuery;
    if (settings.kind == ObserverKind::kSql) settings.events = reference_event_post_conditions();
    return settings;
  }
  settings.declared = true;
  const core::JsonReader reader(env.stripe.observe, file, "/stripe/observe");
  reader.as_object();
  reader.reject_unknown_keys({"kind", "subscription_query", "event_query", "cleanup_query",
                              "state_url", "headers", "pointers", "events"});
  const std::string kind = reader.at("kind").as_string();
  if (kind == "none") {
    settings.kind = ObserverKind::kNone;
    return settings;
  }
  if (kind == "sql") {
    settings.kind = ObserverKind::kSql;
    if (env.database_url.empty()) {
      reader.at("kind").fail("\"sql\" reads the database: set database_url");
    }
    // Templates are checked now, so a typo is exit 2 before any delivery.
    settings.subscription_query = reader.string_or("subscription_query", kDefaultSubscriptionQuery);
    split_template(settings.subscription_query, kSubscriptionNames, file,
                   "/stripe/observe/subscription_query");
    settings.event_query = reader.has("event_query") ? reader.at("event_query").as_string()
                           : reader.has("subscription_query") ? ""
                                                              : kDefaultEventQuery;
    split_template(settings.event_query, {"event_id"}, file, "/stripe/observe/event_query");
    settings.cleanup_query = reader.has("cleanup_query") ? reader.at("cleanup_query").as_string()
                             : reader.has("subscription_query") ? ""
                                                                : kDefaultCleanupQuery;
    split_template(settings.cleanup_query, {"run_tag"}, file, "/stripe/observe/cleanup_query");
    settings.events = reader.has("events") ? read_event_post_conditions(reader.at("events"), true)
                      : reader.has("subscription_query") ? std::vector<EventPostCondition>{}
                                                         : reference_event_post_conditions();
    return settings;
  }
  if (kind == "http") {
    settings.kind = ObserverKind::kHttp;
    settings.state_url = reader.at("state_url").as_string();
    split_template(settings.state_url, kSubscriptionNames, file, "/stripe/observe/state_url");
    if (settings.state_url.rfind("http://", 0) != 0 && settings.state_url.rfind("https://", 0) != 0) {
      reader.at("state_url").fail("expected an http:// or https:// URL");
    }
    if (reader.has("headers")) {
      const auto headers = reader.at("headers");
      for (const auto& item : headers.as_object().items()) {
        settings.headers[item.key()] = headers.at(item.key()).as_string();
        // A state endpoint's credentials (Authorization, API keys) are secrets
        // whatever the header is called.
        core::Redactor::global().add_secret(settings.headers[item.key()]);
      }
    }
    const auto pointers = reader.at("pointers");
    pointers.as_object();
    pointers.reject_unknown_keys({"status", "update_count", "last_event_created"});
    for (const auto& info : kFields) {
      if (!pointers.has(info.name)) continue;
      const std::string pointer = pointers.at(info.name).as_string();
      if (!pointer.empty() && pointer.front() != '/') {
        pointers.at(info.name).fail("a JSON pointer starts with \"/\", e.g. \"/status\"");
      }
      settings.pointers[info.field] = pointer;
    }
    if (settings.pointers.count(ObservedField::kStatus) == 0) {
      pointers.fail("needs \"status\": the JSON pointer of the subscription's status");
    }
    if (reader.has("events")) settings.events = read_event_post_conditions(reader.at("events"), false);
    return settings;
  }
  reader.at("kind").fail("expected \"sql\", \"http\" or \"none\"");
  return settings;
}

SubscriptionObserver::SubscriptionObserver(const config::Environment& env, ObserveSettings settings)
    : env_(env), settings_(std::move(settings)) {
  switch (settings_.kind) {
    case ObserverKind::kNone:
      return;
    case ObserverKind::kSupabaseApi:
      fields_ = {ObservedField::kStatus, ObservedField::kUpdateCount,
                 ObservedField::kLastEventCreated};
      return;
    case ObserverKind::kHttp:
      for (const auto& [field, pointer] : settings_.pointers) fields_.insert(field);
      return;
    case ObserverKind::kSql: {
      target::DatabaseConnection connection = target::connect_database(env.database_url);
      if (!connection.ok()) throw std::runtime_error("database: " + connection.error);
      database_ = std::move(connection.connection);
      return;
    }
  }
}

const char* SubscriptionObserver::source() const {
  switch (settings_.kind) {
    case ObserverKind::kSql: return "database";
    case ObserverKind::kHttp: return "http";
    case ObserverKind::kSupabaseApi: return "api";
    case ObserverKind::kNone: break;
  }
  return "none";
}

void SubscriptionObserver::preflight(const std::string& probe_subscription_id) {
  const ObservedSubscription probe{probe_subscription_id, "cus_golive_preflight",
                                   "user_golive_preflight", ""};
  if (settings_.kind == ObserverKind::kSql) {
    const auto [sql, parameters] =
        bind_sql(settings_.subscription_query, subscription_variables(probe));
    try {
      pqxx::work txn(*database_);
      const pqxx::result rows = txn.exec_params(sql, pqxx::prepare::make_dynamic_params(parameters));
      txn.abort();
      for (const auto& info : kFields) {
        for (pqxx::row::size_type column = 0; column < rows.columns(); ++column) {
          if (info.name == std::string(rows.column_name(column))) fields_.insert(info.field);
        }
      }
    } catch (const pqxx::sql_error& error) {
      throw core::InputError(env_.source_file, "/stripe/observe/subscription_query",
                             std::string("the query failed: ") + error.what());
    }
    if (!sees(ObservedField::kStatus)) {
      throw core::InputError(env_.source_file, "/stripe/observe/subscription_query",
                             "returns no \"status\" column (alias one: ... AS status)");
    }
    if (!settings_.event_query.empty()) {
      try {
        webhook_event_rows("evt_golive_preflight");
      } catch (const pqxx::sql_error& error) {
        throw core::InputError(env_.source_file, "/stripe/observe/event_query",
                               std::string("the query failed: ") + error.what());
      }
    }
    preflight_event_queries();
    return;
  }
  if (settings_.kind == ObserverKind::kHttp) {
    const std::string url =
        render_template(settings_.state_url, subscription_variables(probe), /*url_encode=*/true);
    http::HttpRequest request;
    request.url = url;
    for (const auto& [name, value] : settings_.headers) request.headers.emplace_back(name, value);
    const http::HttpResponse response = http::fetch(request, http::client_options_for(env_));
    if (!response.transport_ok()) {
      throw core::InputError(env_.source_file, "/stripe/observe/state_url",
                             url + " got no response: " + std::string(http::to_string(response.error)));
    }
    if (response.status == 404) return;
    if (response.status != 200 || nlohmann::json::parse(response.body, nullptr, false).is_discarded()) {
      throw core::InputError(env_.source_file, "/stripe/observe/state_url",
                             "GET " + url + " answered " + std::to_string(response.status) +
                                 (response.status == 200 ? " with a body that is not JSON" : "") +
                                 "; expected 404 for an unknown subscription or 200 with JSON");
    }
  }
}

SubscriptionState SubscriptionObserver::subscription(const ObservedSubscription& which) {
  switch (settings_.kind) {
    case ObserverKind::kSql: return from_sql(which);
    case ObserverKind::kHttp: return from_http(which);
    case ObserverKind::kSupabaseApi: return from_supabase_api(which);
    case ObserverKind::kNone: break;
  }
  throw std::logic_error("no stripe.observe: nothing can be observed");
}

SubscriptionState SubscriptionObserver::from_sql(const ObservedSubscription& which) {
  SubscriptionState state;
  const auto [sql, parameters] = bind_sql(settings_.subscription_query, subscription_variables(which));
  pqxx::work txn(*database_);
  const pqxx::result rows = txn.exec_params(sql, pqxx::prepare::make_dynamic_params(parameters));
  txn.commit();
  if (rows.empty()) return state;
  state.exists = true;
  const pqxx::row row = rows[0];
  for (pqxx::row::size_type column = 0; column < rows.columns(); ++column) {
    const std::string name = rows.column_name(column);
    if (row[column].is_null()) continue;
    if (name == "status") state.status = row[column].as<std::string>();
    if (name == "last_event_created") state.last_event_created = row[column].as<std::int64_t>();
    if (name == "update_count") state.update_count = row[column].as<std::int64_t>();
  }
  return state;
}

std::optional<nlohmann::json> SubscriptionObserver::state_document(const std::string& url,
                                                                  const std::string& key) {
  http::HttpRequest request;
  request.url = url;
  for (const auto& [name, value] : settings_.headers) request.headers.emplace_back(name, value);
  const http::HttpResponse response = http::fetch(request, http::client_options_for(env_));
  if (response.transport_ok() && response.status == 404) return std::nullopt;
  if (!response.transport_ok() || response.status != 200) {
    throw std::runtime_error(key + ": GET " + url + " answered " +
                             (response.transport_ok() ? std::to_string(response.status)
                                                      : std::string(http::to_string(response.error))));
  }
  nlohmann::json document = nlohmann::json::parse(response.body, nullptr, false);
  if (document.is_discarded()) {
    throw std::runtime_error(key + ": GET " + url + " answered a body that is not JSON");
  }
  return document;
}

SubscriptionState SubscriptionObserver::from_http(const ObservedSubscription& which) {
  SubscriptionState state;
  const auto document = state_document(
      render_template(settings_.state_url, subscription_variables(which), /*url_encode=*/true),
      "stripe.observe.state_url");
  if (!document) return state;
  state.exists = true;
  for (const auto& [field, pointer] : settings_.pointers) {
    const nlohmann::json::json_pointer at(pointer);
    if (!document->contains(at)) continue;
    const nlohmann::json& value = document->at(at);
    if (field == ObservedField::kStatus) state.status = value.is_string() ? value.get<std::string>() : value.dump();
    if (field == ObservedField::kUpdateCount) state.update_count = json_integer(value);
    if (field == ObservedField::kLastEventCreated) state.last_event_created = json_integer(value);
  }
  return state;
}

EventObservation SubscriptionObserver::observe_event(const EventPostCondition& condition,
                                                     const TemplateVariables& event) {
  EventObservation observed;
  if (settings_.kind == ObserverKind::kSql && !condition.query.empty()) {
    const auto [sql, parameters] = bind_sql(condition.query, event);
    observed.read = condition.query;
    pqxx::work txn(*database_);
    const pqxx::result rows = txn.exec_params(sql, pqxx::prepare::make_dynamic_params(parameters));
    txn.commit();
    if (rows.empty()) return observed;
    observed.found = true;
    for (pqxx::row::size_type column = 0; column < rows.columns(); ++column) {
      const auto field = rows[0][column];
      observed.values[rows.column_name(column)] = field.is_null() ? "" : field.as<std::string>();
    }
    return observed;
  }
  if (settings_.kind == ObserverKind::kHttp && !condition.url.empty()) {
    observed.read = render_template(condition.url, event, /*url_encode=*/true);
    const auto document = state_document(observed.read, "stripe.observe.events." + condition.type);
    if (!document) return observed;
    observed.found = true;
    for (const auto& [pointer, expected] : condition.expect) {
      const nlohmann::json::json_pointer at(pointer);
      if (!document->contains(at)) continue;
      const nlohmann::json& value = document->at(at);
      observed.values[pointer] = value.is_string() ? value.get<std::string>()
                                 : value.is_null() ? ""
                                                   : value.dump();
    }
    return observed;
  }
  throw std::logic_error("stripe.observe.events." + condition.type + " does not fit the observer");
}

void SubscriptionObserver::preflight_event_queries() {
  for (const auto& condition : settings_.events) {
    // NULL stands in for every value (it fits any column type): the query
    // must run and return the expected columns, whatever it finds.
    TemplateVariables nulls;
    for (const auto& name : template_names(condition.query, env_.source_file, condition.pointer))
      nulls[name] = "NULL";
    const std::string sql = render_template(condition.query, nulls, /*url_encode=*/false);
    std::set<std::string> columns;
    try {
      pqxx::work txn(*database_);
      const pqxx::result rows = txn.exec(sql);
      txn.abort();
      for (pqxx::row::size_type column = 0; column < rows.columns(); ++column)
        columns.insert(rows.column_name(column));
    } catch (const pqxx::sql_error& error) {
      throw core::InputError(env_.source_file, condition.pointer + "/query",
                             std::string("the query failed: ") + error.what());
    }
    for (const auto& [column, expected] : condition.expect) {
      if (columns.count(column) > 0) continue;
      std::string returned;
      for (const auto& name : columns) returned += (returned.empty() ? "" : ", ") + name;
      throw core::InputError(env_.source_file,
                             condition.pointer + "/expect/" + core::escape_pointer_token(column),
                             "the query returns no column \"" + column + "\" (it returns: " +
                                 returned + ")");
    }
  }
}

SubscriptionState SubscriptionObserver::from_supabase_api(const ObservedSubscription& which) {
  SubscriptionState state;
  http::HttpRequest request;
  request.url = env_.url(env_.paths.rest) + "/subscriptions?select=status,last_event_created," +
                "update_count&stripe_subscription_id=eq." + core::percent_encode(which.subscription_id);
  request.headers = {{"apikey", env_.anon_key}, {"Authorization", "Bearer " + which.user_token}};
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
  if (!sees_webhook_rows()) return std::nullopt;
  const auto [sql, parameters] = bind_sql(settings_.event_query, {{"event_id", event_id}});
  pqxx::work txn(*database_);
  const pqxx::result rows = txn.exec_params(sql, pqxx::prepare::make_dynamic_params(parameters));
  txn.commit();
  if (rows.empty() || rows[0][0].is_null()) return 0;
  return rows[0][0].as<std::int64_t>();
}

void SubscriptionObserver::clean_up(const std::string& run_tag) {
  if (!database_ || settings_.cleanup_query.empty()) return;
  const auto [sql, parameters] = bind_sql(settings_.cleanup_query, {{"run_tag", run_tag}});
  pqxx::work txn(*database_);
  txn.exec_params(sql, pqxx::prepare::make_dynamic_params(parameters));
  txn.commit();
}

}  // namespace golive::contract
