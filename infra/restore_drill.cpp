// The restore drill: pgBackRest restores the latest backup into a scratch
// data directory (never the primary's), PostgreSQL starts on it on a free
// 127.0.0.1 port with archiving off, and once it is consistent and promoted
// its schema and row counts are compared with the primary's. Then it is
// stopped and removed. Evidence: restore time, start time, size on disk.
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <thread>

#include "core/external_tool.hpp"
#include "infra/infra_check.hpp"
#include "infra/infra_suite.hpp"
#include "infra/pgbackrest_tool.hpp"
#include "target/postgres.hpp"

namespace golive::infra {

namespace {

const std::vector<std::string> kDrill{"s001.R6.1", "s001.R6.5", "s001.success.infrastructure_provisioned"};

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}

// The primary's URL with host 127.0.0.1 and the scratch port: same user,
// password and database (the restore carries the primary's roles).
std::string scratch_url(const std::string& url, int port) {
  const auto scheme_end = url.find("://");
  const auto at = url.find('@', scheme_end);
  const auto host_start = at == std::string::npos ? scheme_end + 3 : at + 1;
  const auto path = url.find('/', host_start);
  return url.substr(0, host_start) + "127.0.0.1:" + std::to_string(port) +
         (path == std::string::npos ? "" : url.substr(path));
}

// schema.table -> row count, and one text line per column, of the user schemas.
struct Census {
  std::map<std::string, long long> rows;
  std::vector<std::string> columns;
};

Census take_census(pqxx::connection& connection) {
  Census census;
  pqxx::work txn(connection);
  txn.exec("SET TRANSACTION READ ONLY");
  const std::string user_schemas =
      "n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg_temp%' "
      "AND n.nspname NOT LIKE 'pg_toast_temp%'";
  for (const auto& row : txn.exec("SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON "
                                  "n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND " +
                                  user_schemas + " ORDER BY 1, 2")) {
    const std::string table = txn.quote_name(row[0].as<std::string>()) + "." + txn.quote_name(row[1].as<std::string>());
    census.rows[row[0].as<std::string>() + "." + row[1].as<std::string>()] =
        txn.exec1("SELECT count(*) FROM " + table)[0].as<long long>();
  }
  for (const auto& row : txn.exec("SELECT n.nspname || '.' || c.relname || '.' || a.attname || ' ' || "
                                  "format_type(a.atttypid, a.atttypmod) FROM pg_attribute a JOIN pg_class c ON "
                                  "c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE "
                                  "c.relkind IN ('r', 'p', 'v') AND a.attnum > 0 AND NOT a.attisdropped AND " +
                                  user_schemas + " ORDER BY 1")) {
    census.columns.push_back(row[0].as<std::string>());
  }
  txn.commit();
  return census;
}

long long directory_bytes(const std::filesystem::path& root) {
  long long total = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) total += static_cast<long long>(it->file_size(ec));
  }
  return total;
}

// Owns the scratch directory and the server started on it: stops and removes both.
class ScratchCluster {
 public:
  ScratchCluster(std::string pg_bin, std::string run_as) : pg_bin_(std::move(pg_bin)), run_as_(std::move(run_as)) {
    char pattern[] = "/tmp/golive-restore.XXXXXX";
    if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("cannot create a scratch directory in /tmp");
    root_ = pattern;
    // The server runs as run_as: it creates data/ itself inside this directory.
    std::filesystem::permissions(root_, std::filesystem::perms::all);
  }
  ~ScratchCluster() {
    if (started_) {
      core::run_tool(as_user(run_as_, {pg_bin_ + "/pg_ctl", "-D", data().string(), "-m", "immediate", "-w", "stop"}),
                     {}, std::chrono::seconds(30));
    }
    std::error_code ignored;
    std::filesystem::remove_all(root_, ignored);
  }
  ScratchCluster(const ScratchCluster&) = delete;
  ScratchCluster& operator=(const ScratchCluster&) = delete;

  std::filesystem::path data() const { return root_ / "data"; }
  const std::filesystem::path& root() const { return root_; }

  core::ToolRun start(int port) {
    const std::string options = "-p " + std::to_string(port) + " -k " + root_.string() +
                                " -c listen_addresses=127.0.0.1 -c archive_mode=off -c max_connections=200"
                                " -c fsync=off";
    core::ToolRun run = core::run_tool(
        as_user(run_as_, {pg_bin_ + "/pg_ctl", "-D", data().string(), "-l", (root_ / "postgres.log").string(),
                          "-w", "-t", "120", "-o", options, "start"}),
        {}, std::chrono::seconds(150));
    started_ = run.ok() || std::filesystem::exists(data() / "postmaster.pid");
    return run;
  }

 private:
  std::string pg_bin_;
  std::string run_as_;
  std::filesystem::path root_;
  bool started_ = false;
};

}  // namespace

