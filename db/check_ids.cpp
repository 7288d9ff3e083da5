#include "db/check_ids.hpp"

namespace golive::db {

std::vector<std::string> db_check_ids() {
  return {
      // Drift against db/expected_schema.json (db_suite.cpp): one pass, or one record per finding.
      "db.schema.drift",
      "db.schema.drift.{kind}.{object}",
      // The index audit (index_audit.cpp): one record per table, or one error.
      "db.schema.index_user_id",
      "db.schema.index_user_id.{schema}.{table}",
      "db.schema.index_course_id.{schema}.{table}",
      // Migration history and the up/down/up drill (migration_checks.cpp).
      "db.migrations.history",
      "db.migrations.rollback",
      "db.migrations.conflict_drill",
      // Seed expectations, one record per table (seed_check.cpp).
      "db.seed.{table}",
      // pg_dump/pg_restore into a scratch database (backup_drill.cpp).
      "db.backup.restore_drill",
  };
}

}  // namespace golive::db
