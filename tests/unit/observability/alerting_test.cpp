// Alert rules, Alertmanager and dashboards against the embedded monitoring
// fixture (fixtures/monitoring) and each of its variants, with the real
// promtool and amtool (skipped when they are not installed), and the PromQL
// metric-name tokenizer on its own. No target: the exported metrics are a
// hand-written scrape of the reference target's names.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>

#include "config/environment.hpp"
#include "core/external_tool.hpp"
#include "core/input_error.hpp"
#include "core/result_stream.hpp"
#include "observability/alert_rule_checks.hpp"
#include "observability/alertmanager_checks.hpp"
#include "observability/dashboard_checks.hpp"
#include "observability/monitoring_fixture.hpp"
#include "observability/promql_names.hpp"

namespace golive::observability {
namespace {

const char* const kExported =
    "golive_http_requests_total{status=\"200\"} 1\n"
    "golive_http_request_duration_seconds_bucket{le=\"+Inf\"} 1\n"
    "golive_http_request_duration_seconds_count 1\n"
    "golive_ai_jobs_active 0\n"
    "golive_ai_job_duration_seconds_count 1\n"
    "golive_ai_job_duration_seconds_sum 1\n"
    "golive_mrr_cents 0\n"
    "golive_subscriptions{status=\"canceled\"} 0\n";

bool tools_present() {
  return !core::find_executable({"promtool"}).empty() && !core::find_executable({"amtool"}).empty();
}

MonitoringConfig fixture_config(const std::string& dir) {
  MonitoringConfig config;
  config.alert_rules = {dir + "/alerts.yml"};
  config.alertmanager_config = dir + "/alertmanager.yml";
  config.dashboards = {dir + "/dashboard.json"};
  return config;
}

std::map<std::string, core::CheckResult> run_all(const MonitoringConfig& config) {
  std::string error;
  const MetricExposition exported = *parse_exposition(kExported, error);
  config::Environment env;  // default SLA: 99.9%, p99 1500 ms
  core::CollectingSink sink;
  const MetricsSettings metrics;
  run_alert_rule_checks(env, config, metrics, &exported, sink);
  run_alertmanager_checks(config, sink);
  run_dashboard_checks(config, metrics, &exported, sink);
  std::map<std::string, core::CheckResult> by_id;
  for (const auto& result : sink.results()) by_id[result.id] = result;
  return by_id;
}

TEST(PromqlNames, FindsMetricsNotFunctionsLabelsOrDurations) {
  EXPECT_EQ(promql_metric_names(
                "histogram_quantile(0.99, sum by (le) (rate(http_seconds_bucket{job=\"a\"}[5m]))) > 1.5"),
            (std::set<std::string>{"http_seconds_bucket"}));
  EXPECT_EQ(promql_metric_names("a_total / on (instance) group_left (version) b_info offset 1h"),
            (std::set<std::string>{"a_total", "b_info"}));
  EXPECT_EQ(promql_metric_names("up == 0 and absent(x{y=\"z\"})"), (std::set<std::string>{"up", "x"}));
  EXPECT_TRUE(promql_metric_names("vector(1) > bool 0").empty());
}

TEST(AlertingFixture, EveryCheckPassesOnTheReferenceConfiguration) {
  if (!tools_present()) GTEST_SKIP() << "promtool or amtool is not installed";
  const auto results = run_all(fixture_config(GOLIVE_SOURCE_DIR "/fixtures/monitoring"));
  ASSERT_EQ(results.size(), 11u);
  for (const auto& [id, result] : results) {
    EXPECT_EQ(result.status, core::CheckStatus::kPass) << id << ": " << result.message;
  }
  EXPECT_NE(results.at("observability.alerts.fires.target_down").message.find("severity=\"critical\""),
            std::string::npos);
}

TEST(AlertingFixture, EachVariantIsCaughtByItsCheck) {
  if (!tools_present()) GTEST_SKIP() << "promtool or amtool is not installed";
  const std::map<std::string, std::string> catching = {
      {"alert-never-fires", "observability.alerts.fires.error_ratio"},
      {"alertmanager-no-route", "observability.alertmanager.critical_routed"},
      {"dashboard-dead-metric", "observability.dashboards.metrics_exported"}};
  ASSERT_EQ(monitoring_variants().size(), catching.size());
  for (const auto& variant : monitoring_variants()) {
    const ScratchMonitoring scratch(GOLIVE_SOURCE_DIR, {variant});
    const auto results = run_all(fixture_config(scratch.path()));
    for (const auto& [id, result] : results) {
      const bool caught = id == catching.at(variant);
      EXPECT_EQ(result.status, caught ? core::CheckStatus::kFail : core::CheckStatus::kPass)
          << variant << " " << id << ": " << result.message;
    }
  }
}

TEST(AlertingFixture, ARuleOverAMetricTheTargetDoesNotExportFails) {
  if (!tools_present()) GTEST_SKIP() << "promtool or amtool is not installed";
  std::string error;
  const MetricExposition without_ai = *parse_exposition("golive_http_requests_total 1\n", error);
  config::Environment env;
  core::CollectingSink sink;
  run_alert_rule_checks(env, fixture_config(GOLIVE_SOURCE_DIR "/fixtures/monitoring"), MetricsSettings{},
                        &without_ai, sink);
  bool seen = false;
  for (const auto& result : sink.results()) {
    if (result.id != "observability.alerts.metrics_exported") continue;
    seen = true;
    EXPECT_EQ(result.status, core::CheckStatus::kFail);
    EXPECT_NE(result.message.find("AiJobsStuck reads golive_ai_jobs_active"), std::string::npos)
        << result.message;
  }
  EXPECT_TRUE(seen);
}

TEST(AlertingFixture, FiredAlertsAreReadFromPromtoolsReport) {
  const std::string output =
      "  FAILED:\n    alertname: HighErrorRatio, time: 20m, \n        exp:[], \n        got:[\n"
      "            0:\n              Labels:{alertname=\"HighErrorRatio\", severity=\"critical\"}\n"
      "              Annotations:{summary=\"x\"}\n            ]\n";
  const auto fired = fired_alerts(output);
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0], "HighErrorRatio {alertname=\"HighErrorRatio\", severity=\"critical\"}");
  EXPECT_TRUE(fired_alerts("Unit Testing: x\n  SUCCESS\n").empty());
}

