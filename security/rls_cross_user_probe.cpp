#include "security/rls_cross_user_probe.hpp"

#include <algorithm>
#include <chrono>
#include <random>

#include "core/random_id.hpp"
#include "security/rls_probe_attempt.hpp"
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

std::string quote_qualified(const std::string& qualified) {
  auto dot = qualified.find('.');
  return target::quote_ident(qualified.substr(0, dot)) + "." + target::quote_ident(qualified.substr(dot + 1));
}

std::vector<std::string> column_of(pqxx::work& txn, const std::string& sql) {
  std::vector<std::string> values;
  for (const auto& row : txn.exec(sql)) values.push_back(row[0].as<std::string>());
  return values;
}

// A write that copies one existing row: the statement, the predicate that
// finds the copy again (over alias t; "" when the table has no primary key),
// and the same insert with only the columns a row needs (for the retry).
struct InsertCopy {
  std::string sql;
  std::string minimal_sql;
  std::string key_match;
};

// Builds the checks of one table while its transaction is open.
class TableProber {
 public:
  TableProber(pqxx::work& txn, const TableInfo& table, const ProbeUsers& users)
      : txn_(txn),
        table_(table),
        users_(users),
        user_a_{"authenticated", users.a, "user A"},
        anon_{"anon", "", ""},
        outsider_{"authenticated", users.outsider, "an outsider"} {}

  TableProbeOutcome run() {
    from_ = table_.sql_name() + " AS t";
    touch_column_ = pick_touch_column();
    switch (table_.expectation) {
      case AccessExpectation::kOwnerCrud:
      case AccessExpectation::kOwnerReadOnly:
      case AccessExpectation::kOwnerVia:
      case AccessExpectation::kPublicReadOwnerWrite: probe_owned_table(); break;
      case AccessExpectation::kPublicRead:
      case AccessExpectation::kPublicReadActive: probe_public_table(); break;
      case AccessExpectation::kMemberOf: probe_member_table(); break;
      case AccessExpectation::kCustom: probe_custom_table(); break;
      case AccessExpectation::kServiceOnly: probe_service_only_table(); break;
    }
    if (table_.grants_access) self_grant_probe();
    return std::move(outcome_);
  }

 private:
  std::string owner_is(const std::string& user) const {
    return table_.ownership->owner_sql() + " = " + txn_.quote(user) + "::uuid";
  }
  bool shared_by_design() const { return table_.expectation == AccessExpectation::kPublicReadOwnerWrite; }

