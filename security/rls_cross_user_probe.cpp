#include "security/rls_cross_user_probe.hpp"

#include <algorithm>
#include <chrono>
#include <random>

#include "core/random_id.hpp"
#include "target/postgres.hpp"

namespace golive::security {

namespace {

using Clock = std::chrono::steady_clock;
constexpr int kMaxKeys = 50;  // rows of one user a probe targets, at most

// A fresh value for a key column of `type`, or null when golive cannot make one.
nlohmann::json fresh_key_value(const std::string& type) {
  if (type == "uuid") return core::random_uuid();
  if (type == "text" || type.rfind("character varying", 0) == 0) return "golive-probe-" + core::random_hex(6);
  if (type == "date") return "1970-01-02";
  if (type.rfind("timestamp", 0) == 0) return "1970-01-02T00:00:00Z";
  if (type == "integer" || type == "bigint") return 900000000 + static_cast<long long>(std::stoul(core::random_hex(3), nullptr, 16));
  return nullptr;
}

enum class Outcome { kDenied, kAllowed, kError };

struct Attempt {
  Outcome outcome = Outcome::kError;
  long long rows = 0;  // rows seen (SELECT count) or affected (writes)
  std::string error;   // the database's message when the statement failed
};

// Who acts in an attempt.
struct Actor {
  std::string role;     // "anon" or "authenticated"
  std::string user_id;  // "" for anon
  std::string label() const { return user_id.empty() ? role : "user A (" + user_id + ")"; }
};

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

// Runs `sql` as `actor` inside a subtransaction (a SAVEPOINT) that is always
// rolled back: libpqxx 6 closes a transaction whose statement failed, so
// each attempt needs its own. `counting` SQL returns one count; other SQL is
// a write whose affected rows count.
Attempt attempt(pqxx::work& txn, const Actor& actor, const std::string& sql, bool counting) {
  Attempt result;
  pqxx::subtransaction sub(txn, "golive_probe");
  try {
    impersonate_in(sub, actor);
    auto rows = sub.exec(sql);
    result.rows = counting ? rows[0][0].as<long long>() : static_cast<long long>(rows.affected_rows());
    result.outcome = result.rows == 0 ? Outcome::kDenied : Outcome::kAllowed;
  } catch (const pqxx::insufficient_privilege& e) {  // libpqxx 6.4: empty sqlstate()
    result.outcome = Outcome::kDenied;
    result.error = e.what();
  } catch (const pqxx::sql_error& e) {
    result.error = e.what();
    if (e.sqlstate() == "42501") {
      result.outcome = Outcome::kDenied;
    } else if (counting) {
      result.outcome = Outcome::kError;
    } else {
      // RLS WITH CHECK runs before constraints, unique indexes and AFTER
      // triggers: a write that fails with anything else got past RLS.
      result.outcome = Outcome::kAllowed;
    }
  }
  sub.abort();
  while (!result.error.empty() && (result.error.back() == '\n' || result.error.back() == ' ')) result.error.pop_back();
  return result;
}

std::vector<std::string> column_of(pqxx::work& txn, const std::string& sql) {
  std::vector<std::string> values;
  for (const auto& row : txn.exec(sql)) values.push_back(row[0].as<std::string>());
  return values;
}

// Builds the checks of one table while its transaction is open.
class TableProber {
 public:
  TableProber(pqxx::work& txn, const TableInfo& table, const ProbeUsers& users)
      : txn_(txn), table_(table), users_(users), user_a_{"authenticated", users.a}, anon_{"anon", ""} {}

  TableProbeOutcome run() {
    if (table_.primary_key.empty()) {
      skip_all("has no primary key, so golive cannot address single rows");
      return std::move(outcome_);
    }
    from_ = table_.sql_name() + " AS t";
    touch_column_ = pick_touch_column();
    switch (table_.expectation) {
      case AccessExpectation::kOwnerCrud:
      case AccessExpectation::kOwnerReadOnly: probe_owned_table(); break;
      case AccessExpectation::kPublicRead:
      case AccessExpectation::kPublicReadActive: probe_public_table(); break;
      case AccessExpectation::kServiceOnly: probe_service_only_table(); break;
    }
    return std::move(outcome_);
  }

