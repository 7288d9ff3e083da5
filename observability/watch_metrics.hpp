// The figures of `golive watch` (synthetic uptime monitoring, seed 001 R5.5)
// and the /metrics endpoint that serves them in the Prometheus text
// exposition format (version 0.0.4), on 127.0.0.1 by default:
//
//   golive_watch_probes_total{probe="health",result="success"} 118      counter
//   golive_watch_probes_total{probe="health",result="failure"} 2        counter
//   golive_watch_probe_success{probe="health"} 1                        last result
//   golive_watch_probe_duration_seconds_bucket{probe="health",le="0.05"} 117  histogram
//   golive_watch_last_success_timestamp_seconds{probe="health"} 1.7e9   unix time
//   golive_watch_last_run_timestamp_seconds{probe="health"} 1.7e9       unix time
//   golive_watch_availability_objective 0.999                           the SLA target
//
// The burn-rate alert rules and the dashboard over these series ship in
// docs/watch/ (tested with promtool test rules).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace golive::observability {

// The latency histogram's upper bounds, in seconds.
const std::vector<double>& watch_latency_buckets();

class WatchMetrics {
 public:
  // `probes` are declared up front so every series exists (at 0) from the start.
  WatchMetrics(const std::vector<std::string>& probes, double availability_objective);

  // Thread-safe. `unix_seconds` is the wall-clock time the probe finished.
  void record(const std::string& probe, bool success, double seconds, double unix_seconds);

  std::string exposition() const;

 private:
  struct Series {
    std::uint64_t success = 0;
    std::uint64_t failure = 0;
    int last_success = 0;  // 1 when the last run succeeded
    std::vector<std::uint64_t> buckets;  // cumulative counts are computed on exposition
    double duration_sum = 0;
    double last_success_at = 0;
    double last_run_at = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::string, Series> series_;
  double objective_;
};

// Serves `metrics.exposition()` at GET /metrics (404 elsewhere) on its own
// thread; stopped and joined by the destructor.
class WatchMetricsServer {
 public:
  // `address` is "HOST:PORT" (PORT 0: a free port). Throws core::InputError
  // naming `setting` for a malformed address or one it cannot listen on.
  WatchMetricsServer(const std::string& address, const WatchMetrics& metrics,
                     const std::string& setting);
  ~WatchMetricsServer();
  WatchMetricsServer(const WatchMetricsServer&) = delete;
  WatchMetricsServer& operator=(const WatchMetricsServer&) = delete;

  std::uint16_t port() const;
  std::string url() const;  // http://HOST:PORT/metrics

  struct State;

 private:
  std::unique_ptr<State> state_;
};

}  // namespace golive::observability
