// `golive rerun --failed`: each failed check maps to the smallest unit that
// re-runs it, units are listed once with their checks, waived failures are
// not re-run, and a check only `golive run` makes turns the plan into `run`.
#include "run/rerun_plan.hpp"

#include <gtest/gtest.h>

namespace golive::run {
namespace {

using Args = std::vector<std::string>;

core::CheckResult failed(const std::string& id) {
  core::CheckResult check;
  check.id = id;
  check.suite = id.substr(0, id.find('.'));
  check.status = core::CheckStatus::kFail;
  return check;
}

TEST(RerunPlan, EachCheckMapsToItsSmallestUnit) {
  EXPECT_EQ(rerun_arguments_for("security.rls.cross_user_update.public.topics"), (Args{"probe", "rls"}));
  EXPECT_EQ(rerun_arguments_for("security.cors.wildcard_credentials"), (Args{"probe", "headers"}));
  EXPECT_EQ(rerun_arguments_for("security.jwt.alg_none"), (Args{"probe", "authz"}));
  EXPECT_EQ(rerun_arguments_for("e2e.signup_login.step.login"), (Args{"e2e", "--workflow", "signup_login"}));
  EXPECT_EQ(rerun_arguments_for("db.migrations.applied"), (Args{"probe", "migrations"}));
  EXPECT_EQ(rerun_arguments_for("repo.workflows.no_literal_secret"), (Args{"audit", "repo"}));
  EXPECT_EQ(rerun_arguments_for("security.api_rls.public.topics"), (Args{"run"}));
  EXPECT_EQ(rerun_arguments_for("something.new"), (Args{"run"}));
}

TEST(RerunPlan, UnitsAreListedOnceAndWaivedFailuresAreSkipped) {
  report::ReportModel model;
  model.checks = {failed("security.rls.anon_select.public.plans"), failed("security.rls.anon_insert.public.plans"),
                  failed("e2e.checkout.step.pay"), failed("security.headers.csp")};
  model.checks.push_back(model.checks.back());
  model.checks.back().status = core::CheckStatus::kPass;
  model.waived[3] = {core::Waiver{"security.headers.csp", "", "later", "alice", "2999-01-01", ""}, false};
  const RerunPlan plan = plan_rerun(model, "envs/staging.json");
  EXPECT_EQ(plan.env_file, "envs/staging.json");
  ASSERT_EQ(plan.units.size(), 2u);
  EXPECT_EQ(plan.units[0].name(), "probe rls");
  EXPECT_EQ(plan.units[0].checks.size(), 2u);
  EXPECT_EQ(plan.units[1].name(), "e2e --workflow checkout");
}

TEST(RerunPlan, ACheckOnlyTheWholeRunMakesRerunsTheWholeRun) {
  report::ReportModel model;
  model.checks = {failed("security.rls.anon_select.public.plans"), failed("security.api_rls.public.plans")};
  const RerunPlan plan = plan_rerun(model, "");
  ASSERT_EQ(plan.units.size(), 1u);
  EXPECT_EQ(plan.units[0].name(), "run");
  EXPECT_EQ(plan.units[0].checks.size(), 2u);
}

// A defect run is re-run with its defects: each unit gets the names its
// command takes, and a unit whose command takes none becomes `run --suite`.
TEST(RerunPlan, CarriesTheRunsDefectsToEachUnit) {
  report::ReportModel model;
  model.checks = {failed("security.headers.csp"), failed("e2e.legal_pages.row2.public_page"),
                  failed("security.rls.static.rls_enabled.public.topics"),
                  failed("repo.workflows.deploy_gated")};
  const RerunPlan plan =
      plan_rerun(model, "", {"missing-security-headers", "rls-disabled:topics", "prod-deploy-ungated"});
  EXPECT_EQ(plan.defects.size(), 3u);
  ASSERT_EQ(plan.units.size(), 4u);
  EXPECT_EQ(plan.units[0].arguments,
            (Args{"probe", "headers", "--defect", "missing-security-headers", "--defect", "rls-disabled:topics"}));
  EXPECT_EQ(plan.units[1].arguments,
            (Args{"e2e", "--workflow", "legal_pages", "--defect", "missing-security-headers", "--defect",
                  "rls-disabled:topics"}));
  // probe rls takes no --defect: the security suite through golive run.
  EXPECT_EQ(plan.units[2].arguments,
            (Args{"run", "--suite", "security", "--defect", "missing-security-headers", "--defect",
                  "rls-disabled:topics"}));
  EXPECT_EQ(plan.units[2].checks, (std::vector<std::string>{"security.rls.static.rls_enabled.public.topics"}));
  // The repository variant goes to the repository audit only.
  EXPECT_EQ(plan.units[3].arguments, (Args{"audit", "repo", "--defect", "prod-deploy-ungated"}));

  // Without defects the units are as before.
  EXPECT_EQ(plan_rerun(model, "envs/staging.json").units[2].name(), "probe rls");
}

}  // namespace
}  // namespace golive::run
