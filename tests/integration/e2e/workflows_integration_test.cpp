// The shipped workflows against the real reference target with the real
// HTTP engine: all pass on the clean target, and each seeded defect of the e2e workflows
// makes its journey fail at the step that guards against it.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>

#include "config/environment.hpp"
#include "core/result_stream.hpp"
#include "e2e/e2e_suite.hpp"
#include "tests/support/reference_env.hpp"

namespace golive::e2e {
namespace {

testing::ReferenceEnv& target() {
  // Every workflow signs up users from 127.0.0.1; the default 10 signups per
  // minute per IP would turn repeated runs into 429s.
  ::setenv("GOLIVE_REF_RATE_LIMIT_PER_MINUTE", "1000", 1);
  ::setenv("GOLIVE_REF_ACCOUNT_RATE_LIMIT_PER_MINUTE", "1000", 1);
  return testing::shared_reference_env();
}

struct JourneyRun {
  E2eRunSummary summary;
  std::map<std::string, core::CheckResult> checks;  // by id
};

JourneyRun run_workflows(const std::vector<std::string>& names) {
  core::Redactor redactor;
  config::Environment env =
      config::load_environment(target().write_env_file(), config::process_variables(), redactor);
  auto workflows = load_workflows(default_workflows_dir(GOLIVE_SOURCE_DIR), names);
  core::CollectingSink sink;
  E2eRunOptions options;
  options.jobs = 4;
  JourneyRun run;
  run.summary = run_e2e_suite(env, workflows, options, sink);
  for (const auto& check : sink.results()) run.checks[check.id] = check;
  return run;
}

std::string failures(const JourneyRun& run) {
  std::string text;
  for (const auto& [id, check] : run.checks) {
    if (check.failed()) text += id + ": " + check.message + "\n";
  }
  return text;
}

TEST(WorkflowsIntegrationTest, AllJourneysPassOnTheCleanTarget) {
  target().restart_service({});
  JourneyRun run = run_workflows({});
  EXPECT_TRUE(run.summary.outcome.ok()) << failures(run);
  EXPECT_EQ(run.summary.outcome.instances.size(), 13u);  // 12 workflows, legal_pages has 2 rows
  EXPECT_GT(run.summary.steps_passed, 80u);
  for (const auto& [id, check] : run.checks) {
    EXPECT_NE(check.status, core::CheckStatus::kSkip) << id << ": " << check.message;
  }
}

struct DefectCase {
  std::string defect;
  std::string workflow;
  std::string failing_check;
};

class SeededDefectTest : public ::testing::TestWithParam<DefectCase> {};

TEST_P(SeededDefectTest, MakesItsJourneyFailAtTheGuardingStep) {
  const DefectCase& c = GetParam();
  target().restart_service({c.defect});
  JourneyRun run = run_workflows({c.workflow});
  target().restart_service({});
  EXPECT_FALSE(run.summary.outcome.ok());
  auto check = run.checks.find(c.failing_check);
  ASSERT_NE(check, run.checks.end()) << failures(run);
  EXPECT_EQ(check->second.status, core::CheckStatus::kFail) << check->second.message;
  // Everything before the guarding step passed: the defect, not a broken
  // setup, is what failed the journey.
  for (const auto& [id, result] : run.checks) {
    if (result.failed()) {
      EXPECT_EQ(id, c.failing_check) << result.message;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Issue4Defects, SeededDefectTest,
    ::testing::Values(DefectCase{"quota-ui-only", "quota_exhausted",
                                 "e2e.quota_exhausted.request_over_quota_refused"},
                      DefectCase{"token-double-redeem", "token_redemption",
                                 "e2e.token_redemption.second_redemption_rejected"},
                      DefectCase{"ai-no-dedupe", "ai_job", "e2e.ai_job.duplicate_submit_deduped"},
                      DefectCase{"cascade-incomplete", "delete_account_cascade",
                                 "e2e.delete_account_cascade.no_purchase_left"},
                      DefectCase{"webhook-skip-signature", "payment",
                                 "e2e.payment.unsigned_webhook_rejected"},
                      DefectCase{"csrf-not-checked", "cookie_session",
                                 "e2e.cookie_session.login_without_csrf_refused"},
                      DefectCase{"upload-no-limits", "upload_limits",
                                 "e2e.upload_limits.over_limit_refused"}),
    [](const ::testing::TestParamInfo<DefectCase>& info) {
      std::string name = info.param.defect;
      for (char& c : name) {
        if (c == '-') c = '_';
      }
      return name;
    });

}  // namespace
}  // namespace golive::e2e
