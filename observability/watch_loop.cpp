#include "observability/watch_loop.hpp"

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/redactor.hpp"
#include "http/client_options.hpp"
#include "http/curl/curl_http_client.hpp"

namespace golive::observability {

namespace {

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

WatchProbe read_probe(const config::Environment& env, const core::JsonReader& reader) {
  reader.as_object();
  reader.reject_unknown_keys({"name", "path", "url", "method", "expect_status", "body_contains"});
  WatchProbe probe;
  probe.name = reader.at("name").as_string();
  if (probe.name.empty()) reader.at("name").fail("must not be empty");
  if (reader.has("url") == reader.has("path")) reader.fail("needs exactly one of \"path\" or \"url\"");
  if (reader.has("url")) {
    probe.url = reader.at("url").as_string();
    if (probe.url.rfind("http://", 0) != 0 && probe.url.rfind("https://", 0) != 0) {
      reader.at("url").fail("must be an http:// or https:// URL");
    }
  } else {
    const std::string path = reader.at("path").as_string();
    if (path.empty() || path.front() != '/') reader.at("path").fail("must start with /");
    probe.url = env.url(path);
  }
  probe.method = reader.string_or("method", "GET");
  if (probe.method != "GET" && probe.method != "HEAD") {
    reader.at("method").fail("must be GET or HEAD (a watch only reads)");
  }
  if (reader.has("expect_status")) {
    const std::int64_t status = reader.at("expect_status").as_integer();
    if (status < 100 || status > 599) reader.at("expect_status").fail("must be an HTTP status 100..599");
    probe.expect_status = static_cast<int>(status);
  }
  probe.body_contains = reader.string_or("body_contains", "");
  return probe;
}

}  // namespace

WatchSettings read_watch_settings(const config::Environment& env) {
  WatchSettings settings;
  settings.availability = env.sla.availability;
  const auto found = env.sections.find("observability");
  if (found == env.sections.end() || !found->second.contains("watch")) return settings;
  const core::JsonReader reader =
      core::JsonReader(found->second, env.source_file, "/observability").at("watch");
  reader.as_object();
  reader.reject_unknown_keys({"interval_seconds", "timeout_ms", "listen", "probes", "monitor_url",
                              "monitor_token", "max_age_seconds"});
  settings.configured = true;
  if (reader.has("interval_seconds")) {
    settings.interval_seconds = reader.at("interval_seconds").as_number();
    if (settings.interval_seconds < 0.1) reader.at("interval_seconds").fail("must be at least 0.1");
  }
  if (reader.has("timeout_ms")) {
    settings.timeout_ms = reader.at("timeout_ms").as_integer();
    if (settings.timeout_ms < 100) reader.at("timeout_ms").fail("must be at least 100");
  }
  settings.listen = reader.string_or("listen", settings.listen);
  settings.monitor_url = reader.string_or("monitor_url", "");
  settings.monitor_token = reader.string_or("monitor_token", "");
  if (reader.has("max_age_seconds")) {
    settings.max_age_seconds = reader.at("max_age_seconds").as_integer();
    if (settings.max_age_seconds < 1) reader.at("max_age_seconds").fail("must be at least 1");
  }
  if (reader.has("probes")) {
    const core::JsonReader probes = reader.at("probes");
    const nlohmann::json& list = probes.as_array();
    for (std::size_t i = 0; i < list.size(); ++i) {
      WatchProbe probe = read_probe(env, probes.at(i));
      for (const WatchProbe& earlier : settings.probes) {
        if (earlier.name == probe.name) probes.at(i).at("name").fail("\"" + probe.name + "\" is named twice");
      }
      settings.probes.push_back(std::move(probe));
    }
  }
  return settings;
}

http::HttpRequest watch_probe_request(const WatchProbe& probe, std::int64_t timeout_ms) {
  http::HttpRequest request;
  request.method = probe.method;
  request.url = probe.url;
  request.timeout = std::chrono::milliseconds(timeout_ms);
  request.headers.emplace_back("User-Agent", "golive-watch");
  return request;
}

WatchResult run_watch_probe(const config::Environment& env, const WatchProbe& probe,
                            std::int64_t timeout_ms) {
  WatchResult result;
  result.probe = probe.name;
  const http::HttpRequest request = watch_probe_request(probe, timeout_ms);
  const auto started = std::chrono::steady_clock::now();
  const http::HttpResponse response = http::fetch(request, http::client_options_for(env));
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  result.unix_seconds = unix_now();
  result.status = response.status;
  if (!response.transport_ok()) {
    result.error = response.error_message.empty() ? "transport error" : response.error_message;
  } else if (response.status != probe.expect_status) {
    result.error = "answered " + std::to_string(response.status) + ", expected " +
                   std::to_string(probe.expect_status);
  } else if (!probe.body_contains.empty() && response.body.find(probe.body_contains) == std::string::npos) {
    result.error = "body does not contain \"" + probe.body_contains + "\"";
  }
  result.success = result.error.empty();
  result.error = core::Redactor::global().redact(result.error);  // the log is golive's output too
  return result;
}

WatchTotals run_watch_loop(const config::Environment& env, const WatchSettings& settings,
                           WatchMetrics& metrics, std::ostream* log,
                           const std::function<bool()>& should_stop, std::uint64_t max_rounds) {
  WatchTotals totals;
  const auto interval = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(settings.interval_seconds));
  auto next_round = std::chrono::steady_clock::now();
  while (!should_stop() && (max_rounds == 0 || totals.rounds < max_rounds)) {
    for (const WatchProbe& probe : settings.probes) {
      if (should_stop()) break;
      const WatchResult result = run_watch_probe(env, probe, settings.timeout_ms);
      metrics.record(result.probe, result.success, result.seconds, result.unix_seconds);
      (result.success ? totals.successes : totals.failures) += 1;
      if (log != nullptr) {
        nlohmann::json line = {{"type", "watch_probe"},      {"probe", result.probe},
                               {"unix_time", result.unix_seconds}, {"success", result.success},
                               {"status", result.status},    {"seconds", result.seconds}};
        if (!result.error.empty()) line["error"] = result.error;
        *log << line.dump() << '\n';
        log->flush();
      }
    }
    ++totals.rounds;
    if (max_rounds != 0 && totals.rounds >= max_rounds) break;
    next_round += interval;
    const auto now = std::chrono::steady_clock::now();
    if (next_round < now) next_round = now;  // a slow round: start the next at once, do not catch up
    while (!should_stop() && std::chrono::steady_clock::now() < next_round) {
      const auto left = next_round - std::chrono::steady_clock::now();
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
          left, std::chrono::milliseconds(100)));
    }
  }
  return totals;
}

}  // namespace golive::observability
