// The repository audit's readers on real file shapes: GitHub Actions
// workflows (refs per job, literal secrets, bad YAML naming file and line),
// env files, JUnit from Jest, pytest and Playwright, Playwright's JSON report,
// lcov, Cobertura and Istanbul coverage, npm audit v2 and OSV-Scanner JSON,
// and the webhook-secret rule of the shared secret scanner.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/input_error.hpp"
#include "repo/dependency_audit.hpp"
#include "repo/env_file_checks.hpp"
#include "repo/prisma_drift.hpp"
#include "repo/prisma_schema.hpp"
#include "repo/test_reports.hpp"
#include "repo/workflow_checks.hpp"
#include "target/secret_scanner.hpp"

namespace golive::repo {
namespace {

const char* const kDeploy = R"(name: Deploy
on:
  push:
    branches: [main]
    tags: ['v*']
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: npm test
  deploy-staging:
    if: github.ref == 'refs/heads/main'
    needs: [test]
    environment: staging
    steps:
      - run: supabase db push
  deploy-production:
    if: startsWith(github.ref, 'refs/tags/v')
    needs: test
    environment:
      name: production
      url: https://studyplan.example
    env:
      STRIPE_SECRET_KEY: not-a-reference-at-all
      SUPABASE_ACCESS_TOKEN: ${{ secrets.SUPABASE_ACCESS_TOKEN }}
    steps:
      - run: supabase db push
)";

TEST(Workflow, JobsKnowTheirTargetAndRefs) {
  const Workflow workflow = parse_workflow(".github/workflows/deploy.yml", kDeploy);
  ASSERT_EQ(workflow.jobs.size(), 3u);
  const WorkflowJob& staging = workflow.jobs[1];
  EXPECT_EQ(staging.environment, "staging");
  EXPECT_EQ(staging.branches, (std::set<std::string>{"main"}));
  EXPECT_TRUE(staging.tags.empty());
  const WorkflowJob& production = workflow.jobs[2];
  EXPECT_EQ(production.environment, "production");
  EXPECT_TRUE(production.branches.empty());
  EXPECT_EQ(production.tags, (std::set<std::string>{"v*"}));
  EXPECT_EQ(production.needs, (std::vector<std::string>{"test"}));
  EXPECT_EQ(production.line, 17);
  ASSERT_EQ(workflow.literal_secrets.size(), 1u);
  EXPECT_EQ(workflow.literal_secrets[0].job, "deploy-production");
  EXPECT_EQ(workflow.literal_secrets[0].line, 24);
  EXPECT_EQ(workflow.literal_secrets[0].problem.find("not-a-reference"), std::string::npos)
      << "a finding never prints the value";
}

TEST(Workflow, AJobWithoutARefConditionRunsOnEveryPushedRef) {
  const Workflow workflow = parse_workflow("w.yml", "on: push\njobs:\n  deploy-prod:\n    steps: []\n");
  EXPECT_EQ(workflow.jobs[0].environment, "production");
  EXPECT_EQ(workflow.jobs[0].branches, (std::set<std::string>{"*"}));
}

TEST(Workflow, BadYamlNamesTheFileAndTheLine) {
  try {
    parse_workflow(".github/workflows/broken.yml", "on: push\njobs:\n  a: [unclosed\n  b: 1\n");
    FAIL() << "no InputError";
  } catch (const core::InputError& e) {
    EXPECT_EQ(e.file(), ".github/workflows/broken.yml");
    EXPECT_NE(e.location().find("line"), std::string::npos) << e.location();
    EXPECT_NE(e.problem().find("YAML"), std::string::npos) << e.problem();
  }
  EXPECT_THROW(parse_workflow("w.yml", "just: a mapping\n"), core::InputError);
}

TEST(EnvFile, ParsesAndJudgesValuesWithoutPrintingThem) {
  const auto entries = parse_env_file("# comment\nexport A=1\nB=\"two words\"\nC=x # note\n\nNOEQUALS\n");
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[1].value, "two words");
  EXPECT_EQ(entries[2].value, "x");
  EXPECT_EQ(entries[2].line, 4);
  EXPECT_TRUE(is_reference("${{ secrets.STRIPE_SECRET_KEY }}"));
  EXPECT_TRUE(is_reference("vault:secret/data/prod#key"));
  EXPECT_TRUE(is_reference("op://vault/item/field"));
  EXPECT_TRUE(is_reference("${STRIPE_KEY}"));
  EXPECT_FALSE(is_reference("abc${X}"));
  EXPECT_FALSE(is_reference("plain-value"));
  EXPECT_TRUE(is_secret_name("STRIPE_SECRET_KEY"));
  EXPECT_TRUE(is_secret_name("SUPABASE_SERVICE_ROLE_KEY"));
  EXPECT_TRUE(is_secret_name("DATABASE_URL"));
  EXPECT_FALSE(is_secret_name("VITE_SUPABASE_ANON_KEY"));
  EXPECT_FALSE(is_secret_name("VITE_SENTRY_DSN"));
  EXPECT_EQ(stripe_key_mode(std::string("sk_") + "live_abc"), "live");
  EXPECT_EQ(stripe_key_mode("pk_test_abc"), "test");
  EXPECT_EQ(stripe_key_mode("${{ secrets.X }}"), "");
}