  void probe_owned_table() {
    if (!table_.ownership) {
      skip_all("is expected to be " + std::string(to_string(table_.expectation)) +
               " but golive could not infer who owns its rows");
      return;
    }
    // B's rows that do not name A as a co-reader (a message B sent to A is A's to read).
    std::string not_addressed_to_a;
    for (const auto& column : table_.co_reader_columns) {
      not_addressed_to_a += " AND t." + txn_.quote_name(column) + " IS DISTINCT FROM " + txn_.quote(users_.a) + "::uuid";
    }
    for (const auto& column : table_.co_reader_arrays) {
      not_addressed_to_a += " AND NOT COALESCE(" + txn_.quote(users_.a) + "::uuid = ANY (t." + txn_.quote_name(column) +
                            "), false)";
    }
    auto b_keys = column_of(txn_, "SELECT " + table_.key_sql() + " FROM " + from_ + " WHERE " + owner_is(users_.b) +
                                      not_addressed_to_a + " LIMIT " + std::to_string(kMaxKeys));
    a_keys_ = column_of(txn_, "SELECT " + table_.key_sql() + " FROM " + from_ + " WHERE " + owner_is(users_.a) +
                                  " LIMIT " + std::to_string(kMaxKeys));
    if (b_keys.empty()) {
      skip_all("has no rows owned by user B (" + users_.b + ")" +
               (not_addressed_to_a.empty() ? std::string() : " that do not name user A as a reader") +
               " to probe with");
      return;
    }
    const std::string b_filter = " WHERE " + table_.key_sql() + " = ANY(" + text_array_sql(txn_, b_keys) + ")";
    auto b_row_insert = insert_copy(owner_is(users_.b), "");

    if (!shared_by_design()) {
      count_probe("cross_user_select", user_a_, "SELECT count(*) FROM " + from_ + b_filter, "read user B's rows",
                  core::Severity::kCritical);
    } else if (table_.shared_read_filter == "true") {
      skip("cross_user_select", "is readable by every caller by design (" + table_.model_reason + ")");
    } else {
      count_probe("cross_user_select", user_a_,
                  "SELECT count(*) FROM " + from_ + b_filter + " AND NOT COALESCE((" + table_.shared_read_filter +
                      "), false)",
                  "read user B's rows beyond the shared filter " + table_.shared_read_filter,
                  core::Severity::kCritical);
    }
    write_probe("cross_user_insert", user_a_, b_row_insert, "insert a row owned by user B", core::Severity::kCritical,
                b_row_insert ? confirm_sql(b_row_insert->key_match, owner_is(users_.b)) : std::nullopt);
    write_probe("cross_user_update", user_a_, update_sql() + b_filter, "update user B's rows",
                core::Severity::kCritical);
    write_probe("cross_user_delete", user_a_, "DELETE FROM " + from_ + b_filter, "delete user B's rows",
                core::Severity::kCritical);
    if (shared_by_design()) {
      beyond_filter_probe("anon_select_beyond_filter", anon_);
    } else {
      count_probe("anon_select", anon_, "SELECT count(*) FROM " + from_, "read user-owned rows",
                  core::Severity::kCritical);
    }
    anon_write_probes(b_row_insert);

    if (table_.expectation != AccessExpectation::kOwnerReadOnly) {
      if (a_keys_.empty()) {
        skip("ownership_transfer_update", "has no row owned by user A to transfer");
      } else {
        write_probe("ownership_transfer_update", user_a_, transfer_sql(),
                    "move its own rows to user B with an unfiltered UPDATE", core::Severity::kCritical,
                    confirm_sql(table_.key_sql() + " = ANY(" + text_array_sql(txn_, a_keys_) + ")",
                                owner_is(users_.b)));
      }
    } else {
      // Read own, write service only: A may not write even its own rows.
      write_probe("service_only_insert", user_a_, insert_copy(owner_is(users_.a), "has no row owned by user A to copy"),
                  "insert a row for itself into a service-written table", core::Severity::kHigh);
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
    } else if (!table_.shared_read_filter.empty() && table_.shared_read_filter != "true") {
      beyond_filter_probe("anon_select_beyond_filter", anon_);
    }
    service_write_probes();
  }

  // Rows shared through a membership: a signed-in user who belongs to
  // nothing sees and changes nothing, and neither does anon.
  void probe_member_table() {
    count_probe("outsider_select", outsider_, "SELECT count(*) FROM " + from_,
                "read rows shared through a membership it does not have", core::Severity::kCritical);
    if (table_.group_key) {
      // As a member of its own groups, A sees no row whose group A cannot
      // see: the group table's own RLS answers which groups those are.
      const auto& group = *table_.group_key;
      count_probe("cross_group_select", user_a_,
                  "SELECT count(*) FROM " + from_ + " WHERE t." + target::quote_ident(group.column) +
                      " IS NOT NULL AND t." + target::quote_ident(group.column) + " NOT IN (SELECT g." +
                      target::quote_ident(group.parent_key) + " FROM " + quote_qualified(group.parent_table) + " g)",
                  "read rows of groups (" + group.parent_table + ") it is not a member of", core::Severity::kCritical);
    }
    auto insert = insert_copy("true", "has no row to copy");
    write_probe("outsider_insert", outsider_, insert, "insert into a group it does not belong to",
                core::Severity::kCritical);
    write_probe("outsider_update", outsider_, update_sql(), "update rows of groups it does not belong to",
                core::Severity::kCritical);
    write_probe("outsider_delete", outsider_, "DELETE FROM " + from_, "delete rows of groups it does not belong to",
                core::Severity::kCritical);
    count_probe("anon_select", anon_, "SELECT count(*) FROM " + from_, "read rows shared through a membership",
                core::Severity::kCritical);
    anon_write_probes(insert);
  }

