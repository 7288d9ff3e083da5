// The browser suite with a real Chromium against the embedded reference
// target's frontend (/site): every check passes on the clean target, each
// frontend defect fails exactly its own checks, and bad input (a port that
// refuses, a page that never answers, a browser that dies, no browser at all)
// gives categorised `error` checks while the browser is always stopped and
// its profile removed.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <netinet/in.h>
#include <set>
#include <string>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

#include "browser/browser_suite.hpp"
#include "browser/chromium_process.hpp"
#include "config/environment.hpp"
#include "core/external_tool.hpp"
#include "core/redactor.hpp"
#include "core/result_stream.hpp"
#include "http/client_options.hpp"
#include "observability/sentry_sink.hpp"
#include "target/test_users.hpp"
#include "tests/support/reference_env.hpp"

namespace {

// The Sentry sink the target's DSN points at: started before the target and
// outliving it, as golive's own run does.
golive::observability::SentrySink& sentry_sink() {
  static golive::observability::SentrySink sink("127.0.0.1", 0, "9a1b2c3d4e5f60718293a4b5c6d7e8f9");
  return sink;
}

golive::testing::ReferenceEnv& shared_target() {
  golive::testing::ReferenceEnv::Options options;
  options.sentry_dsn = sentry_sink().dsn();
  return golive::testing::shared_reference_env(options);
}

// Sentry's browser SDK bundled by scripts/npm-deps; without it the embedded
// frontend carries no Sentry and browser.sentry.error_reported skips.
// GOLIVE_REF_SENTRY_BROWSER_BUNDLE (read by scripts/reference-env) names another file.
bool sentry_bundle_present() {
  const char* other = std::getenv("GOLIVE_REF_SENTRY_BROWSER_BUNDLE");
  return std::filesystem::exists(other != nullptr && *other != '\0'
                                     ? std::string(other)
                                     : std::string(GOLIVE_SOURCE_DIR "/tests/node/node_modules/.golive/sentry-browser.min.js"));
}

using golive::core::CheckResult;
using golive::core::CheckStatus;
using golive::testing::ReferenceEnv;

golive::config::Environment load(const ReferenceEnv& target, const std::function<void(nlohmann::json&)>& edit = {}) {
  std::string path = target.write_env_file();
  if (edit) {
    std::ifstream in(path);
    nlohmann::json doc = nlohmann::json::parse(in);
    edit(doc);
    path = target.state_dir() + "/env-browser.json";
    std::ofstream(path) << doc.dump(2);
  }
  static golive::core::Redactor redactor;
  return golive::config::load_environment(path, golive::config::process_variables(), redactor);
}

struct SuiteRun {
  std::map<std::string, CheckResult> checks;
  std::vector<nlohmann::json> meta;
};

struct RunSink : golive::core::ResultSink {
  void record(const CheckResult& check) override { result.checks[check.id] = check; }
  void record_meta(const std::string& kind, const nlohmann::json& fields) override {
    if (kind == "browser_pages") result.meta.push_back(fields);
  }
  SuiteRun result;
};

SuiteRun run(const golive::config::Environment& env, const std::string& screenshots = "") {
  RunSink sink;
  golive::browser::BrowserOptions options;
  options.screenshot_dir = screenshots;
  golive::browser::run_browser_suite(env, options, sink);
  return sink.result;
}

std::set<std::string> failed(const SuiteRun& run) {
  std::set<std::string> ids;
  for (const auto& [id, check] : run.checks) {
    if (check.failed()) ids.insert(id);
  }
  return ids;
}

std::string describe(const SuiteRun& run) {
  std::string text;
  for (const auto& [id, check] : run.checks) {
    text += id + " " + golive::core::to_string(check.status) + ": " + check.message + "\n";
  }
  return text;
}

// No Chromium of ours is left running and no profile directory is left behind.
std::size_t leftover_profiles() {
  std::size_t count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::temp_directory_path())) {
    if (entry.path().filename().string().rfind("golive-chromium-", 0) == 0) ++count;
  }
  return count;
}