void check_restore_drill(const config::Environment& env, const InfraSettings& settings, bool drills_allowed,
                         core::ResultSink& sink) {
  InfraCheck check(sink, "infra.backup.restore_drill",
                   "The latest pgBackRest backup restores into a scratch cluster with the primary's schema and rows",
                   core::Severity::kHigh, kDrill);
  if (settings.pgbackrest.stanza.empty()) {
    check.skip("pgBackRest not configured (infra.backup.pgbackrest.stanza); db.backup.restore_drill's "
               "dump and restore is the fallback");
    return;
  }
  if (!settings.restore_drill) {
    check.skip("infra.backup.restore_drill is false");
    return;
  }
  if (!drills_allowed) {
    check.skip("refused on a production environment: set infra.allow_drills and pass --allow-production");
    return;
  }
  if (env.database_url.empty()) {
    check.skip("no database_url: nothing to compare the restore with");
    return;
  }
  const auto started = std::chrono::steady_clock::now();
  auto since = [&started] {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  };
  try {
    ScratchCluster cluster(settings.pg_bin_dir, settings.pgbackrest.run_as);
    // --archive-mode=off: the restored cluster never pushes WAL into the real
    // repository. Its WAL replay reads the archive with a synchronous
    // archive-get holding locks in the scratch directory: with the stanza's
    // own archive-async and lock path, archive-get would take the stanza's
    // archive lock and the primary's archive-push would fail while it lasts.
    const std::string lock_path = (cluster.root() / "pgbackrest-lock").string();
    std::string restore_command = settings.pgbackrest.bin;
    if (!settings.pgbackrest.config.empty()) restore_command += " --config=" + settings.pgbackrest.config;
    restore_command += " --stanza=" + settings.pgbackrest.stanza + " --pg1-path=" + cluster.data().string() +
                       " --lock-path=" + lock_path +
                       " --no-archive-async archive-get %f \"%p\"";
    const ToolOutput restore = run_pgbackrest(
        settings.pgbackrest,
        {"--pg1-path=" + cluster.data().string(), "--type=immediate", "--target-action=promote",
         "--archive-mode=off", "--lock-path=" + lock_path, "--recovery-option=restore_command=" + restore_command,
         "restore"},
        std::chrono::minutes(30));
    if (!restore.run.ok()) {
      check.fail("pgbackrest restore failed: " + restore.run.describe(), {{"scratch", cluster.root().string()}});
      return;
    }
    const double restore_ms = since();
    const long long size_bytes = directory_bytes(cluster.data());
    const int port = free_port();
    const core::ToolRun start = cluster.start(port);
    if (!start.ok()) {
      check.fail("the restored data directory did not start: " + start.describe(),
                 {{"restore_ms", restore_ms}, {"size_bytes", size_bytes}});
      return;
    }
    const std::string url = scratch_url(env.database_url, port);
    target::DatabaseConnection restored;
    for (int attempt = 0; attempt < 300; ++attempt) {  // until promoted (recovery ended)
      restored = target::connect_database(url, 5);
      if (restored.ok()) {
        pqxx::nontransaction txn(*restored.connection);
        if (!txn.exec1("SELECT pg_is_in_recovery()")[0].as<bool>()) break;
      }
      restored = {};
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (!restored.ok()) {
      check.fail("the restored cluster never finished recovery (30 s)", {{"restore_ms", restore_ms}});
      return;
    }
    const double ready_ms = since();
    target::DatabaseConnection primary = target::connect_database(env.database_url);
    if (!primary.ok()) {
      check.error("cannot connect to database_url: " + primary.error);
      return;
    }
    const Census restored_census = take_census(*restored.connection);
    const Census primary_census = take_census(*primary.connection);
    nlohmann::json differences = nlohmann::json::array();
    for (const auto& [table, count] : primary_census.rows) {
      auto found = restored_census.rows.find(table);
      if (found == restored_census.rows.end()) {
        differences.push_back({{"table", table}, {"primary", count}, {"restored", "missing"}});
      } else if (found->second != count) {
        differences.push_back({{"table", table}, {"primary", count}, {"restored", found->second}});
      }
    }
    const bool schema_same = restored_census.columns == primary_census.columns;
    long long total_rows = 0;
    for (const auto& [table, count] : restored_census.rows) total_rows += count;
    nlohmann::json evidence = {{"restore_ms", restore_ms},
                               {"ready_ms", ready_ms},
                               {"size_bytes", size_bytes},
                               {"tables", restored_census.rows.size()},
                               {"rows", total_rows},
                               {"columns", restored_census.columns.size()},
                               {"schema_matches", schema_same},
                               {"row_count_differences", differences}};
    if (!schema_same) {
      check.fail("the restored schema differs from the primary's (" +
                     std::to_string(restored_census.columns.size()) + " columns restored, " +
                     std::to_string(primary_census.columns.size()) + " on the primary)",
                 evidence);
    } else if (!differences.empty()) {
      check.fail(std::to_string(differences.size()) +
                     " table(s) differ in row count between the restore and the primary (writes since the "
                     "backup, or a backup that is not complete)",
                 evidence);
    } else {
      check.pass("restored " + std::to_string(size_bytes / (1024 * 1024)) + " MiB in " +
                     std::to_string(static_cast<int>(restore_ms)) + " ms, ready after " +
                     std::to_string(static_cast<int>(ready_ms)) + " ms; " +
                     std::to_string(restored_census.rows.size()) + " tables and " + std::to_string(total_rows) +
                     " rows match the primary",
                 evidence);
    }
  } catch (const std::exception& error) {
    check.error(std::string("restore drill failed: ") + error.what());
  }
}

}  // namespace golive::infra
