// Pure helpers of the header probe and the suite's settings reader.
#include <gtest/gtest.h>

#include "config/environment.hpp"
#include "core/input_error.hpp"
#include "security/header_probe.hpp"
#include "security/http_probe_support.hpp"

namespace golive::security {
namespace {

TEST(CspDirective, FindsDirectivesCaseInsensitively) {
  const std::string policy = "default-src 'self'; Script-Src 'self' 'unsafe-inline'; upgrade-insecure-requests";
  EXPECT_EQ(csp_directive(policy, "script-src"), "'self' 'unsafe-inline'");
  EXPECT_EQ(csp_directive(policy, "default-src"), "'self'");
  EXPECT_EQ(csp_directive(policy, "frame-ancestors"), "");
  EXPECT_EQ(csp_directive(policy, "upgrade-insecure-requests"), "'none'");
}

TEST(HstsMaxAge, ParsesSecondsAndRejectsGarbage) {
  EXPECT_EQ(hsts_max_age("max-age=31536000; includeSubDomains"), 31536000);
  EXPECT_EQ(hsts_max_age("includeSubDomains; Max-Age=\"600\""), 600);
  EXPECT_EQ(hsts_max_age("includeSubDomains"), -1);
  EXPECT_EQ(hsts_max_age("max-age=abc"), -1);
}

TEST(ScoreCard, SubtractsPenaltiesAndClampsAtZero) {
  ScoreCard card;
  EXPECT_EQ(card.score(), 100);
  card.deduct("security.headers.csp", 25);
  EXPECT_EQ(card.score(), 75);
  card.deduct("security.cors.reflect_origin", 50);
  card.deduct("security.headers.hsts", 40);
  EXPECT_EQ(card.score(), 0);
}

config::Environment env_with_security(const nlohmann::json& section) {
  config::Environment env;
  env.source_file = "env.json";
  env.base_url = "http://127.0.0.1:1";
  env.sections["security"] = section;
  return env;
}

TEST(HttpSecuritySettings, DefaultsAndOverrides) {
  const auto defaults = read_http_security_settings(env_with_security(nlohmann::json::object()));
  EXPECT_EQ(defaults.max_requests_before_429, 30);
  EXPECT_EQ(defaults.burst, 60);
  // GoTrue's health endpoint and the public REST read: paths every Supabase project has.
  EXPECT_EQ(defaults.header_paths.size(), 2u);
  EXPECT_EQ(defaults.header_paths.front(), "/auth/v1/health");

  const auto custom = read_http_security_settings(env_with_security(
      {{"rls", {{"anything", 1}}},  // other families' keys are left alone
       {"rate_limit", {{"max_requests_before_429", 5}, {"burst", 3}}},
       {"headers", {{"paths", {"/"}}, {"min_score", 90}}}}));
  EXPECT_EQ(custom.max_requests_before_429, 5);
  EXPECT_EQ(custom.burst, 6);  // raised so the burst can reach the threshold
  EXPECT_EQ(custom.header_paths, std::vector<std::string>{"/"});
  EXPECT_EQ(custom.min_header_score, 90);
}

TEST(HttpSecuritySettings, BadValuesNameTheirPointer) {
  try {
    read_http_security_settings(
        env_with_security({{"rate_limit", {{"max_requests_before_429", 500}}}}));
    FAIL() << "expected an InputError";
  } catch (const core::InputError& error) {
    EXPECT_EQ(error.location(), "/security/rate_limit/max_requests_before_429");
  }
  EXPECT_THROW(read_http_security_settings(env_with_security({{"headers", {{"pathz", 1}}}})),
               core::InputError);
}

}  // namespace
}  // namespace golive::security
