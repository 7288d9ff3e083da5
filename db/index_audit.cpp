// db.schema.index_user_id.<schema>.<table> and db.schema.index_course_id.<schema>.<table>:
// seed 000 §5 asks that every user_id (storage: owner) and course_id column
// leads an index, so RLS ownership filters do not scan whole tables. Read from
// the live schema snapshot: an index "leads with" a column when the column is
// the first one of its key.
#include "target/postgres.hpp"
#include "db/db_result.hpp"
#include "db/db_suite.hpp"
#include "db/schema_snapshot.hpp"

namespace golive::db {

namespace {

// The first key column of "CREATE INDEX x ON t USING btree (col, ...)", or "".
std::string leading_column(const std::string& index_definition) {
  auto using_clause = index_definition.find(" USING ");
  if (using_clause == std::string::npos) return "";
  auto open = index_definition.find('(', using_clause);
  if (open == std::string::npos) return "";
  auto end = index_definition.find_first_of(",) ", open + 1);
  return index_definition.substr(open + 1, end == std::string::npos ? end : end - open - 1);
}

struct AuditedColumn {
  const char* column;
  const char* check;         // "index_user_id" | "index_course_id"
  const char* checklist_id;  // the seed 000 §5 go-live item
};

const AuditedColumn kAudited[] = {
    {"user_id", "index_user_id", "s000.performance.index_user_id"},
    {"owner", "index_user_id", "s000.performance.index_user_id"},
    {"course_id", "index_course_id", "s000.performance.index_course_id"},
};

}  // namespace

void check_index_audit(const std::string& database_url, const DbSettings& settings,
                       core::ResultSink& sink) {
  Stopwatch watch;
  auto db = target::connect_database(database_url);
  nlohmann::json snapshot;
  std::string error = db.ok() ? "" : "cannot connect to the database: " + db.error;
  if (db.ok()) {
    try {
      snapshot = snapshot_schema(*db.connection, settings.schemas);
    } catch (const std::exception& e) {
      error = std::string("cannot read the catalog: ") + e.what();
    }
  }
  if (!error.empty()) {
    auto result = db_result("db.schema.index_user_id", "Ownership columns lead an index",
                            core::CheckStatus::kError, core::Severity::kMedium,
                            "s000.performance.index_user_id");
    result.message = error;
    result.duration_ms = watch.elapsed_ms();
    sink.record(result);
    return;
  }
  double elapsed = watch.elapsed_ms();
  for (const auto& [table, definition] : snapshot["tables"].items()) {
    if (definition.value("kind", "") != "table") continue;
    for (const auto& audited : kAudited) {
      if (!definition["columns"].contains(audited.column)) continue;
      std::vector<std::string> leading;
      for (const auto& [index, index_definition] : definition["indexes"].items()) {
        if (leading_column(index_definition.get<std::string>()) == audited.column) leading.push_back(index);
      }
      auto result = db_result(std::string("db.schema.") + audited.check + "." + table,
                              std::string(audited.column) + " of " + table + " leads an index",
                              leading.empty() ? core::CheckStatus::kFail : core::CheckStatus::kPass,
                              core::Severity::kMedium, audited.checklist_id);
      result.duration_ms = elapsed;
      result.evidence = {{"table", table}, {"column", audited.column}, {"indexes", leading}};
      result.message = leading.empty()
                           ? "no index leads with " + std::string(audited.column) + " on " + table +
                                 ": RLS ownership filters and joins scan the whole table"
                           : "led by " + leading.front();
      sink.record(result);
    }
  }
}

}  // namespace golive::db
