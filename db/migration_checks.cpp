// db.migrations.history, db.migrations.rollback and db.migrations.conflict_drill:
// the target has applied exactly the migration files of the release, those
// migrations go up, down and up again cleanly in a scratch database golive
// creates and drops, and there a conflicting migration fails clearly and
// changes nothing.
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "target/postgres.hpp"
#include "db/db_result.hpp"
#include "db/db_suite.hpp"
#include "db/migration_files.hpp"
#include "db/schema_drift.hpp"
#include "db/schema_snapshot.hpp"
#include "db/scratch_database.hpp"

namespace golive::db {

namespace {

using core::CheckStatus;
using core::Severity;

std::string join(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

nlohmann::json failure_json(const MigrationFailure& failure) {
  return {{"file", failure.file},
          {"statement", failure.statement},
          {"message", failure.message},
          {"sqlstate", failure.sqlstate}};
}

std::string failure_text(const std::string& step, const MigrationFailure& failure) {
  return step + " failed in " + failure.file +
         (failure.statement.empty() ? "" : " at statement `" + failure.statement + "`") + ": " +
         failure.message;
}

std::vector<std::string> drift_summaries(const nlohmann::json& before, const nlohmann::json& after) {
  std::vector<std::string> summaries;
  for (const auto& finding : diff_snapshots(before, after)) summaries.push_back(finding.summary);
  return summaries;
}

// The rollback drill proper; throws std::runtime_error for a failed step
// (the message says which), records its figures in `evidence`.
void run_rollback_drill(ScratchDatabase& scratch, const std::vector<MigrationFile>& migrations,
                        const std::vector<std::string>& schemas, nlohmann::json& evidence) {
  auto connection = scratch.connect();
  auto apply_all = [&](const std::string& step, bool down) {
    Stopwatch watch;
    std::vector<const MigrationFile*> order;
    for (const auto& migration : migrations) order.push_back(&migration);
    if (down) std::reverse(order.begin(), order.end());
    for (const auto* migration : order) {
      const std::string& path = down ? migration->down_path : migration->up_path;
      if (path.empty()) {
        evidence["failed_step"] = step;
        throw std::runtime_error(step + ": migration " + migration->version + "_" +
                                 migration->name + " has no down file");
      }
      if (auto failure = apply_migration_file(*connection, path)) {
        evidence["failed_step"] = step;
        evidence["failure"] = failure_json(*failure);
        throw std::runtime_error(failure_text(step, *failure));
      }
    }
    evidence["steps_ms"][step] = watch.elapsed_ms();
  };

  auto baseline = snapshot_schema(*connection, schemas);
  apply_all("up", false);
  auto first_up = snapshot_schema(*connection, schemas);
  apply_all("down", true);
  auto after_down = snapshot_schema(*connection, schemas);
  auto residue = drift_summaries(baseline, after_down);
  if (!residue.empty()) {
    evidence["failed_step"] = "down";
    evidence["residue"] = residue;
    throw std::runtime_error("the down migrations did not undo the up migrations: " + join(residue));
  }
  apply_all("up again", false);
  auto second_up = snapshot_schema(*connection, schemas);
  auto differences = drift_summaries(first_up, second_up);
  if (!differences.empty()) {
    evidence["failed_step"] = "up again";
    evidence["differences"] = differences;
    throw std::runtime_error("the schema after up-down-up differs from the first up: " +
                             join(differences));
  }
  evidence["tables"] = first_up["tables"].size();
}

// A migration that conflicts with the schema (its second statement creates a
// table that exists) is applied to the drilled scratch database: it must fail
// with PostgreSQL's error and the statement, and leave the schema exactly as
// it was (the file runs in one transaction). Seed 001 R2.4.
core::CheckResult run_conflict_drill(ScratchDatabase& scratch, const std::vector<MigrationFile>& migrations,
                                     const std::vector<std::string>& schemas) {
  Stopwatch watch;
  auto result = db_result("db.migrations.conflict_drill",
                          "A conflicting migration fails with a clear error and changes nothing (scratch database)",
                          CheckStatus::kPass, Severity::kMedium, "s001.R2.4");
  auto connection = scratch.connect();
  const auto before = snapshot_schema(*connection, schemas);
  std::string existing;
  for (const auto& [name, unused] : before["tables"].items()) {
    if (name.rfind("public.", 0) == 0) {
      existing = name;
      break;
    }
  }
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() / (scratch.name() + "_9999_conflicting.up.sql");
  {
    std::ofstream out(file);
    out << "-- golive conflict drill: the first statement succeeds, the second conflicts.\n"
        << "CREATE TABLE public.golive_conflict_drill (id integer PRIMARY KEY);\n"
        << "CREATE TABLE " << (existing.empty() ? "public.golive_conflict_drill" : existing) << " (id integer);\n";
  }
  const auto failure = apply_migration_file(*connection, file.string());
  std::error_code ec;
  std::filesystem::remove(file, ec);
  const auto after = snapshot_schema(*connection, schemas);
  const auto changes = drift_summaries(before, after);
  result.evidence = {{"conflicting_table", existing}, {"migrations", migrations.size()}, {"changes", changes}};
  if (!failure) {
    result.status = CheckStatus::kFail;
    result.message = "a migration that creates the existing table " + existing + " was applied without an error";
  } else {
    result.evidence["failure"] = failure_json(*failure);
    if (!changes.empty()) {
      result.status = CheckStatus::kFail;
      result.message = "the failed migration left changes behind: " + join(changes);
    } else if (failure->message.empty()) {
      result.status = CheckStatus::kFail;
      result.message = "the conflicting migration failed without an error message";
    } else {
      result.message = "refused with \"" + failure->message + "\"" +
                       (failure->sqlstate.empty() ? "" : " (SQLSTATE " + failure->sqlstate + ")") +
                       "; the schema is exactly as before (rolled back as one transaction)";
    }
  }
  result.duration_ms = watch.elapsed_ms();
  return result;
}

}  // namespace

void check_migration_history(const std::string& database_url, const DbSettings& settings,
                             core::ResultSink& sink) {
  Stopwatch watch;
  auto result = db_result("db.migrations.history",
                          "Every migration file is applied on the target, none unknown",
                          CheckStatus::kPass, Severity::kHigh, "s001.R2.1");
  result.evidence["migrations_dir"] = settings.migrations_dir;
  try {
    auto files = list_migrations(settings.migrations_dir);
    auto db = target::connect_database(database_url);
    if (!db.ok()) throw std::runtime_error("cannot connect to the database: " + db.error);
    std::map<std::string, std::string> applied;  // version -> name
    target::with_rolled_back_transaction(*db.connection, [&](pqxx::work& txn) {
      auto exists = txn.exec("SELECT to_regclass('supabase_migrations.schema_migrations') IS NOT NULL");
      if (!exists[0][0].as<bool>()) {
        throw std::runtime_error("the target has no supabase_migrations.schema_migrations table");
      }
      for (const auto& row : txn.exec("SELECT version, name FROM supabase_migrations.schema_migrations")) {
        applied[row[0].as<std::string>()] = row[1].is_null() ? "" : row[1].as<std::string>();
      }
    });
    std::vector<std::string> missing, unknown;
    std::set<std::string> file_versions;
    for (const auto& file : files) {
      file_versions.insert(file.version);
      if (!applied.count(file.version)) missing.push_back(file.version + "_" + file.name);
    }
    for (const auto& [version, name] : applied) {
      if (!file_versions.count(version)) unknown.push_back(version + "_" + name);
    }
    result.evidence["files"] = files.size();
    result.evidence["applied"] = applied.size();
    result.evidence["missing"] = missing;
    result.evidence["unknown"] = unknown;
    if (missing.empty() && unknown.empty()) {
      result.message = "all " + std::to_string(files.size()) +
                       " migration files are applied, and nothing else is";
    } else {
      result.status = CheckStatus::kFail;
      result.message = (missing.empty() ? "" : "not applied: " + join(missing)) +
                       (missing.empty() || unknown.empty() ? "" : "; ") +
                       (unknown.empty() ? "" : "applied without a file in the release: " + join(unknown));
    }
  } catch (const std::exception& e) {
    result.status = CheckStatus::kError;
    result.message = e.what();
  }
  result.duration_ms = watch.elapsed_ms();
  sink.record(result);
}

void check_rollback(const std::string& database_url, const DbSettings& settings,
                    core::ResultSink& sink) {
  Stopwatch watch;
  auto result = db_result("db.migrations.rollback",
                          "Migrations apply, roll back and re-apply cleanly (scratch database)",
                          CheckStatus::kPass, Severity::kHigh, "s001.R2.3");
  result.evidence["migrations_dir"] = settings.migrations_dir;
  // The conflict drill runs in the same scratch database, after the rollback drill.
  auto conflict = db_result("db.migrations.conflict_drill",
                            "A conflicting migration fails with a clear error and changes nothing (scratch database)",
                            CheckStatus::kError, Severity::kMedium, "s001.R2.4");
  bool conflict_recorded = false;
  try {
    auto migrations = list_migrations(settings.migrations_dir);
    result.evidence["migrations"] = migrations.size();
    std::string drop_error;
    conflict_recorded = true;
    {
      ScratchDatabase scratch(database_url);
      result.evidence["scratch_database"] = scratch.name();
      try {
        run_rollback_drill(scratch, migrations, settings.schemas, result.evidence);
        result.message = "up, down (in reverse) and up again succeeded for " +
                         std::to_string(migrations.size()) +
                         " migrations; the schema after the second up equals the first";
        try {
          conflict = run_conflict_drill(scratch, migrations, settings.schemas);
        } catch (const std::exception& e) {
          conflict.status = CheckStatus::kError;
          conflict.message = std::string("cannot run the conflict drill: ") + e.what();
        }
      } catch (const std::exception& e) {
        result.status = CheckStatus::kFail;
        result.message = e.what();
        conflict.status = CheckStatus::kError;
        conflict.message = "not run: the rollback drill failed";
      }
      drop_error = scratch.drop();
    }
    result.evidence["scratch_dropped"] = drop_error.empty();
    if (!drop_error.empty()) {
      result.status = CheckStatus::kError;
      result.message += " (and the scratch database could not be dropped: " + drop_error + ")";
    }
  } catch (const std::exception& e) {
    result.status = CheckStatus::kError;
    result.message = std::string("cannot run the rollback drill: ") + e.what();
  }
  result.duration_ms = watch.elapsed_ms();
  sink.record(result);
  if (conflict_recorded) {
    if (conflict.message.empty()) conflict.message = "not run";
    sink.record(conflict);
  }
}

}  // namespace golive::db
