// WAL archiving (pg_stat_archiver on the primary) and pgBackRest's own view
// of its repository (`pgbackrest info --output=json`, `pgbackrest help expire
// repo-retention-full` for the retention in force).
#include <chrono>
#include <ctime>
#include <regex>
#include <thread>

#include "core/interrupt.hpp"
#include "infra/infra_check.hpp"
#include "infra/infra_suite.hpp"
#include "infra/pgbackrest_tool.hpp"
#include "target/postgres.hpp"

namespace golive::infra {

namespace {

const std::vector<std::string> kArchiving{"s001.R6.1", "s001.R6.5", "s001.success.infrastructure_provisioned"};
const std::vector<std::string> kBackups{"s001.R6.5", "s001.success.infrastructure_provisioned"};

namespace {

// One reading of pg_stat_archiver.
struct ArchiverState {
  std::string mode;
  long long archived_count = 0;
  std::string last_archived_wal;
  std::string last_archived_time;
  long long failed_count = 0;
  std::string last_failed_wal;
  std::string last_failed_time;
  long long age_s = -1;  // seconds since the last success, -1 when none
  bool failing = false;  // the last failure is newer than the last success

  nlohmann::json evidence() const {
    return {{"archive_mode", mode},         {"archived_count", archived_count},
            {"last_archived_wal", last_archived_wal}, {"last_archived_time", last_archived_time},
            {"failed_count", failed_count}, {"last_failed_wal", last_failed_wal},
            {"last_failed_time", last_failed_time},   {"seconds_since_last_archived", age_s}};
  }
};

ArchiverState read_archiver(pqxx::connection& connection) {
  pqxx::nontransaction txn(connection);
  const auto row = txn.exec1(
      "SELECT current_setting('archive_mode'), archived_count, coalesce(last_archived_wal, ''), "
      "coalesce(to_char(last_archived_time AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), ''), "
      "failed_count, coalesce(last_failed_wal, ''), "
      "coalesce(to_char(last_failed_time AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), ''), "
      "coalesce(extract(epoch FROM now() - last_archived_time)::bigint, -1), "
      "coalesce(last_failed_time > last_archived_time OR (last_archived_time IS NULL AND failed_count > 0), "
      "false) FROM pg_stat_archiver");
  ArchiverState state;
  state.mode = row[0].as<std::string>();
  state.archived_count = row[1].as<long long>();
  state.last_archived_wal = row[2].as<std::string>();
  state.last_archived_time = row[3].as<std::string>();
  state.failed_count = row[4].as<long long>();
  state.last_failed_wal = row[5].as<std::string>();
  state.last_failed_time = row[6].as<std::string>();
  state.age_s = row[7].as<long long>();
  state.failing = row[8].as<bool>();
  return state;
}

// After a failed archive_command PostgreSQL's archiver tries the segment
// again a second later (three times, then after a minute or the next WAL
// switch). One failure it then recovers from (a busy archive store, a lock
// held a moment) is not a failing archive: the check waits this long for a
// success newer than the failure before it calls archiving failing.
constexpr auto kArchiverRetryWindow = std::chrono::seconds(10);
constexpr auto kArchiverPollInterval = std::chrono::milliseconds(500);

}  // namespace

void check_archiving(const config::Environment& env, const InfraSettings& settings, core::ResultSink& sink) {
  InfraCheck check(sink, "infra.archiving.status",
                   "WAL archiving is on, recent, and has not failed since its last success",
                   core::Severity::kHigh, kArchiving);
  if (env.database_url.empty()) {
    check.skip("no database_url: pg_stat_archiver cannot be read");
    return;
  }
  target::DatabaseConnection connection = target::connect_database(env.database_url);
  if (!connection.ok()) {
    check.error("cannot connect to database_url: " + connection.error);
    return;
  }
  try {
    ArchiverState state = read_archiver(*connection.connection);
    nlohmann::json recovered;  // the failure the archiver got past while the check watched
    if (state.mode != "off" && state.failing) {
      const ArchiverState first = state;
      const auto deadline = std::chrono::steady_clock::now() + kArchiverRetryWindow;
      while (state.failing && std::chrono::steady_clock::now() < deadline && !core::interrupted()) {
        std::this_thread::sleep_for(kArchiverPollInterval);
        state = read_archiver(*connection.connection);
      }
      if (!state.failing) {
        recovered = {{"last_failed_wal", first.last_failed_wal},
                     {"last_failed_time", first.last_failed_time},
                     {"failed_count", first.failed_count}};
      }
    }
    nlohmann::json evidence = state.evidence();
    if (!recovered.is_null()) evidence["recovered_from"] = recovered;
    if (state.mode == "off") {
      check.fail("archive_mode is off: no WAL archive, no point-in-time recovery", evidence);
    } else if (state.failing) {
      check.fail("archive_command is failing: the last failure (" + state.last_failed_wal +
                     ") is newer than the last success, and no retry succeeded within " +
                     std::to_string(kArchiverRetryWindow.count()) + " s",
                 evidence);
    } else if (state.archived_count == 0) {
      check.fail("archive_mode is " + state.mode + " but no WAL segment has ever been archived", evidence);
    } else if (settings.archive_max_age_s > 0 && state.age_s > settings.archive_max_age_s) {
      check.fail("the last archived WAL is " + std::to_string(state.age_s) + " s old (bound " +
                     std::to_string(settings.archive_max_age_s) + " s)",
                 evidence);
    } else {
      check.pass("archiving on (" + state.mode + "), " + std::to_string(state.archived_count) +
                     " segment(s) archived, last " + state.last_archived_wal +
                     (recovered.is_null() ? ", no failure since"
                                          : ", archived again after a failure of " +
                                                recovered["last_failed_wal"].get<std::string>() +
                                                " that the archiver's retry got past"),
                 evidence);
    }
  } catch (const std::exception& error) {
    check.error(std::string("reading pg_stat_archiver failed: ") + error.what());
  }
}

std::string utc_text(long long epoch) {
  const std::time_t t = static_cast<std::time_t>(epoch);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

void check_pgbackrest(const InfraSettings& settings, core::ResultSink& sink) {
  InfraCheck recent(sink, "infra.backup.recent",
                    "pgBackRest holds a full backup younger than " +
                        std::to_string(settings.backup_max_age_hours) + " h",
                    core::Severity::kHigh, kBackups);
  InfraCheck retention(sink, "infra.backup.retention", "pgBackRest has a retention policy",
                       core::Severity::kMedium, kBackups);
  if (settings.pgbackrest.stanza.empty()) {
    const std::string why = "pgBackRest not configured: set infra.backup.pgbackrest.stanza (and config)";
    recent.skip(why);
    retention.skip(why);
    return;
  }
  const ToolOutput info = run_pgbackrest(settings.pgbackrest, {"--output=json", "info"}, std::chrono::seconds(60));
  if (!info.run.ok()) {
    const std::string why = "pgbackrest info failed (" + info.run.describe() +
                            "); check /infra/backup/pgbackrest (bin, config, run_as)";
    recent.error(why);
    retention.error(why);
    return;
  }
  const nlohmann::json doc = nlohmann::json::parse(info.stdout_text, nullptr, false);
  if (!doc.is_array() || doc.empty() || !doc[0].is_object()) {
    recent.error("pgbackrest info printed no JSON stanza list");
    retention.error("pgbackrest info printed no JSON stanza list");
    return;
  }
  const nlohmann::json& stanza = doc[0];
  const int code = stanza.value(nlohmann::json::json_pointer("/status/code"), -1);
  if (code != 0 && code != 2) {  // 2: "no valid backups", still a stanza
    const std::string why = "/infra/backup/pgbackrest/stanza: stanza '" + settings.pgbackrest.stanza +
                            "' is not usable: " + stanza.value(nlohmann::json::json_pointer("/status/message"), std::string("?"));
    recent.error(why, {{"status", stanza.value("status", nlohmann::json::object())}});
    retention.error(why);
    return;
  }
  long long newest_full_stop = 0;
  nlohmann::json backups = nlohmann::json::array();
  for (const auto& backup : stanza.value("backup", nlohmann::json::array())) {
    const long long stop = backup.value(nlohmann::json::json_pointer("/timestamp/stop"), 0LL);
    backups.push_back({{"label", backup.value("label", "")},
                       {"type", backup.value("type", "")},
                       {"stop", utc_text(stop)},
                       {"size_bytes", backup.value(nlohmann::json::json_pointer("/info/size"), 0LL)},
                       {"error", backup.value("error", false)}});
    if (backup.value("type", "") == "full" && !backup.value("error", false)) {
      newest_full_stop = std::max(newest_full_stop, stop);
    }
  }
  const long long now = static_cast<long long>(std::time(nullptr));
  nlohmann::json evidence = {{"stanza", settings.pgbackrest.stanza}, {"backups", backups},
                             {"max_age_hours", settings.backup_max_age_hours}};
  if (newest_full_stop == 0) {
    recent.fail("stanza '" + settings.pgbackrest.stanza + "' holds no full backup", evidence);
  } else {
    const double age_h = static_cast<double>(now - newest_full_stop) / 3600.0;
    evidence["newest_full_age_hours"] = age_h;
    if (age_h <= settings.backup_max_age_hours) {
      recent.pass("newest full backup finished " + utc_text(newest_full_stop) + " (" +
                      std::to_string(static_cast<int>(age_h * 60)) + " min ago)",
                  evidence);
    } else {
      recent.fail("newest full backup is " + std::to_string(static_cast<int>(age_h)) + " h old (bound " +
                      std::to_string(settings.backup_max_age_hours) + " h)",
                  evidence);
    }
  }

  const ToolOutput help = run_pgbackrest(settings.pgbackrest, {"help", "expire", "repo-retention-full"},
                                         std::chrono::seconds(30));
  static const std::regex kCurrent(R"(current:\s*(\S+))");
  std::smatch match;
  if (help.run.ok() && std::regex_search(help.stdout_text, match, kCurrent)) {
    const ToolOutput type = run_pgbackrest(settings.pgbackrest, {"help", "expire", "repo-retention-full-type"},
                                           std::chrono::seconds(30));
    std::smatch type_match;
    std::string kind = "count";
    if (type.run.ok() && std::regex_search(type.stdout_text, type_match, kCurrent)) kind = type_match[1];
    retention.pass("repo1-retention-full = " + match[1].str() + " (" + kind + ")",
                   {{"retention_full", match[1].str()}, {"retention_full_type", kind}});
  } else if (help.run.ok()) {
    retention.fail("no repo1-retention-full is set: pgBackRest keeps every backup and warns on each expire");
  } else {
    retention.error("pgbackrest help failed: " + help.run.describe());
  }
}

}  // namespace

void check_archiving_and_backups(const config::Environment& env, const InfraSettings& settings,
                                 bool drills_allowed, core::ResultSink& sink) {
  check_archiving(env, settings, sink);
  check_pgbackrest(settings, sink);
  check_restore_drill(env, settings, drills_allowed, sink);
}

}  // namespace golive::infra