  // Policies golive cannot classify (printed in the evidence's model_reason):
  // whatever they mean, a signed-in user who owns nothing and belongs to
  // nothing, and anon, should see and change nothing.
  void probe_custom_table() {
    const std::string what = " of a table whose policies golive cannot classify";
    count_probe("outsider_select", outsider_, "SELECT count(*) FROM " + from_, "read rows" + what,
                core::Severity::kHigh);
    auto insert = insert_copy("true", "has no row to copy");
    write_probe("outsider_insert", outsider_, insert, "insert rows" + what, core::Severity::kHigh);
    write_probe("outsider_update", outsider_, update_sql(), "update rows" + what, core::Severity::kHigh);
    write_probe("outsider_delete", outsider_, "DELETE FROM " + from_, "delete rows" + what, core::Severity::kHigh);
    count_probe("anon_select", anon_, "SELECT count(*) FROM " + from_, "read rows" + what, core::Severity::kHigh);
    anon_write_probes(insert);
  }

  void probe_service_only_table() {
    count_probe("anon_select", anon_, "SELECT count(*) FROM " + from_, "read a service-only table",
                core::Severity::kHigh);
    count_probe("service_only_select", user_a_, "SELECT count(*) FROM " + from_, "read a service-only table",
                core::Severity::kHigh);
    service_write_probes();
  }

  // A membership or role row copied from someone else and given to user A:
  // joining a group or taking a role is not the user's own decision.
  void self_grant_probe() {
    const auto& owner = table_.ownership->owner_column;
    auto copy = insert_copy("NOT (" + owner_is(users_.a) + ")", "has no row of another user to copy", owner);
    write_probe("self_grant_insert", user_a_, copy,
                std::string("give itself another user's ") + (table_.role_table ? "app role" : "membership") +
                    " (rows other tables' policies read)",
                core::Severity::kCritical, copy ? confirm_sql(copy->key_match, owner_is(users_.a)) : std::nullopt);
  }

  // Rows the actor reads although the shared filter does not admit them and
  // (for owned tables) they are not the actor's own.
  void beyond_filter_probe(const std::string& op, const Actor& actor) {
    if (table_.shared_read_filter == "true") {
      skip(op, "is readable by every caller by design (" + table_.model_reason + ")");
      return;
    }
    std::string sql = "SELECT count(*) FROM " + from_ + " WHERE NOT COALESCE((" + table_.shared_read_filter + "), false)";
    if (table_.ownership && !actor.user_id.empty()) sql += " AND NOT COALESCE(" + owner_is(actor.user_id) + ", false)";
    count_probe(op, actor, sql, "read rows the shared filter " + table_.shared_read_filter + " does not admit",
                core::Severity::kHigh);
  }

  // Writes by A and anon to a table only service_role writes.
  void service_write_probes() {
    auto insert = insert_copy("true", "has no row to copy");
    write_probe("service_only_insert", user_a_, insert, "insert into a service-written table", core::Severity::kHigh);
    write_probe("service_only_update", user_a_, update_sql(), "update a service-written table", core::Severity::kHigh);
    write_probe("service_only_delete", user_a_, "DELETE FROM " + from_, "delete from a service-written table",
                core::Severity::kHigh);
    anon_write_probes(insert);
  }

  void anon_write_probes(const std::optional<InsertCopy>& insert) {
    write_probe("anon_insert", anon_, insert, "insert a row", core::Severity::kCritical);
    write_probe("anon_update", anon_, update_sql(), "update rows", core::Severity::kCritical);
    write_probe("anon_delete", anon_, "DELETE FROM " + from_, "delete rows", core::Severity::kCritical);
  }

  std::optional<std::string> confirm_sql(const std::string& match, const std::string& effect) const {
    if (match.empty()) return std::nullopt;
    return "SELECT count(*) FROM " + from_ + " WHERE " + match + " AND " + effect;
  }

