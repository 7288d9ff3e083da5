// The machinery every catalog lint shares: each lint runs its query in its own
// savepoint (a query that fails on an unusual schema becomes one `error`
// check and the next lint still runs), is timed, and emits either one
// failing check per (lint, table) or one passing check whose evidence names
// every table inspected, so a clean database yields evidence, not silence.
#pragma once

#include <functional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "core/check_result.hpp"

namespace golive::security {

struct StaticFinding {
  std::string schema;
  std::string table;    // table, view or (for functions and extensions) the object's name
  std::string object;   // the SQL object at fault: a policy, constraint, column or function
  std::string detail;   // what is wrong with it, one sentence
};

struct StaticLint {
  std::string id;             // golive's lint name: "rls_enabled", "update_policy_owner", ...
  std::string splinter_lint;  // "0013_rls_disabled_in_public"; "" when splinter has none
  std::string title;          // what a passing lint asserts
  core::Severity severity = core::Severity::kMedium;
};

class StaticLintRunner {
 public:
  // `inspected`: the tables a passing lint names; `schemas`: the exposed schemas.
  StaticLintRunner(pqxx::work& txn, std::vector<std::string> inspected, const std::vector<std::string>& schemas);

  // Runs `query` in a savepoint and records the lint's checks.
  void run(const StaticLint& lint, const std::function<std::vector<StaticFinding>()>& query);
  // Records the checks of a lint whose findings were computed elsewhere.
  void emit(const StaticLint& lint, const std::vector<StaticFinding>& findings, double duration_ms);
  // Runs `sql` (columns: schema, table, object, detail) inside the current lint's savepoint.
  std::vector<StaticFinding> findings(const std::string& sql);
  // Runs `sql` inside the current lint's savepoint and returns its rows.
  pqxx::result exec(const std::string& sql) { return current_->exec(sql); }

  pqxx::work& transaction() { return txn_; }
  // anon and authenticated when they exist (Supabase), else PUBLIC (plain PostgreSQL).
  const std::vector<std::string>& api_roles() const { return api_roles_; }
  // SQL true when an API role holds any table privilege on relation `oid_sql`.
  std::string reachable_by_api_sql(const std::string& oid_sql) const;
  // SQL true when an API role may execute function `oid_sql`.
  std::string executable_by_api_sql(const std::string& oid_sql) const;
  // `n.nspname = ANY('{...}')`: the relation's namespace alias must be `n`.
  const std::string& in_exposed_schemas() const { return in_schemas_; }
  const std::string& schema_array() const { return schema_array_; }

  std::vector<core::CheckResult> take_checks() { return std::move(checks_); }

 private:
  pqxx::work& txn_;
  pqxx::transaction_base* current_;
  std::vector<std::string> inspected_;
  std::vector<std::string> api_roles_;
  std::string schema_array_;
  std::string in_schemas_;
  std::vector<core::CheckResult> checks_;
};

}  // namespace golive::security
