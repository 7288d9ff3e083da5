#include "db/db_suite.hpp"

#include <filesystem>
#include <fstream>
#include <regex>

#include "core/input_error.hpp"
#include "core/interrupt.hpp"
#include "target/postgres.hpp"
#include "db/db_result.hpp"
#include "db/schema_drift.hpp"
#include "db/schema_snapshot.hpp"

namespace golive::db {

namespace {

using core::CheckStatus;
using core::Severity;

std::string resolve_path(const std::string& home, const std::string& path) {
  if (path.empty() || std::filesystem::path(path).is_absolute()) return path;
  return (std::filesystem::path(home) / path).string();
}

// How bad a drift is: access control changes are critical, a missing index high.
Severity drift_severity(const DriftFinding& finding) {
  if (finding.kind == "rls" || finding.kind == "policy" || finding.kind == "grant") {
    return Severity::kCritical;
  }
  return Severity::kHigh;
}

// Drift from the schema the repository's migrations produce means someone
// edited the live schema by hand (seed 000 §1). It does not evidence seed 001
// R2.5, which asks for a comparison with the app's Prisma schema.
constexpr const char* kDriftChecklist = "s000.migrations.no_manual_edits";

}  // namespace

std::vector<SeedExpectation> reference_seed_expectations() {
  return {{"subscription_tiers", "", 3},
          {"feature_mappings", "", 9},
          {"plans", "active", 1},
          {"storage.buckets", "id = 'uploads'", 1}};
}

DbSettings read_db_settings(const config::Environment& env, const std::string& home) {
  DbSettings settings;
  settings.expected_schema = resolve_path(home, "db/expected_schema.json");
  settings.migrations_dir = resolve_path(home, "fixtures/migrations");
  settings.schemas = default_snapshot_schemas();
  settings.seed = reference_seed_expectations();
  auto section = env.sections.find("db");
  if (section == env.sections.end()) return settings;

  core::JsonReader db(section->second, env.source_file, "/db");
  db.as_object();
  db.reject_unknown_keys({"expected_schema", "migrations_dir", "schemas", "seed",
                          "allow_backup_drill", "pg_bin_dir", "backup_timeout_s"});
  if (db.has("expected_schema")) settings.expected_schema = resolve_path(home, db.at("expected_schema").as_string());
  if (db.has("migrations_dir")) settings.migrations_dir = resolve_path(home, db.at("migrations_dir").as_string());
  settings.allow_backup_drill = db.bool_or("allow_backup_drill", false);
  if (db.has("pg_bin_dir")) settings.pg_bin_dir = resolve_path(home, db.at("pg_bin_dir").as_string());
  if (db.has("backup_timeout_s")) {
    auto timeout = db.at("backup_timeout_s").as_integer();
    if (timeout < 1 || timeout > 86400) db.at("backup_timeout_s").fail("must be 1 to 86400 seconds");
    settings.backup_timeout_s = static_cast<int>(timeout);
  }
  if (db.has("schemas")) {
    auto schemas = db.at("schemas");
    settings.schemas.clear();
    for (std::size_t i = 0; i < schemas.as_array().size(); ++i) {
      settings.schemas.push_back(schemas.at(i).as_string());
    }
    if (settings.schemas.empty()) schemas.fail("must name at least one schema");
  }
  if (db.has("seed")) {
    auto seed = db.at("seed");
    settings.seed.clear();
    static const std::regex kTableName(R"([A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?)");
    for (const auto& [table, unused] : seed.as_object().items()) {
      auto expectation = seed.at(table);
      expectation.as_object();
      expectation.reject_unknown_keys({"min_rows", "where"});
      if (!std::regex_match(table, kTableName)) {
        expectation.fail("the key must be a table name (table or schema.table)");
      }
      SeedExpectation parsed{table, expectation.string_or("where", ""), 1};
      if (expectation.has("min_rows")) {
        auto min_rows = expectation.at("min_rows").as_integer();
        if (min_rows < 0) expectation.at("min_rows").fail("must be 0 or more");
        parsed.min_rows = static_cast<long>(min_rows);
      }
      settings.seed.push_back(parsed);
    }
  }
  return settings;
}

void check_schema_drift(const std::string& database_url, const DbSettings& settings,
                        core::ResultSink& sink) {
  Stopwatch watch;
  auto clean = db_result("db.schema.drift", "Live schema matches the migrations' expected schema",
                         CheckStatus::kPass, Severity::kHigh, kDriftChecklist);
  clean.evidence = {{"expected_schema", settings.expected_schema}, {"schemas", settings.schemas}};

  nlohmann::json expected;
  try {
    expected = core::load_json_file(settings.expected_schema);
  } catch (const std::exception& e) {
    clean.status = CheckStatus::kError;
    clean.message = std::string("cannot read the expected schema: ") + e.what();
    clean.duration_ms = watch.elapsed_ms();
    sink.record(clean);
    return;
  }
  auto db = target::connect_database(database_url);
  if (!db.ok()) {
    clean.status = CheckStatus::kError;
    clean.message = "cannot connect to the database: " + db.error;
    clean.duration_ms = watch.elapsed_ms();
    sink.record(clean);
    return;
  }
  nlohmann::json live;
  try {
    live = snapshot_schema(*db.connection, settings.schemas);
  } catch (const std::exception& e) {
    clean.status = CheckStatus::kError;
    clean.message = std::string("cannot read the catalog: ") + e.what();
    clean.duration_ms = watch.elapsed_ms();
    sink.record(clean);
    return;
  }
  // The expected snapshot defines the schemas compared; a live snapshot over
  // other schemas would report every table as added or missing.
  if (expected.contains("schemas") && expected["schemas"] != live["schemas"]) {
    clean.evidence["expected_schemas"] = expected["schemas"];
  }
  auto findings = diff_snapshots(expected, live);
  double elapsed = watch.elapsed_ms();
  if (findings.empty()) {
    clean.duration_ms = elapsed;
    clean.message = "no drift: " + std::to_string(live["tables"].size()) +
                    " tables, their columns, indexes, constraints, RLS flags, policies, grants "
                    "and triggers equal the expected snapshot";
    sink.record(clean);
    return;
  }
  for (const auto& finding : findings) {
    auto result = db_result("db.schema.drift." + finding.kind + "." + finding.object,
                            "Schema drift: " + finding.summary, CheckStatus::kFail,
                            drift_severity(finding), kDriftChecklist);
    result.duration_ms = elapsed / static_cast<double>(findings.size());
    result.message = finding.summary + " (compared with " + settings.expected_schema + ")";
    result.evidence = {{"kind", finding.kind},
                       {"object", finding.object},
                       {"change", finding.change},
                       {"expected", finding.expected},
                       {"live", finding.live},
                       {"diff", readable_diff(finding)}};
    sink.record(result);
  }
}

std::size_t run_db_suite(const config::Environment& env, const DbSuiteOptions& options,
                         core::ResultSink& sink) {
  DbSettings settings = read_db_settings(env, options.home);
  core::CollectingSink collected(&sink);
  auto run = [&](bool enabled, auto check) {
    if (!enabled || core::interrupted()) return;
    check(env.database_url, settings, collected);
  };
  run(options.drift, check_schema_drift);
  run(options.drift, check_index_audit);
  run(options.history, check_migration_history);
  run(options.seed, check_seed);
  run(options.rollback, check_rollback);
  run(options.backup, check_backup_restore);
  std::size_t failed = 0;
  for (const auto& result : collected.results()) failed += result.failed() ? 1 : 0;
  return failed;
}

config::Capability db_capability(const config::Environment& env) {
  if (env.database_url.empty()) {
    return {"db.schema", false,
            "no database_url: schema drift and migration checks will be skipped"};
  }
  return {"db.schema", true, "schema drift, migrations and seed checks enabled"};
}

}  // namespace golive::db
