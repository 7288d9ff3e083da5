// A failed HTTP check's curl reproduction in the reports: JUnit's failure
// text and the HTML report show the command as it runs (not JSON-escaped,
// never truncated), with the variables it needs.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/result_stream.hpp"
#include "reports/html_reporter.hpp"
#include "reports/junit_reporter.hpp"
#include "reports/report_model.hpp"
#include "reports/text_format.hpp"

namespace golive::report {
namespace {

namespace fs = std::filesystem;

const char* const kCommand =
    "curl -sS -i http://127.0.0.1:1/health \\\n  -H \"apikey: ${GOLIVE_REF_ANON_KEY}\"";

nlohmann::json evidence() {
  return {{"urls", nlohmann::json::array({{{"path", "/health"}, {"status", 200}}})},
          {"reproduction", kCommand},
          {"reproduction_env", {{"GOLIVE_REF_ANON_KEY", "the value of ${GOLIVE_REF_ANON_KEY}"}}}};
}

TEST(ReproductionText, ListsTheVariablesThenTheCommand) {
  EXPECT_EQ(reproduction_text(evidence()),
            "# export GOLIVE_REF_ANON_KEY: the value of ${GOLIVE_REF_ANON_KEY}\n" +
                std::string(kCommand));
  EXPECT_EQ(reproduction_text(nlohmann::json::object()), "");
  EXPECT_EQ(reproduction_text(nlohmann::json{{"reproduction", 3}}), "");
}

TEST(ReproductionText, JunitAndHtmlShowTheCommandUntruncated) {
  const fs::path stream = fs::temp_directory_path() / "golive_reproduction_stream.jsonl";
  {
    std::ofstream out(stream);
    out << R"({"record":"run_start","run_id":"20260302T140000Z-c3d4","env":"staging","started_at":"2026-03-02T14:00:00Z","golive_version":"0.1.0","suites":["security"],"gate":{"strict":true}})"
        << "\n";
    nlohmann::json check = {{"id", "security.headers.csp"}, {"suite", "security"},
                            {"title", "Content-Security-Policy is set"}, {"status", "fail"},
                            {"severity", "medium"}, {"checklist", nlohmann::json::array()},
                            {"duration_ms", 3.0}, {"message", "no CSP"}, {"evidence", evidence()}};
    out << check.dump() << "\n";
  }
  RenderOptions options;
  options.evidence_max_bytes = 40;  // the evidence excerpt is cut; the command is not
  const ReportModel model = build_report_model(core::read_result_stream(stream.string()), options);
  const std::string junit = render_junit_xml(model, options);
  EXPECT_NE(junit.find("reproduce:\n# export GOLIVE_REF_ANON_KEY"), std::string::npos) << junit;
  EXPECT_NE(junit.find("-H &quot;apikey: ${GOLIVE_REF_ANON_KEY}&quot;"), std::string::npos) << junit;
  const std::string html = render_html(model, options);
  EXPECT_NE(html.find("<pre class=\"reproduction\"># export GOLIVE_REF_ANON_KEY"), std::string::npos);
  EXPECT_NE(html.find("-H &quot;apikey: ${GOLIVE_REF_ANON_KEY}&quot;"), std::string::npos);
  fs::remove(stream);
}

}  // namespace
}  // namespace golive::report