 private:
  void probe_owned_table() {
    if (!table_.ownership) {
      skip_all("is expected to be " + std::string(to_string(table_.expectation)) +
               " but golive could not infer who owns its rows");
      return;
    }
    const std::string owner = table_.ownership->owner_sql();
    auto b_keys = column_of(txn_, "SELECT " + table_.key_sql() + " FROM " + from_ + " WHERE " + owner + " = " +
                                      txn_.quote(users_.b) + "::uuid LIMIT " + std::to_string(kMaxKeys));
    auto a_keys = column_of(txn_, "SELECT " + table_.key_sql() + " FROM " + from_ + " WHERE " + owner + " = " +
                                      txn_.quote(users_.a) + "::uuid LIMIT " + std::to_string(kMaxKeys));
    if (b_keys.empty()) {
      skip_all("has no rows owned by user B (" + users_.b + ") to probe with");
      return;
    }
    const std::string b_filter = " WHERE " + table_.key_sql() + " = ANY(" + text_array_sql(txn_, b_keys) + ")";
    auto b_row_insert = insert_copy_sql(owner + " = " + txn_.quote(users_.b) + "::uuid");

    count_probe("cross_user_select", user_a_, "SELECT count(*) FROM " + from_ + b_filter,
                "read user B's rows", core::Severity::kCritical);
    write_probe("cross_user_insert", user_a_, b_row_insert, "insert a row owned by user B",
                core::Severity::kCritical);
    write_probe("cross_user_update", user_a_, update_sql() + b_filter, "update user B's rows",
                core::Severity::kCritical);
    write_probe("cross_user_delete", user_a_, "DELETE FROM " + from_ + b_filter, "delete user B's rows",
                core::Severity::kCritical);
    anon_probes(b_row_insert);

    if (table_.expectation == AccessExpectation::kOwnerCrud) {
      if (a_keys.empty()) {
        skip("ownership_transfer_update", "has no row owned by user A to transfer");
      } else {
        write_probe("ownership_transfer_update", user_a_, transfer_sql(),
                    "move its own rows to user B with an unfiltered UPDATE", core::Severity::kCritical);
      }
    } else {
      // Read own, write service only: A may not write even its own rows.
      if (a_keys.empty()) {
        skip("service_only_insert", "has no row owned by user A to copy");
      } else {
        write_probe("service_only_insert", user_a_,
                    insert_copy_sql(owner + " = " + txn_.quote(users_.a) + "::uuid"),
                    "insert a row for itself into a service-written table", core::Severity::kHigh);
      }
      write_probe("service_only_update", user_a_, update_sql(), "update its own rows of a service-written table",
                  core::Severity::kHigh);
      write_probe("service_only_delete", user_a_, "DELETE FROM " + from_,
                  "delete its own rows of a service-written table", core::Severity::kHigh);
    }
  }

  void probe_public_table() {
    if (table_.expectation == AccessExpectation::kPublicReadActive) {
      if (!table_.has_active_column) {
        skip("anon_select_inactive", "is expected to be public_read_active but has no boolean `active` column");
      } else if (column_of(txn_, "SELECT count(*) FROM " + from_ + " WHERE NOT t.active").front() == "0") {
        skip("anon_select_inactive", "has no inactive rows to hide");
      } else {
        const std::string inactive = "SELECT count(*) FROM " + from_ + " WHERE NOT t.active";
        count_probe("anon_select_inactive", anon_, inactive, "see inactive rows", core::Severity::kHigh);
        count_probe("user_select_inactive", user_a_, inactive, "see inactive rows", core::Severity::kHigh);
      }
    }
    service_write_probes();
  }

  void probe_service_only_table() {
    count_probe("anon_select", anon_, "SELECT count(*) FROM " + from_, "read a service-only table",
                core::Severity::kHigh);
    count_probe("service_only_select", user_a_, "SELECT count(*) FROM " + from_, "read a service-only table",
                core::Severity::kHigh);
    service_write_probes();
  }

  // Writes by A and anon to a table only service_role writes.
  void service_write_probes() {
    auto insert = insert_copy_sql("true");
    if (insert) {
      write_probe("service_only_insert", user_a_, *insert, "insert into a service-written table",
                  core::Severity::kHigh);
    } else {
      skip("service_only_insert", insert_skip_reason_);
    }
    write_probe("service_only_update", user_a_, update_sql(), "update a service-written table", core::Severity::kHigh);
    write_probe("service_only_delete", user_a_, "DELETE FROM " + from_, "delete from a service-written table",
                core::Severity::kHigh);
    anon_write_probes(insert);
  }