TEST(BrowserSuite, EveryCheckPassesOnTheCleanFrontendWithScreenshots) {
  ReferenceEnv& target = shared_target();
  target.restart_service({});
  const std::size_t profiles_before = leftover_profiles();
  const std::string shots = target.state_dir() + "/browser-shots";
  std::filesystem::remove_all(shots);
  const std::size_t deliveries_before = sentry_sink().deliveries().size();
  const SuiteRun result = run(load(target), shots);
  EXPECT_EQ(result.checks.size(), 27u) << describe(result);
  for (const auto& [id, check] : result.checks) {
    if (id == "browser.sentry.error_reported" && !sentry_bundle_present()) {
      EXPECT_EQ(check.status, CheckStatus::kSkip) << check.message;
      EXPECT_NE(check.message.find("frontend.sentry.dsn"), std::string::npos) << check.message;
      continue;
    }
    EXPECT_EQ(check.status, CheckStatus::kPass) << id << ": " << check.message;
  }
  // The error thrown in the page was sent by Sentry's own browser SDK to the
  // DSN and the sink accepted it: an envelope with the marker and the
  // frontend's environment and release.
  if (sentry_bundle_present()) {
    const auto& sentry = result.checks.at("browser.sentry.error_reported");
    const std::string marker = sentry.evidence.value("marker", "");
    ASSERT_FALSE(marker.empty()) << sentry.evidence.dump();
    bool delivered = false;
    const auto deliveries = sentry_sink().deliveries();
    for (std::size_t i = deliveries_before; i < deliveries.size(); ++i) {
      const auto& delivery = deliveries[i];
      if (delivery.body.find(marker) == std::string::npos) continue;
      delivered = delivery.accepted() && delivery.endpoint == "envelope";
      ASSERT_FALSE(delivery.events.empty()) << delivery.body;
      EXPECT_EQ(delivery.events[0].value("environment", ""), "local") << delivery.body;
      EXPECT_EQ(delivery.events[0].value("release", ""), "golive-reference-target@1.0.0") << delivery.body;
      EXPECT_NE(delivery.body.find("\"name\":\"sentry.javascript.browser\""), std::string::npos) << delivery.body;
    }
    EXPECT_TRUE(delivered) << "no accepted envelope carries " << marker;
  }
  // Signed in as a fresh test user, deleted afterwards.
  const auto& sign_in = result.checks.at("browser.signed_in.sign_in");
  EXPECT_TRUE(sign_in.evidence.value("user_created_here", false)) << sign_in.evidence.dump();
  EXPECT_TRUE(sign_in.evidence.value("user_deleted", false)) << sign_in.evidence.dump();
  // The consent evidence: the analytics call is made after "accept" only, and
  // it was failed in the browser by the host policy (www.google-analytics.com
  // is not an allowed host), so it never left the machine.
  const auto& banner = result.checks.at("browser.consent.banner");
  EXPECT_TRUE(banner.evidence.value("banner_visible", false));
  ASSERT_EQ(banner.evidence["analytics_after_accept"].size(), 1u) << banner.evidence.dump();
  EXPECT_EQ(banner.evidence["analytics_before_consent"].size(), 0u);
  // Timings are measured, screenshots written as PNG.
  const auto& timing = result.checks.at("browser.timing.landing");
  EXPECT_GT(timing.evidence.value("load_ms", -1.0), 0.0);
  EXPECT_GT(timing.evidence.value("dom_content_loaded_ms", -1.0), 0.0);
  EXPECT_GT(timing.evidence.value("largest_contentful_paint_ms", -1.0), 0.0);
  for (const char* page : {"landing", "terms", "privacy", "signup", "empty_state", "signed_in"}) {
    const std::string file = shots + "/browser-" + page + ".png";
    std::ifstream in(file, std::ios::binary);
    char magic[4] = {};
    in.read(magic, 4);
    EXPECT_EQ(std::string(magic + 1, 3), "PNG") << file;
    EXPECT_GT(std::filesystem::file_size(file), 2000u) << file;
  }
  ASSERT_EQ(result.meta.size(), 1u);
  EXPECT_EQ(result.meta[0]["pages"].size(), 4u);
  EXPECT_EQ(leftover_profiles(), profiles_before);
}

