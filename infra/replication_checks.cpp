// Streaming replication, read from the primary (pg_stat_replication) and,
// when infra.replica_urls names them, from each replica: its replay LSN is
// polled until it reaches the primary's current LSN. Nothing is written.
#include <chrono>
#include <thread>

#include "infra/infra_check.hpp"
#include "infra/infra_suite.hpp"
#include "target/postgres.hpp"

namespace golive::infra {

namespace {

const std::vector<std::string> kR61{"s001.R6.1", "s001.success.infrastructure_provisioned"};

long long lsn_diff(pqxx::connection& primary, const std::string& to, const std::string& from) {
  pqxx::nontransaction txn(primary);
  return txn.exec_params1("SELECT pg_wal_lsn_diff($1::pg_lsn, $2::pg_lsn)::bigint", to, from)[0]
      .as<long long>();
}

// Measures one replica named by URL: in recovery, and how far behind the
// primary's current LSN its replay is (bytes), and how long it takes to catch up.
nlohmann::json measure_replica(pqxx::connection& primary, const std::string& url, std::size_t index,
                               std::string* problem) {
  const std::string key = "/infra/replica_urls/" + std::to_string(index);
  target::DatabaseConnection replica = target::connect_database(url);
  if (!replica.ok()) {
    *problem = key + ": cannot connect: " + replica.error;
    return {{"key", key}};
  }
  pqxx::nontransaction on_replica(*replica.connection);
  if (!on_replica.exec1("SELECT pg_is_in_recovery()")[0].as<bool>()) {
    *problem = key + " is not a replica (pg_is_in_recovery() is false on it)";
    return {{"key", key}};
  }
  std::string target_lsn;
  {
    pqxx::nontransaction on_primary(primary);
    target_lsn = on_primary.exec1("SELECT pg_current_wal_lsn()::text")[0].as<std::string>();
  }
  const auto started = std::chrono::steady_clock::now();
  long long first_lag = -1;
  long long lag = 0;
  for (;;) {
    const auto row = on_replica.exec1("SELECT coalesce(pg_last_wal_replay_lsn(), '0/0')::text");
    lag = std::max(0LL, lsn_diff(primary, target_lsn, row[0].as<std::string>()));
    if (first_lag < 0) first_lag = lag;
    if (lag == 0 || std::chrono::steady_clock::now() - started > std::chrono::seconds(5)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const double catch_up_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  return {{"key", key}, {"lag_bytes", first_lag}, {"lag_after_poll_bytes", lag},
          {"caught_up", lag == 0}, {"catch_up_ms", catch_up_ms}};
}

}  // namespace

void check_replication(const config::Environment& env, const InfraSettings& settings,
                       core::ResultSink& sink) {
  InfraCheck streaming(sink, "infra.replication.streaming",
                       "The primary database streams to at least " +
                           std::to_string(settings.min_replicas) + " replica(s)",
                       core::Severity::kHigh, kR61);
  InfraCheck lag_check(sink, "infra.replication.lag", "Replica replay lag (by LSN) stays within bounds",
                       core::Severity::kMedium, kR61);
  if (env.database_url.empty()) {
    streaming.skip("no database_url: replication cannot be read");
    lag_check.skip("no database_url: replication cannot be read");
    return;
  }
  target::DatabaseConnection primary = target::connect_database(env.database_url);
  if (!primary.ok()) {
    streaming.error("cannot connect to database_url: " + primary.error);
    lag_check.error("cannot connect to database_url: " + primary.error);
    return;
  }
  nlohmann::json replicas = nlohmann::json::array();
  long long worst_lag = 0;
  int streaming_count = 0;
  bool lag_visible = true;
  try {
    pqxx::nontransaction txn(*primary.connection);
    if (txn.exec1("SELECT pg_is_in_recovery()")[0].as<bool>()) {
      streaming.fail("database_url points at a replica (pg_is_in_recovery() is true), not the primary");
      lag_check.skip("database_url is not the primary");
      return;
    }
    const pqxx::result rows = txn.exec(
        "SELECT coalesce(application_name, ''), coalesce(client_addr::text, 'local'), coalesce(state, ''), "
        "coalesce(sync_state, ''), pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint "
        "FROM pg_stat_replication ORDER BY application_name");
    for (const auto& row : rows) {
      nlohmann::json replica = {{"application_name", row[0].as<std::string>()},
                                {"client_addr", row[1].as<std::string>()},
                                {"state", row[2].as<std::string>()},
                                {"sync_state", row[3].as<std::string>()}};
      if (row[4].is_null()) {
        lag_visible = false;  // a role without pg_monitor sees no LSNs
      } else {
        replica["replay_lag_bytes"] = row[4].as<long long>();
        worst_lag = std::max(worst_lag, row[4].as<long long>());
      }
      if (row[2].as<std::string>() == "streaming") ++streaming_count;
      replicas.push_back(replica);
    }
  } catch (const std::exception& error) {
    streaming.error(std::string("reading pg_stat_replication failed: ") + error.what());
    lag_check.error(std::string("reading pg_stat_replication failed: ") + error.what());
    return;
  }
  nlohmann::json evidence = {{"streaming", streaming_count}, {"min_replicas", settings.min_replicas},
                             {"replicas", replicas}};
  if (streaming_count >= settings.min_replicas && streaming_count > 0) {
    streaming.pass(std::to_string(streaming_count) + " replica(s) streaming from the primary", evidence);
  } else if (settings.min_replicas == 0) {
    streaming.skip("infra.replication.min_replicas is 0: no replica is required", evidence);
  } else {
    streaming.fail("pg_stat_replication shows " + std::to_string(streaming_count) +
                       " streaming replica(s); at least " + std::to_string(settings.min_replicas) +
                       " required",
                   evidence);
  }

  // Lag: measured on each declared replica, else as the primary sees it.
  nlohmann::json measured = nlohmann::json::array();
  for (std::size_t i = 0; i < settings.replica_urls.size(); ++i) {
    std::string problem;
    nlohmann::json one;
    try {
      one = measure_replica(*primary.connection, settings.replica_urls[i], i, &problem);
    } catch (const std::exception& error) {
      problem = "/infra/replica_urls/" + std::to_string(i) + ": " + error.what();
    }
    if (!problem.empty()) {
      lag_check.error(problem, {{"replicas", measured}});
      return;
    }
    worst_lag = std::max(worst_lag, one.value("lag_bytes", 0LL));
    measured.push_back(one);
  }
  nlohmann::json lag_evidence = {{"max_lag_bytes", settings.max_lag_bytes},
                                 {"worst_lag_bytes", worst_lag},
                                 {"from_primary", replicas},
                                 {"measured_on_replicas", measured}};
  if (measured.empty() && streaming_count == 0) {
    lag_check.skip("no replica streams and infra.replica_urls names none: no lag to measure", lag_evidence);
  } else if (measured.empty() && !lag_visible) {
    lag_check.skip("the database_url role cannot see replay LSNs (grant pg_monitor) and infra.replica_urls "
                   "names no replica", lag_evidence);
  } else if (worst_lag <= settings.max_lag_bytes) {
    lag_check.pass("worst replay lag " + std::to_string(worst_lag) + " bytes (bound " +
                       std::to_string(settings.max_lag_bytes) + ")",
                   lag_evidence);
  } else {
    lag_check.fail("replay lag " + std::to_string(worst_lag) + " bytes exceeds the bound of " +
                       std::to_string(settings.max_lag_bytes),
                   lag_evidence);
  }
}

}  // namespace golive::infra