TEST(TestResults, JestVitestPytestAndPlaywrightJunit) {
  // jest-junit: <testsuites> with a failure.
  auto jest = parse_test_results("jest.xml", R"(<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="jest tests" tests="2" failures="1" errors="0" time="1.2">
  <testsuite name="quota" errors="0" failures="1" skipped="0" timestamp="2026-12-04T09:00:00" time="1.1" tests="2">
    <testcase classname="quota counts usage" name="quota counts usage" time="0.01"></testcase>
    <testcase classname="quota refuses over limit" name="quota refuses over limit" time="0.02">
      <failure>Error: expected 429, received 200</failure>
    </testcase>
  </testsuite>
</testsuites>)");
  ASSERT_EQ(jest.size(), 1u);
  EXPECT_EQ(jest[0].tests, 2);
  EXPECT_EQ(jest[0].failures, 1);
  // pytest: a bare <testsuite> root... as pytest >= 5 writes <testsuites><testsuite>.
  auto pytest = parse_test_results("pytest.xml", R"(<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" errors="0" failures="0" skipped="1" tests="3" time="0.5" timestamp="2026-12-04T09:00:00" hostname="ci"><testcase classname="tests.test_api" name="test_health" time="0.001" /><testcase classname="tests.test_api" name="test_login" time="0.002" /><testcase classname="tests.test_api" name="test_slow" time="0.000"><skipped type="pytest.skip" message="slow">tests/test_api.py:20: slow</skipped></testcase></testsuite></testsuites>)");
  ASSERT_EQ(pytest.size(), 1u);
  EXPECT_EQ(pytest[0].tests, 3);
  EXPECT_EQ(pytest[0].skipped, 1);
  auto bare = parse_test_results("vitest.xml", R"(<testsuite name="vitest" tests="1"><testcase name="a"/></testsuite>)");
  ASSERT_EQ(bare.size(), 1u);
  EXPECT_EQ(bare[0].tests, 1);
  auto playwright_json = parse_test_results("results.json", R"({"config": {}, "suites": [], "errors": [],
      "stats": {"startTime": "2026-12-04T09:00:00.000Z", "duration": 5123.4, "expected": 10, "skipped": 1, "unexpected": 2, "flaky": 1}})");
  ASSERT_EQ(playwright_json.size(), 1u);
  EXPECT_EQ(playwright_json[0].tests, 14);
  EXPECT_EQ(playwright_json[0].failures, 2);
  EXPECT_THROW(parse_test_results("x.xml", "<html><body/></html>"), core::InputError);
  EXPECT_THROW(parse_test_results("x.json", R"({"numTotalTests": 3})"), core::InputError);
}

