#include "reports/report_model.hpp"

#include <gtest/gtest.h>

#include "core/input_error.hpp"
#include "reports/html_reporter.hpp"

namespace golive::report {
namespace {

using nlohmann::json;

core::CheckResult check(const std::string& id, core::CheckStatus status,
                        core::Severity severity = core::Severity::kMedium) {
  core::CheckResult result;
  result.id = id;
  result.suite = id.substr(0, id.find('.'));
  result.title = id;
  result.status = status;
  result.severity = severity;
  result.duration_ms = 10;
  return result;
}

const ChecklistDefinition kNoChecklist{"none", {}};

core::ResultStreamContents complete_stream(std::vector<core::CheckResult> checks) {
  core::ResultStreamContents stream;
  stream.checks = std::move(checks);
  stream.meta.push_back({{"record", "run_start"},
                         {"run_id", "r1"},
                         {"env", "local"},
                         {"started_at", "2026-01-01T00:00:00Z"},
                         {"golive_version", "0.1.0"},
                         {"suites", {"security", "e2e", "db"}}});
  stream.meta.push_back(
      {{"record", "run_end"}, {"ended_at", "2026-01-01T00:01:00Z"}, {"interrupted", false}});
  return stream;
}

ReportModel build(const core::ResultStreamContents& stream) {
  core::Redactor redactor;
  return build_report_model(stream, kNoChecklist, redactor);
}

ChecklistDefinition two_items() {
  return parse_checklist(
      {{"items",
        {{{"id", "a"}, {"source", "s"}, {"text", "t"}, {"evidence", {"e2e.*"}}},
         {{"id", "b"}, {"source", "s"}, {"text", "t"}, {"evidence", {"db.backup.*"}}},
         {{"id", "c"}, {"source", "s"}, {"text", "t"}, {"not_verifiable", "needs Grafana"}}}}},
      "test.json");
}

ReportModel build_with(const core::ResultStreamContents& stream, const ChecklistDefinition& list) {
  core::Redactor redactor;
  return build_report_model(stream, list, redactor);
}

TEST(ReportModel, GateSummarySaysHowMuchWasVerified) {
  auto model = build_with(complete_stream({check("e2e.a", core::CheckStatus::kPass)}), two_items());
  EXPECT_EQ(model.verdict, Verdict::kPass);
  EXPECT_EQ(gate_summary(model),
            "PASS: 1 of 3 items verified, 1 not verified, 1 not verifiable here (see why in "
            "checklist.md)");
}

TEST(ReportModel, StrictGateFailsOnAnUnverifiedItem) {
  auto stream = complete_stream({check("e2e.a", core::CheckStatus::kPass)});
  stream.meta[0]["gate"] = {{"strict", true}};
  auto model = build_with(stream, two_items());
  EXPECT_TRUE(model.run.strict);
  EXPECT_EQ(model.verdict, Verdict::kFail);
  ASSERT_EQ(model.verdict_reasons.size(), 1u);
  EXPECT_NE(model.verdict_reasons[0].find("1 verifiable checklist item was not verified (b)"),
            std::string::npos)
      << model.verdict_reasons[0];
  EXPECT_EQ(gate_summary(model).rfind("FAIL: 1 of 3 items verified", 0), 0u) << gate_summary(model);

  // With every verifiable item verified, strict passes (not verifiable items do not count).
  stream.checks.push_back(check("db.backup.restore_drill", core::CheckStatus::kPass));
  model = build_with(stream, two_items());
  EXPECT_EQ(model.verdict, Verdict::kPass);
  EXPECT_EQ(gate_summary(model),
            "PASS: 2 of 3 items verified, 1 not verifiable here (see why in checklist.md)");
}

TEST(ReportModel, StrictGateToleratesItemsAwaitingACheckGoliveLacks) {
  auto list = parse_checklist(
      {{"items",
        {{{"id", "a"}, {"source", "s"}, {"text", "t"}, {"evidence", {"e2e.*"}}},
         {{"id", "r"},
          {"source", "s"},
          {"text", "t"},
          {"evidence", {"db.backup.*"}},
          {"awaiting", "replication evidence"}}}}},
      "test.json");
  auto stream = complete_stream({check("e2e.a", core::CheckStatus::kPass),
                                 check("db.backup.restore_drill", core::CheckStatus::kPass)});
  stream.meta[0]["gate"] = {{"strict", true}};
  auto model = build_with(stream, list);
  EXPECT_EQ(model.verdict, Verdict::kPass);
  EXPECT_EQ(model.checklist_counts.awaiting, 1u);
  EXPECT_EQ(gate_summary(model),
            "PASS: 1 of 2 items verified, 1 awaiting checks golive does not have yet (see why in "
            "checklist.md)");
}

TEST(ReportModel, ReadsWhatWasVerifiedFromRunStart) {
  auto stream = complete_stream({check("e2e.a", core::CheckStatus::kPass)});
  stream.meta[0]["release"] = {{"version", "1.4.2"}, {"source", "http://h/version"}};
  stream.meta[0]["environment"] = {{"file", "envs/staging.json"}, {"sha256", "ab12"}};
  auto model = build(stream);
  EXPECT_EQ(model.run.release, "1.4.2");
  EXPECT_EQ(model.run.env_sha256, "ab12");
  EXPECT_FALSE(model.run.strict);
  EXPECT_EQ(release_line(model.run),
            "release 1.4.2 (from http://h/version) on local, environment file sha256 ab12");
  EXPECT_EQ(release_line(RunInfo{}), "");
  RunInfo unnamed;
  unnamed.env = "staging";
  EXPECT_EQ(release_line(unnamed),
            "release unknown (set release.version_url or pass --release) on staging");
}

TEST(ReportModel, PassesWhenEverythingPassed) {
  auto model = build(complete_stream({check("e2e.signup.a", core::CheckStatus::kPass),
                                      check("security.jwt.b", core::CheckStatus::kSkip)}));
  EXPECT_EQ(model.verdict, Verdict::kPass);
  EXPECT_TRUE(model.verdict_reasons.empty());
  EXPECT_EQ(model.counts.pass, 1u);
  EXPECT_EQ(model.counts.skip, 1u);
  EXPECT_EQ(model.run.id, "r1");
  EXPECT_FALSE(model.run.partial());
}

TEST(ReportModel, FailsOnFailErrorThresholdSloPartialOrNothing) {
  EXPECT_EQ(build(complete_stream({check("e2e.a", core::CheckStatus::kFail)})).verdict,
            Verdict::kFail);
  EXPECT_EQ(build(complete_stream({check("e2e.a", core::CheckStatus::kError)})).verdict,
            Verdict::kFail);
  EXPECT_EQ(build(complete_stream({})).verdict_reasons, std::vector<std::string>{"no check ran"});

  auto with_threshold = complete_stream({check("e2e.a", core::CheckStatus::kPass)});
  with_threshold.meta.push_back(
      {{"record", "load_summary"},
       {"scenario", "browse"},
       {"thresholds", {{{"expression", "p95_ms < 300"}, {"pass", false}}}}});
  auto threshold_model = build(with_threshold);
  EXPECT_EQ(threshold_model.verdict, Verdict::kFail);
  EXPECT_EQ(threshold_model.failed_thresholds(), 1u);
  EXPECT_NE(threshold_model.verdict_reasons[0].find("p95_ms < 300"), std::string::npos);

  auto with_slo = complete_stream({check("e2e.a", core::CheckStatus::kPass)});
  with_slo.meta.push_back({{"record", "sla"},
                           {"availability", 0.99},
                           {"target", 0.999},
                           {"slos", {{{"name", "p99 latency"}, {"pass", false}}}}});
  EXPECT_EQ(build(with_slo).verdict, Verdict::kFail);

  auto partial = complete_stream({check("e2e.a", core::CheckStatus::kPass)});
  partial.meta.pop_back();  // no run_end
  auto partial_model = build(partial);
  EXPECT_TRUE(partial_model.run.partial());
  EXPECT_EQ(partial_model.verdict, Verdict::kFail);
}

TEST(ReportModel, RunEndWithInterruptedIsPartial) {
  auto stream = complete_stream({check("e2e.a", core::CheckStatus::kPass)});
  stream.meta.back()["interrupted"] = true;
  auto model = build(stream);
  EXPECT_TRUE(model.run.has_run_end);
  EXPECT_TRUE(model.run.partial());
}

TEST(ReportModel, SortsChecksAndGroupsSuitesIncludingPlannedOnes) {
  auto model = build(complete_stream({check("security.b", core::CheckStatus::kPass),
                                      check("e2e.z", core::CheckStatus::kPass),
                                      check("security.a", core::CheckStatus::kFail)}));
  ASSERT_EQ(model.checks.size(), 3u);
  EXPECT_EQ(model.checks[0].id, "e2e.z");
  EXPECT_EQ(model.checks[1].id, "security.a");
  ASSERT_EQ(model.suites.size(), 3u);
  EXPECT_EQ(model.suites[0].name, "db");
  EXPECT_TRUE(model.suites[0].planned);
  EXPECT_TRUE(model.suites[0].checks.empty());
  EXPECT_EQ(model.suites[2].counts.fail, 1u);
  EXPECT_DOUBLE_EQ(model.suites[2].duration_ms, 20);
}

TEST(ReportModel, FailedChecksMostSevereFirst) {
  auto model =
      build(complete_stream({check("a.low", core::CheckStatus::kFail, core::Severity::kLow),
                             check("b.crit", core::CheckStatus::kError, core::Severity::kCritical),
                             check("c.ok", core::CheckStatus::kPass)}));
  auto failed = model.failed_checks();
  ASSERT_EQ(failed.size(), 2u);
  EXPECT_EQ(model.checks[failed[0]].id, "b.crit");
  EXPECT_EQ(model.checks[failed[1]].id, "a.low");
}

TEST(ReportModel, ReadsLoadSummaryAndKeepsTheLastPerScenario) {
  auto stream = complete_stream({check("load.x", core::CheckStatus::kPass)});
  stream.meta.push_back({{"record", "load_summary"}, {"scenario", "b"}, {"requests", 1}});
  stream.meta.push_back(
      {{"record", "load_summary"},
       {"scenario", "a"},
       {"requests", 100},
       {"errors", {{"timeout", 2}, {"status", 3}}},
       {"throughput_rps", 50.5},
       {"latency_ms", {{"p50", 1.5}, {"p99_9", 9}}},
       {"timeseries", {{{"t", 2}, {"rps", 5}}, {{"t", 1}, {"rps", 4}, {"p95_ms", 3}}}},
       {"histogram", {{{"le_ms", 10}, {"count", 4}}, {{"le_ms", 5}, {"count", 6}}}}});
  stream.meta.push_back({{"record", "load_summary"}, {"scenario", "b"}, {"requests", 2}});
  auto model = build(stream);
  ASSERT_EQ(model.load.size(), 2u);
  const auto& a = model.load[0];
  EXPECT_EQ(a.name, "a");
  EXPECT_EQ(a.error_total(), 5u);
  EXPECT_DOUBLE_EQ(a.error_ratio(), 0.05);
  EXPECT_DOUBLE_EQ(a.latency.p99_9, 9);
  EXPECT_FALSE(present(a.latency.p95));
  EXPECT_DOUBLE_EQ(a.timeseries[0].t_s, 1) << "sorted by time";
  EXPECT_DOUBLE_EQ(a.timeseries[0].p95_ms, 3);
  EXPECT_DOUBLE_EQ(a.histogram[0].le_ms, 5) << "sorted by bound";
  EXPECT_EQ(model.load[1].requests, 2u) << "the last summary of a scenario wins";
}

TEST(ReportModel, MergesSurfaceCoverageRecords) {
  auto stream = complete_stream({check("e2e.a", core::CheckStatus::kPass)});
  stream.meta.push_back({{"record", "surface_coverage"},
                         {"endpoints_exercised", {"GET /a", "GET /b"}},
                         {"endpoints_declared", 10}});
  stream.meta.push_back({{"record", "surface_coverage"},
                         {"endpoints_exercised", {"GET /b", "GET /c"}},
                         {"tables_present", {"public.x", "public.y"}}});
  auto model = build(stream);
  EXPECT_TRUE(model.coverage.present);
  EXPECT_EQ(model.coverage.endpoints_exercised.count, 3u);
  EXPECT_EQ(model.coverage.endpoints_declared.count, 10u);
  EXPECT_TRUE(model.coverage.endpoints_declared.names.empty());
  EXPECT_EQ(model.coverage.tables_present.count, 2u);
  EXPECT_FALSE(model.coverage.tables_probed.known);
}

TEST(ReportModel, RedactsChecksAndMetaAgain) {
  core::Redactor redactor;
  redactor.add_secret("whsec_supersecret");
  auto stream = complete_stream({check("contract.stripe.a", core::CheckStatus::kFail)});
  stream.checks[0].message = "signed with whsec_supersecret";
  stream.checks[0].evidence = {{"header", "t=1,v1=abc whsec_supersecret"}};
  stream.meta.push_back(
      {{"record", "load_summary"},
       {"scenario", "s"},
       {"thresholds", {{{"expression", "x"}, {"pass", true}, {"message", "whsec_supersecret"}}}}});
  auto model = build_report_model(stream, kNoChecklist, redactor);
  EXPECT_EQ(model.checks[0].message, "signed with [REDACTED]");
  EXPECT_EQ(model.checks[0].evidence["header"], "t=1,v1=abc [REDACTED]");
  EXPECT_EQ(model.load[0].thresholds[0].message, "[REDACTED]");
}

TEST(ReportModel, RejectsWronglyTypedMetaWithAPointer) {
  auto stream = complete_stream({check("e2e.a", core::CheckStatus::kPass)});
  stream.meta.push_back({{"record", "load_summary"}, {"scenario", "s"}, {"requests", "many"}});
  try {
    build(stream);
    ADD_FAILURE() << "accepted a string request count";
  } catch (const core::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("/requests"), std::string::npos) << e.what();
  }
}

TEST(ReportModel, IgnoresUnknownMetaKinds) {
  auto stream = complete_stream({check("e2e.a", core::CheckStatus::kPass)});
  stream.meta.push_back({{"record", "load_sample"}, {"anything", {1, 2, 3}}});
  EXPECT_EQ(build(stream).verdict, Verdict::kPass);
}

}  // namespace
}  // namespace golive::report

