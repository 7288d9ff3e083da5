// The shipped smoke profile against the real reference target: the clean
// target passes every threshold, and the same load on errors-under-load and
// slow-under-load breaks them ("Detection").
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

#include "config/environment.hpp"
#include "core/redactor.hpp"
#include "core/result_stream.hpp"
#include "load/load_suite.hpp"
#include "tests/support/reference_env.hpp"
#include "tests/support/sanitizer_build.hpp"

namespace golive::load {
namespace {

const std::string kSourceDir = std::string(GOLIVE_TEST_DATA) + "/../..";

testing::ReferenceEnv& target() {
  // Signups of the smoke profile's workflow VUs stay clear of the default
  // per-IP limit even when other tests ran from this IP in the same minute.
  ::setenv("GOLIVE_REF_RATE_LIMIT_PER_MINUTE", "1000", 1);
  ::setenv("GOLIVE_REF_ACCOUNT_RATE_LIMIT_PER_MINUTE", "1000", 1);
  return testing::shared_reference_env();
}

// Sanitizer builds run the reference target two to three times slower, so the
// shipped median limit (80 ms) would fail the clean target there. The
// slow-under-load defect adds at least 120 ms to the median at this load (2 ms
// per request in flight, 60 in flight), so 115 ms still separates clean from
// defective. Release and Debug builds test the shipped limit unchanged.
void relax_median_limit_for_sanitizers(LoadProfile& profile) {
  if (!testing::kSanitizerBuild) return;
  for (ScenarioProfile& scenario : profile.scenarios) {
    for (ThresholdSpec& threshold : scenario.thresholds) {
      if (threshold.expression == "p(50) < 80ms") threshold.expression = "p(50) < 115ms";
    }
  }
}

struct SmokeRun {
  LoadRunOutcome outcome;
  std::vector<core::CheckResult> checks;
};

SmokeRun run_smoke() {
  core::Redactor redactor;
  const config::Environment env =
      config::load_environment(target().write_env_file(), config::process_variables(), redactor);
  LoadOptions options;
  options.profile = load_profile(kSourceDir + "/load/profiles/smoke.json", kSourceDir + "/e2e/workflows");
  relax_median_limit_for_sanitizers(options.profile);
  core::CollectingSink sink;
  SmokeRun run{run_load_suite(env, options, sink), {}};
  run.checks = sink.results();
  for (const nlohmann::json& summary : run.outcome.load_summaries) {
    const auto& latency = summary["latency_ms"];
    std::printf("[ measure  ] %-15s %6llu requests %7.1f req/s p95 %7.1f ms p99 %7.1f ms errors %s\n",
                summary["scenario"].get<std::string>().c_str(),
                static_cast<unsigned long long>(summary["requests"].get<std::uint64_t>()),
                summary["throughput_rps"].get<double>(), latency["p95"].get<double>(),
                latency["p99"].get<double>(), summary["errors"].dump().c_str());
  }
  return run;
}

std::string failed_thresholds(const SmokeRun& run) {
  std::string failed;
  for (const nlohmann::json& summary : run.outcome.load_summaries) {
    for (const nlohmann::json& threshold : summary["thresholds"]) {
      if (!threshold["pass"].get<bool>()) {
        failed += summary["scenario"].get<std::string>() + ": " + threshold["message"].get<std::string>() + "; ";
      }
    }
  }
  return failed;
}

TEST(LoadSmoke, CleanTargetPassesAndEachLoadDefectBreaksTheThresholds) {
  target().restart_service({});
  const SmokeRun clean = run_smoke();
  EXPECT_TRUE(clean.outcome.thresholds_passed) << failed_thresholds(clean);
  ASSERT_EQ(clean.outcome.load_summaries.size(), 3u);
  EXPECT_GE(clean.outcome.load_summaries[0]["requests"].get<std::uint64_t>(), 400u);  // 100 req/s after warm-up
  bool saw_threshold_check = false;
  for (const core::CheckResult& check : clean.checks) {
    saw_threshold_check |= check.id == "load.health.threshold.1";
  }
  EXPECT_TRUE(saw_threshold_check);

  for (const char* defect : {"errors-under-load", "slow-under-load"}) {
    SCOPED_TRACE(defect);
    target().restart_service({defect});
    const SmokeRun broken = run_smoke();
    std::printf("[ measure  ] %s breaks: %s\n", defect, failed_thresholds(broken).c_str());
    EXPECT_FALSE(broken.outcome.thresholds_passed);
  }
  target().restart_service({});
}

}  // namespace
}  // namespace golive::load
