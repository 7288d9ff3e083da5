// sarif.json against the official SARIF 2.1.0 JSON schema (vendored in
// tests/data/sarif/, see SOURCE.md there), validated with valijson through
// the contract suite's JsonSchemaValidator; stable rule ids, levels from
// severity, physical and logical locations; a golden file per stream
// (GOLIVE_UPDATE_GOLDEN=1 rewrites it).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "contract/json_schema_validator.hpp"
#include "core/result_stream.hpp"
#include "reports/render_all.hpp"
#include "reports/sarif_reporter.hpp"

namespace golive::report {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kData = fs::path(GOLIVE_TEST_DATA);
const fs::path kGolden = kData.parent_path() / "golden";

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

const contract::JsonSchemaValidator& sarif_schema() {
  static const contract::JsonSchemaValidator schema(
      json::parse(read_file(kData / "sarif" / "sarif-schema-2.1.0.json")), "sarif-schema-2.1.0.json");
  return schema;
}

std::string violations_of(const json& document) {
  std::string out;
  for (const auto& v : sarif_schema().validate(document)) out += v.pointer + " " + v.keyword + ": " + v.message + "\n";
  return out;
}

RenderOptions options_with_registry() {
  RenderOptions options;
  // As run/check_registry.cpp declares them (the static lint and probe templates).
  options.check_id_templates = {"security.rls.cross_user_select.{schema}.{table}",
                                "security.rls.static.{lint}.{schema}.{table}",
                                "security.rls.static.rls_enabled.{schema}.{table}",
                                "security.headers.csp", "repo.workflows.{rule}"};
  options.object_locations["public.admin_overrides"] = {"fixtures/migrations/0004_rls_policies.up.sql", 40};
  return options;
}

ReportModel model_of(const std::string& stream, const RenderOptions& options) {
  core::Redactor redactor;
  redactor.add_secret("sk_test_SECRETVALUE123");
  RenderOptions with_redactor = options;
  with_redactor.redactor = &redactor;
  return build_report_model(core::read_result_stream((kData / "results" / (stream + ".jsonl")).string()),
                            with_redactor);
}

core::CheckResult check(const std::string& id, const std::string& suite, core::CheckStatus status,
                        core::Severity severity, json evidence) {
  core::CheckResult result;
  result.id = id;
  result.suite = suite;
  result.title = "title of " + id;
  result.status = status;
  result.severity = severity;
  result.message = "message of " + id;
  result.evidence = std::move(evidence);
  return result;
}

TEST(SarifSchema, TheVendoredSchemaRejectsWhatItMust) {
  // The validator is only a judge if it can say no.
  EXPECT_NE(violations_of(json{{"version", "2.1.0"}}), "");  // no runs
  EXPECT_NE(violations_of(json{{"version", "2.0.0"}, {"runs", json::array()}}), "");
  json bad_level = json::parse(render_sarif(model_of("failing_run_with_load", options_with_registry()),
                                            options_with_registry()));
  bad_level["runs"][0]["results"][0]["level"] = "fatal";
  EXPECT_NE(violations_of(bad_level), "");
}

class SarifStream : public ::testing::TestWithParam<std::string> {};

TEST_P(SarifStream, ValidatesAgainstTheOfficialSchemaAndMatchesItsGolden) {
  const RenderOptions options = options_with_registry();
  const std::string text = render_sarif(model_of(GetParam(), options), options);
  EXPECT_EQ(violations_of(json::parse(text)), "");
  EXPECT_EQ(text.find("sk_test_SECRETVALUE123"), std::string::npos);
  const fs::path golden = kGolden / GetParam() / "sarif.json";
  const char* update = std::getenv("GOLIVE_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream(golden, std::ios::binary) << text;
    return;
  }
  EXPECT_EQ(read_file(golden), text) << golden << " differs (GOLIVE_UPDATE_GOLDEN=1 accepts the new output)";
}

INSTANTIATE_TEST_SUITE_P(Streams, SarifStream,
                         ::testing::Values("passing_run", "failing_run_with_load", "interrupted_run"));

TEST(SarifReporter, RulesLevelsAndLocationsOfAFailingRun) {
  const RenderOptions options = options_with_registry();
  const json log = json::parse(render_sarif(model_of("failing_run_with_load", options), options));
  const json& run = log["runs"][0];
  ASSERT_EQ(run["results"].size(), 2u) << "the failed RLS probe and the CSP rule; passes are not results";
  // Results follow the checks' (suite, id) order.
  const json& csp = run["results"][0];
  const json& rls = run["results"][1];
  EXPECT_EQ(rls["ruleId"], "security.rls.cross_user_select");
  EXPECT_EQ(rls["level"], "error");  // critical
  EXPECT_EQ(rls["partialFingerprints"]["goliveCheckId/v1"], "security.rls.cross_user_select.public.admin_overrides");
  const json& where = rls["locations"][0];
  EXPECT_EQ(where["physicalLocation"]["artifactLocation"]["uri"], "fixtures/migrations/0004_rls_policies.up.sql");
  EXPECT_EQ(where["physicalLocation"]["region"]["startLine"], 40);
  EXPECT_EQ(where["logicalLocations"][0]["fullyQualifiedName"], "public.admin_overrides");
  EXPECT_EQ(csp["ruleId"], "security.headers.csp");
  EXPECT_EQ(csp["level"], "warning");  // medium
  EXPECT_FALSE(csp["locations"][0].contains("physicalLocation"));
  // Each result's rule is declared, with help text and a security-severity band.
  const json& rules = run["tool"]["driver"]["rules"];
  ASSERT_EQ(rules.size(), 2u);
  for (const auto& result : run["results"]) {
    const json& rule = rules[result["ruleIndex"].get<std::size_t>()];
    EXPECT_EQ(rule["id"], result["ruleId"]);
    EXPECT_FALSE(rule["help"]["text"].get<std::string>().empty());
  }
  // Rules are sorted by id: the CSP rule (medium) before the RLS probe (critical).
  EXPECT_EQ(rules[0]["properties"]["security-severity"], "5.5");
  EXPECT_EQ(rules[1]["properties"]["security-severity"], "9.5");
}

TEST(SarifReporter, RuleIdsAreTheMostSpecificTemplateWithoutTrailingPlaceholders) {
  const std::vector<std::string> templates = {"security.rls.static.{lint}.{schema}.{table}",
                                              "security.rls.static.rls_enabled.{schema}.{table}"};
  EXPECT_EQ(sarif_rule_id("security.rls.static.rls_enabled.public.topics", templates),
            "security.rls.static.rls_enabled");
  EXPECT_EQ(sarif_rule_id("security.rls.static.other.public.topics", templates), "security.rls.static");
  EXPECT_EQ(sarif_rule_id("e2e.unknown.check", templates), "e2e.unknown.check");
}

TEST(SarifReporter, RepositoryFindingsPointAtTheirFileAndLineAndUrlsAreLogical) {
  ReportModel model;
  model.checks.push_back(check("repo.workflows.no_literal_secret", "repo", core::CheckStatus::kFail,
                               core::Severity::kHigh,
                               {{"findings", json::array({{{"file", ".github/workflows/deploy.yml"}, {"line", 12}}})}}));
  model.checks.push_back(check("security.secrets.bundle.stripe_live_key", "security", core::CheckStatus::kError,
                               core::Severity::kLow, {{"url", "http://127.0.0.1:8080/assets/app.js"}}));
  model.checks.push_back(check("e2e.signup", "e2e", core::CheckStatus::kFail, core::Severity::kHigh, json::object()));
  const json log = json::parse(render_sarif(model, options_with_registry()));
  EXPECT_EQ(violations_of(log), "");
  const json& results = log["runs"][0]["results"];
  ASSERT_EQ(results.size(), 2u) << "e2e failures are not code-scanning findings";
  EXPECT_EQ(results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], ".github/workflows/deploy.yml");
  EXPECT_EQ(results[0]["locations"][0]["physicalLocation"]["region"]["startLine"], 12);
  EXPECT_EQ(results[1]["level"], "note");
  EXPECT_EQ(results[1]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
            "http://127.0.0.1:8080/assets/app.js");
}

TEST(SarifReporter, RenderAllWritesSarifOnlyForRunsWithSecurityOrRepositoryChecks) {
  const fs::path dir = fs::temp_directory_path() / ("golive_sarif_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const RenderOptions options = options_with_registry();
  render_all(model_of("failing_run_with_load", options), options, (dir / "a").string());
  EXPECT_TRUE(fs::exists(dir / "a" / kSarifFile));
  ReportModel e2e_only;
  e2e_only.checks.push_back(check("e2e.signup", "e2e", core::CheckStatus::kPass, core::Severity::kHigh, json::object()));
  render_all(e2e_only, options, (dir / "b").string());
  EXPECT_FALSE(fs::exists(dir / "b" / kSarifFile));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace golive::report
