// `golive rerun RUN_DIR --failed`: which commands re-run a run's failed
// checks. Each failed (or errored, or expired-waiver) check maps to the
// smallest unit golive can re-run on its own: a workflow (`e2e --workflow
// NAME`), a probe family (`probe rls`, `probe headers`, ...), the repository
// audit, the Stripe replay, the load test, or, for what only `golive run`
// does (the API access matrix, the env pre-flight), `run`. Units are listed
// once each, in the order of their first failed check, with the checks they
// cover, against the environment file the run recorded.
//
// A run of the embedded target with seeded defects (`golive run --defect
// NAME`, recorded as run_start.defects) is re-run with the same defects: each
// unit gets the `--defect` names its command takes (service defects for the
// probes, e2e and browser; repository variants for `audit repo`; monitoring
// variants for `probe observability`; all of them for `run`), and a unit whose
// command takes none (`probe rls`, `replay stripe`, `load`, ...) becomes
// `run --suite SUITE` with the defects, the smallest unit that can carry them.
#pragma once

#include <string>
#include <vector>

#include "reports/report_model.hpp"

namespace golive::run {

struct RerunUnit {
  std::vector<std::string> arguments;  // golive arguments: {"probe", "rls"}, {"e2e", "--workflow", "signup"}
  std::vector<std::string> checks;     // the failed check ids it re-runs
  std::string name() const;            // "probe rls", "e2e --workflow signup"
};

struct RerunPlan {
  std::string env_file;  // run_start.environment.file, "" when the run did not record one
  std::vector<std::string> defects;  // run_start.defects: carried over, and no --env
  std::vector<RerunUnit> units;
};

// The unit that re-runs one check id.
std::vector<std::string> rerun_arguments_for(const std::string& check_id);
// The plan for every failing check of `model` (waived ones are not re-run).
RerunPlan plan_rerun(const report::ReportModel& model, const std::string& env_file,
                     const std::vector<std::string>& defects = {});

}  // namespace golive::run
