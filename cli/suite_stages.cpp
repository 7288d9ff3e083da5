#include "cli/suite_stages.hpp"

#include "core/interrupt.hpp"
#include "e2e/e2e_suite.hpp"

namespace golive::cli {

namespace {

void run_e2e_stage(const core::Environment& env, const CommonOptions&, core::ResultSink& sink) {
  auto workflows = e2e::load_workflows(e2e::default_workflows_dir(golive_home()), {});
  e2e::E2eRunOptions options;
  options.jobs = 4;
  options.should_stop = [] { return core::interrupted(); };
  e2e::run_e2e_suite(env, workflows, options, sink);
}

}  // namespace

std::vector<SuiteStage> suite_stages() {
  // Read-only suites first; destructive and load stages last. "env" always
  // runs first inside `golive run` and decides reachability.
  std::vector<SuiteStage> stages;
  stages.push_back({"e2e", false, run_e2e_stage});
  return stages;
}

}  // namespace golive::cli
