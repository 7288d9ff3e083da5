#include "observability/metrics_checks.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "core/external_tool.hpp"
#include "core/input_error.hpp"
#include "core/redactor.hpp"
#include "http/curl/curl_http_client.hpp"
#include "http/request_evidence.hpp"

namespace golive::observability {

namespace {

constexpr const char* kScrape = "observability.metrics.scrape";
constexpr const char* kLint = "observability.metrics.lint";
constexpr const char* kRequired = "observability.metrics.required";
constexpr const char* kMoves = "observability.metrics.moves";
constexpr auto kPromtoolDeadline = std::chrono::seconds(30);

core::CheckResult base_result(const std::string& id) {
  core::CheckResult result;
  result.id = id;
  result.suite = "observability";
  result.severity = core::Severity::kMedium;
  if (id == kScrape) {
    result.title = "The metrics endpoint answers in the Prometheus exposition format";
  } else if (id == kLint) {
    result.title = "promtool check metrics finds no problem in the exposition";
  } else if (id == kRequired) {
    result.title = "Performance and business metrics are exported";
    result.severity = core::Severity::kHigh;
  } else {
    result.title = "The metrics move with golive's traffic";
    result.severity = core::Severity::kHigh;
  }
  return result;
}

std::string join(const std::vector<std::string>& parts) {
  std::string text;
  for (const auto& part : parts) text += (text.empty() ? "" : "; ") + part;
  return text;
}

// A private temporary file, removed when this goes out of scope.
class TemporaryFile {
 public:
  explicit TemporaryFile(const std::string& contents) {
    char name[] = "/tmp/golive-metrics-XXXXXX";
    const int fd = ::mkstemp(name);
    if (fd < 0) return;
    ::close(fd);
    path_ = name;
    std::ofstream(path_, std::ios::trunc) << contents;
  }
  ~TemporaryFile() {
    if (!path_.empty()) std::remove(path_.c_str());
  }
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

MetricsSettings read_metrics_settings(const config::Environment& env) {
  MetricsSettings settings;
  const auto found = env.sections.find("observability");
  if (found == env.sections.end() || !found->second.contains("metrics")) return settings;
  const core::JsonReader reader =
      core::JsonReader(found->second, env.source_file, "/observability").at("metrics");
  reader.as_object();
  reader.reject_unknown_keys({"url", "token", "required", "probe_requests"});
  if (reader.has("url")) {
    const core::JsonReader url = reader.at("url");
    if (found->second["metrics"]["url"].is_array()) {
      for (std::size_t i = 0; i < found->second["metrics"]["url"].size(); ++i) {
        settings.urls.push_back(url.at(i).as_string());
      }
    } else {
      // One string may carry several URLs separated by commas, so that one
      // ${VAR} can name every instance behind a load balancer.
      const std::string text = url.as_string();
      std::size_t start = 0;
      while (start <= text.size()) {
        const std::size_t comma = std::min(text.find(',', start), text.size());
        const std::string each = text.substr(start, comma - start);
        if (!each.empty()) settings.urls.push_back(each);
        start = comma + 1;
      }
    }
    for (const std::string& each : settings.urls) {
      if (each.rfind("http://", 0) != 0 && each.rfind("https://", 0) != 0) {
        url.fail("must be an http(s) URL (or a list of them), not \"" + each + "\"");
      }
    }
  }
  settings.token = reader.string_or("token", "");
  if (reader.has("probe_requests")) {
    settings.probe_requests = static_cast<int>(reader.at("probe_requests").as_integer());
    if (settings.probe_requests < 1 || settings.probe_requests > 1000) {
      reader.at("probe_requests").fail("must be 1..1000");
    }
  }
  if (reader.has("required")) {
    const core::JsonReader required = reader.at("required");
    required.as_object();
    required.reject_unknown_keys(
        {"requests_total", "request_duration", "ai_jobs_active", "ai_duration", "business"});
    settings.requests_total = required.string_or("requests_total", settings.requests_total);
    settings.request_duration = required.string_or("request_duration", settings.request_duration);
    settings.ai_jobs_active = required.string_or("ai_jobs_active", settings.ai_jobs_active);
    settings.ai_duration = required.string_or("ai_duration", settings.ai_duration);
    if (required.has("business")) {
      settings.business.clear();
      const nlohmann::json& names = found->second["metrics"]["required"]["business"];
      if (!names.is_array()) required.at("business").fail("must be a list of metric names");
      for (std::size_t i = 0; i < names.size(); ++i) {
        settings.business.push_back(required.at("business").at(i).as_string());
      }
    }
  }
  return settings;
}

const std::vector<std::string>& metrics_check_ids() {
  static const std::vector<std::string> ids = {kScrape, kLint, kRequired, kMoves};
  return ids;
}

MetricsScrape scrape_metrics(const config::Environment& env, const MetricsSettings& settings) {
  MetricsScrape scrape;
  for (const std::string& url : settings.urls) {
    http::HttpRequest request;
    request.url = url;
    request.timeout = std::chrono::seconds(10);
    if (!settings.token.empty()) request.headers.emplace_back("Authorization", "Bearer " + settings.token);
    const http::HttpResponse response = http::fetch(request, http::client_options_for(env));
    if (!response.transport_ok() || response.status != 200) {
      scrape.reproduction =
          http::reproduction_of(request, http::ReproductionSecrets(env, core::Redactor::global()));
      scrape.error = url + " answered " +
                     (response.transport_ok() ? std::to_string(response.status)
                                              : response.error_message);
      return scrape;
    }
    std::string error;
    const std::optional<MetricExposition> parsed = parse_exposition(response.body, error);
    if (!parsed) {
      scrape.reproduction =
          http::reproduction_of(request, http::ReproductionSecrets(env, core::Redactor::global()));
      scrape.error = url + ": " + error;
      return scrape;
    }
    scrape.summed.add(*parsed);
    scrape.texts.push_back(response.body);
  }
  return scrape;
}

int send_probe_requests(const config::Environment& env, int count) {
  int sent = 0;
  for (int i = 0; i < count; ++i) {
    http::HttpRequest request;
    request.url = env.url("/health");
    request.timeout = std::chrono::seconds(10);
    const http::HttpResponse response = http::fetch(request, http::client_options_for(env));
    if (response.transport_ok()) ++sent;  // answered: the target saw it
  }
  return sent;
}

std::string promtool_check_metrics(const std::string& text, bool& missing) {
  missing = false;
  const std::string promtool = core::find_executable({"promtool"});
  if (promtool.empty()) {
    missing = true;
    return "promtool is not installed: install the Debian package prometheus (scripts/bootstrap)";
  }
  const TemporaryFile input(text);
  const TemporaryFile output("");
  const core::ToolRun run = core::run_tool({promtool, "check", "metrics"}, {}, kPromtoolDeadline,
                                           output.path(), input.path());
  if (run.ok()) return "";
  std::string findings = read_file(output.path()) + run.stderr_text;
  while (!findings.empty() && (findings.back() == '\n' || findings.back() == ' ')) findings.pop_back();
  return findings.empty() ? "promtool check metrics: " + run.describe() : findings;
}

void record_metrics_checks(const MetricsSettings& settings, const MetricsScrape& before,
                           const MetricsScrape& after, const StageTraffic& traffic,
                           core::ResultSink& sink) {
  core::CheckResult scrape = base_result(kScrape);
  scrape.evidence = {{"urls", settings.urls}};
  const std::string scrape_error = !before.error.empty() ? before.error : after.error;
  if (!scrape_error.empty()) {
    scrape.status = core::CheckStatus::kFail;
    scrape.message = scrape_error;
    http::attach_reproduction(scrape, !before.error.empty() ? before.reproduction : after.reproduction);
    sink.record(scrape);
    for (const char* id : {kLint, kRequired, kMoves}) {
      core::CheckResult result = base_result(id);
      result.status = core::CheckStatus::kFail;
      result.message = "no metrics to inspect (see " + std::string(kScrape) + ")";
      sink.record(result);
    }
    return;
  }
  scrape.message = std::to_string(settings.urls.size()) + " instance(s) scraped, " +
                   std::to_string(after.summed.samples.size()) + " samples in " +
                   std::to_string(after.summed.types.size()) + " families";
  scrape.evidence["samples"] = after.summed.samples.size();
  sink.record(scrape);

  core::CheckResult lint = base_result(kLint);
  std::vector<std::string> problems;
  bool missing = false;
  for (std::size_t i = 0; i < after.texts.size() && !missing; ++i) {
    const std::string found = promtool_check_metrics(after.texts[i], missing);
    if (!found.empty()) problems.push_back((settings.urls.size() > 1 ? settings.urls[i] + ": " : "") + found);
  }
  lint.status = missing ? core::CheckStatus::kError
                        : problems.empty() ? core::CheckStatus::kPass : core::CheckStatus::kFail;
  lint.message = problems.empty() ? "promtool check metrics: no problem" : join(problems);
  sink.record(lint);

  core::CheckResult required = base_result(kRequired);
  std::vector<std::string> absent;
  nlohmann::json names = nlohmann::json::object();
  for (const auto& [role, name] :
       std::vector<std::pair<std::string, std::string>>{{"request counter", settings.requests_total},
                                                        {"latency histogram", settings.request_duration},
                                                        {"active AI jobs", settings.ai_jobs_active},
                                                        {"AI duration", settings.ai_duration}}) {
    names[role] = name;
    if (!after.summed.has_family(name)) absent.push_back(role + " (" + name + ")");
  }
  bool business = false;
  for (const std::string& name : settings.business) business = business || after.summed.has_family(name);
  names["business"] = settings.business;
  if (!business) {
    std::string list;
    for (const auto& name : settings.business) list += (list.empty() ? "" : " or ") + name;
    absent.push_back("a business metric (" + list + ")");
  }
  required.evidence = {{"required", names}};
  required.status = absent.empty() ? core::CheckStatus::kPass : core::CheckStatus::kFail;
  required.message = absent.empty() ? "request counter, latency histogram, active AI jobs, AI "
                                      "duration and a business metric are exported"
                                    : "not exported: " + join(absent);
  sink.record(required);

  core::CheckResult moves = base_result(kMoves);
  std::vector<std::string> still;
  auto delta = [&](const std::string& name) {
    return after.summed.sum(name).value_or(0) - before.summed.sum(name).value_or(0);
  };
  const double requests = delta(settings.requests_total);
  const double jobs = delta(settings.ai_duration + "_count");
  moves.evidence = {{"requests_sent", traffic.requests}, {"request_counter_delta", requests},
                    {"ai_jobs_run", traffic.ai_jobs}, {"ai_duration_count_delta", jobs}};
  if (requests < traffic.requests) {
    still.push_back(settings.requests_total + " grew by " + std::to_string(std::llround(requests)) +
                    ", golive sent " + std::to_string(traffic.requests) + " requests");
  }
  if (jobs < traffic.ai_jobs) {
    still.push_back(settings.ai_duration + "_count grew by " + std::to_string(std::llround(jobs)) +
                    ", " + std::to_string(traffic.ai_jobs) + " AI job(s) finished");
  }
  moves.status = still.empty() ? core::CheckStatus::kPass : core::CheckStatus::kFail;
  moves.message = still.empty() ? settings.requests_total + " +" +
                                      std::to_string(std::llround(requests)) + " for " +
                                      std::to_string(traffic.requests) + " requests sent, " +
                                      settings.ai_duration + "_count +" +
                                      std::to_string(std::llround(jobs)) + " for " +
                                      std::to_string(traffic.ai_jobs) + " AI job(s)"
                                : join(still);
  sink.record(moves);
}

}  // namespace golive::observability