TEST(AlertingFixture, ARuleFileThatIsNotYamlNamesItsLine) {
  const std::string file = ::testing::TempDir() + "/golive-not-yaml-rules.yml";
  std::ofstream(file) << "groups:\n  - name: a\n    rules:\n      - alert: X\n        expr: up == 0\n"
                         "      bad: [\n";
  MonitoringConfig config;
  config.alert_rules = {file};
  try {
    require_parsable_alert_rules(config);
    FAIL() << "accepted a rule file that is not YAML";
  } catch (const core::InputError& error) {
    EXPECT_EQ(error.file(), file);
    EXPECT_EQ(error.location().rfind("line ", 0), 0u) << error.what();
    EXPECT_NE(error.problem().find("not valid YAML"), std::string::npos) << error.what();
  }
  // In `golive run` the same file is an error of rules_valid, and the stage goes on.
  const auto results = run_all(config);
  const auto& valid = results.at("observability.alerts.rules_valid");
  EXPECT_EQ(valid.status, core::CheckStatus::kError);
  EXPECT_NE(valid.message.find(file + " at line "), std::string::npos) << valid.message;
  EXPECT_EQ(results.at("observability.alerts.quiet_when_healthy").status, core::CheckStatus::kError);
  // A file that parses is not bad input, whatever its rules say.
  config.alert_rules = {GOLIVE_SOURCE_DIR "/fixtures/monitoring/alerts.yml"};
  EXPECT_NO_THROW(require_parsable_alert_rules(config));
  std::remove(file.c_str());
}

}  // namespace
}  // namespace golive::observability
