// SLA verdicts: availability against the target, error budget and latency SLOs.
#include "load/sla.hpp"

#include <gtest/gtest.h>

namespace golive::load {
namespace {

MetricSnapshot snapshot(std::uint64_t requests, std::uint64_t errors, std::uint64_t latency_us,
                        std::uint64_t dropped = 0) {
  MetricSnapshot s;
  s.requests = requests;
  s.errors = errors + dropped;
  s.dropped_iterations = dropped;
  s.latency.record_n(latency_us, requests);
  s.duration_s = 60;
  return s;
}

TEST(SlaTest, MeetsTargetsWhenAvailabilityAndLatencyAreWithinThem) {
  const SlaVerdict verdict = evaluate_sla(snapshot(10'000, 5, 120'000), config::SlaTargets{});
  ASSERT_TRUE(verdict.availability);
  EXPECT_DOUBLE_EQ(*verdict.availability, 0.9995);
  EXPECT_TRUE(verdict.availability_met);
  EXPECT_NEAR(*verdict.error_budget_consumed_pct, 50.0, 1e-9);
  ASSERT_EQ(verdict.latency.size(), 2u);
  EXPECT_EQ(verdict.latency[0].name, "p95");
  EXPECT_NEAR(*verdict.latency[0].observed_ms, 120.0, 0.5);
  EXPECT_TRUE(verdict.met());
  EXPECT_EQ(verdict.to_json()["met"], true);
  EXPECT_NE(verdict.message().find("availability 99.95% (target 99.9%)"), std::string::npos)
      << verdict.message();
}

TEST(SlaTest, ErrorBudgetAboveHundredPercentMissesTheTarget) {
  const SlaVerdict verdict = evaluate_sla(snapshot(1'000, 2, 10'000), config::SlaTargets{});
  EXPECT_DOUBLE_EQ(*verdict.availability, 0.998);
  EXPECT_FALSE(verdict.availability_met);
  EXPECT_NEAR(*verdict.error_budget_consumed_pct, 200.0, 1e-6);
  EXPECT_FALSE(verdict.met());
  EXPECT_NE(verdict.message().find("error budget consumed 200.0%"), std::string::npos) << verdict.message();
}

TEST(SlaTest, DroppedIterationsCountAgainstAvailability) {
  const SlaVerdict verdict = evaluate_sla(snapshot(990, 0, 10'000, 10), config::SlaTargets{});
  EXPECT_EQ(verdict.intended, 1'000u);
  EXPECT_EQ(verdict.successes, 990u);
  EXPECT_DOUBLE_EQ(*verdict.availability, 0.99);
  EXPECT_FALSE(verdict.availability_met);
}

TEST(SlaTest, LatencySlosUseTheEnvironmentTargets) {
  config::SlaTargets targets;
  targets.p95_ms = 100;
  targets.p99_ms = 1'000;
  MetricSnapshot s = snapshot(900, 0, 50'000);
  s.latency.record_n(400'000, 100);  // 10% at 400 ms
  s.requests = 1'000;
  const SlaVerdict verdict = evaluate_sla(s, targets);
  EXPECT_TRUE(verdict.availability_met);
  EXPECT_FALSE(verdict.latency[0].met);  // p95 = 400 ms > 100 ms
  EXPECT_TRUE(verdict.latency[1].met);   // p99 = 400 ms <= 1000 ms
  EXPECT_FALSE(verdict.met());
}

TEST(SlaTest, NoRequestsIsNoEvidence) {
  const SlaVerdict verdict = evaluate_sla(MetricSnapshot{}, config::SlaTargets{});
  EXPECT_FALSE(verdict.availability);
  EXPECT_FALSE(verdict.error_budget_consumed_pct);
  EXPECT_FALSE(verdict.met());
  EXPECT_EQ(verdict.to_json()["availability"], nullptr);
  EXPECT_EQ(verdict.to_json()["latency"][0]["observed_ms"], nullptr);
}

TEST(SlaTest, AHundredPercentTargetHasNoBudgetToConsume) {
  config::SlaTargets perfect;
  perfect.availability = 1.0;
  EXPECT_DOUBLE_EQ(*evaluate_sla(snapshot(100, 0, 1'000), perfect).error_budget_consumed_pct, 0.0);
  const SlaVerdict one_failure = evaluate_sla(snapshot(100, 1, 1'000), perfect);
  EXPECT_FALSE(one_failure.error_budget_consumed_pct);
  EXPECT_FALSE(one_failure.availability_met);
  EXPECT_NE(one_failure.message().find("error budget exhausted"), std::string::npos);
}

}  // namespace
}  // namespace golive::load
