// Golden-file tests: each fixed result stream in tests/data/results/ renders
// every report, byte for byte equal to tests/golden/<stream>/<file>.
// GOLIVE_UPDATE_GOLDEN=1 rewrites the goldens instead (review the diff!).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "core/result_stream.hpp"
#include "reports/html_reporter.hpp"
#include "reports/json_reporter.hpp"
#include "reports/junit_reporter.hpp"
#include "reports/markdown_reporters.hpp"
#include "reports/render_all.hpp"
#include "tests/support/xml_wellformed.hpp"

namespace golive::report {
namespace {

namespace fs = std::filesystem;

const fs::path kResults = fs::path(GOLIVE_TEST_DATA) / "results";
const fs::path kGolden = fs::path(GOLIVE_TEST_DATA).parent_path() / "golden";
// A secret the failing stream leaks in its evidence; the reporters' second
// redaction pass must mask it everywhere.
const std::string kLeakedSecret = "sk_test_SECRETVALUE123";

bool updating_goldens() {
  const char* value = std::getenv("GOLIVE_UPDATE_GOLDEN");
  return value != nullptr && std::string(value) == "1";
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// The first line where two texts differ, for a readable failure.
std::string first_difference(const std::string& expected, const std::string& actual) {
  std::istringstream e(expected), a(actual);
  std::string el, al;
  for (int line = 1;; ++line) {
    bool more_e = static_cast<bool>(std::getline(e, el));
    bool more_a = static_cast<bool>(std::getline(a, al));
    if (!more_e && !more_a) return "texts differ only in the final newline";
    if (el != al || more_e != more_a) {
      return "line " + std::to_string(line) + "\n  golden: " + (more_e ? el : "<end>") +
             "\n  actual: " + (more_a ? al : "<end>");
    }
  }
}

void expect_golden(const std::string& stream, const std::string& file, const std::string& actual) {
  fs::path path = kGolden / stream / file;
  if (updating_goldens()) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << actual;
    return;
  }
  ASSERT_TRUE(fs::exists(path)) << path
                                << " is missing; run with GOLIVE_UPDATE_GOLDEN=1 to create it";
  std::string expected = read_file(path);
  EXPECT_TRUE(expected == actual) << path << " differs at " << first_difference(expected, actual)
                                  << "\n(run with GOLIVE_UPDATE_GOLDEN=1 to accept the new output)";
}

struct Rendered {
  ReportModel model;
  std::map<std::string, std::string> files;
};

Rendered render_stream(const std::string& stream) {
  core::Redactor redactor;
  redactor.add_secret(kLeakedSecret);
  RenderOptions options;
  options.redactor = &redactor;
  auto contents = core::read_result_stream((kResults / (stream + ".jsonl")).string());
  Rendered rendered{build_report_model(contents, options), {}};
  rendered.files["report.json"] = render_report_json(rendered.model);
  rendered.files["junit.xml"] = render_junit_xml(rendered.model, options);
  rendered.files["index.html"] = render_html(rendered.model, options);
  rendered.files["checklist.md"] = render_checklist_markdown(rendered.model);
  rendered.files["sla.md"] = render_sla_markdown(rendered.model);
  rendered.files["step_summary.md"] = render_step_summary(rendered.model);
  return rendered;
}

class GoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenTest, EveryReporterMatchesItsGoldenFile) {
  Rendered rendered = render_stream(GetParam());
  ASSERT_EQ(rendered.files.size(), 6u);
  for (const auto& [file, text] : rendered.files) expect_golden(GetParam(), file, text);
}

TEST_P(GoldenTest, RenderingIsDeterministic) {
  Rendered first = render_stream(GetParam());
  Rendered second = render_stream(GetParam());
  EXPECT_EQ(first.files, second.files);
}

TEST_P(GoldenTest, JunitIsWellFormedXml) {
  Rendered rendered = render_stream(GetParam());
  const std::string& xml = rendered.files["junit.xml"];
  EXPECT_EQ(testing::xml_wellformedness_error(xml), "");
  // xmllint, when installed, is the independent judge.
  if (std::system("command -v xmllint >/dev/null 2>&1") == 0) {
    fs::path path = fs::temp_directory_path() / ("golive_junit_" + GetParam() + ".xml");
    std::ofstream(path, std::ios::binary) << xml;
    std::string command = "xmllint --noout '" + path.string() + "' 2>/dev/null";
    EXPECT_EQ(std::system(command.c_str()), 0) << "xmllint rejected " << path;
    fs::remove(path);
  }
}

// The JUnit dialect Jenkins and GitLab read: the vendored junit-4.xsd,
// unmodified (tests/data/junit/SOURCE.md), judged by xmllint.
TEST_P(GoldenTest, JunitValidatesAgainstTheVendoredJenkinsSchema) {
  ASSERT_EQ(std::system("command -v xmllint >/dev/null 2>&1"), 0)
      << "xmllint is required (Debian libxml2-utils, scripts/bootstrap)";
  Rendered rendered = render_stream(GetParam());
  fs::path path = fs::temp_directory_path() / ("golive_junit_xsd_" + GetParam() + ".xml");
  std::ofstream(path, std::ios::binary) << rendered.files["junit.xml"];
  const fs::path schema = fs::path(GOLIVE_TEST_DATA) / "junit" / "jenkins-junit-4.xsd";
  std::string command = "xmllint --noout --schema '" + schema.string() + "' '" + path.string() + "' 2>/dev/null";
  EXPECT_EQ(std::system(command.c_str()), 0) << "xmllint --schema rejected " << path;
  // The judge says no too: a testcase without its required name.
  fs::path bad = fs::temp_directory_path() / ("golive_junit_xsd_bad_" + GetParam() + ".xml");
  std::ofstream(bad, std::ios::binary) << "<testsuites><testsuite name=\"x\" tests=\"1\"><testcase/></testsuite></testsuites>";
  command = "xmllint --noout --schema '" + schema.string() + "' '" + bad.string() + "' 2>/dev/null";
  EXPECT_NE(std::system(command.c_str()), 0);
  fs::remove(path);
  fs::remove(bad);
}

TEST_P(GoldenTest, EveryInlineSvgIsWellFormedXml) {
  Rendered rendered = render_stream(GetParam());
  const std::string& html = rendered.files["index.html"];
  std::size_t count = 0;
  for (auto start = html.find("<svg"); start != std::string::npos;
       start = html.find("<svg", start + 1)) {
    auto end = html.find("</svg>", start);
    ASSERT_NE(end, std::string::npos);
    EXPECT_EQ(testing::xml_wellformedness_error(html.substr(start, end + 6 - start)), "")
        << "svg #" << count;
    ++count;
  }
  EXPECT_EQ(count, rendered.model.load.size() * 3) << "three charts per load scenario";
}

TEST_P(GoldenTest, HtmlIsSelfContained) {
  Rendered rendered = render_stream(GetParam());
  const std::string& html = rendered.files["index.html"];
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find(" src="), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
}

TEST_P(GoldenTest, NoReportLeaksTheSecret) {
  Rendered rendered = render_stream(GetParam());
  for (const auto& [file, text] : rendered.files) {
    EXPECT_EQ(text.find(kLeakedSecret), std::string::npos) << file;
  }
}

INSTANTIATE_TEST_SUITE_P(Streams, GoldenTest,
                         ::testing::Values("passing_run", "failing_run_with_load",
                                           "interrupted_run"));

TEST(HtmlReporter, EscapesScriptTagsInEvidence) {
  Rendered rendered = render_stream("failing_run_with_load");
  const std::string& html = rendered.files["index.html"];
  EXPECT_EQ(html.find("<script>alert"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert"), std::string::npos);
  EXPECT_NE(html.find("[REDACTED]"), std::string::npos);
}

TEST(HtmlReporter, ShowsVerdictAndInterruptionBanner) {
  EXPECT_NE(render_stream("passing_run").files["index.html"].find("GO-LIVE GATE: PASS"),
            std::string::npos);
  std::string failing = render_stream("failing_run_with_load").files["index.html"];
  EXPECT_NE(failing.find("GO-LIVE GATE: FAIL"), std::string::npos);
  EXPECT_EQ(failing.find("class=\"banner\""), std::string::npos);
  std::string interrupted = render_stream("interrupted_run").files["index.html"];
  EXPECT_NE(interrupted.find("class=\"banner\""), std::string::npos);
  EXPECT_NE(interrupted.find("interrupted"), std::string::npos);
}

TEST(HtmlReporter, ListsFailedChecksBeforeTheChecklist) {
  std::string html = render_stream("failing_run_with_load").files["index.html"];
  auto failed = html.find("id=\"failed\"");
  auto checklist = html.find("id=\"checklist\"");
  auto critical = html.find("security.rls.cross_user_select.public.admin_overrides", failed);
  auto medium = html.find("security.headers.csp", failed);
  ASSERT_NE(failed, std::string::npos);
  EXPECT_LT(failed, checklist);
  EXPECT_LT(critical, medium) << "most severe failure first";
  EXPECT_LT(medium, checklist);
}

TEST(EveryReporter, SaysWhenTheRunWasInterrupted) {
  Rendered rendered = render_stream("interrupted_run");
  EXPECT_NE(rendered.files["report.json"].find("\"interrupted\": true"), std::string::npos);
  EXPECT_NE(rendered.files["junit.xml"].find("golive.run.complete"), std::string::npos);
  EXPECT_NE(rendered.files["checklist.md"].find("Interrupted run"), std::string::npos);
  EXPECT_NE(rendered.files["sla.md"].find("Interrupted run"), std::string::npos);
  EXPECT_NE(rendered.files["step_summary.md"].find("Interrupted run"), std::string::npos);
  EXPECT_NE(rendered.files["index.html"].find("interrupted"), std::string::npos);
}

TEST(SlaMarkdown, SaysWhenThereWasNoLoadStage) {
  EXPECT_NE(render_stream("passing_run").files["sla.md"].find("No load stage in this run"),
            std::string::npos);
  EXPECT_EQ(render_stream("failing_run_with_load").files["sla.md"].find("No load stage"),
            std::string::npos);
}

TEST(RenderAll, WritesEveryFileAndAppendsTheStepSummary) {
  fs::path dir = fs::temp_directory_path() / "golive_render_all_test";
  fs::remove_all(dir);
  fs::path summary = dir / "step_summary.md";
  fs::create_directories(dir);
  std::ofstream(summary) << "previous step\n";

  core::Redactor redactor;
  RenderOptions options;
  options.redactor = &redactor;
  options.github_step_summary_path = summary.string();
  auto contents = core::read_result_stream((kResults / "failing_run_with_load.jsonl").string());
  RenderResult result = render_all(contents, options, (dir / "out").string());

  EXPECT_EQ(result.verdict, Verdict::kFail);
  EXPECT_FALSE(result.partial);
  ASSERT_EQ(result.files_written.size(), 6u) << "sarif.json too: the run has security checks";
  for (const char* name : {kReportJsonFile, kJunitFile, kHtmlFile, kChecklistFile, kSlaFile, kSarifFile}) {
    EXPECT_TRUE(fs::exists(dir / "out" / name)) << name;
    EXPECT_FALSE(fs::exists(dir / "out" / (std::string(name) + ".tmp"))) << name;
  }
  EXPECT_EQ(result.index_html, (dir / "out" / "index.html").string());
  std::string appended = read_file(summary);
  EXPECT_EQ(appended.rfind("previous step\n", 0), 0u) << "the caller's earlier summary is kept";
  EXPECT_NE(appended.find("golive go-live gate: ❌ FAIL"), std::string::npos);
  fs::remove_all(dir);
}

TEST(RenderAll, ReportsAnUnwritableDirectory) {
  core::ResultStreamContents empty;
  RenderOptions options;
  EXPECT_THROW(render_all(empty, options, "/proc/golive-cannot-write-here"), ReportWriteError);
}

}  // namespace
}  // namespace golive::report
