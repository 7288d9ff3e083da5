// Threshold expressions: parsing, errors with columns, and verdicts.
#include "load/threshold.hpp"

#include <gtest/gtest.h>

#include "core/input_error.hpp"

namespace golive::load {
namespace {

// The location an expression's parse error points at ("column C").
std::string error_location(const std::string& expression) {
  try {
    parse_threshold(expression);
  } catch (const core::InputError& e) {
    EXPECT_NE(e.problem().find("\"" + expression + "\""), std::string::npos) << e.what();
    return e.location();
  }
  ADD_FAILURE() << "accepted: " << expression;
  return "";
}

TEST(ThresholdParseTest, ReadsK6StyleExpressionsIntoCanonicalUnits) {
  Threshold t = parse_threshold("p(99) < 1500ms");
  EXPECT_EQ(t.metric, ThresholdMetric::kPercentile);
  EXPECT_DOUBLE_EQ(t.percentile, 99);
  EXPECT_EQ(t.comparison, Comparison::kLess);
  EXPECT_DOUBLE_EQ(t.limit, 1500);
  EXPECT_EQ(t.metric_name(), "p(99)");
  EXPECT_EQ(t.limit_text, "1500ms");

  t = parse_threshold("p(95)<=200");
  EXPECT_EQ(t.comparison, Comparison::kLessEqual);
  EXPECT_DOUBLE_EQ(t.limit, 200);  // milliseconds by default
  EXPECT_EQ(t.unit, "ms");

  t = parse_threshold("p(99.9) < 1.5s");
  EXPECT_DOUBLE_EQ(t.percentile, 99.9);
  EXPECT_DOUBLE_EQ(t.limit, 1500);
  EXPECT_EQ(t.metric_name(), "p(99.9)");

  EXPECT_DOUBLE_EQ(parse_threshold("avg < 100ms").limit, 100);
  EXPECT_EQ(parse_threshold("avg < 100ms").metric, ThresholdMetric::kAvg);
  EXPECT_DOUBLE_EQ(parse_threshold("max < 2s").limit, 2000);
  EXPECT_DOUBLE_EQ(parse_threshold("min > 250us").limit, 0.25);
  EXPECT_DOUBLE_EQ(parse_threshold("med < 80 ms").limit, 80);

  t = parse_threshold("error_rate < 0.1%");
  EXPECT_EQ(t.metric, ThresholdMetric::kErrorRate);
  EXPECT_DOUBLE_EQ(t.limit, 0.001);
  EXPECT_DOUBLE_EQ(parse_threshold("error_rate <= 0.001").limit, 0.001);

  t = parse_threshold("rps > 200");
  EXPECT_EQ(t.metric, ThresholdMetric::kRps);
  EXPECT_EQ(t.comparison, Comparison::kGreater);
  EXPECT_EQ(parse_threshold("requests >= 1000").comparison, Comparison::kGreaterEqual);
  EXPECT_EQ(parse_threshold("dropped_iterations == 0").comparison, Comparison::kEqual);
  EXPECT_EQ(parse_threshold("  errors!=0  ").comparison, Comparison::kNotEqual);
}

TEST(ThresholdParseTest, ErrorsNameTheColumnOfTheProblem) {
  EXPECT_EQ(error_location("p(99) < 1500xs"), "column 13");      // unknown unit
  EXPECT_EQ(error_location("p99 < 1500"), "column 1");           // unknown metric
  EXPECT_EQ(error_location("p(101) < 5"), "column 3");           // percentile out of range
  EXPECT_EQ(error_location("p(99 < 100"), "column 6");           // missing )
  EXPECT_EQ(error_location("avg 100"), "column 5");              // missing comparison
  EXPECT_EQ(error_location("avg = 100"), "column 5");            // = is not ==
  EXPECT_EQ(error_location("avg < "), "column 7");               // missing limit
  EXPECT_EQ(error_location("avg < -5"), "column 7");             // negative
  EXPECT_EQ(error_location("avg < 1.2.3"), "column 7");          // not a number
  EXPECT_EQ(error_location("error_rate < 5"), "column 14");      // fraction above 1
  EXPECT_EQ(error_location("error_rate < 1ms"), "column 15");    // latency unit on a rate
  EXPECT_EQ(error_location("p(95) < 3%"), "column 10");          // rate unit on latency
  EXPECT_EQ(error_location("rps > 200ms"), "column 10");         // rps takes no unit
  EXPECT_EQ(error_location("avg < 100 ms extra"), "column 14");  // trailing text
  EXPECT_EQ(error_location("   "), "column 4");                  // empty
}

TEST(ThresholdParseTest, ErrorCarriesFileAndPointerWhenGiven) {
  try {
    parse_threshold("avg 1", "load/profiles/smoke.json", "/scenarios/0/thresholds/1");
    FAIL();
  } catch (const core::InputError& e) {
    EXPECT_EQ(e.file(), "load/profiles/smoke.json");
    EXPECT_EQ(e.location(), "/scenarios/0/thresholds/1, column 5");
    EXPECT_NE(std::string(e.what()).find("smoke.json at /scenarios/0/thresholds/1, column 5: "),
              std::string::npos)
        << e.what();
  }
}

MetricSnapshot snapshot_with_latencies_ms(std::initializer_list<std::pair<double, int>> groups) {
  MetricSnapshot snapshot;
  for (const auto& [ms, n] : groups) {
    snapshot.latency.record_n(static_cast<std::uint64_t>(ms * 1000), static_cast<std::uint64_t>(n));
    snapshot.requests += static_cast<std::uint64_t>(n);
  }
  snapshot.duration_s = 10;
  return snapshot;
}

TEST(ThresholdEvaluateTest, LatencyVerdictsReportObservedAndLimitInTheWrittenUnit) {
  const MetricSnapshot snapshot = snapshot_with_latencies_ms({{100, 980}, {1834.2, 19}, {2300, 1}});
  ThresholdVerdict p99 = evaluate({"p(99) < 1500ms", "scenario", true}, snapshot);
  EXPECT_FALSE(p99.passed);
  ASSERT_TRUE(p99.observed);
  EXPECT_NEAR(*p99.observed, 1834.2, 1834.2 * 0.005);
  EXPECT_EQ(p99.message.substr(0, 9), "p(99)=183");
  EXPECT_NE(p99.message.find("ms, limit < 1500ms"), std::string::npos) << p99.message;
  EXPECT_TRUE(p99.spec.abort_on_fail);

  const ThresholdVerdict max = evaluate({"max < 2s"}, snapshot);
  EXPECT_FALSE(max.passed);
  EXPECT_EQ(max.message, "max=2.3s, limit < 2s");

  const ThresholdVerdict p95 = evaluate({"p(95)<=200"}, snapshot);
  EXPECT_TRUE(p95.passed);
  EXPECT_EQ(p95.message, "p(95)=100.1ms, limit <= 200ms");  // bucket midpoint

  EXPECT_TRUE(evaluate({"avg < 200ms"}, snapshot).passed);
  EXPECT_TRUE(evaluate({"min >= 100ms"}, snapshot).passed);
}

TEST(ThresholdEvaluateTest, RatesAndCounts) {
  MetricSnapshot snapshot = snapshot_with_latencies_ms({{5, 2500}});
  snapshot.errors = 6;
  snapshot.dropped_iterations = 0;
  const ThresholdVerdict percent = evaluate({"error_rate < 0.1%"}, snapshot);
  EXPECT_FALSE(percent.passed);
  EXPECT_EQ(percent.message, "error_rate=0.24%, limit < 0.1%");
  const ThresholdVerdict fraction = evaluate({"error_rate <= 0.001"}, snapshot);
  EXPECT_FALSE(fraction.passed);
  EXPECT_EQ(fraction.message, "error_rate=0.0024, limit <= 0.001");
  EXPECT_TRUE(evaluate({"error_rate < 1%"}, snapshot).passed);

  const ThresholdVerdict rps = evaluate({"rps > 200"}, snapshot);
  EXPECT_TRUE(rps.passed);
  EXPECT_EQ(rps.message, "rps=250, limit > 200");
  EXPECT_TRUE(evaluate({"requests >= 1000"}, snapshot).passed);
  EXPECT_TRUE(evaluate({"dropped_iterations == 0"}, snapshot).passed);

  // A dropped iteration is an intended request that failed.
  snapshot.dropped_iterations = 500;
  snapshot.errors += 500;
  EXPECT_FALSE(evaluate({"dropped_iterations == 0"}, snapshot).passed);
  EXPECT_NEAR(*snapshot.error_rate(), 506.0 / 3000.0, 1e-12);
}

TEST(ThresholdEvaluateTest, NoDataFailsRatherThanPassingVacuously) {
  const MetricSnapshot empty;
  const ThresholdVerdict verdict = evaluate({"p(99) < 1500ms"}, empty);
  EXPECT_FALSE(verdict.passed);
  EXPECT_FALSE(verdict.observed);
  EXPECT_EQ(verdict.message, "p(99): no data, limit < 1500ms");
  EXPECT_FALSE(evaluate({"error_rate < 1%"}, empty).passed);
  EXPECT_FALSE(evaluate({"rps > 0"}, empty).passed);
  EXPECT_TRUE(evaluate({"dropped_iterations == 0"}, empty).passed);
  EXPECT_EQ(evaluate({"p(99) < 1500ms"}, empty).to_json()["observed"], nullptr);
}

TEST(ThresholdSpecTest, ReadsStringOrObjectAndChecksScope) {
  const nlohmann::json doc = nlohmann::json::parse(R"([
    "p(95) < 300ms",
    {"expression": "error_rate < 1%", "scope": "step:login", "abort_on_fail": true},
    {"expression": "avg < 50", "scope": "tag:group=checkout"},
    {"expression": "avg < 50", "scope": "stepp:login"},
    {"expression": "avg << 50"}
  ])");
  const core::JsonReader reader(doc, "p.json", "/thresholds");
  const ThresholdSpec plain = threshold_spec_from_json(reader.at(0));
  EXPECT_EQ(plain.expression, "p(95) < 300ms");
  EXPECT_EQ(plain.scope, "scenario");
  EXPECT_FALSE(plain.abort_on_fail);
  const ThresholdSpec step = threshold_spec_from_json(reader.at(1));
  EXPECT_EQ(step.scope, "step:login");
  EXPECT_TRUE(step.abort_on_fail);
  EXPECT_EQ(threshold_spec_from_json(reader.at(2)).scope, "tag:group=checkout");
  try {
    threshold_spec_from_json(reader.at(3));
    FAIL();
  } catch (const core::InputError& e) {
    EXPECT_EQ(e.location(), "/thresholds/3/scope");
  }
  try {
    threshold_spec_from_json(reader.at(4));
    FAIL();
  } catch (const core::InputError& e) {
    EXPECT_EQ(e.location(), "/thresholds/4/expression, column 6");
  }
  EXPECT_NE(scope_problem("tag:=x"), "");
  EXPECT_NE(scope_problem("step:"), "");
  EXPECT_EQ(scope_problem("tag:k=v"), "");
}

TEST(ThresholdVerdictTest, BecomesACheckResultWithAStableId) {
  const MetricSnapshot snapshot = snapshot_with_latencies_ms({{100, 10}});
  const ThresholdVerdict verdict = evaluate({"p(99) < 1500ms", "step:login"}, snapshot);
  const core::CheckResult result = to_check_result("Checkout Flow", verdict);
  EXPECT_EQ(result.id, "load.threshold.checkout_flow.step_login.p_99_lt_1500ms");
  EXPECT_EQ(result.suite, "load");
  EXPECT_EQ(result.status, core::CheckStatus::kPass);
  EXPECT_EQ(result.message, "p(99)=100ms, limit < 1500ms");
  EXPECT_EQ(result.evidence["scenario"], "Checkout Flow");
  EXPECT_EQ(result.evidence["scope"], "step:login");
}

}  // namespace
}  // namespace golive::load
