#include "security/rls_probe_attempt.hpp"

#include <nlohmann/json.hpp>

namespace golive::security {

// target::impersonate for a subtransaction: SET LOCAL ROLE plus the claims
// PostgREST sets. Both are undone when the subtransaction rolls back.
void impersonate_in(pqxx::subtransaction& sub, const Actor& actor) {
  nlohmann::json claims = {{"role", actor.role}};
  if (!actor.user_id.empty()) claims["sub"] = actor.user_id;
  sub.exec("SET LOCAL ROLE " + sub.quote_name(actor.role));
  sub.exec("SELECT set_config('request.jwt.claims', " + sub.quote(claims.dump()) + ", true), " +
           "set_config('request.jwt.claim.sub', " + sub.quote(actor.user_id) + ", true), " +
           "set_config('request.jwt.claim.role', " + sub.quote(actor.role) + ", true)");
}

// libpqxx 6.4 leaves sqlstate() empty for some exception classes.
std::string sqlstate_of(const pqxx::sql_error& e) {
  if (!e.sqlstate().empty()) return e.sqlstate();
  if (dynamic_cast<const pqxx::insufficient_privilege*>(&e)) return "42501";
  if (dynamic_cast<const pqxx::check_violation*>(&e)) return "23514";
  if (dynamic_cast<const pqxx::unique_violation*>(&e)) return "23505";
  if (dynamic_cast<const pqxx::not_null_violation*>(&e)) return "23502";
  if (dynamic_cast<const pqxx::foreign_key_violation*>(&e)) return "23503";
  if (dynamic_cast<const pqxx::plpgsql_raise*>(&e)) return "P0001";
  return "unknown";
}

Attempt attempt(pqxx::work& txn, const Actor& actor, const std::string& sql, bool counting,
                const std::optional<std::string>& confirm_sql) {
  Attempt result;
  // libpqxx 6 closes a transaction whose statement failed, so each attempt
  // needs its own subtransaction.
  pqxx::subtransaction sub(txn, "golive_probe");
  try {
    impersonate_in(sub, actor);
    auto rows = sub.exec(sql);
    result.rows = counting ? rows[0][0].as<long long>() : static_cast<long long>(rows.affected_rows());
    result.outcome = result.rows == 0 ? Outcome::kDenied : Outcome::kAllowed;
    if (!counting && result.rows > 0 && confirm_sql) {
      sub.exec("RESET ROLE");
      result.confirmed_rows = sub.exec(*confirm_sql)[0][0].as<long long>();
      if (result.confirmed_rows == 0) result.outcome = Outcome::kUnconfirmed;
    }
  } catch (const pqxx::sql_error& e) {
    result.error = e.what();
    result.sqlstate = sqlstate_of(e);
    result.outcome = result.sqlstate == "42501" ? Outcome::kDenied : Outcome::kInconclusive;
  }
  sub.abort();
  if (result.error.rfind("ERROR:  ", 0) == 0) result.error.erase(0, 8);
  auto newline = result.error.find('\n');  // keep the first line; DETAIL and the query follow
  if (newline != std::string::npos) result.error.resize(newline);
  return result;
}

}  // namespace golive::security