namespace golive::report {
namespace {

// A load run killed without warning: no load_summary, no sla, no run_end;
// its last checkpoint and per-second lines stand in for them.
core::ResultStreamContents killed_load_stream() {
  core::ResultStreamContents stream;
  stream.meta.push_back({{"record", "run_start"},
                         {"run_id", "k1"},
                         {"env", "local"},
                         {"started_at", "2026-01-01T00:00:00Z"},
                         {"golive_version", "0.1.0"},
                         {"suites", {"load"}}});
  for (int t = 0; t < 3; ++t) {
    stream.meta.push_back({{"record", "load_second"}, {"scenario", "browse"}, {"t", t},
                           {"rps", 100 + t}, {"errors", t}, {"p50_ms", 2.0}, {"p95_ms", 4.0},
                           {"p99_ms", 5.0}, {"active_vus", 10}, {"latency", json::array()}});
  }
  json summary = {{"scenario", "browse"},
                  {"requests", 340},
                  {"errors", {{"http_status", 3}}},
                  {"throughput_rps", 97.1},
                  {"latency_ms", {{"p50", 2.0}, {"p90", 3.0}, {"p95", 4.0}, {"p99", 5.0}, {"p99_9", 6.0}, {"max", 7.0}}},
                  {"thresholds", {{{"expression", "p(95) < 3ms"}, {"scope", "scenario"}, {"observed", 4.0},
                                   {"pass", false}, {"message", "p95 4ms"}}}},
                  {"histogram", json::array()}};
  stream.meta.push_back({{"record", "load_checkpoint"}, {"elapsed_s", 3.5}, {"summaries", {summary}},
                         {"sla", {{"availability", 0.99}, {"target", 0.999}, {"slos", json::array()}}},
                         {"shard", json::object()}});
  return stream;
}

TEST(ReportModel, AKilledLoadRunShowsItsLastCheckpointAsPartial) {
  const ReportModel model = build(killed_load_stream());
  ASSERT_EQ(model.load.size(), 1u);
  const LoadScenario& scenario = model.load.front();
  EXPECT_TRUE(scenario.partial);
  EXPECT_DOUBLE_EQ(scenario.measured_s, 3.5);
  EXPECT_EQ(scenario.requests, 340u);
  ASSERT_EQ(scenario.timeseries.size(), 3u);
  EXPECT_DOUBLE_EQ(scenario.timeseries[2].rps, 102);
  ASSERT_EQ(scenario.thresholds.size(), 1u);
  EXPECT_FALSE(scenario.thresholds.front().pass);
  EXPECT_TRUE(model.sla.present);
  EXPECT_TRUE(model.run.partial());
  EXPECT_EQ(model.verdict, Verdict::kFail);
}

TEST(ReportModel, AFinalLoadSummaryReplacesTheCheckpoints) {
  core::ResultStreamContents stream = killed_load_stream();
  stream.meta.push_back({{"record", "load_summary"}, {"scenario", "browse"}, {"requests", 400},
                         {"thresholds", json::array()}, {"timeseries", json::array()}});
  const ReportModel model = build(stream);
  ASSERT_EQ(model.load.size(), 1u);
  EXPECT_FALSE(model.load.front().partial);
  EXPECT_EQ(model.load.front().requests, 400u);
  EXPECT_TRUE(model.load.front().timeseries.empty());
}

}  // namespace
}  // namespace golive::report