  // INSERT of a copy of one row matching `filter`, with fresh primary key
  // values, never writing generated or identity-always columns. With
  // `owner_column`, that column is set to user A. nullopt (and the reason in
  // insert_skip_reason_) when there is no row or no fresh key can be made.
  std::optional<InsertCopy> insert_copy(const std::string& filter, const std::string& no_row_reason,
                                        const std::string& owner_column = "") {
    auto rows = txn_.exec("SELECT to_jsonb(t)::text FROM " + from_ + " WHERE " + filter + " LIMIT 1");
    if (rows.empty()) {
      insert_skip_reason_ = no_row_reason;
      return std::nullopt;
    }
    auto row = nlohmann::json::parse(rows[0][0].as<std::string>());
    InsertCopy copy;
    for (const auto& key : table_.primary_key) {
      const bool owner_key = key == owner_column ||
                             (table_.ownership && table_.ownership->direct() && key == table_.ownership->owner_column);
      if (!owner_key) {
        auto fresh = fresh_key_value(table_.column(key)->type);
        if (fresh.is_null()) {
          insert_skip_reason_ = "has key column " + key + " of type " + table_.column(key)->type +
                                ", for which golive cannot make a fresh value";
          return std::nullopt;
        }
        row[key] = fresh;
      }
    }
    if (!owner_column.empty()) row[owner_column] = users_.a;
    for (const auto& column : table_.columns) {
      if (!column.unique || column.name == owner_column || !row.contains(column.name) || row[column.name].is_null()) continue;
      if (table_.ownership && table_.ownership->direct() && column.name == table_.ownership->owner_column) continue;
      auto fresh = fresh_key_value(column.type);
      if (!fresh.is_null()) row[column.name] = fresh;
    }
    for (const auto& key : table_.primary_key) {
      const auto& value = row[key];
      copy.key_match += std::string(copy.key_match.empty() ? "" : " AND ") + "(t." + target::quote_ident(key) +
                        ")::text = " + txn_.quote(value.is_string() ? value.get<std::string>() : value.dump());
    }
    auto build = [&](bool minimal) {
      nlohmann::json values = nlohmann::json::object();
      std::string columns;
      for (const auto& column : table_.columns) {
        if (column.generated || !row.contains(column.name)) continue;
        const bool needed = column.required ||
                            std::find(table_.primary_key.begin(), table_.primary_key.end(), column.name) !=
                                table_.primary_key.end() ||
                            (table_.ownership && table_.ownership->owner_column == column.name);
        if (minimal && !needed) continue;
        values[column.name] = row[column.name];
        columns += (columns.empty() ? "" : ", ") + target::quote_ident(column.name);
      }
      return "INSERT INTO " + table_.sql_name() + " (" + columns + ") SELECT " + columns +
             " FROM jsonb_populate_record(NULL::" + table_.sql_name() + ", " + txn_.quote(values.dump()) + "::jsonb)";
    };
    copy.sql = build(false);
    copy.minimal_sql = build(true);
    return copy;
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

  // A column an UPDATE may set to itself: not generated, not in the key.
  std::string pick_touch_column() const {
    for (const auto& column : table_.columns) {
      if (!column.generated &&
          std::find(table_.primary_key.begin(), table_.primary_key.end(), column.name) == table_.primary_key.end()) {
        return column.name;
      }
    }
    return table_.columns.front().name;
  }

  void count_probe(const std::string& op, const Actor& actor, const std::string& sql, const std::string& action,
                   core::Severity severity) {
    record(op, actor, sql, "", action, severity, true, std::nullopt);
  }
  void write_probe(const std::string& op, const Actor& actor, const std::optional<InsertCopy>& insert,
                   const std::string& action, core::Severity severity,
                   const std::optional<std::string>& confirm = std::nullopt) {
    if (!insert) {
      skip(op, insert_skip_reason_);
      return;
    }
    record(op, actor, insert->sql, insert->minimal_sql, action, severity, false, confirm);
  }
  void write_probe(const std::string& op, const Actor& actor, const std::string& sql, const std::string& action,
                   core::Severity severity, const std::optional<std::string>& confirm = std::nullopt) {
    record(op, actor, sql, "", action, severity, false, confirm);
  }

  void record(const std::string& op, const Actor& actor, const std::string& sql, const std::string& retry_sql,
              const std::string& action, core::Severity severity, bool counting,
              const std::optional<std::string>& confirm) {
    auto start = Clock::now();
    Attempt result = attempt(txn_, actor, sql, counting, confirm);
    Attempt first = result;
    std::string ran = sql;
    if (result.outcome == Outcome::kInconclusive && !retry_sql.empty() && retry_sql != sql) {
      result = attempt(txn_, actor, retry_sql, counting, confirm);
      ran = retry_sql;
    }
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
                        (result.confirmed_rows > 0 ? ", confirmed by reading them back" : "") + " (rolled back).";
        break;
      case Outcome::kUnconfirmed:
        check.status = core::CheckStatus::kPass;
        check.message = "Not effective: " + what + "; the statement affected " + std::to_string(result.rows) +
                        " row(s) but reading them back inside the same rolled-back transaction shows no such effect "
                        "(a trigger or default rewrote them).";
        break;
      case Outcome::kInconclusive:
        check.status = core::CheckStatus::kSkip;
        check.severity = core::Severity::kInfo;
        check.message = "Inconclusive: " + what + "; the statement failed with SQLSTATE " + result.sqlstate + " (" +
                        result.error + "), an error other than an RLS denial, so it proves nothing either way" +
                        (ran != sql ? ", also with a minimal row" : "") +
                        (result.sqlstate.rfind("23", 0) == 0
                             ? "; PostgreSQL checks RLS before constraints, so the row most likely passed RLS"
                             : "") +
                        ".";
        check.evidence["verdict"] = "inconclusive";
        check.evidence["sqlstate"] = result.sqlstate;
        break;
    }
    check.evidence["sql"] = ran;
    check.evidence["actor"] = actor.label();
    check.evidence["rows"] = result.rows;
    if (result.confirmed_rows >= 0) {
      check.evidence["confirm_sql"] = *confirm;
      check.evidence["confirmed_rows"] = result.confirmed_rows;
    }
    if (ran != sql) {
      check.evidence["first_attempt"] = {{"sql", sql}, {"sqlstate", first.sqlstate}, {"database_error", first.error}};
    }
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
                      {"model_reason", table_.model_reason},
                      {"user_a", users_.a},
                      {"user_b", users_.b},
                      {"users_chosen", users_.why}};
    if (!table_.shared_read_filter.empty()) check.evidence["shared_read_filter"] = table_.shared_read_filter;
    if (table_.primary_key.empty()) check.evidence["row_address"] = "ctid (no primary key)";
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
  const Actor outsider_;
  std::string from_;
  std::string touch_column_;
  std::vector<std::string> a_keys_;
  std::string insert_skip_reason_ = "has no row to copy";
  TableProbeOutcome outcome_;
};

}  // namespace

