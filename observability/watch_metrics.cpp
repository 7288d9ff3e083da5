#include "observability/watch_metrics.hpp"

#include <cstdio>

#include "core/input_error.hpp"
#include "http/loopback_server.hpp"

namespace golive::observability {

namespace {

std::string number(double value) {
  char text[64];
  std::snprintf(text, sizeof text, "%.15g", value);
  return text;
}

std::string label_value(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

const std::vector<double>& watch_latency_buckets() {
  static const std::vector<double> buckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                              0.5,   1.0,  2.5,   5.0,  10.0};
  return buckets;
}

WatchMetrics::WatchMetrics(const std::vector<std::string>& probes, double availability_objective)
    : objective_(availability_objective) {
  for (const std::string& probe : probes) {
    series_[probe].buckets.assign(watch_latency_buckets().size(), 0);
  }
}

void WatchMetrics::record(const std::string& probe, bool success, double seconds,
                          double unix_seconds) {
  std::lock_guard lock(mutex_);
  Series& series = series_[probe];
  if (series.buckets.empty()) series.buckets.assign(watch_latency_buckets().size(), 0);
  (success ? series.success : series.failure) += 1;
  series.last_success = success ? 1 : 0;
  const std::vector<double>& bounds = watch_latency_buckets();
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    if (seconds <= bounds[i]) {
      ++series.buckets[i];
      break;
    }
  }
  series.duration_sum += seconds;
  series.last_run_at = unix_seconds;
  if (success) series.last_success_at = unix_seconds;
}

std::string WatchMetrics::exposition() const {
  std::lock_guard lock(mutex_);
  std::string out;
  out += "# HELP golive_watch_probes_total Synthetic probes run by golive watch, by result.\n";
  out += "# TYPE golive_watch_probes_total counter\n";
  for (const auto& [name, series] : series_) {
    const std::string probe = "probe=\"" + label_value(name) + "\"";
    out += "golive_watch_probes_total{" + probe + ",result=\"success\"} " +
           std::to_string(series.success) + "\n";
    out += "golive_watch_probes_total{" + probe + ",result=\"failure\"} " +
           std::to_string(series.failure) + "\n";
  }
  out += "# HELP golive_watch_probe_success Whether the probe's last run succeeded (1) or not (0).\n";
  out += "# TYPE golive_watch_probe_success gauge\n";
  for (const auto& [name, series] : series_) {
    out += "golive_watch_probe_success{probe=\"" + label_value(name) + "\"} " +
           std::to_string(series.last_success) + "\n";
  }
  out += "# HELP golive_watch_probe_duration_seconds Probe latency, request sent to response read.\n";
  out += "# TYPE golive_watch_probe_duration_seconds histogram\n";
  const std::vector<double>& bounds = watch_latency_buckets();
  for (const auto& [name, series] : series_) {
    const std::string probe = "probe=\"" + label_value(name) + "\"";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < bounds.size(); ++i) {
      cumulative += series.buckets[i];
      out += "golive_watch_probe_duration_seconds_bucket{" + probe + ",le=\"" + number(bounds[i]) +
             "\"} " + std::to_string(cumulative) + "\n";
    }
    const std::uint64_t count = series.success + series.failure;
    out += "golive_watch_probe_duration_seconds_bucket{" + probe + ",le=\"+Inf\"} " +
           std::to_string(count) + "\n";
    out += "golive_watch_probe_duration_seconds_sum{" + probe + "} " + number(series.duration_sum) + "\n";
    out += "golive_watch_probe_duration_seconds_count{" + probe + "} " + std::to_string(count) + "\n";
  }
  out += "# HELP golive_watch_last_success_timestamp_seconds Unix time of the probe's last success (0: never).\n";
  out += "# TYPE golive_watch_last_success_timestamp_seconds gauge\n";
  for (const auto& [name, series] : series_) {
    out += "golive_watch_last_success_timestamp_seconds{probe=\"" + label_value(name) + "\"} " +
           number(series.last_success_at) + "\n";
  }
  out += "# HELP golive_watch_last_run_timestamp_seconds Unix time of the probe's last run (0: never).\n";
  out += "# TYPE golive_watch_last_run_timestamp_seconds gauge\n";
  for (const auto& [name, series] : series_) {
    out += "golive_watch_last_run_timestamp_seconds{probe=\"" + label_value(name) + "\"} " +
           number(series.last_run_at) + "\n";
  }
  out += "# HELP golive_watch_availability_objective The availability SLO the burn rates are measured against.\n";
  out += "# TYPE golive_watch_availability_objective gauge\n";
  out += "golive_watch_availability_objective " + number(objective_) + "\n";
  return out;
}

struct WatchMetricsServer::State {
  std::unique_ptr<http::LoopbackServer> server;
};

namespace {

// GET or HEAD /metrics: the exposition; anything else 404 or 405.
http::LoopbackResponse answer(const WatchMetrics& metrics, const http::LoopbackRequest& request) {
  if (request.method != "GET" && request.method != "HEAD") {
    return {405, "text/plain; charset=utf-8", "method not allowed\n"};
  }
  if (request.path() != "/metrics") return {404, "text/plain; charset=utf-8", "not found: try /metrics\n"};
  return {200, "text/plain; version=0.0.4; charset=utf-8", metrics.exposition()};
}

constexpr std::size_t kRequestBodyLimit = 64 * 1024;  // a scrape sends none

}  // namespace

WatchMetricsServer::WatchMetricsServer(const std::string& address, const WatchMetrics& metrics,
                                       const std::string& setting)
    : state_(std::make_unique<State>()) {
  std::string host;
  std::uint16_t port = 0;
  if (!http::split_listen_address(address, host, port, /*allow_any_port=*/true)) {
    throw core::InputError(setting, "", "\"" + address + "\" must be HOST:PORT (PORT 0: a free port)");
  }
  try {
    state_->server = std::make_unique<http::LoopbackServer>(
        "golive watch's /metrics", host, port, kRequestBodyLimit,
        [&metrics](const http::LoopbackRequest& request) { return answer(metrics, request); });
  } catch (const std::exception& error) {
    throw core::InputError(setting, "", error.what());
  }
}

WatchMetricsServer::~WatchMetricsServer() = default;

std::uint16_t WatchMetricsServer::port() const {
  return state_->server->port();
}

std::string WatchMetricsServer::url() const {
  return "http://" + state_->server->address() + "/metrics";
}

}  // namespace golive::observability