  void anon_probes(const std::optional<std::string>& insert) {
    count_probe("anon_select", anon_, "SELECT count(*) FROM " + from_, "read user-owned rows",
                core::Severity::kCritical);
    anon_write_probes(insert);
  }

  void anon_write_probes(const std::optional<std::string>& insert) {
    if (insert) {
      write_probe("anon_insert", anon_, *insert, "insert a row", core::Severity::kCritical);
    } else {
      skip("anon_insert", insert_skip_reason_);
    }
    write_probe("anon_update", anon_, update_sql(), "update rows", core::Severity::kCritical);
    write_probe("anon_delete", anon_, "DELETE FROM " + from_, "delete rows", core::Severity::kCritical);
  }

  // INSERT of a copy of one row matching `filter`, with fresh primary key values.
  std::optional<std::string> insert_copy_sql(const std::string& filter) {
    auto rows = txn_.exec("SELECT to_jsonb(t)::text FROM " + from_ + " WHERE " + filter + " LIMIT 1");
    if (rows.empty()) {
      insert_skip_reason_ = "has no row to copy";
      return std::nullopt;
    }
    auto row = nlohmann::json::parse(rows[0][0].as<std::string>());
    for (const auto& key : table_.primary_key) {
      if (table_.ownership && table_.ownership->direct() && key == table_.ownership->owner_column) continue;
      auto fresh = fresh_key_value(table_.column(key)->type);
      if (fresh.is_null()) {
        insert_skip_reason_ = "has key column " + key + " of type " + table_.column(key)->type +
                              ", for which golive cannot make a fresh value";
        return std::nullopt;
      }
      row[key] = fresh;
    }
    return "INSERT INTO " + table_.sql_name() + " SELECT * FROM jsonb_populate_record(NULL::" + table_.sql_name() +
           ", " + txn_.quote(row.dump()) + "::jsonb)";
  }

  std::string update_sql() const {
    return "UPDATE " + from_ + " SET " + target::quote_ident(touch_column_) + " = t." + target::quote_ident(touch_column_);
  }

  // Unfiltered on purpose: with a WHERE clause PostgreSQL re-checks the new
  // row against the SELECT policy, which hides a missing WITH CHECK.
  std::string transfer_sql() {
    const auto& ownership = *table_.ownership;
    if (ownership.direct()) {
      return "UPDATE " + from_ + " SET " + target::quote_ident(ownership.owner_column) + " = " + txn_.quote(users_.b) + "::uuid";
    }
    auto parent_keys = column_of(txn_, "SELECT p." + target::quote_ident(ownership.parent_key) + "::text FROM " +
                                           ownership.parent_table + " p WHERE p." + target::quote_ident(ownership.parent_owner) +
                                           " = " + txn_.quote(users_.b) + "::uuid LIMIT 1");
    std::string target = parent_keys.empty() ? "NULL" : txn_.quote(parent_keys.front());
    return "UPDATE " + from_ + " SET " + target::quote_ident(ownership.owner_column) + " = " + target;
  }

  std::string pick_touch_column() const {
    for (const auto& column : table_.columns) {
      if (std::find(table_.primary_key.begin(), table_.primary_key.end(), column.name) == table_.primary_key.end()) {
        return column.name;
      }
    }
    return table_.columns.front().name;
  }

  void count_probe(const std::string& op, const Actor& actor, const std::string& sql, const std::string& action,
                   core::Severity severity) {
    record(op, actor, sql, action, severity, true);
  }
  void write_probe(const std::string& op, const Actor& actor, const std::optional<std::string>& sql,
                   const std::string& action, core::Severity severity) {
    if (!sql) {
      skip(op, insert_skip_reason_);
      return;
    }
    record(op, actor, *sql, action, severity, false);
  }

