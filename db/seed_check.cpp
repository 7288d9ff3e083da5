// db.seed.<table>: the rows a release needs before go-live (tiers, feature
// mappings, an active plan) are present in committed data.
#include "target/postgres.hpp"
#include "db/db_result.hpp"
#include "db/db_suite.hpp"

namespace golive::db {

namespace {

// "storage.buckets" -> "storage"."buckets"; "plans" -> "public"."plans".
std::string quoted_table(pqxx::work& txn, const std::string& table) {
  auto dot = table.find('.');
  std::string schema = dot == std::string::npos ? "public" : table.substr(0, dot);
  std::string name = dot == std::string::npos ? table : table.substr(dot + 1);
  return txn.quote_name(schema) + "." + txn.quote_name(name);
}

std::string describe(const SeedExpectation& expectation) {
  return "at least " + std::to_string(expectation.min_rows) + " row(s) in " + expectation.table +
         (expectation.where.empty() ? "" : " where " + expectation.where);
}

}  // namespace

void check_seed(const std::string& database_url, const DbSettings& settings,
                core::ResultSink& sink) {
  auto db = target::connect_database(database_url);
  for (const auto& expectation : settings.seed) {
    Stopwatch watch;
    auto result = db_result("db.seed." + expectation.table, "Seed data: " + describe(expectation),
                            core::CheckStatus::kPass, core::Severity::kHigh, "s001.R2.2");
    result.evidence = {{"table", expectation.table},
                       {"where", expectation.where},
                       {"min_rows", expectation.min_rows}};
    if (!db.ok()) {
      result.status = core::CheckStatus::kError;
      result.message = "cannot connect to the database: " + db.error;
    } else {
      try {
        target::with_rolled_back_transaction(*db.connection, [&](pqxx::work& txn) {
          txn.exec("SET TRANSACTION READ ONLY");
          std::string sql = "SELECT count(*) FROM " + quoted_table(txn, expectation.table) +
                            (expectation.where.empty() ? "" : " WHERE (" + expectation.where + ")");
          result.evidence["sql"] = sql;
          long rows = txn.exec(sql)[0][0].as<long>();
          result.evidence["rows"] = rows;
          if (rows >= expectation.min_rows) {
            result.message = std::to_string(rows) + " row(s) found, " +
                             std::to_string(expectation.min_rows) + " required";
          } else {
            result.status = core::CheckStatus::kFail;
            result.message = "missing seed data: " + std::to_string(rows) + " row(s) in " +
                             expectation.table +
                             (expectation.where.empty() ? "" : " where " + expectation.where) +
                             ", at least " + std::to_string(expectation.min_rows) + " required";
          }
        });
      } catch (const std::exception& e) {
        result.status = core::CheckStatus::kError;
        result.message = "cannot count " + expectation.table + ": " + e.what();
      }
    }
    result.duration_ms = watch.elapsed_ms();
    sink.record(result);
  }
}

}  // namespace golive::db
