#include "reports/checklist.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "core/input_error.hpp"

namespace golive::report {
namespace {

core::CheckResult check(const std::string& id, core::CheckStatus status,
                        core::Severity severity = core::Severity::kMedium) {
  core::CheckResult result;
  result.id = id;
  result.suite = id.substr(0, id.find('.'));
  result.status = status;
  result.severity = severity;
  return result;
}

ChecklistDefinition one_item(const nlohmann::json& item) {
  return parse_checklist({{"version", 1}, {"items", {item}}}, "test.json");
}

TEST(GlobMatch, StarSpansDots) {
  EXPECT_TRUE(glob_match("security.rls.static.*", "security.rls.static.rls_enabled.public.topics"));
  EXPECT_TRUE(
      glob_match("security.rls.*.public.plans", "security.rls.cross_user_update.public.plans"));
  EXPECT_FALSE(
      glob_match("security.rls.*.public.plans", "security.rls.cross_user_update.public.plans_old"));
  EXPECT_TRUE(glob_match("e2e.payment.*", "e2e.payment.checkout"));
  EXPECT_FALSE(glob_match("e2e.payment.*", "e2e.payments.checkout"));
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("a*b*c", "a-b-b-c"));
  EXPECT_FALSE(glob_match("a*b*c", "a-b-b-d"));
  EXPECT_TRUE(glob_match("exact.id", "exact.id"));
  EXPECT_FALSE(glob_match("exact.id", "exact.id.more"));
}

TEST(CheckIdTemplates, PlaceholdersBecomeStars) {
  EXPECT_EQ(template_as_glob("security.rls.static.{lint}.{schema}.{table}"),
            "security.rls.static.*.*.*");
  EXPECT_EQ(template_as_glob("env.valid"), "env.valid");
  EXPECT_EQ(template_as_glob("e2e.legal_pages.row{n}.public_page"), "e2e.legal_pages.row*.public_page");
  EXPECT_EQ(template_as_glob("odd.{unclosed"), "odd.{unclosed");
}

TEST(CheckIdTemplates, GlobsOverlapWhenOneTextMatchesBoth) {
  EXPECT_TRUE(globs_overlap("security.rls.*.public.plans", "security.rls.*.*.*"));
  EXPECT_TRUE(globs_overlap("e2e.ai_job.dedup*", "e2e.ai_job.*"));
  EXPECT_TRUE(globs_overlap("a*", "*b"));
  EXPECT_TRUE(globs_overlap("exact", "exact"));
  EXPECT_TRUE(globs_overlap("e2e.legal_pages.row*.public_page", "e2e.legal_pages.row*.public_page"));
  // The defects this test exists for: patterns no emitted id can match.
  EXPECT_FALSE(globs_overlap("e2e.signup.*", "e2e.signup_login.login"));
  EXPECT_FALSE(globs_overlap("e2e.ai_job.dedup*", "e2e.ai_job.duplicate_submit_deduped"));
  EXPECT_FALSE(globs_overlap("env.variables.*", "env.valid"));
  EXPECT_FALSE(globs_overlap("a*b", "c*"));
  EXPECT_FALSE(globs_overlap("exact", "exact.more"));
}

TEST(EvaluateChecklist, TemplatePatternsMatchTheirInstances) {
  auto definition = one_item({{"id", "legal"},
                              {"source", "s"},
                              {"text", "t"},
                              {"evidence", {"e2e.legal_pages.row{n}.public_page"}}});
  auto entries = evaluate_checklist(definition, {check("e2e.legal_pages.row2.public_page",
                                                       core::CheckStatus::kPass)});
  EXPECT_EQ(entries[0].status, ChecklistStatus::kVerifiedPass);
}

TEST(EvaluateChecklist, AwaitingItemStaysNotVerifiedAndSaysWhy) {
  auto definition = one_item({{"id", "R6.1"},
                              {"source", "s"},
                              {"text", "replicated with backups"},
                              {"evidence", {"db.backup.restore_drill"}},
                              {"awaiting", "replication evidence"}});
  auto entries =
      evaluate_checklist(definition, {check("db.backup.restore_drill", core::CheckStatus::kPass)});
  EXPECT_EQ(entries[0].status, ChecklistStatus::kNotVerified);
  EXPECT_NE(entries[0].note.find("awaiting replication evidence"), std::string::npos)
      << entries[0].note;
  EXPECT_EQ(entries[0].evidence_ids, std::vector<std::string>{"db.backup.restore_drill"});
  // A failure still fails it: an awaited part never hides a broken one.
  entries =
      evaluate_checklist(definition, {check("db.backup.restore_drill", core::CheckStatus::kFail)});
  EXPECT_EQ(entries[0].status, ChecklistStatus::kVerifiedFail);
  EXPECT_THROW(one_item({{"id", "x"},
                         {"source", "s"},
                         {"text", "t"},
                         {"not_verifiable", "why"},
                         {"awaiting", "something"}}),
               core::InputError);
}

TEST(EvaluateChecklist, AppliesTheFourStatuses) {
  ChecklistDefinition definition = parse_checklist(
      {{"items",
        {{{"id", "a"}, {"source", "s"}, {"text", "t"}, {"evidence", {"security.headers.*"}}},
         {{"id", "b"}, {"source", "s"}, {"text", "t"}, {"evidence", {"contract.stripe.*"}}},
         {{"id", "c"}, {"source", "s"}, {"text", "t"}, {"evidence", {"db.backup.*"}}},
         {{"id", "d"}, {"source", "s"}, {"text", "t"}, {"not_verifiable", "needs a Sentry DSN"}}}}},
      "test.json");
  std::vector<core::CheckResult> checks = {
      check("security.headers.hsts", core::CheckStatus::kPass),
      check("security.headers.csp", core::CheckStatus::kPass),
      check("contract.stripe.signature", core::CheckStatus::kPass),
      check("contract.stripe.duplicate", core::CheckStatus::kError),
  };
  auto entries = evaluate_checklist(definition, checks);
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[0].status, ChecklistStatus::kVerifiedPass);
  EXPECT_EQ(entries[0].evidence_ids,
            (std::vector<std::string>{"security.headers.csp", "security.headers.hsts"}));
  EXPECT_EQ(entries[1].status, ChecklistStatus::kVerifiedFail);
  EXPECT_EQ(entries[1].failing_ids, std::vector<std::string>{"contract.stripe.duplicate"});
  EXPECT_EQ(entries[2].status, ChecklistStatus::kNotVerified);
  EXPECT_NE(entries[2].note.find("no check in this run matched db.backup.*"), std::string::npos);
  EXPECT_EQ(entries[3].status, ChecklistStatus::kNotVerifiable);
  EXPECT_EQ(entries[3].note, "needs a Sentry DSN");
  EXPECT_STREQ(to_string(entries[3].status), "not-verifiable-by-golive");
}