  void record(const std::string& op, const Actor& actor, const std::string& sql, const std::string& action,
              core::Severity severity, bool counting) {
    auto start = Clock::now();
    Attempt result = attempt(txn_, actor, sql, counting);
    core::CheckResult check = base_check(op, actor.label() + " cannot " + action);
    check.severity = severity;
    check.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    const std::string what = actor.label() + " tried to " + action + " of " + table_.qualified();
    switch (result.outcome) {
      case Outcome::kDenied:
        check.status = core::CheckStatus::kPass;
        check.message = "Denied: " + what + (result.error.empty() ? " and saw or changed no row." : " (" + result.error + ").");
        break;
      case Outcome::kAllowed:
        check.status = core::CheckStatus::kFail;
        check.message = "Allowed: " + what + " and " + (counting ? "saw " : "affected ") +
                        std::to_string(result.rows) + " row(s)" +
                        (result.error.empty() ? "" : "; the statement passed RLS and failed later: " + result.error) +
                        " (rolled back).";
        break;
      case Outcome::kError:
        check.status = core::CheckStatus::kError;
        check.message = "Could not decide: " + result.error;
        break;
    }
    check.evidence["sql"] = sql;
    check.evidence["actor"] = actor.label();
    check.evidence["rows"] = result.rows;
    if (!result.error.empty()) check.evidence["database_error"] = result.error;
    check.evidence["rolled_back"] = true;
    outcome_.probed = true;
    outcome_.checks.push_back(std::move(check));
  }

  core::CheckResult base_check(const std::string& op, const std::string& title) const {
    core::CheckResult check;
    check.id = "security.rls." + op + "." + table_.qualified();
    check.suite = "security";
    check.title = table_.qualified() + ": " + title;
    check.evidence = {{"table", table_.qualified()},
                      {"expectation", to_string(table_.expectation)},
                      {"user_a", users_.a},
                      {"user_b", users_.b}};
    if (table_.ownership) check.evidence["ownership"] = table_.ownership->how;
    return check;
  }

  void skip(const std::string& op, const std::string& reason) {
    core::CheckResult check = base_check(op, "not probed");
    check.status = core::CheckStatus::kSkip;
    check.severity = core::Severity::kInfo;
    check.message = "Not probed: " + table_.qualified() + " " + reason + ".";
    check.evidence["reason"] = reason;
    outcome_.checks.push_back(std::move(check));
  }

  void skip_all(const std::string& reason) { skip("dynamic_probe", reason); }

  pqxx::work& txn_;
  const TableInfo& table_;
  const ProbeUsers& users_;
  const Actor user_a_;
  const Actor anon_;
  std::string from_;
  std::string touch_column_;
  std::string insert_skip_reason_ = "has no row to copy";
  TableProbeOutcome outcome_;
};

}  // namespace

std::optional<ProbeUsers> pick_probe_users(pqxx::work& txn, const std::vector<TableInfo>& tables) {
  std::map<std::string, int> owned_tables;  // user id -> tables where they own a row
  for (const auto& table : tables) {
    if (!table.ownership || !table.ownership->direct()) continue;
    for (const auto& user : column_of(txn, "SELECT DISTINCT " + table.ownership->owner_sql() + "::text FROM " +
                                               table.sql_name() + " AS t WHERE " + table.ownership->owner_sql() +
                                               " IS NOT NULL LIMIT 1000")) {
      ++owned_tables[user];
    }
  }
  std::vector<std::pair<std::string, int>> ranked(owned_tables.begin(), owned_tables.end());
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& x, const auto& y) { return x.second > y.second; });
  if (ranked.size() < 2) return std::nullopt;
  return ProbeUsers{ranked[0].first, ranked[1].first};
}

TableProbeOutcome probe_table(pqxx::connection& connection, const TableInfo& table, const ProbeUsers& users) {
  TableProbeOutcome outcome;
  target::with_rolled_back_transaction(connection, [&](pqxx::work& txn) {
    outcome = TableProber(txn, table, users).run();
  });
  return outcome;
}

std::map<std::string, long long> count_rows(pqxx::connection& connection, const std::vector<TableInfo>& tables) {
  std::map<std::string, long long> counts;
  target::with_rolled_back_transaction(connection, [&](pqxx::work& txn) {
    for (const auto& table : tables) {
      counts[table.qualified()] = txn.exec("SELECT count(*) FROM " + table.sql_name())[0][0].as<long long>();
    }
  });
  return counts;
}

}  // namespace golive::security
