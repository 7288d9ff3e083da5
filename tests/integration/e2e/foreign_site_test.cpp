// The workflow language against a web app golive did not write: a Python
// http.server app (tests/python/cookie_site.py) that sets cookies with every
// attribute, redirects, reads forms and multipart bodies, checks basic and
// digest auth and answers 503 before it answers 200. The workflow
// (tests/data/e2e/foreign_site.json) runs through the real HTTP engine.
// Skips when python3 is absent.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "config/environment.hpp"
#include "core/result_stream.hpp"
#include "e2e/e2e_suite.hpp"
#include "e2e/workflow_parser.hpp"
#include "tests/support/child_process.hpp"

namespace golive::e2e {
namespace {

constexpr const char* kPassword = "site-pass-0f3c";

// The Python app on a free port of 127.0.0.1, stopped by PID.
class PythonSite {
 public:
  PythonSite()
      : process_({"python3", std::string(GOLIVE_SOURCE_DIR) + "/tests/python/cookie_site.py", "--password",
                  kPassword}) {}

  int port() const { return process_.port(); }

 private:
  golive::testing::LoopbackServerProcess process_;
};

TEST(ForeignSiteTest, CookiesFormsUploadsRedirectsAuthRetryAndWhenOnAPythonApp) {
  PythonSite site;
  if (site.port() == 0) GTEST_SKIP() << "python3 is not available";
  config::Environment env;
  env.name = "python-site";
  env.base_url = "http://127.0.0.1:" + std::to_string(site.port());
  env.source_file = "inline";
  env.sections["e2e"] = {{"variables", {{"site_password", kPassword}}}};
  auto workflow = std::make_shared<const Workflow>(
      load_workflow(std::string(GOLIVE_SOURCE_DIR) + "/tests/data/e2e/foreign_site.json"));
  core::CollectingSink sink;
  E2eRunOptions options;
  options.jobs = 1;
  E2eRunSummary summary = run_e2e_suite(env, {workflow}, options, sink);

  std::map<std::string, core::CheckResult> checks;
  std::string failures;
  for (const auto& check : sink.results()) {
    checks[check.id] = check;
    if (check.failed()) failures += check.id + ": " + check.message + "\n";
  }
  EXPECT_TRUE(summary.outcome.ok()) << failures;
  EXPECT_EQ(summary.steps_passed, workflow->steps.size() - 1) << failures;
  const auto& skipped = checks["e2e.foreign_site.skipped_by_when"];
  EXPECT_EQ(skipped.status, core::CheckStatus::kSkip);
  EXPECT_EQ(skipped.message, "skipped: when attempt equals \"1\" does not hold (attempt is \"3\")");
  // Evidence shows the redirect chain and the parts, and no credential.
  const auto& chain = checks["e2e.foreign_site.redirect_chain"].evidence;
  ASSERT_TRUE(chain.contains("redirects")) << chain.dump();
  EXPECT_EQ(chain["redirects"].size(), 3u);
  const auto& upload = checks["e2e.foreign_site.multipart_upload"].evidence;
  EXPECT_EQ(upload["request_parts"].size(), 3u);
  EXPECT_FALSE(upload.contains("request_body"));
  for (const auto& [id, check] : checks) {
    EXPECT_EQ(check.evidence.dump().find(kPassword), std::string::npos) << id;
    EXPECT_EQ(check.message.find(kPassword), std::string::npos) << id;
  }
}

}  // namespace
}  // namespace golive::e2e
