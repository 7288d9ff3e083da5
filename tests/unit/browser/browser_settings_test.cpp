// The frontend section's reader: defaults (the page list, the common
// analytics hosts), overrides, and bad input naming the file and JSON pointer.
#include <gtest/gtest.h>

#include "browser/browser_settings.hpp"
#include "browser/chromium_process.hpp"
#include "config/environment.hpp"
#include "core/input_error.hpp"

namespace {

golive::config::Environment env_with(const nlohmann::json* frontend) {
  golive::config::Environment env;
  env.source_file = "envs/staging.json";
  env.base_url = "https://staging.example.test";
  if (frontend != nullptr) env.sections["frontend"] = *frontend;
  return env;
}

std::string error_of(const nlohmann::json& frontend) {
  try {
    golive::browser::read_browser_settings(env_with(&frontend));
  } catch (const golive::core::InputError& error) {
    return error.what();
  }
  return "";
}

TEST(BrowserSettings, DefaultsVisitTheLandingAndLegalPagesOfTheBaseUrl) {
  const auto settings = golive::browser::read_browser_settings(env_with(nullptr));
  EXPECT_TRUE(settings.enabled);
  EXPECT_EQ(settings.base_url, "https://staging.example.test");
  ASSERT_EQ(settings.pages.size(), 4u);
  EXPECT_EQ(settings.pages[0], (std::pair<std::string, std::string>{"landing", "/"}));
  EXPECT_EQ(settings.page_path("terms"), "/terms");
  EXPECT_EQ(settings.page_path("privacy"), "/privacy");
  EXPECT_EQ(settings.page_path("signup"), "/signup");
  EXPECT_EQ(settings.url("/terms"), "https://staging.example.test/terms");
  EXPECT_EQ(settings.url("http://other.test/x"), "http://other.test/x");
  EXPECT_EQ(settings.url("chrome://crash"), "chrome://crash");
  EXPECT_EQ(settings.url("/go?to=http://x.test/"), "https://staging.example.test/go?to=http://x.test/");
  EXPECT_EQ(settings.consent.banner, "#cookie-consent");
  EXPECT_TRUE(settings.empty_state_path.empty());
  EXPECT_NE(std::find(settings.analytics_hosts.begin(), settings.analytics_hosts.end(), "www.google-analytics.com"),
            settings.analytics_hosts.end());
}

TEST(BrowserSettings, OverridesReplaceAddAndSwitchOffPages) {
  const nlohmann::json frontend = {
      {"base_url", "https://app.example.test/"},
      {"pages", {{"landing", "/home"}, {"signup", ""}, {"pricing", "/pricing"}}},
      {"consent", {{"banner", "#cc"}, {"reject", "#cc .no"}}},
      {"analytics_hosts", {"Stats.Example.TEST."}},
      {"empty_state", {{"path", "/app"}, {"text", "Add a course"}}},
      {"budget_ms", {{"load", 0}}},
      {"enabled", "true"}};
  const auto settings = golive::browser::read_browser_settings(env_with(&frontend));
  EXPECT_EQ(settings.base_url, "https://app.example.test");
  EXPECT_EQ(settings.page_path("landing"), "/home");
  EXPECT_EQ(settings.page_path("signup"), "");
  EXPECT_EQ(settings.page_path("pricing"), "/pricing");
  EXPECT_EQ(settings.consent.banner, "#cc");
  EXPECT_EQ(settings.consent.accept, "#cookie-accept");
  EXPECT_EQ(settings.analytics_hosts, std::vector<std::string>{"stats.example.test"});
  EXPECT_EQ(settings.empty_state_text, "Add a course");
  EXPECT_EQ(settings.budget_load_ms, 0);
  EXPECT_EQ(settings.budget_lcp_ms, 4000);
}

TEST(BrowserSettings, BadInputNamesTheFileAndThePointer) {
  EXPECT_NE(error_of({{"pagess", {}}}).find("envs/staging.json"), std::string::npos);
  EXPECT_NE(error_of({{"pagess", {}}}).find("pagess"), std::string::npos);
  EXPECT_NE(error_of({{"base_url", "ftp://x"}}).find("/frontend/base_url"), std::string::npos);
  EXPECT_NE(error_of({{"page_timeout_ms", 0}}).find("/frontend/page_timeout_ms"), std::string::npos);
  EXPECT_NE(error_of({{"enabled", "maybe"}}).find("/frontend/enabled"), std::string::npos);
  EXPECT_NE(error_of({{"consent", {{"accept", 3}}}}).find("/frontend/consent/accept"), std::string::npos);
  EXPECT_NE(error_of({{"pages", {{"terms", 1}}}}).find("/frontend/pages/terms"), std::string::npos);
}

TEST(BrowserSettings, TheSignInStepIsOffUntilItsPageIsNamedAndKeepsItsSelectors) {
  const auto plain = golive::browser::read_browser_settings(env_with(nullptr));
  EXPECT_TRUE(plain.sign_in.path.empty());
  EXPECT_EQ(plain.signed_in.portal_endpoint, "/functions/v1/billing-portal");
  const nlohmann::json frontend = {
      {"sign_in", {{"path", "/login"}, {"submit", "button[type=submit]"}, {"after_path", "/app"}}},
      {"signed_in", {{"portal_button", "#billing"}, {"lazy_resource", "/assets/calendar"}}}};
  const auto settings = golive::browser::read_browser_settings(env_with(&frontend));
  EXPECT_EQ(settings.sign_in.path, "/login");
  EXPECT_EQ(settings.sign_in.submit, "button[type=submit]");
  EXPECT_EQ(settings.sign_in.email, "#signin-email");  // the default kept
  EXPECT_EQ(settings.sign_in.after_path, "/app");
  EXPECT_EQ(settings.signed_in.portal_button, "#billing");
  EXPECT_EQ(settings.signed_in.lazy_resource, "/assets/calendar");
  EXPECT_EQ(settings.signed_in.pending_trigger, "#start-extraction");
  EXPECT_NE(error_of({{"sign_in", {{"paht", "/login"}}}}).find("paht"), std::string::npos);
  EXPECT_NE(error_of({{"signed_in", {{"portal_button", 7}}}}).find("/frontend/signed_in/portal_button"),
            std::string::npos);
  EXPECT_NE(error_of({{"sign_in", "/login"}}).find("/frontend/sign_in"), std::string::npos);
}

TEST(BrowserSettings, TheFrontendSentryDsnIsOptionalAndMustBeAnHttpDsn) {
  const auto plain = golive::browser::read_browser_settings(env_with(nullptr));
  EXPECT_TRUE(plain.sentry.dsn.empty());
  EXPECT_EQ(plain.sentry.timeout_ms, 10000);
  const nlohmann::json frontend = {{"sentry", {{"dsn", "https://abc@o1.ingest.sentry.io/42"}, {"timeout_ms", 3000}}}};
  const auto settings = golive::browser::read_browser_settings(env_with(&frontend));
  EXPECT_EQ(settings.sentry.dsn, "https://abc@o1.ingest.sentry.io/42");
  EXPECT_EQ(settings.sentry.timeout_ms, 3000);
  EXPECT_NE(error_of({{"sentry", {{"dsn", "abc@sentry.io/42"}}}}).find("/frontend/sentry/dsn"), std::string::npos);
  EXPECT_NE(error_of({{"sentry", {{"timeout_ms", 0}}}}).find("/frontend/sentry/timeout_ms"), std::string::npos);
  EXPECT_NE(error_of({{"sentry", {{"dns", "x"}}}}).find("dns"), std::string::npos);
}

TEST(ChromiumProcess, AMissingExecutableIsAnErrorNamingTheDebianPackage) {
  auto browser = golive::browser::ChromiumProcess::start({"/nonexistent/chromium"}, std::chrono::seconds(1));
  EXPECT_FALSE(browser.ok());
  EXPECT_TRUE(browser.missing());
  EXPECT_NE(browser.error().find("Debian package chromium"), std::string::npos) << browser.error();
}

}  // namespace