// All seven frontend defects at once (one service restart, one browser run, to
// keep the test short): the failing checks are exactly the six defects'
// catching checks, and each fails for its own defect's reason.
TEST(BrowserSuite, EachFrontendDefectFailsOnlyItsOwnChecks) {
  ReferenceEnv& target = shared_target();
  const std::map<std::string, std::pair<std::string, std::string>> expected = {
      // check id -> defect, a text its message must carry
      {"browser.legal.privacy", {"legal-page-missing", "HTTP 404"}},
      {"browser.consent.banner", {"consent-banner-missing", "no banner"}},
      {"browser.consent.before_consent", {"analytics-before-consent", "www.google-analytics.com"}},
      {"browser.console.landing", {"console-error", "profile request failed"}},
      {"browser.console.signup", {"console-error", "profile request failed"}},
      {"browser.csp.landing", {"csp-violation", "inline script"}},
      {"browser.bundle.secrets", {"bundle-leaks-service-role", "service_role"}},
      {"browser.bundle.mockai", {"mockai-in-bundle", "mockAI"}},
      {"browser.sentry.error_reported", {"frontend-sentry-missing", "loaded but not initialised"}},
  };
  std::set<std::string> defects, checks;
  for (const auto& [id, why] : expected) {
    if (why.first == "frontend-sentry-missing" && !sentry_bundle_present()) continue;  // nothing to leave out
    defects.insert(why.first);
    checks.insert(id);
  }
  target.restart_service({defects.begin(), defects.end()});
  // The error that is never reported is waited for 3 s, not the default 10.
  const SuiteRun result = run(load(target, [](nlohmann::json& doc) { doc["frontend"]["sentry"]["timeout_ms"] = 3000; }));
  target.restart_service({});
  EXPECT_EQ(failed(result), checks) << describe(result);
  for (const auto& [id, why] : expected) {
    if (!checks.contains(id)) continue;
    const CheckResult& check = result.checks.at(id);
    EXPECT_EQ(check.status, CheckStatus::kFail) << why.first << " " << id;
    EXPECT_NE(check.message.find(why.second), std::string::npos) << why.first << " " << id << ": " << check.message;
  }
  // The analytics request sent before consent was failed by the host policy
  // in the browser, and is listed as such on the landing page.
  const auto& landing = result.checks.at("browser.timing.landing");
  ASSERT_TRUE(landing.evidence.contains("blocked_by_host_policy")) << landing.evidence.dump();
  EXPECT_NE(landing.evidence["blocked_by_host_policy"][0].get<std::string>().find("www.google-analytics.com"),
            std::string::npos);
  // The leaked key is in the report only in its redacted form.
  const std::string evidence = result.checks.at("browser.bundle.secrets").evidence.dump();
  EXPECT_NE(evidence.find("service_role_jwt"), std::string::npos) << evidence;
  EXPECT_EQ(evidence.find("c2VlZGVk"), std::string::npos) << "the signature part must not be written";
}

