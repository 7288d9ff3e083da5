// Waivers (core/waivers.hpp) through every report: a waived failure is
// reported as waived (report.json, junit.xml skipped with the reason,
// index.html, the step summary, a SARIF suppression) and does not fail the
// gate; an expired one fails it naming its owner; --fail-on (run_start.gate.
// fail_on) lets lower-severity failures through; bad waiver files name the
// file and the JSON pointer.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/input_error.hpp"
#include "core/result_stream.hpp"
#include "core/waivers.hpp"
#include "reports/html_reporter.hpp"
#include "reports/json_reporter.hpp"
#include "reports/junit_reporter.hpp"
#include "reports/markdown_reporters.hpp"
#include "reports/sarif_reporter.hpp"

namespace golive::report {
namespace {

using nlohmann::json;

// The failing stream (started 2026-03-02) fails security.rls.cross_user_select
// .public.admin_overrides (critical) and security.headers.csp (medium), and more.
core::ResultStreamContents failing_stream() {
  return core::read_result_stream(std::string(GOLIVE_TEST_DATA) + "/results/failing_run_with_load.jsonl");
}

void add_waivers(core::ResultStreamContents& stream, const json& list) {
  json record = core::waivers_record(core::parse_waivers({{"waivers", list}}, "golive.waivers.json"));
  record["record"] = "waivers";
  stream.meta.push_back(record);
}

ReportModel model_of(const core::ResultStreamContents& stream) {
  core::Redactor redactor;
  RenderOptions options;
  options.redactor = &redactor;
  return build_report_model(stream, options);
}

bool has_reason_containing(const ReportModel& model, const std::string& text) {
  for (const auto& reason : model.verdict_reasons) {
    if (reason.find(text) != std::string::npos) return true;
  }
  return false;
}

const json kCspWaiver = {{"check", "security.headers.csp"}, {"reason", "CSP ships with the CDN move"},
                         {"owner", "alice@example.com"}, {"expires", "2026-03-31"}};

TEST(Waivers, AWaivedFailureIsReportedAsWaivedEverywhereAndDoesNotGate) {
  const ReportModel before = model_of(failing_stream());
  auto stream = failing_stream();
  add_waivers(stream, json::array({kCspWaiver}));
  const ReportModel model = model_of(stream);
  EXPECT_EQ(model.counts.waived, 1u);
  EXPECT_EQ(model.counts.fail + 1, before.counts.fail);
  EXPECT_EQ(model.counts.total(), before.counts.total());

  const std::string junit = render_junit_xml(model, RenderOptions{});
  const auto csp = junit.find("name=\"security.headers.csp\"");
  ASSERT_NE(csp, std::string::npos);
  const std::string csp_case = junit.substr(csp, junit.find("</testcase>", csp) - csp);
  EXPECT_NE(csp_case.find("<skipped>waived: CSP ships with the CDN move (owner alice@example.com, until 2026-03-31)"),
            std::string::npos) << csp_case;
  EXPECT_EQ(csp_case.find("<failure"), std::string::npos);

  const json report = json::parse(render_report_json(model));
  EXPECT_EQ(report["summary"]["waived"], 1);
  bool found = false;
  for (const auto& check : report["checks"]) {
    if (check["id"] != "security.headers.csp") continue;
    found = true;
    EXPECT_EQ(check["waiver"]["owner"], "alice@example.com");
    EXPECT_EQ(check["waiver"]["expired"], false);
  }
  EXPECT_TRUE(found);
  EXPECT_NE(render_html(model, RenderOptions{}).find("<b>Waived</b> until 2026-03-31"), std::string::npos);
  EXPECT_NE(render_step_summary(model).find("waived until 2026-03-31"), std::string::npos);

  const json sarif = json::parse(render_sarif(model, RenderOptions{}));
  for (const auto& result : sarif["runs"][0]["results"]) {
    const bool is_csp = result["ruleId"] == "security.headers.csp";
    EXPECT_EQ(result.contains("suppressions"), is_csp) << result.dump();
    if (is_csp) EXPECT_EQ(result["suppressions"][0]["status"], "accepted");
  }
}

TEST(Waivers, WaivingEveryFailureTurnsTheGateBackToPass) {
  auto stream = failing_stream();
  add_waivers(stream, json::array({{{"check", "*"}, {"reason", "accepted for the demo"}, {"owner", "bob"},
                                    {"expires", "2026-03-02"}}}));
  const ReportModel model = model_of(stream);
  EXPECT_FALSE(has_reason_containing(model, "checks failed"));
  EXPECT_FALSE(has_reason_containing(model, "check failed"));
}

TEST(Waivers, AnExpiredWaiverFailsTheGateNamingItsOwner) {
  auto stream = failing_stream();
  json expired = kCspWaiver;
  expired["expires"] = "2026-03-01";  // the run started 2026-03-02
  add_waivers(stream, json::array({expired}));
  const ReportModel model = model_of(stream);
  EXPECT_EQ(model.counts.waived, 0u);
  EXPECT_TRUE(has_reason_containing(model, "security.headers.csp: its waiver (check security.headers.csp) expired on "
                                           "2026-03-01; owner alice@example.com"));
  EXPECT_NE(render_junit_xml(model, RenderOptions{}).find("waiver expired on 2026-03-01 (owner alice@example.com)"),
            std::string::npos);
}

TEST(Waivers, AChecklistItemWaiverCoversTheChecksThatEvidenceIt) {
  auto stream = failing_stream();
  add_waivers(stream, json::array({{{"checklist", "s000.checklist.security.admin_overrides_own"},
                                    {"reason", "admin_overrides is read-only until launch"},
                                    {"owner", "carol"}, {"expires", "2026-04-01"}}}));
  const ReportModel model = model_of(stream);
  bool waived = false;
  for (std::size_t i = 0; i < model.checks.size(); ++i) {
    if (model.checks[i].id == "security.rls.cross_user_select.public.admin_overrides") waived = model.is_waived(i);
  }
  EXPECT_TRUE(waived);
  for (const auto& entry : model.checklist) {
    if (entry.item.id == "s000.checklist.security.admin_overrides_own") {
      EXPECT_NE(entry.note.find("waived: admin_overrides is read-only until launch (owner carol"), std::string::npos);
    }
  }
}

TEST(FailOn, FailuresBelowTheGateSeverityAreReportedButDoNotGate) {
  auto stream = failing_stream();
  for (auto& record : stream.meta) {
    if (record["record"] == "run_start") record["gate"]["fail_on"] = "critical";
  }
  const ReportModel model = model_of(stream);
  EXPECT_EQ(model.run.fail_on, core::Severity::kCritical);
  EXPECT_TRUE(has_reason_containing(model, "1 check failed at or above critical")) << model.verdict_reasons.front();
  EXPECT_GT(model.counts.fail, 1u) << "the medium CSP failure is still reported as failed";
  EXPECT_EQ(json::parse(render_report_json(model))["run"]["fail_on"], "critical");
}

TEST(WaiverFile, BadEntriesNameTheFileAndThePointer) {
  auto message_of = [](const json& document) -> std::string {
    try {
      core::parse_waivers(document, "golive.waivers.json");
    } catch (const core::InputError& e) {
      return e.what();
    }
    return "";
  };
  json bad_date = {{"waivers", json::array({kCspWaiver, kCspWaiver})}};
  bad_date["waivers"][1]["expires"] = "next week";
  const std::string date = message_of(bad_date);
  EXPECT_NE(date.find("golive.waivers.json"), std::string::npos) << date;
  EXPECT_NE(date.find("/waivers/1/expires"), std::string::npos) << date;
  json no_reason = {{"waivers", json::array({kCspWaiver})}};
  no_reason["waivers"][0].erase("reason");
  EXPECT_NE(message_of(no_reason).find("/waivers/0"), std::string::npos);
  json unknown = {{"waivers", json::array({kCspWaiver})}};
  unknown["waivers"][0]["expiry"] = "2026-01-01";
  EXPECT_NE(message_of(unknown).find("expiry"), std::string::npos);
  EXPECT_EQ(message_of({{"waivers", json::array({kCspWaiver})}}), "");
}

}  // namespace
}  // namespace golive::report
