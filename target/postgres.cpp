#include "target/postgres.hpp"

#include <nlohmann/json.hpp>

namespace golive::target {

namespace {
std::string with_connect_options(const std::string& url, int connect_timeout_s) {
  std::string separator = url.find('?') == std::string::npos ? "?" : "&";
  return url + separator + "connect_timeout=" + std::to_string(connect_timeout_s) +
         "&application_name=golive";
}
}  // namespace

DatabaseConnection connect_database(const std::string& url, int connect_timeout_s) {
  DatabaseConnection result;
  try {
    result.connection = std::make_unique<pqxx::connection>(with_connect_options(url, connect_timeout_s));
  } catch (const std::exception& e) {
    result.error = e.what();
    while (!result.error.empty() && (result.error.back() == '\n' || result.error.back() == ' ')) {
      result.error.pop_back();
    }
  }
  return result;
}

void with_rolled_back_transaction(pqxx::connection& connection,
                                  const std::function<void(pqxx::work&)>& work) {
  pqxx::work txn(connection);
  try {
    work(txn);
  } catch (...) {
    txn.abort();
    throw;
  }
  txn.abort();
}

void impersonate(pqxx::work& txn, const std::string& role, const std::string& user_id) {
  nlohmann::json claims = {{"role", role}};
  if (!user_id.empty()) claims["sub"] = user_id;
  txn.exec("SET LOCAL ROLE " + txn.quote_name(role));
  txn.exec("SELECT set_config('request.jwt.claims', " + txn.quote(claims.dump()) + ", true), " +
           "set_config('request.jwt.claim.sub', " + txn.quote(user_id) + ", true), " +
           "set_config('request.jwt.claim.role', " + txn.quote(role) + ", true)");
}

std::string quote_ident(const std::string& name) {
  std::string quoted = "\"";
  for (const char c : name) {
    quoted += c;
    if (c == '"') quoted += '"';
  }
  return quoted + "\"";
}

}  // namespace golive::target