TEST(Coverage, LcovCoberturaIstanbulAndUnknown) {
  auto lcov = parse_coverage("lcov.info", "TN:\nSF:src/a.ts\nDA:1,1\nDA:2,0\nLF:2\nLH:1\nend_of_record\nSF:src/b.ts\nDA:1,3\nDA:2,1\nDA:3,0\nend_of_record\n");
  EXPECT_EQ(lcov.format, "lcov");
  EXPECT_EQ(lcov.lines_found, 5);
  EXPECT_EQ(lcov.lines_hit, 3);
  auto cobertura = parse_coverage("coverage.xml", R"(<?xml version="1.0" ?>
<!DOCTYPE coverage SYSTEM "http://cobertura.sourceforge.net/xml/coverage-04.dtd">
<coverage lines-valid="200" lines-covered="170" line-rate="0.85" branches-valid="0" branches-covered="0" branch-rate="0" timestamp="1733302800000" complexity="0" version="0.1">
  <sources><source>/app</source></sources>
  <packages/>
</coverage>)");
  EXPECT_EQ(cobertura.format, "cobertura");
  EXPECT_DOUBLE_EQ(cobertura.percent(), 85.0);
  auto istanbul = parse_coverage("coverage-summary.json", R"({"total": {"lines": {"total": 400, "covered": 300, "skipped": 0, "pct": 75},
      "statements": {"total": 420, "covered": 310, "skipped": 0, "pct": 73.8}}})");
  EXPECT_EQ(istanbul.format, "istanbul-summary");
  EXPECT_DOUBLE_EQ(istanbul.percent(), 75.0);
  try {
    parse_coverage("coverage/report.txt", "All files | 81.2 | 70 |\n");
    FAIL() << "no InputError";
  } catch (const core::InputError& e) {
    EXPECT_EQ(e.file(), "coverage/report.txt");
    EXPECT_NE(e.problem().find("unknown coverage format"), std::string::npos);
  }
}

// Found by fuzzing (fuzz/corpus/test_reports_fuzz/regression_*): counts that
// are not numbers, or totals that cannot be, are InputErrors naming where,
// not a crash or a coverage over 100%.
TEST(Coverage, MalformedCountsAreInputErrorsNamingWhere) {
  try {
    parse_coverage("lcov.info", "TN:\nSF:src/a.ts\nDA:1,1\nLF:x\nLH:1\nend_of_record\n");
    FAIL() << "no InputError";
  } catch (const core::InputError& e) {
    EXPECT_EQ(e.location(), "line 4");
    EXPECT_NE(e.problem().find("LF:"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_coverage("lcov.info", "SF:a\nLF:-3\nend_of_record\n"), core::InputError);
  EXPECT_THROW(parse_coverage("lcov.info", "SF:a\nLF:1\nLH:5\nend_of_record\n"), core::InputError);
  try {
    parse_coverage("coverage-summary.json", R"({"total": {"lines": {"total": "400", "covered": 300}}})");
    FAIL() << "no InputError";
  } catch (const core::InputError& e) {
    EXPECT_EQ(e.location(), "/total/lines/total");
  }
  EXPECT_THROW(parse_coverage("coverage-summary.json", R"({"total": {"lines": {"total": 10, "covered": 11}}})"),
               core::InputError);
  EXPECT_THROW(parse_coverage("coverage.xml", R"(<coverage line-rate="5"><packages/></coverage>)"), core::InputError);
  EXPECT_THROW(parse_coverage("coverage.xml", R"(<coverage line-rate="nan"><packages/></coverage>)"), core::InputError);
}

// Found by fuzzing: an npm audit document of the right version whose entries
// have the wrong shape is an InputError naming the file, not a crash.
TEST(DependencyAudit, WrongShapeIsAnInputError) {
  try {
    parse_audit_report("npm-audit.json", R"({"auditReportVersion": 2, "vulnerabilities": {"x": {"via": [{"url": 5}]}}})");
    FAIL() << "no InputError";
  } catch (const core::InputError& e) {
    EXPECT_EQ(e.file(), "npm-audit.json");
    EXPECT_NE(e.problem().find("not the shape"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_test_results("results.json", R"({"suites": 5, "stats": {"expected": "x"}})"), core::InputError);
}

// A severity score that is not a number counts as unknown severity.
TEST(DependencyAudit, UnreadableScoresAreUnknownSeverity) {
  auto osv = parse_audit_report("osv.json", R"({"results": [{"source": {"path": "/app/package-lock.json"},
    "packages": [{"package": {"name": "jsonwebtoken", "version": "8.5.1", "ecosystem": "npm"},
      "vulnerabilities": [{"id": "GHSA-8cf7-32gw-wr33", "summary": "s"}],
      "groups": [{"ids": ["GHSA-8cf7-32gw-wr33"], "max_severity": "high-ish"}]}]}]})");
  ASSERT_EQ(osv.advisories.size(), 1u);
  EXPECT_EQ(osv.advisories[0].severity, "unknown");
}

TEST(DependencyAudit, NpmAuditV2AndOsvScanner) {
  auto npm = parse_audit_report("npm-audit.json", R"({"auditReportVersion": 2, "vulnerabilities": {
    "next": {"name": "next", "severity": "critical", "isDirect": true,
      "via": [{"source": 1101500, "name": "next", "dependency": "next", "title": "Authorization Bypass in Next.js Middleware",
               "url": "https://github.com/advisories/GHSA-f82v-jwr5-mffw", "severity": "critical", "range": ">=14.0.0 <14.2.25"}],
      "effects": [], "range": "14.0.0 - 14.2.24", "nodes": ["node_modules/next"], "fixAvailable": true},
    "postcss-loader": {"name": "postcss-loader", "severity": "moderate", "via": ["postcss"], "effects": [], "nodes": [], "fixAvailable": true}},
    "metadata": {"vulnerabilities": {"critical": 1, "total": 2}}})");
  EXPECT_EQ(npm.format, "npm-audit-v2");
  ASSERT_EQ(npm.advisories.size(), 1u) << "a `via` naming another package is not an advisory of its own";
  EXPECT_EQ(npm.advisories[0].id, "GHSA-f82v-jwr5-mffw");
  EXPECT_EQ(npm.advisories[0].severity, "critical");
  auto osv = parse_audit_report("osv.json", R"({"results": [{"source": {"path": "/app/package-lock.json", "type": "lockfile"},
    "packages": [{"package": {"name": "jsonwebtoken", "version": "8.5.1", "ecosystem": "npm"},
      "vulnerabilities": [{"id": "GHSA-8cf7-32gw-wr33", "summary": "jsonwebtoken unrestricted key type", "aliases": ["CVE-2022-23539"],
                           "database_specific": {"severity": "HIGH"}},
                          {"id": "GHSA-qwph-4952-7xr6", "summary": "jsonwebtoken insecure default algorithm"}],
      "groups": [{"ids": ["GHSA-8cf7-32gw-wr33"], "max_severity": "8.1"}, {"ids": ["GHSA-qwph-4952-7xr6"], "max_severity": "6.4"}]}]}]})");
  EXPECT_EQ(osv.format, "osv-scanner");
  ASSERT_EQ(osv.advisories.size(), 2u);
  EXPECT_EQ(osv.advisories[0].severity, "high");
  EXPECT_EQ(osv.advisories[1].severity, "moderate");
  EXPECT_THROW(parse_audit_report("x.json", R"({"some": "json"})"), core::InputError);
  EXPECT_THROW(parse_audit_report("x.json", "not json"), core::InputError);
}

