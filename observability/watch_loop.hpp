// `golive watch`: synthetic uptime monitoring (seed 001 R5.5). Runs a small
// set of HTTP probes against the environment every interval, appends each
// result to a JSON Lines log (flushed per line: an interrupted watch leaves
// a valid log) and updates WatchMetrics, which WatchMetricsServer serves at
// /metrics. The environment's "observability.watch" section:
//
//   "observability": {"watch": {
//     "interval_seconds": 30,                 (default 30; at least 0.1)
//     "timeout_ms": 10000,                    (per probe)
//     "listen": "127.0.0.1:9464",             (golive watch's /metrics; "HOST:0" a free port)
//     "probes": [{"name": "health", "path": "/health"},
//                {"name": "version", "url": "https://api.example.com/version",
//                 "method": "GET", "expect_status": 200, "body_contains": "version"}],
//     "monitor_url": "http://127.0.0.1:9464/metrics",   (golive run: the deployed monitor)
//     "max_age_seconds": 300}}                          (golive run: a success at most this old)
//
// The availability objective is the environment's sla.availability.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "config/environment.hpp"
#include "http/http_types.hpp"
#include "observability/watch_metrics.hpp"

namespace golive::observability {

struct WatchProbe {
  std::string name;
  std::string method = "GET";
  std::string url;  // absolute (a "path" is resolved against base_url)
  int expect_status = 200;
  std::string body_contains;  // "" = not checked
};

struct WatchSettings {
  bool configured = false;  // the section exists
  std::vector<WatchProbe> probes;
  double interval_seconds = 30;
  std::int64_t timeout_ms = 10000;
  std::string listen = "127.0.0.1:9464";
  std::string monitor_url;  // "" = golive run watches for itself
  std::string monitor_token;
  std::int64_t max_age_seconds = 300;
  double availability = 0.999;
};

// Reads observability.watch; InputError (file + pointer) when malformed.
WatchSettings read_watch_settings(const config::Environment& env);

// One probe's outcome, as written to the log.
struct WatchResult {
  std::string probe;
  bool success = false;
  int status = 0;
  double seconds = 0;
  double unix_seconds = 0;
  std::string error;  // why it failed ("" on success)
};

WatchResult run_watch_probe(const config::Environment& env, const WatchProbe& probe,
                            std::int64_t timeout_ms);
// The request run_watch_probe sends (also a failing uptime check's reproduction).
http::HttpRequest watch_probe_request(const WatchProbe& probe, std::int64_t timeout_ms);

struct WatchTotals {
  std::uint64_t rounds = 0;
  std::uint64_t successes = 0;
  std::uint64_t failures = 0;
};

// Runs every probe once per interval until `should_stop()` (polled every
// 100 ms) or `max_rounds` rounds (0: no limit). Each result goes to `log`
// (when not null) as one JSON line and into `metrics`.
WatchTotals run_watch_loop(const config::Environment& env, const WatchSettings& settings,
                           WatchMetrics& metrics, std::ostream* log,
                           const std::function<bool()>& should_stop, std::uint64_t max_rounds = 0);

}  // namespace golive::observability
