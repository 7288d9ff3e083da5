// `golive report diff`: new failures, fixed checks and load regressions
// beyond a tolerance, between two fixed result streams.
#include <gtest/gtest.h>

#include "core/result_stream.hpp"
#include "reports/run_diff.hpp"

namespace golive::report {
namespace {

core::ResultStreamContents stream_of(const std::string& name) {
  return core::read_result_stream(std::string(GOLIVE_TEST_DATA) + "/results/" + name + ".jsonl");
}

ReportModel model_of(const core::ResultStreamContents& stream) {
  core::Redactor redactor;
  RenderOptions options;
  options.redactor = &redactor;
  return build_report_model(stream, options);
}

bool lists(const std::vector<CheckChange>& changes, const std::string& id) {
  for (const auto& c : changes) {
    if (c.id == id) return true;
  }
  return false;
}

TEST(RunDiff, NewFailuresAndFixedChecksBetweenTwoRuns) {
  const ReportModel passing = model_of(stream_of("passing_run"));
  const ReportModel failing = model_of(stream_of("failing_run_with_load"));
  const RunDiff worse = diff_runs(passing, failing, DiffOptions{});
  ASSERT_FALSE(worse.new_failures.empty());
  EXPECT_TRUE(lists(worse.new_failures, "security.headers.csp"));
  EXPECT_EQ(worse.new_failures.front().severity, core::Severity::kCritical) << "most severe first";
  EXPECT_TRUE(worse.regressed());
  EXPECT_TRUE(diff_runs(failing, passing, DiffOptions{}).new_failures.empty());
  // The same run with the CSP fixed.
  auto fixed_stream = stream_of("failing_run_with_load");
  for (auto& check : fixed_stream.checks) {
    if (check.id == "security.headers.csp") check.status = core::CheckStatus::kPass;
  }
  const RunDiff better = diff_runs(failing, model_of(fixed_stream), DiffOptions{});
  EXPECT_TRUE(better.new_failures.empty());
  EXPECT_TRUE(lists(better.fixed, "security.headers.csp"));
  EXPECT_TRUE(lists(better.still_failing, "security.rls.cross_user_select.public.admin_overrides"));
  EXPECT_FALSE(better.regressed());
  const std::string text = render_diff_text(worse, DiffOptions{});
  EXPECT_NE(text.find("New failures ("), std::string::npos);
  EXPECT_NE(text.find("REGRESSED"), std::string::npos);
  EXPECT_EQ(diff_json(better)["regressed"], false);
}

TEST(RunDiff, LoadRegressionsBeyondTheToleranceOnly) {
  const auto baseline = stream_of("failing_run_with_load");
  auto slower = baseline;
  for (auto& record : slower.meta) {
    if (record.value("record", "") != "load_summary") continue;
    auto& latency = record["latency_ms"];
    if (record["scenario"] == "browse") latency["p95"] = latency["p95"].get<double>() * 1.05;  // within 10%
    if (record["scenario"] == "health") latency["p99"] = latency["p99"].get<double>() * 1.5;   // beyond
  }
  const RunDiff diff = diff_runs(model_of(baseline), model_of(slower), DiffOptions{});
  EXPECT_EQ(diff.scenarios_compared.size(), 3u);
  ASSERT_EQ(diff.regressions.size(), 1u);
  EXPECT_EQ(diff.regressions[0].scenario, "health");
  EXPECT_EQ(diff.regressions[0].metric, "p99_ms");
  EXPECT_TRUE(diff.new_failures.empty()) << "same checks on both sides";
  DiffOptions loose;
  loose.latency_tolerance = 0.6;
  EXPECT_TRUE(diff_runs(model_of(baseline), model_of(slower), loose).regressions.empty());
}

}  // namespace
}  // namespace golive::report