TEST(EvaluateChecklist, OnlySkippedEvidenceIsNotVerified) {
  auto definition =
      one_item({{"id", "a"}, {"source", "s"}, {"text", "t"}, {"evidence", {"security.jwt.*"}}});
  auto entries =
      evaluate_checklist(definition, {check("security.jwt.forged", core::CheckStatus::kSkip)});
  EXPECT_EQ(entries[0].status, ChecklistStatus::kNotVerified);
  EXPECT_EQ(entries[0].evidence_ids.size(), 1u);
  EXPECT_NE(entries[0].note.find("skipped"), std::string::npos);
}

TEST(EvaluateChecklist, MatchAllNeedsAPassForEveryPattern) {
  auto definition = one_item({{"id", "r1.1"},
                              {"source", "s"},
                              {"text", "t"},
                              {"evidence", {"e2e.signup.*", "e2e.payment.*"}},
                              {"match", "all"}});
  auto half =
      evaluate_checklist(definition, {check("e2e.signup.create", core::CheckStatus::kPass)});
  EXPECT_EQ(half[0].status, ChecklistStatus::kNotVerified);
  EXPECT_NE(half[0].note.find("e2e.payment.*"), std::string::npos);
  auto both =
      evaluate_checklist(definition, {check("e2e.signup.create", core::CheckStatus::kPass),
                                      check("e2e.payment.checkout", core::CheckStatus::kPass)});
  EXPECT_EQ(both[0].status, ChecklistStatus::kVerifiedPass);
}

TEST(EvaluateChecklist, MinFailingSeverityToleratesLesserFailures) {
  auto definition = one_item({{"id", "zero_critical"},
                              {"source", "s"},
                              {"text", "t"},
                              {"evidence", {"security.*"}},
                              {"min_failing_severity", "critical"}});
  auto tolerated =
      evaluate_checklist(definition, {check("security.headers.csp", core::CheckStatus::kFail),
                                      check("security.rls.x", core::CheckStatus::kPass)});
  EXPECT_EQ(tolerated[0].status, ChecklistStatus::kVerifiedPass);
  EXPECT_NE(tolerated[0].note.find("tolerated"), std::string::npos);
  auto critical = evaluate_checklist(
      definition, {check("security.rls.y", core::CheckStatus::kFail, core::Severity::kCritical)});
  EXPECT_EQ(critical[0].status, ChecklistStatus::kVerifiedFail);
}

TEST(EvaluateChecklist, ACheckCanNameItsItemDirectly) {
  auto definition =
      one_item({{"id", "s000.x"}, {"source", "s"}, {"text", "t"}, {"evidence", {"nothing.*"}}});
  auto named = check("security.custom.probe", core::CheckStatus::kPass);
  named.checklist = {"s000.x"};
  auto entries = evaluate_checklist(definition, {named});
  EXPECT_EQ(entries[0].status, ChecklistStatus::kVerifiedPass);
  EXPECT_EQ(entries[0].evidence_ids, std::vector<std::string>{"security.custom.probe"});
}

