// libFuzzer target: the ingesters of what an app's CI wrote (repo/): test
// results (JUnit XML as Jest, Vitest, Playwright and pytest write it,
// Playwright's JSON report), line coverage (lcov, Cobertura XML, Istanbul's
// coverage-summary.json) and dependency audits (npm audit --json and the
// other formats repo/dependency_audit reads). The first input byte picks the
// reader, the rest is the file. A file a reader cannot use must be a
// core::InputError; figures read must be consistent (no negative counts, no
// more lines hit than found).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/input_error.hpp"
#include "fuzz/fuzz_input.hpp"
#include "repo/dependency_audit.hpp"
#include "repo/test_reports.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string text(golive::fuzz::as_text(data + 1, size - 1));
  try {
    switch (data[0] % 3) {
      case 0:
        for (const auto& suite : golive::repo::parse_test_results("results.xml", text)) {
          if (suite.tests < 0 || suite.failures < 0 || suite.skipped < 0) std::abort();
        }
        break;
      case 1: {
        const auto coverage = golive::repo::parse_coverage("coverage.info", text);
        if (coverage.lines_found < 0 || coverage.lines_hit < 0) std::abort();
        if (coverage.percent() < 0 || coverage.percent() > 100) std::abort();
        break;
      }
      default:
        (void)golive::repo::parse_audit_report("audit.json", text);
        break;
    }
  } catch (const golive::core::InputError&) {
  }
  return 0;
}