TEST(DependencyAudit, SarifBySecuritySeverity) {
  auto sarif = parse_audit_report("audit.sarif", R"({"version": "2.1.0", "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
    "runs": [{"tool": {"driver": {"name": "osv-scanner", "rules": [
        {"id": "GHSA-grv7-fg5c-xmjg", "properties": {"security-severity": "9.8"}},
        {"id": "GHSA-952p-6rrq-rcjv", "properties": {"security-severity": "5.3"}}]}},
      "results": [{"ruleId": "GHSA-grv7-fg5c-xmjg", "level": "error", "message": {"text": "braces: uncontrolled resource consumption"}},
                  {"ruleId": "GHSA-952p-6rrq-rcjv", "level": "warning", "message": {"text": "micromatch ReDoS"}}]}]})");
  EXPECT_EQ(sarif.format, "sarif");
  ASSERT_EQ(sarif.advisories.size(), 2u);
  EXPECT_EQ(sarif.advisories[0].severity, "critical");
  EXPECT_EQ(sarif.advisories[1].severity, "moderate");
}

class CollectingSink : public core::ResultSink {
 public:
  void record(const core::CheckResult& result) override { results.push_back(result); }
  std::vector<core::CheckResult> results;
};

TEST(DependencyAudit, NpmAuditRunsOnALockfileWhenNoReportIsGiven) {
  const std::string dir = ::testing::TempDir() + "/golive_npm_audit_lockfile";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/package.json") << R"({"name": "empty-app", "version": "1.0.0"})";
  std::ofstream(dir + "/package-lock.json")
      << R"({"name": "empty-app", "version": "1.0.0", "lockfileVersion": 3, "requires": true, "packages": {"": {"name": "empty-app", "version": "1.0.0"}}})";
  RepoSettings settings = settings_for_path(dir);
  settings.npm_audit_timeout_s = 30;
  const AuditReports audits = load_audit_reports(settings);
  EXPECT_TRUE(audits.ran_npm_audit);
  CollectingSink sink;
  check_dependency_audit(settings, audits, sink);
  ASSERT_EQ(sink.results.size(), 1u);
  const auto& result = sink.results[0];
  // Either npm answered (an empty lockfile has no advisories) or its failure is an error, never a pass.
  if (audits.npm_audit_error.empty()) {
    EXPECT_EQ(result.status, core::CheckStatus::kPass) << result.message;
    ASSERT_EQ(audits.reports.size(), 1u);
    EXPECT_EQ(audits.reports[0].format, "npm-audit-v2");
  } else {
    EXPECT_EQ(result.status, core::CheckStatus::kError);
    EXPECT_EQ(result.message.rfind("npm", 0), 0u) << result.message;
  }
}