namespace golive::report {
namespace {

// Browser checks name a screenshot in the run directory: index.html shows each
// page once as a thumbnail linked to the PNG, and a failing check shows its
// own; a name that is not a plain .png file name is never put into the page.
TEST(HtmlReport, ScreenshotsAreThumbnailsAndAFailingCheckShowsItsOwn) {
  auto landing = check("browser.timing.landing", core::CheckStatus::kPass);
  landing.evidence = {{"url", "http://127.0.0.1/site"}, {"screenshot", "browser-landing.png"}};
  auto privacy = check("browser.legal.privacy", core::CheckStatus::kFail);
  privacy.evidence = {{"url", "http://127.0.0.1/privacy"}, {"screenshot", "browser-privacy.png"}};
  auto hostile = check("browser.csp.landing", core::CheckStatus::kFail);
  hostile.evidence = {{"screenshot", "../x\"><script>.png"}};
  const std::string html = render_html(build(complete_stream({landing, privacy, hostile})), RenderOptions{});
  EXPECT_NE(html.find("<h2 id=\"screenshots\">Screenshots (2)</h2>"), std::string::npos);
  EXPECT_NE(html.find("<a href=\"browser-landing.png\"><img class=\"shot\""), std::string::npos);
  const std::size_t failed = html.find("id=\"failed\"");
  const std::size_t checklist = html.find("id=\"checklist\"");
  const std::size_t own = html.find("src=\"browser-privacy.png\"", failed);
  EXPECT_LT(own, checklist) << "the failing check's screenshot is shown in the failed checks";
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_EQ(html.find("src=\"../"), std::string::npos);
}

}  // namespace
}  // namespace golive::report
