#include "observability/uptime_checks.hpp"

#include <atomic>
#include <chrono>
#include <map>
#include <thread>

#include "http/client_options.hpp"
#include "http/curl/curl_http_client.hpp"
#include "http/request_evidence.hpp"

namespace golive::observability {

namespace {

constexpr const char* kActive = "observability.uptime.monitor_active";
constexpr const char* kSucceed = "observability.uptime.probes_succeed";
constexpr std::uint64_t kSelfWatchRounds = 3;
constexpr double kSelfWatchMaxInterval = 1.0;  // seconds between the self-watch's rounds

core::CheckResult base_result(const char* id, const char* title) {
  core::CheckResult result;
  result.id = id;
  result.suite = "observability";
  result.title = title;
  result.severity = core::Severity::kHigh;
  return result;
}

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

struct ProbeFigures {
  double success = 0;
  double failure = 0;
  double last_success_at = 0;
  double last_run_at = 0;
  double last_ok = -1;  // golive_watch_probe_success; -1 when absent
};

std::map<std::string, ProbeFigures> probe_figures(const MetricExposition& exposition) {
  std::map<std::string, ProbeFigures> probes;
  for (const MetricSample& sample : exposition.samples) {
    const auto label = sample.labels.find("probe");
    if (label == sample.labels.end()) continue;
    ProbeFigures& figures = probes[label->second];
    if (sample.name == "golive_watch_probes_total") {
      const auto result = sample.labels.find("result");
      if (result == sample.labels.end()) continue;
      if (result->second == "success") figures.success += sample.value;
      if (result->second == "failure") figures.failure += sample.value;
    } else if (sample.name == "golive_watch_last_success_timestamp_seconds") {
      figures.last_success_at = std::max(figures.last_success_at, sample.value);
    } else if (sample.name == "golive_watch_last_run_timestamp_seconds") {
      figures.last_run_at = std::max(figures.last_run_at, sample.value);
    } else if (sample.name == "golive_watch_probe_success") {
      figures.last_ok = sample.value;
    }
  }
  return probes;
}

// The request that shows a failed uptime check: for probes_succeed the first
// probe of the environment that failed or was not reported (its own request),
// for monitor_active (and a monitor that did not answer) the /metrics request
// of a deployed monitor; null when there is none to send again (golive's own
// watch has stopped by the time anyone reads the report).
nlohmann::json uptime_reproduction(const config::Environment& env, const WatchSettings& settings,
                                   const core::CheckResult& result,
                                   const http::HttpRequest* monitor_request) {
  const http::ReproductionSecrets secrets(env, core::Redactor::global());
  if (result.id == kSucceed && result.evidence.contains("probes")) {
    const nlohmann::json& figures = result.evidence["probes"];
    for (const WatchProbe& probe : settings.probes) {
      const bool reported = figures.contains(probe.name);
      if (!reported || figures[probe.name].value("failure", 0.0) > 0 ||
          result.message.find(probe.name + ":") != std::string::npos) {
        return http::reproduction_of(watch_probe_request(probe, settings.timeout_ms), secrets);
      }
    }
  }
  if (monitor_request != nullptr) return http::reproduction_of(*monitor_request, secrets);
  return nullptr;
}

std::string join(const std::vector<std::string>& parts) {
  std::string text;
  for (const auto& part : parts) text += (text.empty() ? "" : "; ") + part;
  return text;
}

std::string age_text(double now, double at) {
  if (at <= 0) return "never";
  return std::to_string(static_cast<long long>(now - at)) + " s ago";
}

}  // namespace

const std::vector<std::string>& uptime_check_ids() {
  static const std::vector<std::string> ids = {kActive, kSucceed};
  return ids;
}

void record_uptime_checks(const WatchSettings& settings, const std::string& source,
                          const MetricExposition* exposition, const std::string& scrape_error,
                          double now_unix, core::ResultSink& sink, double duration_ms) {
  core::CheckResult active = base_result(kActive, "The uptime monitor runs its probes");
  core::CheckResult succeed =
      base_result(kSucceed, "The uptime monitor's probes succeed within the SLA");
  active.duration_ms = duration_ms;
  succeed.duration_ms = duration_ms;
  active.evidence["monitor"] = source;
  succeed.evidence["monitor"] = source;
  if (exposition == nullptr) {
    active.status = core::CheckStatus::kFail;
    active.message = "the uptime monitor did not answer: " + scrape_error;
    succeed.status = core::CheckStatus::kFail;
    succeed.message = "no figures from the uptime monitor (" + scrape_error + ")";
    sink.record(active);
    sink.record(succeed);
    return;
  }
  const std::map<std::string, ProbeFigures> probes = probe_figures(*exposition);
  // The probes the environment names, else whatever the monitor reports.
  std::vector<std::string> names;
  for (const WatchProbe& probe : settings.probes) names.push_back(probe.name);
  if (names.empty()) {
    for (const auto& [name, figures] : probes) names.push_back(name);
  }
  const double max_age = static_cast<double>(settings.max_age_seconds);
  std::vector<std::string> inactive;
  std::vector<std::string> failing;
  nlohmann::json figures_json = nlohmann::json::object();
  for (const std::string& name : names) {
    const auto found = probes.find(name);
    if (found == probes.end()) {
      inactive.push_back(name + ": no golive_watch_probes_total series");
      failing.push_back(name + ": not reported");
      continue;
    }
    const ProbeFigures& figures = found->second;
    const double runs = figures.success + figures.failure;
    const double ratio = runs > 0 ? figures.success / runs : 0;
    figures_json[name] = {{"success", figures.success},
                          {"failure", figures.failure},
                          {"availability", ratio},
                          {"last_success_age_s", figures.last_success_at > 0 ? now_unix - figures.last_success_at : -1},
                          {"last_run_age_s", figures.last_run_at > 0 ? now_unix - figures.last_run_at : -1}};
    if (runs <= 0 || figures.last_run_at <= 0 || now_unix - figures.last_run_at > max_age) {
      inactive.push_back(name + ": last run " + age_text(now_unix, figures.last_run_at) + " (max " +
                         std::to_string(settings.max_age_seconds) + " s)");
    }
    if (figures.last_ok == 0) failing.push_back(name + ": its last run failed");
    if (figures.last_success_at <= 0 || now_unix - figures.last_success_at > max_age) {
      failing.push_back(name + ": last success " + age_text(now_unix, figures.last_success_at));
    }
    if (runs > 0 && ratio < settings.availability) {
      failing.push_back(name + ": availability " + std::to_string(ratio) + " below the SLA's " +
                        std::to_string(settings.availability) + " (" +
                        std::to_string(static_cast<long long>(figures.failure)) + " of " +
                        std::to_string(static_cast<long long>(runs)) + " failed)");
    }
  }
  active.evidence["probes"] = figures_json;
  succeed.evidence["probes"] = figures_json;
  if (names.empty()) {
    active.status = core::CheckStatus::kFail;
    active.message = source + " exports no golive_watch_probes_total series: no probe runs";
  } else if (!inactive.empty()) {
    active.status = core::CheckStatus::kFail;
    active.message = "the uptime monitor is not running every probe: " + join(inactive);
  } else {
    active.message = std::to_string(names.size()) + " probe(s) ran within the last " +
                     std::to_string(settings.max_age_seconds) + " s (" + source + ")";
  }
  if (names.empty() || !failing.empty()) {
    succeed.status = core::CheckStatus::kFail;
    succeed.message = names.empty() ? "no probes reported" : join(failing);
  } else {
    succeed.message = "every probe's last run succeeded and meets availability " +
                      std::to_string(settings.availability);
  }
  sink.record(active);
  sink.record(succeed);
}

void run_uptime_checks(const config::Environment& env, const WatchSettings& settings,
                       core::ResultSink& sink) {
  if (settings.monitor_url.empty() && settings.probes.empty()) {
    for (const std::string& id : uptime_check_ids()) {
      core::CheckResult result = base_result(id.c_str(), id.c_str());
      result.status = core::CheckStatus::kSkip;
      result.severity = core::Severity::kInfo;
      result.message =
          "no observability.watch.monitor_url (the deployed uptime monitor's /metrics) and no "
          "observability.watch.probes for golive to watch itself";
      sink.record(result);
    }
    return;
  }
  const auto started = std::chrono::steady_clock::now();
  const auto elapsed_ms = [&] {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  };
  std::string source = settings.monitor_url;
  std::unique_ptr<WatchMetrics> metrics;
  std::unique_ptr<WatchMetricsServer> server;
  if (source.empty()) {
    // golive's own watch: a few rounds, its /metrics read over HTTP like a deployed monitor's.
    std::vector<std::string> names;
    for (const WatchProbe& probe : settings.probes) names.push_back(probe.name);
    metrics = std::make_unique<WatchMetrics>(names, settings.availability);
    server = std::make_unique<WatchMetricsServer>("127.0.0.1:0", *metrics, "observability.watch");
    WatchSettings quick = settings;
    quick.interval_seconds = std::min(settings.interval_seconds, kSelfWatchMaxInterval);
    run_watch_loop(env, quick, *metrics, nullptr, [] { return false; }, kSelfWatchRounds);
    source = server->url() + " (golive's own watch, " + std::to_string(kSelfWatchRounds) + " rounds)";
  }
  http::HttpRequest request;
  request.url = server ? server->url() : settings.monitor_url;
  request.timeout = std::chrono::seconds(10);
  if (!settings.monitor_token.empty()) {
    request.headers.emplace_back("Authorization", "Bearer " + settings.monitor_token);
  }
  http::ClientOptions options = http::client_options_for(env);
  if (server) options.host_policy = nullptr;  // golive's own endpoint on 127.0.0.1
  const http::HttpResponse response = http::fetch(request, options);
  const double now = unix_now();
  // The verdicts, each with the request that shows a failure attached.
  core::CollectingSink verdicts;
  const http::HttpRequest* monitor_request = server ? nullptr : &request;
  if (!response.transport_ok() || response.status != 200) {
    const std::string error = request.url + " answered " +
                              (response.transport_ok() ? std::to_string(response.status)
                                                       : response.error_message);
    record_uptime_checks(settings, source, nullptr, error, now, verdicts, elapsed_ms());
  } else {
    std::string error;
    const std::optional<MetricExposition> parsed = parse_exposition(response.body, error);
    record_uptime_checks(settings, source, parsed ? &*parsed : nullptr,
                         parsed ? "" : request.url + ": " + error, now, verdicts, elapsed_ms());
  }
  for (core::CheckResult result : verdicts.results()) {
    if (result.failed()) {
      http::attach_reproduction(result,
                                uptime_reproduction(env, settings, result, monitor_request));
    }
    sink.record(result);
  }
}

}  // namespace golive::observability