TEST(SecretRules, WebhookSecretsOnlyWhenAsked) {
  const std::string text = "const secret = \"whsec_" + std::string(32, 'A') + "\";\n";
  EXPECT_TRUE(target::scan_for_secrets(text).empty()) << "the served-page scan keeps its three rules";
  const auto findings = target::scan_for_secrets(text, target::SecretRules{.webhook_secrets = true});
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].kind, target::SecretKind::kStripeWebhookSecret);
  EXPECT_EQ(findings[0].redacted, "whsec_\u2026");
  EXPECT_EQ(findings[0].length, 38u);
}

TEST(PrismaSchema, ReadsTheAppSchema) {
  std::ifstream in(GOLIVE_SOURCE_DIR "/fixtures/app-repo/prisma/schema.prisma");
  std::stringstream text;
  text << in.rdbuf();
  const PrismaSchema schema = parse_prisma_schema("prisma/schema.prisma", text.str());
  EXPECT_EQ(schema.models.size(), 19u);
  const PrismaModel* allocation = schema.model("Allocation");
  ASSERT_NE(allocation, nullptr);
  EXPECT_EQ(allocation->table, "allocations");
  const PrismaField* topic = allocation->field("topic");
  ASSERT_NE(topic, nullptr);
  EXPECT_FALSE(schema.is_scalar(topic->type));
  EXPECT_EQ(topic->relation_fields, (std::vector<std::string>{"topicId", "courseId"}));
  EXPECT_EQ(topic->relation_references, (std::vector<std::string>{"id", "courseId"}));
  const PrismaField* starts = allocation->field("startsAt");
  ASSERT_NE(starts, nullptr);
  EXPECT_EQ(starts->column, "starts_at");
  EXPECT_EQ(postgres_types_for(*starts, schema), (std::set<std::string>{"timestamp with time zone"}));
  EXPECT_EQ(allocation->id_fields, (std::vector<std::string>{"id"}));
}

TEST(PrismaSchema, BlockAttributesEnumsAndBadInput) {
  const PrismaSchema schema = parse_prisma_schema("s.prisma", R"(
// comment
enum Plan {
  FREE
  PRO
}
model Member {
  orgId  String @map("org_id") // trailing comment with @id in it
  userId String @map("user_id")
  plan   Plan   @default(FREE)
  tags   String[]
  @@id([orgId, userId])
  @@unique([userId, plan])
  @@index([plan(sort: Desc)], map: "members_plan_idx")
  @@map("members")
}
)");
  const PrismaModel* member = schema.model("Member");
  ASSERT_NE(member, nullptr);
  EXPECT_EQ(member->id_fields, (std::vector<std::string>{"orgId", "userId"}));
  ASSERT_EQ(member->uniques.size(), 1u);
  ASSERT_EQ(member->indexes.size(), 1u);
  EXPECT_EQ(member->indexes[0].fields, (std::vector<std::string>{"plan"}));
  EXPECT_FALSE(member->field("orgId")->id) << "an @id inside a comment is not an attribute";
  EXPECT_EQ(postgres_types_for(*member->field("plan"), schema), (std::set<std::string>{"USER-DEFINED"}));
  EXPECT_TRUE(member->field("tags")->list);
  try {
    parse_prisma_schema("prisma/schema.prisma", "model A {\n  id Int @id\n  ???\n}\n");
    FAIL() << "no InputError";
  } catch (const core::InputError& e) {
    EXPECT_EQ(e.location(), "line 3");
  }
  EXPECT_THROW(parse_prisma_schema("s.prisma", "model A {\n  id Int @id\n"), core::InputError);
}

}  // namespace
}  // namespace golive::repo