TEST(ParseChecklist, RejectsBadItemsWithPointers) {
  auto expect_error = [](const nlohmann::json& item, const std::string& fragment) {
    try {
      one_item(item);
      ADD_FAILURE() << "accepted " << item.dump();
    } catch (const core::InputError& e) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
  };
  expect_error({{"id", "a"}, {"source", "s"}, {"text", "t"}}, "exactly one");
  expect_error(
      {{"id", "a"}, {"source", "s"}, {"text", "t"}, {"evidence", {"x"}}, {"not_verifiable", "y"}},
      "exactly one");
  expect_error({{"id", "a"}, {"source", "s"}, {"text", "t"}, {"evidence", nlohmann::json::array()}},
               "at least one");
  expect_error(
      {{"id", "a"}, {"source", "s"}, {"text", "t"}, {"evidence", {"x"}}, {"match", "most"}},
      "/items/0/match");
  expect_error(
      {{"id", "a"}, {"source", "s"}, {"text", "t"}, {"evidence", {"x"}}, {"colour", "red"}},
      "unknown key");
  EXPECT_THROW(
      parse_checklist({{"items",
                        {{{"id", "a"}, {"source", "s"}, {"text", "t"}, {"evidence", {"x"}}},
                         {{"id", "a"}, {"source", "s"}, {"text", "t"}, {"evidence", {"y"}}}}}},
                      "dup.json"),
      core::InputError);
}

// The shipped checklist covers what the seeds ask for.
TEST(EmbeddedChecklist, CoversEverySeedRequirement) {
  const auto& definition = embedded_checklist();
  std::set<std::string> ids;
  for (const auto& item : definition.items) ids.insert(item.id);
  for (int requirement = 1; requirement <= 7; ++requirement) {
    for (int criterion = 1; criterion <= 5; ++criterion) {
      std::string id = "s001.R" + std::to_string(requirement) + "." + std::to_string(criterion);
      EXPECT_TRUE(ids.count(id)) << id;
    }
  }
  std::size_t success = 0, golive_checklist = 0;
  for (const auto& id : ids) {
    success += id.rfind("s001.success.", 0) == 0;
    golive_checklist += id.rfind("s000.checklist.", 0) == 0;
  }
  EXPECT_EQ(success, 11u) << "seed 001 lists 11 success criteria";
  EXPECT_GE(golive_checklist, 9u) << "seed 000's go-live checklist has 9 top-level items";
  for (const char* top :
       {"s000.checklist.environment", "s000.checklist.security", "s000.checklist.storage",
        "s000.checklist.async_ai", "s000.checklist.stripe", "s000.checklist.logging",
        "s000.checklist.legal", "s000.checklist.cleanup", "s000.checklist.runbooks"}) {
    EXPECT_TRUE(ids.count(top)) << top;
  }
  EXPECT_TRUE(ids.count("s000.security.rls_all_tables"));
  EXPECT_TRUE(ids.count("s001.R4.4"));
}

TEST(EmbeddedChecklist, PatternsUseTheCheckIdPrefixes) {
  const std::regex prefix(
      R"(^(e2e|load|security\.(rls|authz|jwt|injection|headers|cors|ratelimit|storage|secrets)|)"
      R"(security|contract\.(stripe|schema|ai_retry)|db\.(schema|migrations|seed|backup)|env|)"
      R"(repo\.(pipeline|env|docs|frontend|backend|tests|dependencies|migrations|prisma|history)|)"
      R"(infra\.(replication|archiving|backup|cache|static|lb)|\*\.backup|)"
      R"(observability\.(sentry|metrics|alerts|alertmanager|dashboards|logs|uptime)|)"
      R"(browser\.(legal|consent|console|csp|timing|bundle|empty_state|signed_in|sentry))(\.|\*|$))");
  for (const auto& item : embedded_checklist().items) {
    if (!item.verifiable()) {
      EXPECT_FALSE(item.not_verifiable.empty()) << item.id;
      continue;
    }
    for (const auto& pattern : item.evidence)
      EXPECT_TRUE(std::regex_search(pattern, prefix)) << item.id << ": " << pattern;
  }
}

TEST(EmbeddedChecklist, SentryIsVerifiedThroughTheSink) {
  for (const auto& item : embedded_checklist().items) {
    if (item.id == "s000.checklist.logging") {
      EXPECT_TRUE(item.verifiable());
      EXPECT_EQ(item.evidence, std::vector<std::string>{"observability.sentry.delivered"});
      return;
    }
  }
  ADD_FAILURE() << "no s000.checklist.logging item";
}

TEST(EmbeddedChecklist, MatchesTheSourceFile) {
  auto from_file = load_checklist_file(std::string(GOLIVE_SOURCE_DIR) + "/reports/checklist.json");
  ASSERT_EQ(from_file.items.size(), embedded_checklist().items.size())
      << "reconfigure: the embedded checklist is older than reports/checklist.json";
}

}  // namespace
}  // namespace golive::report