// The defects of the empty state, the load timing and the consent after
// "reject" in one run (none hides another): each fails its own check only.
TEST(BrowserSuite, EmptyStateTimingAndRejectDefectsFailTheirChecks) {
  ReferenceEnv& target = shared_target();
  const std::map<std::string, std::pair<std::string, std::string>> expected = {
      {"browser.empty_state", {"frontend-no-empty-state", "does not show \"Create your first course\""}},
      {"browser.timing.landing", {"frontend-slow-lcp", "largest contentful paint at"}},
      {"browser.consent.after_reject", {"consent-ignored-after-reject", "after \"reject\""}},
  };
  std::set<std::string> defects, checks;
  for (const auto& [id, why] : expected) {
    defects.insert(why.first);
    checks.insert(id);
  }
  target.restart_service({defects.begin(), defects.end()});
  // The legal and signup pages and the signed-in app play no part here.
  const SuiteRun result = run(load(target, [](nlohmann::json& doc) {
    for (const char* page : {"terms", "privacy", "signup"}) doc["frontend"]["pages"][page] = "";
    doc["frontend"]["sign_in"]["path"] = "";
  }));
  target.restart_service({});
  EXPECT_EQ(failed(result), checks) << describe(result);
  for (const auto& [id, why] : expected) {
    const CheckResult& check = result.checks.at(id);
    EXPECT_EQ(check.status, CheckStatus::kFail) << why.first << " " << id;
    EXPECT_NE(check.message.find(why.second), std::string::npos) << why.first << " " << id << ": " << check.message;
  }
  EXPECT_EQ(result.checks.at("browser.signed_in.sign_in").status, CheckStatus::kSkip);
  // The late paint is measured, not guessed: after the 4 s default budget.
  EXPECT_GT(result.checks.at("browser.timing.landing").evidence.value("largest_contentful_paint_ms", 0.0), 4000.0);
  EXPECT_EQ(result.checks.at("browser.consent.after_reject").evidence["analytics_after_reject"].size(), 1u);
}

// golive's own test users left in the target (email "golive-browser-...").
long long browser_users(const golive::config::Environment& env) {
  const golive::target::TestUsers users(env, golive::http::client_options_for(env));
  std::string why;
  const auto count = users.count_users("golive-browser", &why);
  EXPECT_TRUE(count.has_value()) << why;
  return count.value_or(-1);
}

// The five signed-in defects at once (none hides another): each fails its
// own signed-in check, the sign-in itself still passes, and the test user is
// deleted afterwards.
TEST(BrowserSuite, EachSignedInDefectFailsItsOwnCheck) {
  ReferenceEnv& target = shared_target();
  const std::map<std::string, std::pair<std::string, std::string>> expected = {
      {"browser.signed_in.pending_state", {"frontend-no-pending-state", "no pending state"}},
      {"browser.signed_in.lazy_load", {"frontend-eager-calendar", "fetched with the page"}},
      {"browser.signed_in.optimistic_ui", {"frontend-no-rollback", "not rolled back"}},
      {"browser.signed_in.tooltips", {"frontend-icon-no-tooltip", "course-settings"}},
      {"browser.signed_in.customer_portal", {"frontend-portal-button-dead", "sent no POST"}},
  };
  std::set<std::string> defects, checks;
  for (const auto& [id, why] : expected) {
    defects.insert(why.first);
    checks.insert(id);
  }
  target.restart_service({defects.begin(), defects.end()});
  const auto env = load(target, [](nlohmann::json& doc) {
    for (const char* page : {"terms", "privacy", "signup"}) doc["frontend"]["pages"][page] = "";
  });
  const long long users_before = browser_users(env);
  const SuiteRun result = run(env);
  const long long users_after = browser_users(env);
  target.restart_service({});
  EXPECT_EQ(failed(result), checks) << describe(result);
  for (const auto& [id, why] : expected) {
    const CheckResult& check = result.checks.at(id);
    EXPECT_EQ(check.status, CheckStatus::kFail) << why.first << " " << id;
    EXPECT_NE(check.message.find(why.second), std::string::npos) << why.first << " " << id << ": " << check.message;
  }
  EXPECT_EQ(result.checks.at("browser.signed_in.sign_in").status, CheckStatus::kPass);
  // Two clicks, two extraction jobs for the same input.
  EXPECT_EQ(result.checks.at("browser.signed_in.pending_state").evidence["requests"].size(), 2u);
  EXPECT_EQ(users_after, users_before) << "the browser's test user must be deleted";
}

