#include "security/rls_suite.hpp"

#include <chrono>
#include <optional>

#include "core/input_error.hpp"
#include "core/interrupt.hpp"
#include "core/random_id.hpp"
#include "target/postgres.hpp"
#include "security/rls_cross_user_probe.hpp"
#include "security/rls_definer_call_probe.hpp"
#include "security/rls_static_audit.hpp"
#include "security/rls_table_model.hpp"

#ifndef GOLIVE_SECURITY_DATA_DIR
#define GOLIVE_SECURITY_DATA_DIR "security"
#endif

namespace golive::security {

namespace {

using Clock = std::chrono::steady_clock;

double elapsed_ms(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Counts what it forwards, so the outcome can report failures.
class CountingSink : public core::ResultSink {
 public:
  explicit CountingSink(core::ResultSink& next) : next_(next) {}
  void record(const core::CheckResult& result) override {
    ++checks;
    if (result.failed()) ++failed;
    next_.record(result);
  }
  std::size_t checks = 0;
  std::size_t failed = 0;

 private:
  core::ResultSink& next_;
};

core::CheckResult suite_check(const std::string& id, const std::string& title) {
  core::CheckResult check;
  check.id = id;
  check.suite = "security";
  check.title = title;
  return check;
}

// Compares the row counts taken before and after every probe.
core::CheckResult residue_check(const std::map<std::string, long long>& before,
                                const std::map<std::string, long long>& after) {
  auto check = suite_check("security.rls.residue", "RLS probes leave every table's row count unchanged");
  check.severity = core::Severity::kHigh;
  nlohmann::json changed = nlohmann::json::object();
  for (const auto& [table, count] : before) {
    auto found = after.find(table);
    long long now = found == after.end() ? -1 : found->second;
    if (now != count) changed[table] = {{"before", count}, {"after", now}};
  }
  check.status = changed.empty() ? core::CheckStatus::kPass : core::CheckStatus::kFail;
  check.message = changed.empty()
                      ? "All " + std::to_string(before.size()) + " tables have the same row count as before the probes."
                      : std::to_string(changed.size()) +
                            " table(s) changed row count during the probes (another writer, or a probe leaked).";
  check.evidence = {{"tables_counted", before.size()}, {"changed", changed}};
  return check;
}

// True when every table `expectations` names ("table" = public.table) exists.
bool holds_every_table(pqxx::work& txn, const nlohmann::json& expectations) {
  for (const auto& [table, value] : expectations.items()) {
    if (table.empty() || table.front() == '_') continue;  // "_comment"
    std::string qualified = table.find('.') == std::string::npos ? "public." + table : table;
    if (txn.exec("SELECT to_regclass(" + txn.quote(qualified) + ")")[0][0].is_null()) return false;
  }
  return true;
}

}  // namespace

nlohmann::json applicable_expectations(pqxx::work& txn, const RlsSettings& settings) {
  if (settings.expectations_are_defaults && !holds_every_table(txn, settings.rls_expectations)) {
    return nlohmann::json::object();
  }
  return settings.rls_expectations;
}

std::string default_rls_expectations_file() {
  return std::string(GOLIVE_SECURITY_DATA_DIR) + "/rls_expectations.json";
}

RlsSettings read_rls_settings(const config::Environment& env, const RlsOptions& options) {
  if (env.database_url.empty()) {
    throw core::InputError(env.source_file, "/database_url",
                           "the RLS probes need database_url (a PostgreSQL URL of a role that may SET ROLE "
                           "anon and authenticated, e.g. the database owner)");
  }
  RlsSettings settings;
  bool expectations_given = false;
  auto section = env.sections.find("security");
  if (section != env.sections.end()) {
    core::JsonReader security(section->second, env.source_file, "/security");
    security.as_object();
    if (security.has("exposed_schemas")) {
      auto schemas = security.at("exposed_schemas");
      settings.exposed_schemas.clear();
      for (std::size_t i = 0; i < schemas.as_array().size(); ++i) {
        settings.exposed_schemas.push_back(schemas.at(i).as_string());
      }
      if (settings.exposed_schemas.empty()) schemas.fail("must name at least one schema");
    }
    if (security.has("rls_expectations")) {
      auto expectations = security.at("rls_expectations");
      for (const auto& [table, value] : expectations.as_object().items()) {
        auto name = expectations.at(table).as_string();
        if (!parse_access_expectation(name, true)) {
          expectations.at(table).fail("unknown expectation \"" + name + "\"; use one of " +
                                      kAccessExpectationNames);
        }
      }
      settings.rls_expectations = expectations.value();
      expectations_given = true;
    }
    if (security.has("probe_users")) {
      auto users = security.at("probe_users");
      users.reject_unknown_keys({"a", "b"});
      settings.probe_user_a = users.at("a").as_string();
      settings.probe_user_b = users.at("b").as_string();
      if (settings.probe_user_a == settings.probe_user_b) users.fail("a and b must be different users");
    }
  }
  if (!expectations_given) {
    std::string file = options.expectations_file.empty() ? default_rls_expectations_file() : options.expectations_file;
    settings.rls_expectations = core::load_json_file(file);
    if (!settings.rls_expectations.is_object()) throw core::InputError(file, "", "must be a JSON object");
    settings.expectations_are_defaults = options.expectations_file.empty();
  }
  return settings;
}

RlsSuiteOutcome run_rls_suite(const config::Environment& env, const RlsOptions& options, core::ResultSink& sink) {
  RlsSettings settings = read_rls_settings(env, options);
  RlsSuiteOutcome outcome;
  CountingSink counted(sink);

  auto connected = target::connect_database(env.database_url);
  if (!connected.ok()) {
    auto check = suite_check("security.rls.database", "The RLS probes can connect to the database");
    check.status = core::CheckStatus::kError;
    check.severity = core::Severity::kHigh;
    check.message = "Cannot connect to database_url: " + connected.error;
    counted.record(check);
    outcome.checks = counted.checks;
    outcome.failed = counted.failed;
    return outcome;
  }
  outcome.database_reachable = true;
  pqxx::connection& connection = *connected.connection;

  std::vector<TableInfo> tables;
  std::size_t tables_probed = 0;
  auto static_start = Clock::now();
  // The database can go away mid-run (a restart, a failover, a dropped
  // connection): the checks recorded so far stand, and one error check says
  // where the probes stopped and why, instead of an exception ending the run.
  try {
  try {
    target::with_rolled_back_transaction(connection, [&](pqxx::work& txn) {
      txn.exec("SET TRANSACTION READ ONLY");
      settings.rls_expectations = applicable_expectations(txn, settings);
      tables = load_table_model(txn, settings.exposed_schemas, settings.rls_expectations);
      for (const auto& check : run_rls_static_audit(txn, tables, settings.exposed_schemas)) counted.record(check);
    });
  } catch (const std::invalid_argument& e) {
    throw core::InputError(env.source_file, "/security/rls_expectations", e.what());
  }
  outcome.static_audit_ms = elapsed_ms(static_start);

  if (!options.static_only) {
    auto dynamic_start = Clock::now();
    std::optional<ProbeUsers> users;
    if (!settings.probe_user_a.empty()) {
      users = ProbeUsers{settings.probe_user_a, settings.probe_user_b, core::random_uuid(),
                         "given by security.probe_users"};
    } else {
      target::with_rolled_back_transaction(connection, [&](pqxx::work& txn) { users = pick_probe_users(txn, tables); });
    }
    nlohmann::json probed = nlohmann::json::array(), present = nlohmann::json::array();
    for (const auto& table : tables) present.push_back(table.qualified());
    if (!users) {
      auto check = suite_check("security.rls.dynamic_probe", "Two users with data exist to probe cross-user access");
      check.status = core::CheckStatus::kSkip;
      check.severity = core::Severity::kInfo;
      check.message = "Not probed: fewer than two users own rows in the exposed schemas, or every candidate for "
                      "user A holds an app role; seed two ordinary users or set security.probe_users.";
      counted.record(check);
    } else {
      auto before = count_rows(connection, tables);
      for (const auto& table : tables) {
        if (core::interrupted()) {
          outcome.interrupted = true;
          break;
        }
        auto table_outcome = probe_table(connection, table, *users);
        for (const auto& check : table_outcome.checks) counted.record(check);
        if (table_outcome.probed) probed.push_back(table.qualified());
        ++tables_probed;
      }
      if (!outcome.interrupted) {
        for (const auto& check : probe_definer_functions(connection, settings.exposed_schemas, *users)) {
          counted.record(check);
        }
      }
      counted.record(residue_check(before, count_rows(connection, tables)));
    }
    outcome.dynamic_probe_ms = elapsed_ms(dynamic_start);
    outcome.surface_coverage = {{"tables_probed", probed}, {"tables_present", present}};
  }
  } catch (const pqxx::broken_connection& e) {
    auto check = suite_check("security.rls.database", "The RLS probes can connect to the database");
    check.status = core::CheckStatus::kError;
    check.severity = core::Severity::kHigh;
    check.message = "The database connection broke during the RLS checks, after " + std::to_string(tables_probed) +
                    " of " + std::to_string(tables.size()) + " tables were probed: " + e.what();
    check.evidence = {{"tables_probed", tables_probed}, {"tables", tables.size()}};
    counted.record(check);
  }
  outcome.checks = counted.checks;
  outcome.failed = counted.failed;
  return outcome;
}

config::Capability rls_capability(const config::Environment& env) {
  if (env.database_url.empty()) return {"security.rls", false, "no database_url: RLS probes will be skipped"};
  return {"security.rls", true, "RLS audit and cross-user probes enabled"};
}

}  // namespace golive::security
