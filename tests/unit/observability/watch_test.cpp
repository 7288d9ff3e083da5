// golive watch's parts without a target: the exposition WatchMetrics serves
// (parsed back, and linted by promtool check metrics), the /metrics server
// over real HTTP, the observability.watch settings and their errors, the
// uptime checks' verdicts on fresh, stale and failing monitors, and the
// shipped docs/watch/ artefacts: the burn-rate rules under promtool test
// rules (and a broken copy that the same tests reject), the dashboard's
// panels reading only series the watch exports.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "config/environment.hpp"
#include "core/external_tool.hpp"
#include "core/input_error.hpp"
#include "core/result_stream.hpp"
#include "http/curl/curl_http_client.hpp"
#include "observability/metrics_checks.hpp"
#include "observability/prometheus_text.hpp"
#include "observability/promql_names.hpp"
#include "observability/uptime_checks.hpp"
#include "observability/watch_loop.hpp"
#include "observability/watch_metrics.hpp"

namespace golive::observability {
namespace {

const std::string kWatchDocs = GOLIVE_SOURCE_DIR "/docs/watch";

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

MetricExposition parsed(const WatchMetrics& metrics) {
  std::string error;
  const auto exposition = parse_exposition(metrics.exposition(), error);
  EXPECT_TRUE(exposition.has_value()) << error << "\n" << metrics.exposition();
  return exposition.value_or(MetricExposition{});
}

std::map<std::string, core::CheckResult> uptime_verdicts(const WatchSettings& settings,
                                                         const MetricExposition* exposition,
                                                         double now) {
  core::CollectingSink sink;
  record_uptime_checks(settings, "test monitor", exposition, "connection refused", now, sink);
  std::map<std::string, core::CheckResult> by_id;
  for (const auto& result : sink.results()) by_id[result.id] = result;
  return by_id;
}

WatchSettings two_probes() {
  WatchSettings settings;
  settings.probes = {{"health", "GET", "http://127.0.0.1/health", 200, ""},
                     {"version", "GET", "http://127.0.0.1/version", 200, ""}};
  settings.max_age_seconds = 60;
  settings.availability = 0.9;
  return settings;
}

TEST(WatchMetrics, ExpositionCountsHistogramAndTimestamps) {
  WatchMetrics metrics({"health", "version"}, 0.999);
  metrics.record("health", true, 0.02, 1000);
  metrics.record("health", false, 3.0, 1001);
  metrics.record("health", true, 0.002, 1002);
  const MetricExposition exposition = parsed(metrics);
  EXPECT_EQ(exposition.types.at("golive_watch_probes_total"), "counter");
  EXPECT_EQ(exposition.types.at("golive_watch_probe_duration_seconds"), "histogram");
  EXPECT_EQ(exposition.sum("golive_watch_probes_total"), 3.0);
  EXPECT_EQ(exposition.sum("golive_watch_probe_duration_seconds_count"), 3.0);
  std::map<std::string, double> health;
  for (const MetricSample& sample : exposition.samples) {
    if (sample.labels.count("probe") == 0 || sample.labels.at("probe") != "health") continue;
    std::string key = sample.name;
    if (sample.labels.count("result")) key += ":" + sample.labels.at("result");
    if (sample.labels.count("le")) key += ":" + sample.labels.at("le");
    health[key] = sample.value;
  }
  EXPECT_EQ(health["golive_watch_probes_total:success"], 2);
  EXPECT_EQ(health["golive_watch_probes_total:failure"], 1);
  EXPECT_EQ(health["golive_watch_probe_success"], 1);
  EXPECT_EQ(health["golive_watch_probe_duration_seconds_bucket:0.005"], 1);
  EXPECT_EQ(health["golive_watch_probe_duration_seconds_bucket:0.025"], 2);
  EXPECT_EQ(health["golive_watch_probe_duration_seconds_bucket:2.5"], 2);
  EXPECT_EQ(health["golive_watch_probe_duration_seconds_bucket:5"], 3);
  EXPECT_EQ(health["golive_watch_probe_duration_seconds_bucket:+Inf"], 3);
  EXPECT_EQ(health["golive_watch_last_success_timestamp_seconds"], 1002);
  EXPECT_EQ(health["golive_watch_last_run_timestamp_seconds"], 1002);
  // A probe that never ran is exported at zero, so an alert sees it from the start.
  EXPECT_TRUE(exposition.has_family("golive_watch_probes_total"));
  bool version_seen = false;
  for (const MetricSample& sample : exposition.samples) {
    if (sample.labels.count("probe") && sample.labels.at("probe") == "version") version_seen = true;
  }
  EXPECT_TRUE(version_seen);
  bool missing = false;
  const std::string findings = promtool_check_metrics(metrics.exposition(), missing);
  if (missing) GTEST_SKIP() << findings;
  EXPECT_EQ(findings, "");
}

TEST(WatchMetricsServer, ServesMetricsOverHttpAndRefusesOtherPathsAndMethods) {
  WatchMetrics metrics({"health"}, 0.999);
  metrics.record("health", true, 0.01, 1234);
  WatchMetricsServer server("127.0.0.1:0", metrics, "test");
  ASSERT_NE(server.port(), 0);
  http::HttpRequest request;
  request.url = server.url();
  const http::HttpResponse response = http::fetch(request);
  ASSERT_TRUE(response.transport_ok()) << response.error_message;
  EXPECT_EQ(response.status, 200);
  EXPECT_NE(response.body.find("golive_watch_probes_total{probe=\"health\",result=\"success\"} 1"),
            std::string::npos)
      << response.body;
  // HEAD: the headers of the same answer, no body.
  request.method = "HEAD";
  const http::HttpResponse head = http::fetch(request);
  EXPECT_EQ(head.status, 200) << head.error_message;
  EXPECT_TRUE(head.body.empty());
  request.method = "POST";
  EXPECT_EQ(http::fetch(request).status, 405);
  request.method = "GET";
  request.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/other";
  EXPECT_EQ(http::fetch(request).status, 404);
  // The same port again: a clear error naming the setting.
  try {
    WatchMetricsServer second("127.0.0.1:" + std::to_string(server.port()), metrics, "--listen");
    FAIL() << "listened twice on one port";
  } catch (const core::InputError& error) {
    EXPECT_EQ(error.file(), "--listen");
    EXPECT_NE(error.problem().find("cannot listen"), std::string::npos) << error.what();
  }
  EXPECT_THROW(WatchMetricsServer("127.0.0.1", metrics, "--listen"), core::InputError);
}

config::Environment env_with_watch(const nlohmann::json& watch) {
  config::Environment env;
  env.source_file = "staging.json";
  env.base_url = "https://api.example.com";
  env.sla.availability = 0.995;
  env.sections["observability"] = {{"watch", watch}};
  return env;
}

TEST(WatchSettings, ReadsProbesAndDefaults) {
  const WatchSettings settings = read_watch_settings(env_with_watch(
      {{"interval_seconds", 5},
       {"probes", {{{"name", "health"}, {"path", "/health"}},
                   {{"name", "status"}, {"url", "https://status.example.com/"}, {"expect_status", 204}}}}}));
  EXPECT_TRUE(settings.configured);
  ASSERT_EQ(settings.probes.size(), 2u);
  EXPECT_EQ(settings.probes[0].url, "https://api.example.com/health");
  EXPECT_EQ(settings.probes[1].expect_status, 204);
  EXPECT_EQ(settings.interval_seconds, 5);
  EXPECT_EQ(settings.listen, "127.0.0.1:9464");
  EXPECT_EQ(settings.availability, 0.995);
  EXPECT_FALSE(read_watch_settings(config::Environment{}).configured);
}

TEST(WatchSettings, MalformedSettingsNameTheFileAndPointer) {
  const std::vector<std::pair<nlohmann::json, std::string>> cases = {
      {{{"probes", {{{"name", "a"}}}}}, "/observability/watch/probes/0"},
      {{{"probes", {{{"name", "a"}, {"path", "/x"}, {"method", "POST"}}}}},
       "/observability/watch/probes/0/method"},
      {{{"probes", {{{"name", "a"}, {"path", "/x"}}, {{"name", "a"}, {"path", "/y"}}}}},
       "/observability/watch/probes/1/name"},
      {{{"interval_seconds", 0}}, "/observability/watch/interval_seconds"},
      {{{"bogus", 1}}, "/observability/watch/bogus"},
  };
  for (const auto& [watch, pointer] : cases) {
    try {
      read_watch_settings(env_with_watch(watch));
      ADD_FAILURE() << "accepted " << watch.dump();
    } catch (const core::InputError& error) {
      EXPECT_EQ(error.file(), "staging.json");
      EXPECT_EQ(error.location(), pointer) << error.what();
    }
  }
}

TEST(UptimeChecks, PassOnAFreshMonitorWhoseProbesSucceed) {
  WatchMetrics metrics({"health", "version"}, 0.9);
  for (int i = 0; i < 10; ++i) {
    metrics.record("health", true, 0.01, 1000 + i);
    metrics.record("version", true, 0.01, 1000 + i);
  }
  const MetricExposition exposition = parsed(metrics);
  const auto verdicts = uptime_verdicts(two_probes(), &exposition, 1020);
  ASSERT_EQ(verdicts.size(), 2u);
  for (const auto& [id, result] : verdicts) {
    EXPECT_EQ(result.status, core::CheckStatus::kPass) << id << ": " << result.message;
  }
}

TEST(UptimeChecks, AStaleMonitorIsNotActive) {
  WatchMetrics metrics({"health", "version"}, 0.9);
  metrics.record("health", true, 0.01, 1000);
  metrics.record("version", true, 0.01, 1000);
  const MetricExposition exposition = parsed(metrics);
  const auto verdicts = uptime_verdicts(two_probes(), &exposition, 1000 + 3600);
  const auto& active = verdicts.at("observability.uptime.monitor_active");
  EXPECT_EQ(active.status, core::CheckStatus::kFail);
  EXPECT_NE(active.message.find("last run 3600 s ago"), std::string::npos) << active.message;
  EXPECT_EQ(verdicts.at("observability.uptime.probes_succeed").status, core::CheckStatus::kFail);
}

TEST(UptimeChecks, AFailingProbeFailsTheSuccessCheckOnly) {
  WatchMetrics metrics({"health", "version"}, 0.9);
  for (int i = 0; i < 10; ++i) {
    metrics.record("health", true, 0.01, 1000 + i);
    metrics.record("version", false, 0.01, 1000 + i);
  }
  const MetricExposition exposition = parsed(metrics);
  const auto verdicts = uptime_verdicts(two_probes(), &exposition, 1015);
  EXPECT_EQ(verdicts.at("observability.uptime.monitor_active").status, core::CheckStatus::kPass);
  const auto& succeed = verdicts.at("observability.uptime.probes_succeed");
  EXPECT_EQ(succeed.status, core::CheckStatus::kFail);
  EXPECT_NE(succeed.message.find("version: its last run failed"), std::string::npos) << succeed.message;
  EXPECT_NE(succeed.message.find("version: last success never"), std::string::npos) << succeed.message;
  EXPECT_EQ(succeed.message.find("health"), std::string::npos) << succeed.message;
}

TEST(UptimeChecks, AMonitorThatDoesNotAnswerOrReportsNoProbeFails) {
  auto verdicts = uptime_verdicts(two_probes(), nullptr, 1000);
  EXPECT_EQ(verdicts.at("observability.uptime.monitor_active").status, core::CheckStatus::kFail);
  EXPECT_NE(verdicts.at("observability.uptime.monitor_active").message.find("connection refused"),
            std::string::npos);
  const MetricExposition empty;
  WatchSettings any = two_probes();
  any.probes.clear();  // the monitor's own probe list: it reports none
  verdicts = uptime_verdicts(any, &empty, 1000);
  EXPECT_EQ(verdicts.at("observability.uptime.monitor_active").status, core::CheckStatus::kFail);
  EXPECT_EQ(verdicts.at("observability.uptime.probes_succeed").status, core::CheckStatus::kFail);
}

TEST(UptimeChecks, SkippedNamingTheSettingsWhenNothingIsConfigured) {
  core::CollectingSink sink;
  run_uptime_checks(config::Environment{}, WatchSettings{}, sink);
  ASSERT_EQ(sink.results().size(), 2u);
  for (const auto& result : sink.results()) {
    EXPECT_EQ(result.status, core::CheckStatus::kSkip);
    EXPECT_NE(result.message.find("observability.watch.monitor_url"), std::string::npos);
  }
}

core::ToolRun promtool(const std::vector<std::string>& args, const std::string& dir) {
  const std::string binary = core::find_executable({"promtool"});
  std::vector<std::string> argv = {"/bin/sh", "-c", "cd \"" + dir + "\" && \"" + binary + "\""};
  for (const std::string& arg : args) argv[2] += " \"" + arg + "\"";
  return core::run_tool(argv, {}, std::chrono::seconds(60));
}

TEST(WatchRules, TheShippedBurnRateRulesPassTheirPromtoolTests) {
  if (core::find_executable({"promtool"}).empty()) GTEST_SKIP() << "promtool not installed";
  const core::ToolRun check = promtool({"check", "rules", "alerts.yml"}, kWatchDocs);
  EXPECT_TRUE(check.ok()) << check.describe() << check.stderr_text;
  const core::ToolRun test = promtool({"test", "rules", "alerts.test.yml"}, kWatchDocs);
  EXPECT_TRUE(test.ok()) << test.describe() << test.stderr_text;
}

TEST(WatchRules, AFastBurnRuleThatCannotFireFailsTheTests) {
  if (core::find_executable({"promtool"}).empty()) GTEST_SKIP() << "promtool not installed";
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("golive-watch-rules-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string rules = read_text(kWatchDocs + "/alerts.yml");
  const std::string fast = "ratio_rate1h > (14.4 * 0.001)";
  ASSERT_NE(rules.find(fast), std::string::npos);
  rules.replace(rules.find(fast), fast.size(), "ratio_rate1h > (14.4 * 1)");  // a ratio never > 14.4
  std::ofstream(dir / "alerts.yml") << rules;
  std::filesystem::copy_file(kWatchDocs + "/alerts.test.yml", dir / "alerts.test.yml");
  const core::ToolRun test = promtool({"test", "rules", "alerts.test.yml"}, dir.string());
  std::filesystem::remove_all(dir);
  EXPECT_FALSE(test.ok()) << "promtool test rules passed a fast-burn alert that cannot fire";
}

TEST(WatchDashboard, EveryPanelReadsSeriesTheWatchExports) {
  WatchMetrics metrics({"health"}, 0.999);
  const MetricExposition exposition = parsed(metrics);
  const nlohmann::json dashboard = nlohmann::json::parse(read_text(kWatchDocs + "/dashboard.json"));
  ASSERT_GE(dashboard["panels"].size(), 5u);
  for (const nlohmann::json& panel : dashboard["panels"]) {
    EXPECT_TRUE(panel.contains("datasource")) << panel["title"];
    for (const nlohmann::json& target : panel["targets"]) {
      const std::set<std::string> names = promql_metric_names(target["expr"].get<std::string>());
      EXPECT_FALSE(names.empty()) << target["expr"];
      for (const std::string& name : names) {
        EXPECT_TRUE(exposition.has_family(exposition.family_of(name)))
            << panel["title"] << " reads " << name << ", which golive watch does not export";
      }
    }
  }
}

}  // namespace
}  // namespace golive::observability