// A sign-in page that cannot sign anyone in fails the sign-in check; the
// other signed-in checks are errors (they could not run), and the user made
// for the attempt is deleted all the same.
TEST(BrowserSuite, ABrokenSignInPageFailsTheSignInAndLeavesNoUser) {
  ReferenceEnv& target = shared_target();
  target.restart_service({"frontend-signin-broken"});
  const auto env = load(target, [](nlohmann::json& doc) {
    for (const char* page : {"terms", "privacy", "signup"}) doc["frontend"]["pages"][page] = "";
    doc["frontend"]["page_timeout_ms"] = 4000;
  });
  const long long users_before = browser_users(env);
  const SuiteRun result = run(env);
  const long long users_after = browser_users(env);
  target.restart_service({});
  const CheckResult& sign_in = result.checks.at("browser.signed_in.sign_in");
  EXPECT_EQ(sign_in.status, CheckStatus::kFail) << sign_in.message;
  EXPECT_NE(sign_in.message.find("not /site/dashboard"), std::string::npos) << sign_in.message;
  EXPECT_NE(sign_in.evidence.value("page_text", "").find("Sign-in failed"), std::string::npos) << sign_in.evidence.dump();
  EXPECT_TRUE(sign_in.evidence.value("user_deleted", false));
  for (const char* id : {"browser.signed_in.pending_state", "browser.signed_in.customer_portal"}) {
    EXPECT_EQ(result.checks.at(id).status, CheckStatus::kError) << id;
  }
  EXPECT_EQ(users_after, users_before);
}

