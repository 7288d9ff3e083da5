#include "security/static_lint_runner.hpp"

#include <chrono>
#include <map>

#include "security/rls_table_model.hpp"

namespace golive::security {

namespace {

using Clock = std::chrono::steady_clock;

std::vector<std::string> load_api_roles(pqxx::work& txn) {
  std::vector<std::string> roles;
  for (const auto& row : txn.exec(
           "SELECT rolname FROM pg_roles WHERE rolname IN ('anon','authenticated') ORDER BY 1")) {
    roles.push_back(row[0].as<std::string>());
  }
  if (roles.empty()) roles.push_back("public");
  return roles;
}

std::string any_role_sql(const std::vector<std::string>& roles, const std::string& function,
                         const std::string& oid_sql, const std::string& privilege) {
  std::string sql = "(";
  for (std::size_t i = 0; i < roles.size(); ++i) {
    sql += (i ? " OR " : "") + function + "('" + roles[i] + "', " + oid_sql + ", '" + privilege + "')";
  }
  return sql + ")";
}

}  // namespace

StaticLintRunner::StaticLintRunner(pqxx::work& txn, std::vector<std::string> inspected,
                                   const std::vector<std::string>& schemas)
    : txn_(txn),
      current_(&txn),
      inspected_(std::move(inspected)),
      api_roles_(load_api_roles(txn)),
      schema_array_(text_array_sql(txn, schemas)),
      in_schemas_("n.nspname = ANY(" + schema_array_ + ")") {}

std::string StaticLintRunner::reachable_by_api_sql(const std::string& oid_sql) const {
  return any_role_sql(api_roles_, "has_table_privilege", oid_sql, "SELECT,INSERT,UPDATE,DELETE");
}

std::string StaticLintRunner::executable_by_api_sql(const std::string& oid_sql) const {
  return any_role_sql(api_roles_, "has_function_privilege", oid_sql, "EXECUTE");
}

std::vector<StaticFinding> StaticLintRunner::findings(const std::string& sql) {
  std::vector<StaticFinding> found;
  for (const auto& row : current_->exec(sql)) {
    found.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(),
                     row[3].as<std::string>()});
  }
  return found;
}

void StaticLintRunner::run(const StaticLint& lint, const std::function<std::vector<StaticFinding>()>& query) {
  auto start = Clock::now();
  std::vector<StaticFinding> found;
  try {
    pqxx::subtransaction sub(txn_, "golive_lint");
    current_ = &sub;
    found = query();
    current_ = &txn_;
    sub.commit();
  } catch (const pqxx::sql_error& e) {
    current_ = &txn_;
    core::CheckResult check;
    check.id = "security.rls.static." + lint.id;
    check.suite = "security";
    check.title = lint.title;
    check.status = core::CheckStatus::kError;
    check.severity = lint.severity;
    check.message = "The " + lint.id + " lint's catalog query failed on this schema: " + std::string(e.what());
    check.evidence = {{"lint", lint.id}, {"splinter_lint", lint.splinter_lint}, {"query", e.query()}};
    checks_.push_back(std::move(check));
    return;
  }
  emit(lint, found, std::chrono::duration<double, std::milli>(Clock::now() - start).count());
}

void StaticLintRunner::emit(const StaticLint& lint, const std::vector<StaticFinding>& found, double duration_ms) {
  std::map<std::string, std::vector<const StaticFinding*>> by_table;
  for (const auto& finding : found) by_table[finding.schema + "." + finding.table].push_back(&finding);
  if (by_table.empty()) {
    core::CheckResult check;
    check.id = "security.rls.static." + lint.id;
    check.suite = "security";
    check.title = lint.title;
    check.status = core::CheckStatus::kPass;
    check.severity = lint.severity;
    check.duration_ms = duration_ms;
    check.message = "No finding for " + lint.id +
                    (lint.splinter_lint.empty() ? "" : " (splinter " + lint.splinter_lint + ")") + " across " +
                    std::to_string(inspected_.size()) + " table" + (inspected_.size() == 1 ? "" : "s") + ".";
    check.evidence = {{"lint", lint.id},
                      {"splinter_lint", lint.splinter_lint},
                      {"findings", 0},
                      {"tables_inspected", inspected_}};
    checks_.push_back(std::move(check));
    return;
  }
  for (const auto& [table, table_findings] : by_table) {
    core::CheckResult check;
    check.id = "security.rls.static." + lint.id + "." + table;
    check.suite = "security";
    check.title = lint.title + ": " + table;
    check.status = core::CheckStatus::kFail;
    check.severity = lint.severity;
    check.duration_ms = duration_ms / static_cast<double>(by_table.size());
    nlohmann::json objects = nlohmann::json::array();
    for (const auto* finding : table_findings) {
      objects.push_back({{"object", finding->object}, {"detail", finding->detail}});
    }
    check.message = table_findings.front()->detail +
                    (table_findings.size() > 1 ? " (and " + std::to_string(table_findings.size() - 1) + " more)" : "");
    check.evidence = {{"lint", lint.id}, {"splinter_lint", lint.splinter_lint}, {"table", table},
                      {"objects", objects}};
    checks_.push_back(std::move(check));
  }
}

}  // namespace golive::security
