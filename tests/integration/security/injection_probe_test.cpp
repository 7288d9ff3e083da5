// The injection family against the real reference target: the clean target
// has zero injection findings; `sqli-search` fails the SQL injection check of
// the REST search parameter (and only it); `xss-unsanitized` fails the three
// stored-XSS checks. One defect at a time (ReferenceEnv::restart_service).
#include <gtest/gtest.h>

#include <chrono>
#include <map>

#include "config/environment.hpp"
#include "core/result_stream.hpp"
#include "security/http_security_suite.hpp"
#include "tests/support/curl_reproduction.hpp"
#include "tests/support/reference_env.hpp"

namespace golive::security {
namespace {

struct FamilyRun {
  std::map<std::string, core::CheckResult> checks;
  double seconds = 0;  // wall time of the family
};

FamilyRun run_injection() {
  core::Redactor redactor;
  auto& target = testing::shared_reference_env();
  const config::Environment env =
      config::load_environment(target.write_env_file(), config::process_variables(), redactor);
  core::CollectingSink sink;
  HttpSecurityOptions options;
  options.families = {"injection"};
  const auto started = std::chrono::steady_clock::now();
  run_http_security_suite(env, options, sink);
  FamilyRun run;
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  for (const auto& check : sink.results()) run.checks[check.id] = check;
  return run;
}

const core::CheckResult& check(const FamilyRun& run, const std::string& id) {
  const auto it = run.checks.find(id);
  if (it == run.checks.end()) throw std::runtime_error(id + " was not recorded");
  return it->second;
}

const std::vector<std::string> kAllChecks = {
    "security.injection.sqli.courses.search",    "security.injection.sqli.courses.title_eq",
    "security.injection.sqli.redeem_token.code", "security.injection.xss_stored.rest",
    "security.injection.xss_stored.html",        "security.injection.xss_stored.export",
    "security.injection.prompt_canary",          "security.injection.prompt_system_leak",
    "security.injection.oversize_ai_input"};

TEST(InjectionProbeIntegrationTest, CleanTargetHasZeroInjectionFindings) {
  testing::shared_reference_env().restart_service({});
  const FamilyRun run = run_injection();
  for (const auto& [id, result] : run.checks) {
    EXPECT_FALSE(result.failed()) << id << ": " << result.message << "\n" << result.evidence.dump();
  }
  for (const auto& id : kAllChecks) {
    EXPECT_EQ(check(run, id).status, core::CheckStatus::kPass)
        << id << ": " << check(run, id).message;
  }
  // No cleanup problem, no budget exhaustion.
  EXPECT_EQ(run.checks.count("security.injection.cleanup"), 0u);
  EXPECT_EQ(run.checks.count("security.injection.setup"), 0u);
  // The reference target truncates over-long AI input to its 16000-char limit.
  EXPECT_EQ(check(run, "security.injection.oversize_ai_input").evidence.at("reported_truncation"),
            true);
  // Bounded: the sleep payload runs once per target (no delay on a clean target).
  const auto& search = check(run, "security.injection.sqli.courses.search");
  EXPECT_LE(search.evidence.at("requests").get<int>(), 11);
  EXPECT_LT(run.seconds, 60.0);
}

TEST(InjectionProbeIntegrationTest, SqliSearchDefectFailsTheSearchCheck) {
  testing::shared_reference_env().restart_service({"sqli-search"});
  const FamilyRun run = run_injection();
  const auto& search = check(run, "security.injection.sqli.courses.search");
  ASSERT_EQ(search.status, core::CheckStatus::kFail) << search.message;
  const auto& findings = search.evidence.at("findings");
  // Every technique sees it: the parse error, the true/false difference and pg_sleep.
  ASSERT_TRUE(findings.contains("error")) << findings.dump();
  EXPECT_EQ(findings.at("error").at("status"), 400);
  EXPECT_EQ(findings.at("error").at("signal"), "42601");
  EXPECT_EQ(findings.at("error").at("payload").get<std::string>().back(), '\'');
  ASSERT_TRUE(findings.contains("boolean")) << findings.dump();
  EXPECT_EQ(findings.at("boolean").at("false").at("status"), 200);
  ASSERT_TRUE(findings.contains("time")) << findings.dump();
  for (const auto& delay : findings.at("time").at("delays_ms")) EXPECT_GE(delay.get<long>(), 1600);
  EXPECT_EQ(search.evidence.at("target").at("param"), "search");
  // The failing check carries the request of its first finding (the parse
  // error) as curl, the anon key and the user's token as variables.
  auto& target = testing::shared_reference_env();
  std::string problems;
  const auto curl = testing::parse_curl_reproduction(
      search.evidence, "GET", target.base_url() + "/rest/v1/courses?",
      testing::reference_secret_values(target), &problems);
  EXPECT_EQ(problems, "");
  ASSERT_TRUE(curl);
  EXPECT_NE(curl->url.find("search="), std::string::npos) << curl->url;
  EXPECT_EQ(curl->header("apikey"), "${GOLIVE_REF_ANON_KEY}");
  EXPECT_EQ(curl->header("Authorization"), "Bearer ${GOLIVE_TOKEN}");
  EXPECT_FALSE(check(run, "security.injection.sqli.courses.title_eq").evidence.contains("reproduction"));
  // The parameterised injection points stay clean.
  EXPECT_EQ(check(run, "security.injection.sqli.courses.title_eq").status,
            core::CheckStatus::kPass);
  EXPECT_EQ(check(run, "security.injection.sqli.redeem_token.code").status,
            core::CheckStatus::kPass);
  EXPECT_EQ(check(run, "security.injection.xss_stored.rest").status, core::CheckStatus::kPass);
  EXPECT_EQ(run.checks.count("security.injection.cleanup"), 0u);
}

TEST(InjectionProbeIntegrationTest, XssUnsanitizedDefectFailsTheStoredXssChecks) {
  testing::shared_reference_env().restart_service({"xss-unsanitized"});
  const FamilyRun run = run_injection();
  for (const char* id : {"security.injection.xss_stored.rest", "security.injection.xss_stored.html",
                         "security.injection.xss_stored.export"}) {
    EXPECT_EQ(check(run, id).status, core::CheckStatus::kFail)
        << id << ": " << check(run, id).message;
  }
  // The print page shows every course payload raw, the quote breaker included
  // (it does not show the display name).
  const auto& html_fields =
      check(run, "security.injection.xss_stored.html").evidence.at("raw_fields");
  EXPECT_EQ(html_fields.size(), 4u) << html_fields.dump();
  EXPECT_NE(html_fields.dump().find("inputs.content"), std::string::npos);
  EXPECT_EQ(check(run, "security.injection.xss_stored.rest").evidence.at("raw_fields").size(), 4u);
  // Each failing channel carries the read that returned the markup as curl.
  auto& target = testing::shared_reference_env();
  const std::map<std::string, std::string> reads = {
      {"security.injection.xss_stored.rest", "/rest/v1/"},
      {"security.injection.xss_stored.html", "/functions/v1/courses/"},
      {"security.injection.xss_stored.export", "/functions/v1/export"}};
  for (const auto& [id, path] : reads) {
    std::string problems;
    const auto curl = testing::parse_curl_reproduction(
        check(run, id).evidence, "GET", target.base_url() + path,
        testing::reference_secret_values(target), &problems);
    EXPECT_EQ(problems, "") << id;
    ASSERT_TRUE(curl) << id;
    EXPECT_EQ(curl->header("apikey"), "${GOLIVE_REF_ANON_KEY}") << id;
    EXPECT_EQ(curl->header("Authorization"), "Bearer ${GOLIVE_TOKEN}") << id;
  }
  EXPECT_EQ(check(run, "security.injection.sqli.courses.search").status, core::CheckStatus::kPass);
  EXPECT_EQ(run.checks.count("security.injection.cleanup"), 0u);
  testing::shared_reference_env().restart_service({});
}

}  // namespace
}  // namespace golive::security
