#include "observability/alert_rule_checks.hpp"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "core/external_tool.hpp"
#include "core/input_error.hpp"
#include "observability/promql_names.hpp"

namespace golive::observability {

namespace {

constexpr const char* kValid = "observability.alerts.rules_valid";
constexpr const char* kExported = "observability.alerts.metrics_exported";
constexpr const char* kQuiet = "observability.alerts.quiet_when_healthy";
constexpr const char* kFiresPrefix = "observability.alerts.fires.";
constexpr auto kPromtoolDeadline = std::chrono::seconds(60);
// Series length and evaluation time of every scenario (minutes): long enough
// for a 5m rate and a 15m `for:`.
constexpr int kSteps = 60;
constexpr int kEvalMinute = 45;
constexpr int kRequestsPerMinute = 600;
// Histogram bucket bounds of the generated latency series (s).
const std::vector<double> kBuckets = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

core::CheckResult base_result(const std::string& id, const std::string& title) {
  core::CheckResult result;
  result.id = id;
  result.suite = "observability";
  result.title = title;
  result.severity = core::Severity::kHigh;
  return result;
}

std::string join(const std::vector<std::string>& parts, const std::string& separator = "; ") {
  std::string text;
  for (const auto& part : parts) text += (text.empty() ? "" : separator) + part;
  return text;
}

class TemporaryFile {
 public:
  explicit TemporaryFile(const std::string& contents, const std::string& suffix = "") {
    std::string name = "/tmp/golive-alerts-XXXXXX" + suffix;
    const int fd = ::mkstemps(name.data(), static_cast<int>(suffix.size()));
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

struct ToolOutput {
  bool missing = false;
  core::ToolRun run;
  std::string text;  // stdout and stderr
};

ToolOutput promtool(const std::vector<std::string>& arguments) {
  ToolOutput output;
  const std::string binary = core::find_executable({"promtool"});
  if (binary.empty()) {
    output.missing = true;
    output.text = "promtool is not installed: install the Debian package prometheus (scripts/bootstrap)";
    return output;
  }
  std::vector<std::string> argv = {binary};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  const TemporaryFile out("");
  output.run = core::run_tool(argv, {}, kPromtoolDeadline, out.path());
  output.text = read_file(out.path()) + output.run.stderr_text;
  return output;
}

struct RuleInfo {
  std::string alert;  // "" for a recording rule
  std::string expr;
  std::string file;
};

std::vector<RuleInfo> read_rules(const std::vector<std::string>& files, std::string& error) {
  std::vector<RuleInfo> rules;
  for (const std::string& file : files) {
    try {
      const YAML::Node root = YAML::LoadFile(file);
      for (const auto& group : root["groups"]) {
        for (const auto& rule : group["rules"]) {
          RuleInfo info;
          info.file = file;
          if (rule["alert"]) info.alert = rule["alert"].as<std::string>();
          if (rule["expr"]) info.expr = rule["expr"].as<std::string>();
          rules.push_back(info);
        }
      }
    } catch (const std::exception& caught) {
      error = file + ": " + caught.what();
    }
  }
  return rules;
}

// The first rule file that is not YAML: "line L, column C" and yaml-cpp's message.
struct RuleFileSyntaxError {
  std::string file;
  std::string location;
  std::string problem;
};
std::optional<RuleFileSyntaxError> first_syntax_error(const std::vector<std::string>& files) {
  for (const std::string& file : files) {
    try {
      YAML::LoadFile(file);
    } catch (const YAML::ParserException& caught) {
      return RuleFileSyntaxError{file,
                                 "line " + std::to_string(caught.mark.line + 1) + ", column " +
                                     std::to_string(caught.mark.column + 1),
                                 "not valid YAML: " + caught.msg};
    } catch (const YAML::BadFile&) {
      return RuleFileSyntaxError{file, "", "cannot be read"};
    }
  }
  return std::nullopt;
}

std::string series_line(const std::string& series, const std::string& values) {
  return "      - series: '" + series + "'\n        values: '" + values + "'\n";
}

std::string yaml_quote(const std::string& text) {
  std::string out = "\"";
  for (char c : text) out += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
  return out + "\"";
}

}  // namespace

void require_parsable_alert_rules(const MonitoringConfig& monitoring) {
  if (const auto syntax = first_syntax_error(monitoring.alert_rules)) {
    throw core::InputError(syntax->file, syntax->location, syntax->problem);
  }
}

const std::vector<std::string>& alert_rule_check_ids() {
  static const std::vector<std::string> ids = {
      kValid, kExported, kQuiet, std::string(kFiresPrefix) + "error_ratio",
      std::string(kFiresPrefix) + "latency_p99", std::string(kFiresPrefix) + "target_down"};
  return ids;
}

std::string promtool_test_file(const std::vector<std::string>& rule_files,
                               const MetricsSettings& metrics, const config::SlaTargets& sla,
                               const std::string& scenario,
                               const std::vector<std::string>& alert_names) {
  const std::string labels = "job=\"golive\",instance=\"target:443\"";
  const std::string steady_count = "0+" + std::to_string(kRequestsPerMinute) + "x" + std::to_string(kSteps);
  const std::string zero = "0+0x" + std::to_string(kSteps);
  // Ten times the error budget per minute, at least one request.
  const int errors = std::max(1, static_cast<int>(std::ceil(kRequestsPerMinute * (1 - sla.availability) * 10)));
  std::string text = "rule_files:\n";
  for (const auto& file : rule_files) text += "  - " + yaml_quote(file) + "\n";
  text += "evaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n";
  text += series_line(metrics.requests_total + "{method=\"GET\",route=\"/health\",status=\"200\"," + labels + "}",
                      steady_count);
  text += series_line(metrics.requests_total + "{method=\"GET\",route=\"/health\",status=\"500\"," + labels + "}",
                      scenario == "error_ratio" ? "0+" + std::to_string(errors) + "x" + std::to_string(kSteps) : zero);
  const double slow_s = 2 * sla.p99_ms / 1000.0;
  for (const double bound : kBuckets) {
    std::ostringstream le;
    le << bound;
    const bool counts = scenario != "latency_p99" || bound >= slow_s;
    text += series_line(metrics.request_duration + "_bucket{route=\"/health\",le=\"" + le.str() + "\"," + labels + "}",
                        counts ? steady_count : zero);
  }
  text += series_line(metrics.request_duration + "_bucket{route=\"/health\",le=\"+Inf\"," + labels + "}", steady_count);
  text += series_line(metrics.request_duration + "_count{route=\"/health\"," + labels + "}", steady_count);
  text += series_line(metrics.request_duration + "_sum{route=\"/health\"," + labels + "}",
                      scenario == "latency_p99" ? "0+" + std::to_string(kRequestsPerMinute * slow_s) + "x" + std::to_string(kSteps)
                                                : "0+6x" + std::to_string(kSteps));
  text += series_line("up{" + labels + "}", scenario == "target_down" ? "1x10 0x" + std::to_string(kSteps - 10)
                                                                      : "1x" + std::to_string(kSteps));
  text += series_line(metrics.ai_jobs_active + "{" + labels + "}", "0x" + std::to_string(kSteps));
  text += "    alert_rule_test:\n";
  for (const auto& name : alert_names) {
    text += "      - eval_time: " + std::to_string(kEvalMinute) + "m\n        alertname: " +
            yaml_quote(name) + "\n        exp_alerts: []\n";
  }
  return text;
}

std::vector<std::string> fired_alerts(const std::string& output) {
  std::vector<std::string> fired;
  std::istringstream in(output);
  std::string line;
  bool in_got = false;
  while (std::getline(in, line)) {
    if (line.find("got:[") != std::string::npos) in_got = true;
    if (line.find("exp:[") != std::string::npos) in_got = false;
    const std::size_t at = line.find("Labels:{");
    if (in_got && at != std::string::npos) {
      const std::string labels = line.substr(at + 7);
      const std::size_t name = labels.find("alertname=\"");
      std::string alert = "?";
      if (name != std::string::npos) {
        alert = labels.substr(name + 11, labels.find('"', name + 11) - name - 11);
      }
      fired.push_back(alert + " " + labels);
    }
  }
  return fired;
}

void run_alert_rule_checks(const config::Environment& env, const MonitoringConfig& monitoring,
                           const MetricsSettings& metrics, const MetricExposition* exported,
                           core::ResultSink& sink) {
  const std::vector<std::string>& ids = alert_rule_check_ids();
  auto record_all = [&](core::CheckStatus status, const std::string& message, std::size_t from = 0) {
    for (std::size_t i = from; i < ids.size(); ++i) {
      core::CheckResult result = base_result(ids[i], ids[i]);
      result.status = status;
      result.message = message;
      sink.record(result);
    }
  };
  if (monitoring.alert_rules.empty()) {
    return record_all(core::CheckStatus::kSkip, "no observability.alert_rules: no rule file to check");
  }
  core::CheckResult valid = base_result(kValid, "The alert rule files are valid (promtool check rules)");
  if (const auto syntax = first_syntax_error(monitoring.alert_rules)) {
    // `golive probe observability` refuses such a file up front (exit 2); in
    // `golive run` it is an error of this check and the run goes on.
    valid.status = core::CheckStatus::kError;
    valid.message = syntax->file + (syntax->location.empty() ? "" : " at " + syntax->location) + ": " +
                    syntax->problem;
    valid.evidence = {{"file", syntax->file}, {"location", syntax->location}};
    sink.record(valid);
    return record_all(core::CheckStatus::kError,
                      "a rule file does not parse (see " + std::string(kValid) + ")", 1);
  }
  std::vector<std::string> arguments = {"check", "rules"};
  arguments.insert(arguments.end(), monitoring.alert_rules.begin(), monitoring.alert_rules.end());
  const ToolOutput checked = promtool(arguments);
  valid.evidence = {{"files", monitoring.alert_rules}};
  if (checked.missing || !checked.run.ok()) {
    valid.status = checked.missing ? core::CheckStatus::kError : core::CheckStatus::kFail;
    valid.message = checked.text.empty() ? checked.run.describe() : checked.text;
    sink.record(valid);
    return record_all(valid.status, "the rule files did not pass promtool check rules (see " +
                                        std::string(kValid) + ")", 1);
  }
  std::string error;
  const std::vector<RuleInfo> rules = read_rules(monitoring.alert_rules, error);
  std::vector<std::string> alert_names;
  for (const auto& rule : rules) {
    if (!rule.alert.empty()) alert_names.push_back(rule.alert);
  }
  valid.message = std::to_string(rules.size()) + " rule(s) in " +
                  std::to_string(monitoring.alert_rules.size()) + " file(s), " +
                  std::to_string(alert_names.size()) + " alert(s)";
  sink.record(valid);

  core::CheckResult exported_check =
      base_result(kExported, "Every metric an alert rule reads is exported by the target");
  if (exported == nullptr) {
    exported_check.status = core::CheckStatus::kSkip;
    exported_check.message = "no observability.metrics.url: the target's metric names are unknown";
  } else {
    std::vector<std::string> dead;
    for (const auto& rule : rules) {
      for (const auto& name : promql_metric_names(rule.expr)) {
        // `up` and ALERTS are Prometheus' own series, not the target's.
        if (name == "up" || name == "ALERTS" || name == "ALERTS_FOR_STATE") continue;
        if (!exported->has_family(name)) {
          dead.push_back((rule.alert.empty() ? "a recording rule" : rule.alert) + " reads " + name);
        }
      }
    }
    exported_check.status = dead.empty() ? core::CheckStatus::kPass : core::CheckStatus::kFail;
    exported_check.message = dead.empty() ? "every metric the rules read is in the target's scrape"
                                          : join(dead) + ", which the target does not export";
  }
  sink.record(exported_check);

  auto run_scenario = [&](const std::string& scenario, const std::vector<std::string>& names) {
    const TemporaryFile test(promtool_test_file(monitoring.alert_rules, metrics, env.sla, scenario, names), ".yml");
    return promtool({"test", "rules", test.path()});
  };

  core::CheckResult quiet = base_result(kQuiet, "No alert fires on healthy series");
  const ToolOutput steady = run_scenario("steady", alert_names);
  if (steady.missing) {
    quiet.status = core::CheckStatus::kError;
    quiet.message = steady.text;
  } else {
    const std::vector<std::string> fired = fired_alerts(steady.text);
    quiet.status = steady.run.ok() ? core::CheckStatus::kPass : core::CheckStatus::kFail;
    quiet.message = steady.run.ok() ? std::to_string(alert_names.size()) +
                                          " alert(s) stay quiet on steady traffic within the SLA"
                    : fired.empty() ? "promtool test rules failed: " + steady.text.substr(0, 400)
                                    : "fires on healthy series: " + join(fired);
  }
  sink.record(quiet);

  const std::vector<std::pair<std::string, std::string>> scenarios = {
      {"error_ratio", monitoring.error_ratio_alert},
      {"latency_p99", monitoring.latency_alert},
      {"target_down", monitoring.target_down_alert}};
  for (const auto& [scenario, alert] : scenarios) {
    core::CheckResult fires = base_result(kFiresPrefix + scenario, "Alert " + alert + " fires when " +
                                                                        (scenario == "error_ratio" ? "errors exceed the SLA"
                                                                         : scenario == "latency_p99" ? "p99 latency exceeds the SLA"
                                                                                                     : "the target is down"));
    fires.evidence = {{"alert", alert}, {"scenario", scenario}};
    if (std::find(alert_names.begin(), alert_names.end(), alert) == alert_names.end()) {
      fires.status = core::CheckStatus::kFail;
      fires.message = "no alert named " + alert + " in the rule files (observability.alert_scenarios." +
                      scenario + ")";
      sink.record(fires);
      continue;
    }
    const ToolOutput outcome = run_scenario(scenario, {alert});
    if (outcome.missing) {
      fires.status = core::CheckStatus::kError;
      fires.message = outcome.text;
      sink.record(fires);
      continue;
    }
    const std::vector<std::string> fired = fired_alerts(outcome.text);
    if (fired.empty()) {
      fires.status = core::CheckStatus::kFail;
      fires.message = alert + " did not fire in the " + scenario + " scenario (evaluated at " +
                      std::to_string(kEvalMinute) + "m): its expression or for: never holds";
    } else if (fired.front().find("severity=\"") == std::string::npos) {
      fires.status = core::CheckStatus::kFail;
      fires.message = alert + " fires without a severity label: " + fired.front();
    } else {
      fires.status = core::CheckStatus::kPass;
      fires.message = alert + " fires: " + fired.front();
    }
    sink.record(fires);
  }
}

}  // namespace golive::observability
