// The app's own test results and coverage (seed 001 R1.1, R1.5), read from
// the files its CI wrote: JUnit XML (Jest, Vitest, Playwright, pytest),
// Playwright's JSON report, and line coverage from lcov, Cobertura XML or
// Istanbul's coverage-summary.json.
//   repo.tests.results   every suite ran and passed (a failing or skipped-only suite fails)
//   repo.tests.coverage  line coverage at least coverage_min_percent (default 80)
#pragma once

#include <string>
#include <vector>

#include "core/result_stream.hpp"
#include "repo/repo_files.hpp"

namespace golive::repo {

struct SuiteCounts {
  std::string file;   // relative to the repository root
  std::string name;   // the suite's name ("auth.spec.ts"), or the file for a JSON report
  long tests = 0;
  long failures = 0;  // failures and errors
  long skipped = 0;
};

struct LineCoverage {
  std::string file;
  std::string format;  // "lcov", "cobertura", "istanbul-summary"
  long lines_found = 0;
  long lines_hit = 0;
  double percent() const { return lines_found ? 100.0 * static_cast<double>(lines_hit) / static_cast<double>(lines_found) : 0; }
};

struct TestReports {
  std::vector<SuiteCounts> suites;
  std::vector<std::string> result_files;
  std::vector<LineCoverage> coverage;
};

// Parses one test result file (JUnit XML or Playwright JSON). Throws
// core::InputError naming `origin` for anything else.
std::vector<SuiteCounts> parse_test_results(const std::string& origin, const std::string& text);

// Parses one coverage file, whose format is judged from its content. Throws
// core::InputError naming `origin` for an unknown format.
LineCoverage parse_coverage(const std::string& origin, const std::string& text);

// The configured reports, else the usual places (test-results/*.xml,
// coverage/lcov.info, ...). Throws core::InputError for a file that is
// configured but missing, or of an unknown format.
TestReports load_test_reports(const RepoSettings& settings);

void check_test_reports(const RepoSettings& settings, const TestReports& reports, core::ResultSink& sink);

}  // namespace golive::repo
