// The database readiness suite against a real PostgreSQL 15 built from
// fixtures/migrations (the reference target, database only): the clean
// reference has zero findings; an out-of-band DROP INDEX / ADD COLUMN /
// ALTER POLICY, a broken down-migration, a missing migration file and missing
// seed data are each caught; scratch databases never outlive a check.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <pqxx/pqxx>
#include <string>
#include <unistd.h>
#include <vector>

#include "core/input_error.hpp"
#include "core/result_stream.hpp"
#include "db/db_suite.hpp"
#include "db/migration_files.hpp"
#include "db/schema_drift.hpp"
#include "db/schema_snapshot.hpp"
#include "db/scratch_database.hpp"
#include "tests/support/reference_env.hpp"

namespace {

namespace fs = std::filesystem;
using golive::core::CheckResult;
using golive::core::CheckStatus;
using golive::testing::ReferenceEnv;

const std::string kHome = GOLIVE_SOURCE_DIR;

ReferenceEnv& reference() {
  return golive::testing::shared_reference_env(ReferenceEnv::Options::database_only());
}

golive::db::DbSettings default_settings() {
  golive::config::Environment env;
  env.source_file = "test";
  return golive::db::read_db_settings(env, kHome);
}

// Runs `statements` as the superuser, committed.
void admin_exec(const std::string& statements) {
  pqxx::connection connection(reference().database_url());
  pqxx::work txn(connection);
  txn.exec(statements);
  txn.commit();
}

long scratch_databases_left() {
  pqxx::connection connection(reference().database_url());
  pqxx::work txn(connection);
  return txn.exec("SELECT count(*) FROM pg_database WHERE datname LIKE 'golive_scratch_%'")[0][0]
      .as<long>();
}

// Runs `undo` when it goes out of scope, so a failed assertion still restores
// the shared reference database.
struct Restore {
  std::function<void()> undo;
  ~Restore() {
    try {
      undo();
    } catch (const std::exception& e) {
      ADD_FAILURE() << "could not restore the reference database: " << e.what();
    }
  }
};

const CheckResult* find(const std::vector<CheckResult>& results, const std::string& id) {
  auto it = std::find_if(results.begin(), results.end(),
                         [&](const CheckResult& r) { return r.id == id; });
  return it == results.end() ? nullptr : &*it;
}

std::string ids(const std::vector<CheckResult>& results) {
  std::string text;
  for (const auto& r : results) text += r.id + " [" + golive::core::to_string(r.status) + "] " + r.message + "\n";
  return text;
}

// A copy of fixtures/migrations in a fresh temporary directory.
std::string copy_migrations(const std::string& tag) {
  fs::path dir = fs::temp_directory_path() / ("golive-db-test-" + tag + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (const auto& entry : fs::directory_iterator(kHome + "/fixtures/migrations")) {
    fs::copy_file(entry.path(), dir / entry.path().filename());
  }
  return dir.string();
}

TEST(DbReadiness, ExpectedSnapshotMatchesADatabaseBuiltFromTheMigrations) {
  auto settings = default_settings();
  nlohmann::json built;
  {
    golive::db::ScratchDatabase scratch(reference().database_url());
    auto connection = scratch.connect();
    for (const auto& migration : golive::db::list_migrations(settings.migrations_dir)) {
      auto failure = golive::db::apply_migration_file(*connection, migration.up_path);
      ASSERT_FALSE(failure) << failure->file << ": " << failure->message;
    }
    built = golive::db::snapshot_schema(*connection, settings.schemas);
  }
  EXPECT_EQ(scratch_databases_left(), 0);
  auto expected = golive::core::load_json_file(settings.expected_schema);
  std::string drift;
  for (const auto& finding : golive::db::diff_snapshots(expected, built)) drift += finding.summary + "\n";
  EXPECT_EQ(golive::db::snapshot_text(expected), golive::db::snapshot_text(built))
      << "db/expected_schema.json is stale:\n"
      << drift
      << "Refresh it from a database built from the migrations:\n"
         "  GOLIVE_STATE_DIR=/tmp/golive-snap scripts/reference-env up --no-service\n"
         "  <build>/cli/golive schema snapshot --db \"$(GOLIVE_STATE_DIR=/tmp/golive-snap "
         "scripts/reference-env env | sed -n 's/^GOLIVE_REF_DATABASE_URL=//p')\" > "
         "db/expected_schema.json\n"
         "  GOLIVE_STATE_DIR=/tmp/golive-snap scripts/reference-env down\n";
}

TEST(DbReadiness, CleanReferenceDatabaseHasZeroFindings) {
  golive::config::Environment env;
  env.source_file = "test";
  env.database_url = reference().database_url();
  golive::core::CollectingSink sink;
  auto failed = golive::db::run_db_suite(env, {}, sink);
  auto results = sink.results();
  EXPECT_EQ(failed, 0u) << ids(results);
  for (const auto* id : {"db.schema.drift", "db.migrations.history", "db.migrations.rollback",
                         "db.migrations.conflict_drill", "db.seed.subscription_tiers", "db.seed.feature_mappings", "db.seed.plans",
                         "db.seed.storage.buckets", "db.schema.index_user_id.public.courses",
                         "db.schema.index_user_id.storage.objects",
                         "db.schema.index_course_id.public.topics"}) {
    auto* result = find(results, id);
    ASSERT_NE(result, nullptr) << id << " missing from\n" << ids(results);
    EXPECT_EQ(result->status, CheckStatus::kPass) << id << ": " << result->message;
    EXPECT_EQ(result->suite, "db");
  }
  EXPECT_EQ(find(results, "db.migrations.rollback")->evidence.value("scratch_dropped", false), true);
  // Seed 001 R2.4: the conflicting migration's error is PostgreSQL's, and nothing changed.
  const auto* conflict = find(results, "db.migrations.conflict_drill");
  EXPECT_NE(conflict->message.find("already exists"), std::string::npos) << conflict->message;
  EXPECT_TRUE(conflict->evidence["changes"].empty()) << conflict->evidence.dump();
  EXPECT_EQ(scratch_databases_left(), 0);
}

TEST(DbReadiness, OutOfBandDropIndexAddColumnAndAlterPolicyAreDrift) {
  auto settings = default_settings();
  auto expected = golive::core::load_json_file(settings.expected_schema);
  const auto& courses = expected["tables"]["public.courses"];
  std::string index_definition = expected["tables"]["public.topics"]["indexes"]["topics_course_id_idx"];
  std::string policy_using = courses["policies"]["courses_select"]["using"];

  admin_exec(
      "DROP INDEX public.topics_course_id_idx;"
      "ALTER TABLE public.courses ADD COLUMN extra text;"
      "ALTER POLICY courses_select ON public.courses USING (true);");
  Restore restore{[&] {
    admin_exec(index_definition + ";" +
               "ALTER TABLE public.courses DROP COLUMN extra;"
               "ALTER POLICY courses_select ON public.courses USING (" + policy_using + ");");
  }};

  golive::core::CollectingSink sink;
  golive::db::check_schema_drift(reference().database_url(), settings, sink);
  auto results = sink.results();
  EXPECT_EQ(results.size(), 3u) << ids(results);
  auto* index = find(results, "db.schema.drift.index.public.topics_course_id_idx");
  auto* column = find(results, "db.schema.drift.column.public.courses.extra");
  auto* policy = find(results, "db.schema.drift.policy.public.courses.courses_select");
  ASSERT_TRUE(index && column && policy) << ids(results);
  EXPECT_EQ(index->status, CheckStatus::kFail);
  EXPECT_NE(index->message.find("index public.topics_course_id_idx missing"), std::string::npos);
  EXPECT_NE(column->message.find("added outside migrations"), std::string::npos);
  EXPECT_NE(policy->message.find("USING changed"), std::string::npos) << policy->message;
  EXPECT_EQ(policy->evidence["live"]["using"], "true");
  EXPECT_EQ(find(results, "db.schema.drift"), nullptr);

  // The index audit sees the dropped index too (seed 000 §5).
  golive::core::CollectingSink audit;
  golive::db::check_index_audit(reference().database_url(), settings, audit);
  auto audited = audit.results();
  auto* topics = find(audited, "db.schema.index_course_id.public.topics");
  ASSERT_NE(topics, nullptr) << ids(audited);
  EXPECT_EQ(topics->status, CheckStatus::kFail) << topics->message;
  std::size_t audit_failures = 0;
  for (const auto& r : audited) audit_failures += r.failed() ? 1 : 0;
  EXPECT_EQ(audit_failures, 1u) << ids(audited);

  // Restored: the drift check is clean again.
  restore.undo();
  restore.undo = [] {};
  golive::core::CollectingSink after;
  golive::db::check_schema_drift(reference().database_url(), settings, after);
  ASSERT_EQ(after.results().size(), 1u) << ids(after.results());
  EXPECT_EQ(after.results()[0].status, CheckStatus::kPass) << ids(after.results());
}

TEST(DbReadiness, BrokenDownMigrationIsReportedWithFileStatementAndMessage) {
  auto settings = default_settings();
  settings.migrations_dir = copy_migrations("broken-down");
  {
    std::ofstream down(settings.migrations_dir + "/0003_indexes.down.sql", std::ios::app);
    down << "\nDROP INDEX public.golive_no_such_index;\n";
  }
  golive::core::CollectingSink sink;
  golive::db::check_rollback(reference().database_url(), settings, sink);
  fs::remove_all(settings.migrations_dir);
  auto results = sink.results();  // a copy: results() returns by value
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[1].id, "db.migrations.conflict_drill");
  EXPECT_EQ(results[1].status, CheckStatus::kError) << "not run after a failed rollback drill";
  const auto& result = results[0];
  EXPECT_EQ(result.id, "db.migrations.rollback");
  EXPECT_EQ(result.status, CheckStatus::kFail) << result.message;
  EXPECT_NE(result.message.find("0003_indexes.down.sql"), std::string::npos) << result.message;
  EXPECT_NE(result.message.find("golive_no_such_index"), std::string::npos) << result.message;
  EXPECT_EQ(result.evidence["failed_step"], "down");
  EXPECT_EQ(result.evidence["failure"]["statement"], "DROP INDEX public.golive_no_such_index")
      << result.evidence.dump(2);
  EXPECT_EQ(result.evidence["scratch_dropped"], true);
  EXPECT_EQ(scratch_databases_left(), 0);
}

TEST(DbReadiness, MigrationFileNotAppliedOnTheTargetIsMissingHistory) {
  auto settings = default_settings();
  settings.migrations_dir = copy_migrations("history");
  { std::ofstream(settings.migrations_dir + "/0099_out_of_band.up.sql") << "SELECT 1;\n"; }
  golive::core::CollectingSink sink;
  golive::db::check_migration_history(reference().database_url(), settings, sink);
  fs::remove_all(settings.migrations_dir);
  auto results = sink.results();  // a copy: results() returns by value
  ASSERT_EQ(results.size(), 1u);
  const auto& result = results[0];
  EXPECT_EQ(result.status, CheckStatus::kFail) << result.message;
  EXPECT_EQ(result.evidence["missing"], nlohmann::json::array({"0099_out_of_band"}));
  EXPECT_TRUE(result.evidence["unknown"].empty());
}

TEST(DbReadiness, MissingSeedDataIsCaught) {
  auto settings = default_settings();
  std::vector<std::string> deactivated;
  {
    pqxx::connection connection(reference().database_url());
    pqxx::work txn(connection);
    for (const auto& row : txn.exec("UPDATE public.plans SET active = false WHERE active RETURNING id::text")) {
      deactivated.push_back(row[0].as<std::string>());
    }
    txn.commit();
  }
  ASSERT_FALSE(deactivated.empty());
  Restore restore{[&] {
    pqxx::connection connection(reference().database_url());
    pqxx::work txn(connection);
    for (const auto& id : deactivated) {
      txn.exec("UPDATE public.plans SET active = true WHERE id = " + txn.quote(id) + "::uuid");
    }
    txn.commit();
  }};
  golive::core::CollectingSink sink;
  golive::db::check_seed(reference().database_url(), settings, sink);
  auto results = sink.results();
  auto* plans = find(results, "db.seed.plans");
  ASSERT_NE(plans, nullptr) << ids(results);
  EXPECT_EQ(plans->status, CheckStatus::kFail);
  EXPECT_EQ(plans->evidence["rows"], 0);
  EXPECT_NE(plans->message.find("missing seed data"), std::string::npos);
  EXPECT_EQ(find(results, "db.seed.subscription_tiers")->status, CheckStatus::kPass);
}

TEST(DbReadiness, ScratchDatabaseIsDroppedWhenTheWorkThrows) {
  std::string name;
  // A session that outlives the guard: DROP DATABASE ... WITH (FORCE) must end it.
  std::unique_ptr<pqxx::connection> open_session;
  try {
    golive::db::ScratchDatabase scratch(reference().database_url());
    name = scratch.name();
    open_session = scratch.connect();
    throw std::runtime_error("step failed");
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "step failed");
  }
  EXPECT_EQ(name.rfind(golive::db::kScratchPrefix, 0), 0u);
  EXPECT_EQ(scratch_databases_left(), 0);
}

