// The backup and restore drill (db.backup.restore_drill): seed 000's
// "Database Restore" runbook done for real, in a scratch database.
//
//   1. In a REPEATABLE READ, READ ONLY transaction on the target, export the
//      snapshot and count every table's rows in it.
//   2. pg_dump --format=custom --snapshot=<that snapshot>: the dump holds
//      exactly the rows counted, however busy the target is.
//   3. pg_restore into a scratch database on the same server.
//   4. Compare per-table row counts and the schema snapshot (tables, columns,
//      indexes, constraints, RLS, policies, grants, triggers).
//
// The dump file lives in a private temporary directory that is removed, and
// the scratch database is dropped, whatever fails. Connection details reach
// the tools through PG* variables (the password never appears in argv).
#include <filesystem>
#include <libpq-fe.h>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/external_tool.hpp"
#include "target/postgres.hpp"
#include "db/db_result.hpp"
#include "db/db_suite.hpp"
#include "db/schema_drift.hpp"
#include "db/schema_snapshot.hpp"
#include "db/scratch_database.hpp"

namespace golive::db {

namespace {

using core::CheckStatus;
using core::Severity;
namespace fs = std::filesystem;

constexpr const char* kRunbook =
    "seed 000 asks for a 'Database Restore' runbook: this drill performs its steps for real "
    "(logical dump with pg_dump -Fc, restore into an empty database with pg_restore, verify "
    "row counts and schema). restore_ms is a measured restore time for the runbook's RTO; "
    "dump_bytes sizes the backup storage";
constexpr std::size_t kListedDifferences = 20;

// libpq's parsed connection options, freed exactly once.
struct ConninfoDeleter {
  void operator()(PQconninfoOption* options) const { PQconninfoFree(options); }
};

// A connection URL or key=value string turned into PG* variables for the
// tools. Throws with libpq's message when it cannot be parsed.
std::map<std::string, std::string> libpq_environment(const std::string& url) {
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, ConninfoDeleter> options(PQconninfoParse(url.c_str(), &error));
  if (!options) {
    std::string message = error != nullptr ? error : "unparseable connection string";
    PQfreemem(error);
    throw std::runtime_error("cannot parse database_url: " + message);
  }
  static const std::map<std::string, std::string> kVariables = {
      {"host", "PGHOST"},         {"hostaddr", "PGHOSTADDR"}, {"port", "PGPORT"},
      {"user", "PGUSER"},         {"password", "PGPASSWORD"}, {"dbname", "PGDATABASE"},
      {"sslmode", "PGSSLMODE"},   {"sslrootcert", "PGSSLROOTCERT"},
      {"sslcert", "PGSSLCERT"},   {"sslkey", "PGSSLKEY"},     {"connect_timeout", "PGCONNECT_TIMEOUT"}};
  std::map<std::string, std::string> environment;
  for (auto* option = options.get(); option->keyword != nullptr; ++option) {
    auto variable = kVariables.find(option->keyword);
    if (variable != kVariables.end() && option->val != nullptr && *option->val != '\0') {
      environment[variable->second] = option->val;
    }
  }
  environment["PGAPPNAME"] = "golive-backup-drill";
  return environment;
}

// pg_dump must be at least the server's major version; Debian keeps each
// version's binaries under /usr/lib/postgresql/<major>/bin.
std::string find_tool(const DbSettings& settings, int server_major, const std::string& name) {
  if (!settings.pg_bin_dir.empty()) return core::find_executable({settings.pg_bin_dir + "/" + name});
  return core::find_executable(
      {"/usr/lib/postgresql/" + std::to_string(server_major) + "/bin/" + name, name});
}

// A private temporary directory, removed with everything in it.
class TemporaryDirectory {
 public:
  TemporaryDirectory() {
    std::string pattern = (fs::temp_directory_path() / "golive-backup-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("cannot create a temporary directory");
    path_ = pattern;
  }
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;
  ~TemporaryDirectory() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string table_list_sql(const std::vector<std::string>& schemas) {
  std::string list;
  for (const auto& schema : schemas) list += (list.empty() ? "" : ",") + std::string("'") + schema + "'";
  return "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_class c "
         "JOIN pg_namespace n ON n.oid = c.relnamespace "
         "WHERE c.relkind IN ('r', 'p') AND n.nspname IN (" + list + ") ORDER BY 1";
}

// Row counts of every table in `schemas`, read inside `txn`.
std::map<std::string, long> count_rows(pqxx::transaction_base& txn,
                                       const std::vector<std::string>& schemas) {
  std::map<std::string, long> counts;
  for (const auto& row : txn.exec(table_list_sql(schemas))) {
    std::string table = row[0].as<std::string>();
    counts[table] = txn.exec("SELECT count(*) FROM " + table)[0][0].as<long>();
  }
  return counts;
}

struct DrillOutcome {
  std::vector<std::string> problems;  // empty: the restore is faithful
};

// Steps 3 and 4: restore `dump_path` into a scratch database and compare.
void restore_and_compare(const std::string& database_url, const DbSettings& settings,
                         const std::string& pg_restore, const std::string& dump_path,
                         const std::map<std::string, long>& expected_counts,
                         const nlohmann::json& expected_schema, nlohmann::json& evidence,
                         DrillOutcome& outcome) {
  ScratchDatabase scratch(database_url);
  evidence["scratch_database"] = scratch.name();
  auto environment = libpq_environment(scratch.url());
  auto restore = core::run_tool({pg_restore, "--no-password", "--dbname", environment["PGDATABASE"], dump_path},
                                environment, std::chrono::seconds(settings.backup_timeout_s));
  evidence["restore_ms"] = static_cast<long>(restore.elapsed_ms);
  if (!restore.ok()) outcome.problems.push_back("pg_restore " + restore.describe());

  auto connection = scratch.connect();
  std::map<std::string, long> restored;
  {
    pqxx::work txn(*connection);
    restored = count_rows(txn, settings.schemas);
  }
  nlohmann::json mismatches = nlohmann::json::array();
  for (const auto& [table, rows] : expected_counts) {
    auto found = restored.find(table);
    long restored_rows = found == restored.end() ? -1 : found->second;
    if (restored_rows != rows) {
      mismatches.push_back({{"table", table}, {"dumped", rows}, {"restored", restored_rows}});
    }
  }
  evidence["row_count_mismatches"] = mismatches;
  if (!mismatches.empty()) {
    outcome.problems.push_back(std::to_string(mismatches.size()) +
                               " table(s) restored with a different row count, first " +
                               mismatches[0]["table"].get<std::string>());
  }

  auto findings = diff_snapshots(expected_schema, snapshot_schema(*connection, settings.schemas));
  nlohmann::json differences = nlohmann::json::array();
  for (const auto& finding : findings) {
    if (differences.size() < kListedDifferences) differences.push_back(finding.summary);
  }
  evidence["schema_differences"] = differences;
  if (!findings.empty()) {
    outcome.problems.push_back(std::to_string(findings.size()) +
                               " schema difference(s) after restore, first: " + findings[0].summary);
  }
  connection.reset();
  std::string drop_error = scratch.drop();
  evidence["scratch_dropped"] = drop_error.empty();
  if (!drop_error.empty()) outcome.problems.push_back("the scratch database could not be dropped: " + drop_error);
}

}  // namespace

void check_backup_restore(const std::string& database_url, const DbSettings& settings,
                          core::ResultSink& sink) {
  Stopwatch watch;
  auto result = db_result("db.backup.restore_drill",
                          "A dump of the database restores into an empty database with the same "
                          "rows and schema",
                          CheckStatus::kPass, Severity::kHigh, "s001.R6.1");
  result.evidence["runbook"] = kRunbook;
  if (!settings.allow_backup_drill) {
    result.status = CheckStatus::kSkip;
    result.severity = Severity::kInfo;
    result.message =
        "the backup drill dumps the whole database and restores it into a scratch database on "
        "the same server; allow it with \"db\": {\"allow_backup_drill\": true}";
    sink.record(result);
    return;
  }
  try {
    auto target = target::connect_database(database_url);
    if (!target.ok()) throw std::runtime_error("cannot connect to the database: " + target.error);
    nlohmann::json expected_schema = snapshot_schema(*target.connection, settings.schemas);
    int server_major = target.connection->server_version() / 10000;
    std::string pg_dump = find_tool(settings, server_major, "pg_dump");
    std::string pg_restore = find_tool(settings, server_major, "pg_restore");
    if (pg_dump.empty() || pg_restore.empty()) {
      throw std::runtime_error("pg_dump and pg_restore for PostgreSQL " + std::to_string(server_major) +
                               " are needed (Debian: postgresql-client-" + std::to_string(server_major) +
                               "), or set db.pg_bin_dir");
    }
    result.evidence["pg_dump"] = pg_dump;

    // Step 1: one snapshot for the counts and the dump.
    pqxx::transaction<pqxx::isolation_level::repeatable_read> snapshot_txn(*target.connection);
    snapshot_txn.exec("SET TRANSACTION READ ONLY");
    std::string snapshot_id = snapshot_txn.exec("SELECT pg_export_snapshot()")[0][0].as<std::string>();
    auto counts = count_rows(snapshot_txn, settings.schemas);
    long total_rows = 0;
    for (const auto& entry : counts) total_rows += entry.second;
    result.evidence["tables"] = counts.size();
    result.evidence["rows"] = total_rows;

    // Step 2: the dump, while the snapshot's transaction stays open.
    TemporaryDirectory directory;
    std::string dump_path = directory.path() + "/golive-backup.dump";
    auto environment = libpq_environment(database_url);
    auto dump = core::run_tool({pg_dump, "--no-password", "--format=custom", "--snapshot=" + snapshot_id,
                                "--file=" + dump_path},
                               environment, std::chrono::seconds(settings.backup_timeout_s));
    snapshot_txn.abort();
    result.evidence["dump_ms"] = static_cast<long>(dump.elapsed_ms);
    if (!dump.ok()) throw std::runtime_error("pg_dump " + dump.describe());
    result.evidence["dump_bytes"] = static_cast<long>(fs::file_size(dump_path));

    // Steps 3 and 4.
    DrillOutcome outcome;
    restore_and_compare(database_url, settings, pg_restore, dump_path, counts, expected_schema,
                        result.evidence, outcome);
    if (outcome.problems.empty()) {
      result.message = "dumped " + std::to_string(total_rows) + " rows of " + std::to_string(counts.size()) +
                       " tables (" + std::to_string(result.evidence["dump_bytes"].get<long>()) +
                       " bytes) in " + std::to_string(result.evidence["dump_ms"].get<long>()) +
                       " ms; restored in " + std::to_string(result.evidence["restore_ms"].get<long>()) +
                       " ms with identical row counts and schema";
    } else {
      result.status = CheckStatus::kFail;
      result.message = outcome.problems.front();
      result.evidence["problems"] = outcome.problems;
    }
  } catch (const std::exception& e) {
    result.status = CheckStatus::kError;
    result.message = std::string("cannot run the backup drill: ") + e.what();
  }
  result.duration_ms = watch.elapsed_ms();
  sink.record(result);
}

}  // namespace golive::db