std::optional<ProbeUsers> pick_probe_users(pqxx::work& txn, const std::vector<TableInfo>& tables) {
  std::map<std::string, int> owned_tables;  // user id -> tables where they own a row
  std::map<std::string, std::string> holds_role;  // user id -> the role table naming them
  for (const auto& table : tables) {
    if (!table.ownership || !table.ownership->direct()) continue;
    for (const auto& user : column_of(txn, "SELECT DISTINCT " + table.ownership->owner_sql() + "::text FROM " +
                                               table.sql_name() + " AS t WHERE " + table.ownership->owner_sql() +
                                               " IS NOT NULL LIMIT 1000")) {
      ++owned_tables[user];
      if (table.role_table) holds_role[user] = table.qualified();
    }
  }
  std::vector<std::pair<std::string, int>> ranked(owned_tables.begin(), owned_tables.end());
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& x, const auto& y) { return x.second > y.second; });
  if (ranked.size() < 2) return std::nullopt;
  ProbeUsers users;
  for (const auto& [user, count] : ranked) {
    if (!holds_role.count(user)) {
      users.a = user;
      break;
    }
  }
  if (users.a.empty()) return std::nullopt;
  for (const auto& [user, count] : ranked) {
    if (user != users.a) {
      users.b = user;
      break;
    }
  }
  users.outsider = core::random_uuid();
  users.why = "A and B own rows in the most tables";
  if (!holds_role.empty()) {
    std::string skipped;
    for (const auto& [user, table] : holds_role) skipped += (skipped.empty() ? "" : ", ") + user + " (" + table + ")";
    users.why += "; A holds no app role (users with one, whose rights are not leaks: " + skipped + ")";
  }
  return users;
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
