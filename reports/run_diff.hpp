// Run comparison (`golive report diff RUN_A RUN_B`): what changed from a
// baseline run A (the last release's) to run B. New failures (failed or
// errored in B, not failing in A: passed, skipped or absent), fixed checks
// (failing in A, passing in B), checks still failing, and load regressions
// per scenario present in both: p95 or p99 latency up by more than the
// latency tolerance (a ratio), or the error rate up by more than the error
// tolerance (absolute). Waived failures count as not failing. A pure function
// of two report models, like every reporter.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "reports/report_model.hpp"

namespace golive::report {

struct DiffOptions {
  double latency_tolerance = 0.10;      // p95/p99 may grow by 10% before it is a regression
  double error_rate_tolerance = 0.001;  // the error ratio may grow by 0.1 percentage points
};

struct CheckChange {
  std::string id;
  std::string suite;
  std::string before;  // "pass", "fail", ..., or "absent"
  std::string after;
  core::Severity severity = core::Severity::kMedium;
  std::string message;  // run B's message (run A's for a check absent from B)
};

struct LoadRegression {
  std::string scenario;
  std::string metric;  // "p95_ms", "p99_ms", "error_ratio"
  double before = 0;
  double after = 0;
};

struct RunDiff {
  std::string run_a;
  std::string run_b;
  std::vector<CheckChange> new_failures;   // most severe first, then id
  std::vector<CheckChange> fixed;          // by id
  std::vector<CheckChange> still_failing;  // by id
  std::vector<LoadRegression> regressions;
  std::vector<std::string> scenarios_compared;

  // B is worse than A: a new failure or a load regression.
  bool regressed() const { return !new_failures.empty() || !regressions.empty(); }
};

RunDiff diff_runs(const ReportModel& a, const ReportModel& b, const DiffOptions& options);
// The console and Markdown form (the same text).
std::string render_diff_text(const RunDiff& diff, const DiffOptions& options);
nlohmann::json diff_json(const RunDiff& diff);

}  // namespace golive::report
