// Uptime monitoring verified (seed 001 R5.5 "Uptime monitoring tracks
// availability and SLA compliance", Success Criteria "Monitoring and alerts
// active"): golive reads the uptime monitor's own /metrics (the series
// `golive watch` exports, watch_metrics.hpp) and checks
//
//   observability.uptime.monitor_active   the monitor answers, exports
//                                         golive_watch_probes_total for each probe,
//                                         and ran every probe within max_age_seconds
//   observability.uptime.probes_succeed   every probe's last run succeeded, its last
//                                         success is within max_age_seconds, and its
//                                         success ratio meets sla.availability
//
// Which monitor: observability.watch.monitor_url (a deployed `golive watch`),
// else, when observability.watch lists probes, a watch golive runs itself
// for a few rounds on 127.0.0.1 and reads over HTTP (the embedded default).
// With neither, both checks are skipped naming the setting.
#pragma once

#include <string>
#include <vector>

#include "config/environment.hpp"
#include "core/result_stream.hpp"
#include "observability/prometheus_text.hpp"
#include "observability/watch_loop.hpp"

namespace golive::observability {

const std::vector<std::string>& uptime_check_ids();

void run_uptime_checks(const config::Environment& env, const WatchSettings& settings,
                       core::ResultSink& sink);

// The two checks from one scrape of a monitor's /metrics (`scrape_error`
// non-empty: it did not answer). `now_unix` is the wall-clock time of the scrape.
void record_uptime_checks(const WatchSettings& settings, const std::string& source,
                          const MetricExposition* exposition, const std::string& scrape_error,
                          double now_unix, core::ResultSink& sink, double duration_ms = 0);

}  // namespace golive::observability