// Temporary directories the drill left behind (it must leave none).
long backup_directories_left() {
  long count = 0;
  for (const auto& entry : fs::directory_iterator(fs::temp_directory_path())) {
    count += entry.path().filename().string().rfind("golive-backup-", 0) == 0 ? 1 : 0;
  }
  return count;
}

// A pg_bin_dir whose pg_dump is the real one and whose pg_restore runs `restore_script`.
std::string fake_pg_bin_dir(const std::string& tag, const std::string& restore_script) {
  fs::path dir = fs::temp_directory_path() / ("golive-db-test-bin-" + tag + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::create_symlink("/usr/lib/postgresql/15/bin/pg_dump", dir / "pg_dump");
  std::ofstream(dir / "pg_restore") << "#!/bin/sh\n" << restore_script << "\n";
  fs::permissions(dir / "pg_restore", fs::perms::owner_all);
  return dir.string();
}

TEST(DbReadiness, BackupDrillIsSkippedUnlessTheEnvironmentAllowsIt) {
  auto settings = default_settings();
  golive::core::CollectingSink sink;
  golive::db::check_backup_restore(reference().database_url(), settings, sink);
  ASSERT_EQ(sink.results().size(), 1u);
  EXPECT_EQ(sink.results()[0].status, CheckStatus::kSkip);
  EXPECT_NE(sink.results()[0].message.find("allow_backup_drill"), std::string::npos);
}

TEST(DbReadiness, BackupDrillRestoresEveryRowAndTheSchema) {
  auto settings = default_settings();
  settings.allow_backup_drill = true;
  long before = backup_directories_left();
  golive::core::CollectingSink sink;
  golive::db::check_backup_restore(reference().database_url(), settings, sink);
  const auto results = sink.results();  // a copy: results() returns by value
  ASSERT_EQ(results.size(), 1u);
  const auto& result = results[0];
  EXPECT_EQ(result.id, "db.backup.restore_drill");
  ASSERT_EQ(result.status, CheckStatus::kPass) << result.message << "\n" << result.evidence.dump(2);
  EXPECT_GT(result.evidence["dump_bytes"].get<long>(), 1000);
  EXPECT_GT(result.evidence["tables"].get<long>(), 20);
  EXPECT_GT(result.evidence["rows"].get<long>(), 10);  // the seed data
  EXPECT_TRUE(result.evidence["row_count_mismatches"].empty());
  EXPECT_TRUE(result.evidence["schema_differences"].empty());
  EXPECT_TRUE(result.evidence["scratch_dropped"].get<bool>());
  EXPECT_TRUE(result.evidence.contains("restore_ms"));
  EXPECT_NE(result.evidence["runbook"].get<std::string>().find("Database Restore"), std::string::npos);
  EXPECT_EQ(scratch_databases_left(), 0);
  EXPECT_EQ(backup_directories_left(), before);
}

TEST(DbReadiness, BackupThatRestoresNoRowsFailsWithTheTablesNamed) {
  auto settings = default_settings();
  settings.allow_backup_drill = true;
  // A "backup" that keeps the schema and loses the data.
  settings.pg_bin_dir = fake_pg_bin_dir("schema-only", "exec /usr/lib/postgresql/15/bin/pg_restore --schema-only \"$@\"");
  golive::core::CollectingSink sink;
  golive::db::check_backup_restore(reference().database_url(), settings, sink);
  const auto results = sink.results();  // a copy: results() returns by value
  ASSERT_EQ(results.size(), 1u);
  const auto& result = results[0];
  EXPECT_EQ(result.status, CheckStatus::kFail) << result.message;
  EXPECT_NE(result.message.find("different row count"), std::string::npos) << result.message;
  bool plans_listed = false;
  for (const auto& mismatch : result.evidence["row_count_mismatches"]) {
    if (mismatch["table"] == "public.plans") plans_listed = mismatch["restored"] == 0;
  }
  EXPECT_TRUE(plans_listed) << result.evidence["row_count_mismatches"].dump();
  EXPECT_TRUE(result.evidence["schema_differences"].empty());
  EXPECT_EQ(scratch_databases_left(), 0);
  fs::remove_all(settings.pg_bin_dir);
}

TEST(DbReadiness, FailingRestoreToolIsReportedWithItsMessage) {
  auto settings = default_settings();
  settings.allow_backup_drill = true;
  settings.pg_bin_dir = fake_pg_bin_dir("broken", "echo 'pg_restore: error: could not read input file' >&2; exit 1");
  golive::core::CollectingSink sink;
  golive::db::check_backup_restore(reference().database_url(), settings, sink);
  const auto results = sink.results();  // a copy: results() returns by value
  ASSERT_EQ(results.size(), 1u);
  const auto& result = results[0];
  EXPECT_EQ(result.status, CheckStatus::kFail);
  EXPECT_NE(result.message.find("pg_restore exit 1: pg_restore: error: could not read input file"),
            std::string::npos)
      << result.message;
  EXPECT_EQ(scratch_databases_left(), 0);
  fs::remove_all(settings.pg_bin_dir);
}

}  // namespace
