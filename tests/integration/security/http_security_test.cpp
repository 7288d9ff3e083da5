// The HTTP families of the security suite against the real reference target:
// the clean target gives zero failures, and each seeded defect of the HTTP families
// that these families own makes its intended check fail.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>

#include "config/environment.hpp"
#include "core/result_stream.hpp"
#include "security/http_security_suite.hpp"
#include "tests/support/curl_reproduction.hpp"
#include "tests/support/reference_env.hpp"

namespace golive::security {
namespace {

testing::ReferenceEnv& target() {
  // The rate-limit probe needs the service's real limits (10 signups per
  // minute per IP), not the raised ones other suites ask for.
  ::unsetenv("GOLIVE_REF_RATE_LIMIT_PER_MINUTE");
  ::unsetenv("GOLIVE_REF_ACCOUNT_RATE_LIMIT_PER_MINUTE");
  ::unsetenv("GOLIVE_REF_CAPTCHA_REQUIRED");
  return testing::shared_reference_env();
}

std::map<std::string, core::CheckResult> run_families(std::set<std::string> families) {
  core::Redactor redactor;
  const config::Environment env =
      config::load_environment(target().write_env_file(), config::process_variables(), redactor);
  core::CollectingSink sink;
  HttpSecurityOptions options;
  options.families = std::move(families);
  run_http_security_suite(env, options, sink);
  std::map<std::string, core::CheckResult> checks;
  for (const auto& check : sink.results()) checks[check.id] = check;
  return checks;
}

std::string failures(const std::map<std::string, core::CheckResult>& checks) {
  std::string text;
  for (const auto& [id, check] : checks) {
    if (check.failed()) text += id + ": " + check.message + "\n";
  }
  return text;
}

void expect_failed(const std::map<std::string, core::CheckResult>& checks, const std::string& id) {
  const auto it = checks.find(id);
  ASSERT_NE(it, checks.end()) << id << " was not recorded";
  EXPECT_EQ(it->second.status, core::CheckStatus::kFail) << id << ": " << it->second.message;
}

// Runs first: a fresh service, so the rate-limit buckets are full.
TEST(HttpSecurityIntegrationTest, CleanTargetHasZeroFailures) {
  target().restart_service({});
  const auto checks = run_families({});
  EXPECT_EQ(failures(checks), "");
  for (const char* id :
       {"security.headers.csp", "security.headers.hsts", "security.headers.x_frame_options",
        "security.headers.x_content_type_options", "security.headers.referrer_policy",
        "security.headers.permissions_policy", "security.headers.server_version_leak",
        "security.headers.score", "security.cors.reflect_origin", "security.cors.null_origin",
        "security.jwt.alg_none", "security.jwt.wrong_key", "security.jwt.expired",
        "security.jwt.service_role_forged", "security.jwt.service_role_real_secret",
        "security.jwt.deleted_user", "security.authz.no_token",
        "security.authz.rest_read_other_user", "security.authz.rest_update_other_user",
        "security.authz.rest_delete_other_user", "security.authz.function_export",
        "security.ratelimit.signup", "security.ratelimit.token"}) {
    const auto it = checks.find(id);
    ASSERT_NE(it, checks.end()) << id << " was not recorded";
    EXPECT_EQ(it->second.status, core::CheckStatus::kPass) << id << ": " << it->second.message;
  }
  EXPECT_EQ(checks.at("security.headers.score").evidence.at("score"), 100);
  EXPECT_EQ(checks.at("security.headers.csp").evidence.at("zap_rule"), "10038");
  EXPECT_EQ(checks.at("security.cors.reflect_origin").evidence.at("zap_rule"), "40040");
  // The service allows 10 signups per minute per IP; authz spent 3 of them.
  const int first_429 = checks.at("security.ratelimit.signup").evidence.at("first_429_at");
  EXPECT_GE(first_429, 2);
  EXPECT_LE(first_429, 11);
  EXPECT_EQ(checks.at("security.ratelimit.signup").evidence.at("accounts_created"), 0);
}

TEST(HttpSecurityIntegrationTest, MissingSecurityHeadersFailTheHeaderChecks) {
  target().restart_service({"missing-security-headers"});
  const auto checks = run_families({"headers"});
  for (const char* id : {"security.headers.csp", "security.headers.hsts",
                         "security.headers.x_frame_options",
                         "security.headers.x_content_type_options",
                         "security.headers.referrer_policy",
                         "security.headers.permissions_policy", "security.headers.score"}) {
    expect_failed(checks, id);
  }
  EXPECT_LT(checks.at("security.headers.score").evidence.at("score").get<int>(), 70);
  EXPECT_EQ(checks.at("security.cors.reflect_origin").status, core::CheckStatus::kPass);
}

TEST(HttpSecurityIntegrationTest, CorsReflectingAnyOriginFailsTheCorsChecks) {
  target().restart_service({"cors-reflect-any-origin"});
  const auto checks = run_families({"cors"});
  expect_failed(checks, "security.cors.reflect_origin");
  expect_failed(checks, "security.cors.null_origin");
  EXPECT_EQ(checks.count("security.headers.csp"), 0u);  // cors alone
}

TEST(HttpSecurityIntegrationTest, AcceptingAlgNoneFailsTheAlgNoneCheck) {
  target().restart_service({"jwt-accept-none"});
  const auto checks = run_families({"authz"});
  expect_failed(checks, "security.jwt.alg_none");
  EXPECT_EQ(checks.at("security.jwt.expired").status, core::CheckStatus::kPass);
  EXPECT_EQ(checks.at("security.authz.rest_read_other_user").status, core::CheckStatus::kPass);
}

TEST(HttpSecurityIntegrationTest, IgnoringExpiryFailsTheExpiredCheck) {
  target().restart_service({"jwt-ignore-expiry"});
  const auto checks = run_families({"authz"});
  expect_failed(checks, "security.jwt.expired");
  EXPECT_EQ(checks.at("security.jwt.alg_none").status, core::CheckStatus::kPass);
}

// Captcha on (as the embedded golive run target has it): a signup without a
// token is refused; with captcha-not-enforced it succeeds and the check fails.
TEST(HttpSecurityIntegrationTest, CaptchaIsEnforcedAndItsDefectIsCaught) {
  target().restart_service({}, /*captcha_required=*/true);
  auto checks = run_families({"ratelimit"});
  ASSERT_TRUE(checks.count("security.authz.captcha_signup"));
  for (const char* id : {"security.authz.captcha_signup", "security.authz.captcha_login"}) {
    ASSERT_TRUE(checks.count(id)) << id;
    EXPECT_EQ(checks.at(id).status, core::CheckStatus::kPass) << id << ": " << checks.at(id).message;
  }
  target().restart_service({"captcha-not-enforced"}, /*captcha_required=*/true);
  checks = run_families({"ratelimit"});
  expect_failed(checks, "security.authz.captcha_signup");
  expect_failed(checks, "security.authz.captcha_login");
  target().restart_service({});
  checks = run_families({"ratelimit"});
  EXPECT_EQ(checks.at("security.authz.captcha_signup").status, core::CheckStatus::kSkip);
  EXPECT_EQ(checks.at("security.authz.captcha_login").status, core::CheckStatus::kSkip);
}

TEST(HttpSecurityIntegrationTest, NoRateLimitFailsBothBursts) {
  target().restart_service({"no-rate-limit"});
  const auto checks = run_families({"ratelimit"});
  expect_failed(checks, "security.ratelimit.signup");
  expect_failed(checks, "security.ratelimit.token");
  // The bursts are bounded and create no accounts.
  EXPECT_LE(checks.at("security.ratelimit.signup").evidence.at("requests_sent").get<int>(), 60);
  EXPECT_EQ(checks.at("security.ratelimit.signup").evidence.at("accounts_created"), 0);
  // Each burst's failure carries one of its requests as curl (anon key as a variable).
  for (const auto& [id, path] : std::map<std::string, std::string>{
           {"security.ratelimit.signup", "/auth/v1/signup"},
           {"security.ratelimit.token", "/auth/v1/token"}}) {
    std::string problems;
    const auto curl = testing::parse_curl_reproduction(
        checks.at(id).evidence, "POST", target().base_url() + path,
        testing::reference_secret_values(target()), &problems);
    EXPECT_EQ(problems, "") << id;
    ASSERT_TRUE(curl) << id;
    EXPECT_EQ(curl->header("apikey"), "${GOLIVE_REF_ANON_KEY}") << id;
    EXPECT_EQ(curl->header("Content-Type"), "application/json") << id;
    EXPECT_TRUE(nlohmann::json::parse(curl->body).contains("email")) << curl->body;
  }
}

}  // namespace
}  // namespace golive::security