// A listening socket that never accepts: the TCP handshake completes (the
// backlog), the request is never answered.
class SilentServer {
 public:
  SilentServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ::listen(fd_, 16);
    socklen_t length = sizeof address;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~SilentServer() { ::close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

int closed_port() {
  SilentServer server;  // bound, then closed: nothing listens there any more
  return server.port();
}

TEST(BrowserSuite, UnreachableAndNeverLoadingPagesAreErrorsWithTheUrlAndTheLastProtocolMessage) {
  ReferenceEnv& target = shared_target();
  SilentServer silent;
  const int refused = closed_port();
  const std::size_t profiles_before = leftover_profiles();
  const auto env = load(target, [&](nlohmann::json& doc) {
    doc["frontend"]["page_timeout_ms"] = 2500;
    doc["frontend"]["pages"]["terms"] = "http://127.0.0.1:" + std::to_string(refused) + "/terms";
    doc["frontend"]["pages"]["privacy"] = "http://127.0.0.1:" + std::to_string(silent.port()) + "/privacy";
  });
  const SuiteRun result = run(env);
  const auto& refused_check = result.checks.at("browser.legal.terms");
  EXPECT_EQ(refused_check.status, CheckStatus::kError) << refused_check.message;
  EXPECT_NE(refused_check.message.find("ERR_CONNECTION_REFUSED"), std::string::npos) << refused_check.message;
  EXPECT_EQ(refused_check.evidence.value("url", ""), "http://127.0.0.1:" + std::to_string(refused) + "/terms");
  EXPECT_FALSE(refused_check.evidence.value("last_protocol_message", "").empty());
  EXPECT_EQ(refused_check.evidence.value("category", ""), "unreachable");
  const auto& silent_check = result.checks.at("browser.timing.privacy");
  EXPECT_EQ(silent_check.status, CheckStatus::kError) << silent_check.message;
  EXPECT_NE(silent_check.message.find("2500 ms"), std::string::npos) << silent_check.message;
  EXPECT_EQ(silent_check.evidence.value("category", ""), "timeout");
  EXPECT_EQ(result.checks.at("browser.console.privacy").status, CheckStatus::kError);
  // The other pages still ran.
  EXPECT_EQ(result.checks.at("browser.console.landing").status, CheckStatus::kPass);
  EXPECT_EQ(result.checks.at("browser.timing.signup").status, CheckStatus::kPass);
  EXPECT_EQ(leftover_profiles(), profiles_before);
}

TEST(BrowserSuite, ABrowserThatDiesMidRunGivesErrorsAndIsStillStopped) {
  ReferenceEnv& target = shared_target();
  const std::size_t profiles_before = leftover_profiles();
  // The whole browser dies during the run (killed 3 s after it started).
  const std::string wrapper = target.state_dir() + "/dying-chromium.sh";
  std::ofstream(wrapper) << "#!/bin/sh\n(sleep 3; kill -9 $$) &\nexec " +
                                golive::core::find_executable({"chromium"}) + " \"$@\"\n";
  std::filesystem::permissions(wrapper, std::filesystem::perms::owner_all);
  const SuiteRun died = run(load(target, [&](nlohmann::json& doc) { doc["frontend"]["chromium"] = wrapper; }));
  std::size_t errors = 0;
  for (const auto& [id, check] : died.checks) {
    if (check.status == CheckStatus::kError) ++errors;
  }
  EXPECT_GT(errors, 3u) << describe(died);
  bool names_the_connection = false;
  for (const auto& [id, check] : died.checks) {
    if (check.status == CheckStatus::kError && check.message.find("DevTools connection closed") != std::string::npos) {
      names_the_connection = true;
      EXPECT_FALSE(check.evidence.value("browser_running", true)) << id;
      EXPECT_EQ(check.evidence.value("category", ""), "browser_lost") << id;
    }
  }
  EXPECT_TRUE(names_the_connection) << describe(died);
  EXPECT_EQ(leftover_profiles(), profiles_before);
}

// A page whose renderer crashes (chrome://crash) is an error with the
// category renderer_crashed, quickly (no wait for the page timeout), and the
// other pages still run.
TEST(BrowserSuite, ACrashedRendererIsAnErrorWithItsCategory) {
  ReferenceEnv& target = shared_target();
  const std::size_t profiles_before = leftover_profiles();
  const auto env = load(target, [](nlohmann::json& doc) {
    doc["frontend"]["page_timeout_ms"] = 10000;
    doc["frontend"]["pages"]["crash"] = "chrome://crash";
  });
  const auto start = std::chrono::steady_clock::now();
  const SuiteRun result = run(env);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (const char* id : {"browser.console.crash", "browser.csp.crash", "browser.timing.crash"}) {
    ASSERT_TRUE(result.checks.count(id)) << id << "\n" << describe(result);
    const CheckResult& check = result.checks.at(id);
    EXPECT_EQ(check.status, CheckStatus::kError) << id << ": " << check.message;
    EXPECT_EQ(check.evidence.value("category", ""), "renderer_crashed") << id << ": " << check.evidence.dump();
    EXPECT_EQ(check.evidence.value("url", ""), "chrome://crash");
  }
  EXPECT_LT(seconds, 60.0);
  EXPECT_EQ(result.checks.at("browser.console.landing").status, CheckStatus::kPass);
  EXPECT_EQ(result.checks.at("browser.legal.terms").status, CheckStatus::kPass);
  EXPECT_EQ(result.checks.at("browser.empty_state").status, CheckStatus::kPass);
  EXPECT_EQ(leftover_profiles(), profiles_before);
}

TEST(BrowserSuite, AMissingBrowserMakesEveryBrowserCheckAnErrorNamingThePackage) {
  ReferenceEnv& target = shared_target();
  const SuiteRun result = run(load(target, [](nlohmann::json& doc) {
    doc["frontend"]["chromium"] = "/nonexistent/chromium";
  }));
  EXPECT_EQ(result.checks.size(), 27u) << describe(result);
  for (const auto& [id, check] : result.checks) {
    EXPECT_EQ(check.status, CheckStatus::kError) << id;
    EXPECT_NE(check.message.find("Debian package chromium"), std::string::npos) << check.message;
    EXPECT_EQ(check.evidence.value("category", ""), "browser_missing") << id;
  }
}

}  // namespace
