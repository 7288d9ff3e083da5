// MetricsEndpoint: `golive load --metrics-addr HOST:PORT` serves the live
// figures of a run in the Prometheus text exposition format (version 0.0.4)
// at /metrics, so a Prometheus or Grafana watching the target can put the
// generator's view next to the target's own metrics.
//
//   golive_load_requests_total{profile="smoke"} 5120
//   golive_load_errors_total{profile="smoke"} 3
//   golive_load_active_vus{profile="smoke"} 850
//   golive_load_rps{profile="smoke"} 512            (the last full second)
//   golive_load_p95_seconds{profile="smoke"} 0.0031 (the last full second)
//   golive_load_elapsed_seconds / _planned_seconds / _warming_up
//
// One Boost.Asio thread of its own; each connection gets one response and is
// closed. The figures are updated once per second from the progress callback.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "load/load_suite.hpp"

namespace golive::load {

class MetricsEndpoint {
 public:
  // `address` is "HOST:PORT" (PORT 0 picks a free port). Throws
  // core::InputError for a malformed address or one it cannot listen on.
  MetricsEndpoint(const std::string& address, std::string profile);
  ~MetricsEndpoint();  // stops serving and joins the thread
  MetricsEndpoint(const MetricsEndpoint&) = delete;
  MetricsEndpoint& operator=(const MetricsEndpoint&) = delete;

  std::uint16_t port() const;
  std::string url() const;  // http://HOST:PORT/metrics

  // Thread-safe; called from the progress callback.
  void update(const LoadProgress& progress);

  // The exposition text for `progress` (also what /metrics returns).
  static std::string exposition(const LoadProgress& progress, const std::string& profile);

 private:
  struct Server;
  std::unique_ptr<Server> server_;
};

}  // namespace golive::load
