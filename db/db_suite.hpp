// The database readiness suite: schema drift against an expected
// snapshot, migration history, seed expectations and a rollback drill in a
// scratch database. Every check is a core::CheckResult of suite "db":
//   db.schema.drift                    pass: live schema equals the expected snapshot
//   db.schema.drift.<kind>.<object>    fail: one difference (kind: table, rls, column,
//                                      index, constraint, policy, grant, trigger)
//   db.migrations.history              every migration file applied, none unknown
//   db.schema.index_user_id.<schema>.<table>    user_id (storage: owner) leads an index
//   db.schema.index_course_id.<schema>.<table>  course_id leads an index
//   db.seed.<table>                    seed expectation of env.sections["db"]["seed"]
//   db.migrations.rollback             up, down (reverse), up again in a scratch database
//   db.migrations.conflict_drill       then a conflicting migration there: a clear error,
//                                      the schema unchanged (seed 001 R2.4)
//   db.backup.restore_drill            pg_dump, pg_restore into a scratch database, same
//                                      row counts and schema (only when allow_backup_drill)
// Connection problems are results with status error, never exceptions.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/environment.hpp"
#include "core/result_stream.hpp"

namespace golive::db {

// One row-count expectation: at least `min_rows` rows of `table` match `where`.
struct SeedExpectation {
  std::string table;  // "subscription_tiers" (schema public) or "storage.buckets"
  std::string where;  // SQL boolean expression, "" for every row
  long min_rows = 1;
};

// env.sections["db"], validated: {"expected_schema": path, "migrations_dir": path,
// "schemas": [..], "seed": {table: {"min_rows": N, "where": "sql"}},
// "allow_backup_drill": bool, "pg_bin_dir": path, "backup_timeout_s": N}.
// Relative paths are relative to `home`.
struct DbSettings {
  std::string expected_schema;  // default <home>/db/expected_schema.json
  std::string migrations_dir;   // default <home>/fixtures/migrations
  std::vector<std::string> schemas;
  std::vector<SeedExpectation> seed;  // default: the reference target's seed (0006)
  bool allow_backup_drill = false;
  std::string pg_bin_dir;       // where pg_dump/pg_restore live; "" = match the server's version
  int backup_timeout_s = 600;   // per tool run (dump, restore)
};

// Throws core::InputError naming the environment file and the JSON pointer.
DbSettings read_db_settings(const config::Environment& env, const std::string& home);

// The reference target's seed expectations: three tiers, their feature
// mappings, at least one active plan, the uploads bucket.
std::vector<SeedExpectation> reference_seed_expectations();

struct DbSuiteOptions {
  bool drift = true;  // drift against the expected snapshot, and the index audit
  bool seed = true;
  bool history = true;
  bool rollback = true;
  bool backup = true;  // the backup/restore drill (still needs allow_backup_drill)
  std::string home = GOLIVE_SOURCE_DIR;  // the repository: default paths hang off it
};

// Runs the selected checks against env.database_url. Returns the number of
// failed (fail or error) checks. Throws core::InputError for a bad db section.
std::size_t run_db_suite(const config::Environment& env, const DbSuiteOptions& options,
                         core::ResultSink& sink);

// The individual checks (each records its results in `sink`).
void check_schema_drift(const std::string& database_url, const DbSettings& settings,
                        core::ResultSink& sink);
void check_index_audit(const std::string& database_url, const DbSettings& settings,
                       core::ResultSink& sink);
void check_seed(const std::string& database_url, const DbSettings& settings,
                core::ResultSink& sink);
void check_migration_history(const std::string& database_url, const DbSettings& settings,
                             core::ResultSink& sink);
void check_rollback(const std::string& database_url, const DbSettings& settings,
                    core::ResultSink& sink);
void check_backup_restore(const std::string& database_url, const DbSettings& settings,
                          core::ResultSink& sink);

// What this suite can do with `env`, and why not (see config::Capability).
config::Capability db_capability(const config::Environment& env);

}  // namespace golive::db
