// golive's HTTP probes against a REST API that is not Supabase-shaped:
// tests/node/rest_api.js (its own opaque tokens, its own login, one owned
// resource), in a correct variant and in variants with one mistake each
// (cross-user access to notes, an unlimited login).
//
// Without an auth section the families that need users are skipped with the
// setting that enables them, and Supabase's signup/login endpoints, absent
// here, are skipped rather than failed. With auth.kind "tokens" and
// security.authz.resources, cross-user read/update/delete are probed on the
// API's own routes. Skips when node is absent.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/golive_cli_harness.hpp"
#include "tests/support/child_process.hpp"

namespace golive::testing::cli {
namespace {

// One API process on a free port of 127.0.0.1, stopped by PID.
class NodeApi {
 public:
  explicit NodeApi(const std::string& variant, const std::string& token_kind = "opaque")
      : process_({"node", std::string(GOLIVE_SOURCE_DIR) + "/tests/node/rest_api.js", "--variant", variant,
                  "--tokens", token_kind}) {}

  int port() const { return process_.port(); }
  std::string base_url() const { return process_.base_url(); }
  // {"token": ..., "user_id": ...} of user "a" or "b".
  const nlohmann::json& user(const char* which) const { return process_.announcement()["tokens"][which]; }

 private:
  golive::testing::LoopbackServerProcess process_;
};

struct ProbeRun {
  GoliveExit exit;
  std::map<std::string, nlohmann::json> checks;
  std::map<std::string, int> by_status;
  std::string describe() const {
    std::string text = "exit " + std::to_string(exit.exit_code) + "\n" + exit.stdout_text +
                       exit.stderr_text;
    for (const auto& [id, check] : checks) {
      text += id + ": " + check["status"].get<std::string>() + ": " +
              check["message"].get<std::string>() + "\n";
    }
    return text;
  }
  int count(const char* status) const {
    const auto found = by_status.find(status);
    return found == by_status.end() ? 0 : found->second;
  }
};

ProbeRun probe(const std::string& family, const std::string& name, const nlohmann::json& env) {
  const std::string dir = scratch_dir("foreign_api_" + name);
  const std::string env_path = dir + "/env.json";
  std::ofstream(env_path) << env.dump(2);
  ProbeRun run;
  const auto process =
      start_golive({"probe", family, "--env", env_path, "--out", dir + "/out"}, dir);
  run.exit = wait_golive(process, std::chrono::seconds(60));
  const std::string results = latest_run(dir + "/out") + "/results.jsonl";
  if (fs::exists(results)) {
    for (const auto& record : read_results(results)) {
      if (record.contains("record")) continue;
      run.checks[record["id"].get<std::string>()] = record;
      ++run.by_status[record["status"].get<std::string>()];
    }
  }
  return run;
}

nlohmann::json bare_env(const NodeApi& api) {
  return {{"name", "foreign-api"}, {"base_url", api.base_url()}};
}

nlohmann::json tokens_env(const NodeApi& api, const nlohmann::json& user_b) {
  nlohmann::json env = bare_env(api);
  env["auth"] = {{"kind", "tokens"}, {"tokens", {api.user("a"), user_b}}};
  env["security"] = nlohmann::json::parse(R"({"authz": {"resources": [{
      "name": "note",
      "create": {"method": "POST", "path": "/api/notes", "body": {"text": "B's note"}, "id": "/id"},
      "read": "/api/notes/{{id}}",
      "update": {"method": "PATCH", "path": "/api/notes/{{id}}", "body": {"text": "changed by A"}},
      "delete": "/api/notes/{{id}}"}]}})");
  return env;
}

class ForeignApi : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::system("command -v node >/dev/null 2>&1") != 0) GTEST_SKIP() << "node is not on PATH";
  }
};

// Supabase's signup and login are absent here: skipped with the reason, never failed.
TEST_F(ForeignApi, AbsentDefaultRateLimitEndpointsAreSkipped) {
  NodeApi api("correct");
  ASSERT_GT(api.port(), 0);
  const ProbeRun run = probe("ratelimit", "absent", bare_env(api));
  EXPECT_EQ(run.exit.exit_code, 0) << run.describe();
  EXPECT_EQ(run.count("fail") + run.count("error"), 0) << run.describe();
  for (const char* id : {"security.ratelimit.signup", "security.ratelimit.token"}) {
    ASSERT_TRUE(run.checks.count(id)) << run.describe();
    EXPECT_EQ(run.checks.at(id)["status"], "skip") << run.describe();
    EXPECT_NE(run.checks.at(id)["message"].get<std::string>().find("answered 404"), std::string::npos);
    EXPECT_NE(run.checks.at(id)["message"].get<std::string>().find("security.rate_limit.endpoints"),
              std::string::npos);
  }
}

TEST_F(ForeignApi, DeclaredLoginEndpointIsProbed) {
  for (const auto& [variant, expected_exit, expected_status] :
       std::vector<std::tuple<std::string, int, std::string>>{{"correct", 0, "pass"},
                                                              {"no-rate-limit", 1, "fail"}}) {
    NodeApi api(variant);
    ASSERT_GT(api.port(), 0);
    nlohmann::json env = bare_env(api);
    env["security"] = nlohmann::json::parse(R"({"rate_limit": {
        "max_requests_before_429": 10, "burst": 20,
        "endpoints": [{"name": "login", "method": "POST", "path": "/api/login",
                       "body": {"email": "golive-{{n}}@example.test", "pass": "wrong"}}]}})");
    const ProbeRun run = probe("ratelimit", "login_" + variant, env);
    EXPECT_EQ(run.exit.exit_code, expected_exit) << variant << "\n" << run.describe();
    ASSERT_TRUE(run.checks.count("security.ratelimit.login")) << run.describe();
    EXPECT_EQ(run.checks.at("security.ratelimit.login")["status"], expected_status) << run.describe();
    EXPECT_EQ(run.checks.count("security.ratelimit.signup"), 0u);  // replaced by the declared list
    EXPECT_EQ(run.count("error"), 0) << run.describe();
  }
}

// No auth section and no Supabase routes: each family says what would enable it.
TEST_F(ForeignApi, UserFamiliesSkipWithTheSettingThatEnablesThem) {
  NodeApi api("correct");
  ASSERT_GT(api.port(), 0);
  for (const auto& [family, setup_id, setting] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"authz", "security.authz.setup", "auth.tokens"},
           {"injection", "security.injection.setup", "security.injection.targets"},
           {"storage", "security.storage.setup", "security.storage.bucket"}}) {
    const ProbeRun run = probe(family, "skip_" + family, bare_env(api));
    EXPECT_EQ(run.exit.exit_code, 0) << family << "\n" << run.describe();
    EXPECT_EQ(run.count("error") + run.count("fail"), 0) << family << "\n" << run.describe();
    ASSERT_TRUE(run.checks.count(setup_id)) << run.describe();
    EXPECT_EQ(run.checks.at(setup_id)["status"], "skip");
    EXPECT_NE(run.checks.at(setup_id)["message"].get<std::string>().find(setting), std::string::npos)
        << run.checks.at(setup_id)["message"];
  }
}

TEST_F(ForeignApi, CrossUserAccessWithIssuedTokens) {
  for (const auto& [variant, expected_exit, expected_status] :
       std::vector<std::tuple<std::string, int, std::string>>{{"correct", 0, "pass"},
                                                              {"bola", 1, "fail"}}) {
    NodeApi api(variant);
    ASSERT_GT(api.port(), 0);
    const ProbeRun run = probe("authz", "bola_" + variant, tokens_env(api, api.user("b")));
    EXPECT_EQ(run.exit.exit_code, expected_exit) << variant << "\n" << run.describe();
    EXPECT_EQ(run.count("error"), 0) << run.describe();
    for (const char* verb : {"read", "update", "delete"}) {
      const std::string id = std::string("security.authz.bola.note.") + verb;
      ASSERT_TRUE(run.checks.count(id)) << run.describe();
      EXPECT_EQ(run.checks.at(id)["status"], expected_status) << id << "\n" << run.describe();
    }
    // Opaque tokens: the JWT family says why it did not run.
    ASSERT_TRUE(run.checks.count("security.jwt.forgery"));
    EXPECT_EQ(run.checks.at("security.jwt.forgery")["status"], "skip");
    EXPECT_NE(run.checks.at("security.jwt.forgery")["message"].get<std::string>().find("not a JWT"),
              std::string::npos);
    // The tokens never reach the results.
    for (const auto& [id, check] : run.checks) {
      EXPECT_EQ(check.dump().find(api.user("a")["token"].get<std::string>()), std::string::npos) << id;
    }
  }
}

// JWTs the API issued itself: the forgery family runs against the declared
// resource (A's own note is the baseline) and catches an API that accepts
// alg "none".
TEST_F(ForeignApi, JwtForgeryOnTheDeclaredResource) {
  for (const auto& [variant, expected_exit, alg_none_status] :
       std::vector<std::tuple<std::string, int, std::string>>{{"correct", 0, "pass"},
                                                              {"jwt-accept-none", 1, "fail"}}) {
    NodeApi api(variant, "jwt");
    ASSERT_GT(api.port(), 0);
    const ProbeRun run = probe("authz", "jwt_" + variant, tokens_env(api, api.user("b")));
    EXPECT_EQ(run.exit.exit_code, expected_exit) << variant << "\n" << run.describe();
    EXPECT_EQ(run.count("error"), 0) << run.describe();
    ASSERT_TRUE(run.checks.count("security.jwt.alg_none")) << run.describe();
    EXPECT_EQ(run.checks.at("security.jwt.alg_none")["status"], alg_none_status) << run.describe();
    EXPECT_NE(run.checks.at("security.jwt.alg_none")["evidence"]["request"].get<std::string>().find(
                  "GET /api/notes/note_"),
              std::string::npos)
        << run.describe();
    for (const char* id : {"security.jwt.wrong_key", "security.jwt.expired",
                           "security.jwt.service_role_forged"}) {
      ASSERT_TRUE(run.checks.count(id)) << id << "\n" << run.describe();
      EXPECT_EQ(run.checks.at(id)["status"], "pass") << id << "\n" << run.describe();
    }
    EXPECT_EQ(run.checks.count("security.jwt.forgery"), 0u) << run.describe();  // not skipped
    // Only alg_none differs between the variants.
    EXPECT_EQ(run.count("fail"), expected_exit) << run.describe();
  }
}

// The injection family on the API's own search, with an issued token; the
// reference app's stored-XSS channels do not exist here and say so.
TEST_F(ForeignApi, InjectionProbesTheDeclaredTargetOnly) {
  NodeApi api("correct");
  ASSERT_GT(api.port(), 0);
  nlohmann::json env = tokens_env(api, api.user("b"));
  env["security"]["injection"] = nlohmann::json::parse(
      R"({"targets": [{"name": "notes_search", "method": "GET", "path": "/api/notes", "param": "q", "auth": "user"}],
          "sleep_seconds": 1})");
  const ProbeRun run = probe("injection", "injection_own_api", env);
  EXPECT_EQ(run.exit.exit_code, 0) << run.describe();
  EXPECT_EQ(run.count("error"), 0) << run.describe();
  ASSERT_TRUE(run.checks.count("security.injection.sqli.notes_search")) << run.describe();
  EXPECT_EQ(run.checks.at("security.injection.sqli.notes_search")["status"], "pass") << run.describe();
  for (const char* channel : {"rest", "html", "export"}) {
    const std::string id = std::string("security.injection.xss_stored.") + channel;
    ASSERT_TRUE(run.checks.count(id)) << id << "\n" << run.describe();
    EXPECT_EQ(run.checks.at(id)["status"], "skip") << id << "\n" << run.describe();
    EXPECT_NE(run.checks.at(id)["message"].get<std::string>().find("security.injection.targets"),
              std::string::npos);
  }
}

// auth.kind "workflow": the API's own login, run as a workflow, yields the users.
TEST_F(ForeignApi, UsersFromALoginWorkflow) {
  NodeApi api("bola");
  ASSERT_GT(api.port(), 0);
  const std::string dir = scratch_dir("foreign_api_workflow_files");
  std::ofstream(dir + "/login.json") << R"({
    "description": "Log a test user in through the notes API's own login.",
    "variables": {"email": "", "password": ""},
    "steps": [{"name": "login", "method": "POST", "url": "/api/login",
               "body": {"email": "{{email}}", "password": "{{password}}"},
               "assert": [{"status": 200}],
               "capture": [{"var": "token", "json": "/token"}, {"var": "user_id", "json": "/user/id"}]}]})";
  nlohmann::json env = tokens_env(api, api.user("b"));
  env["auth"] = {{"kind", "workflow"},
                 {"workflow", dir + "/login.json"},
                 {"test_users",
                  {{{"email", "a@notes.test"}, {"password", "pw-a-secret"}},
                   {{"email", "b@notes.test"}, {"password", "pw-b-secret"}}}}};
  const ProbeRun run = probe("authz", "workflow_bola", env);
  EXPECT_EQ(run.exit.exit_code, 1) << run.describe();
  EXPECT_EQ(run.count("error"), 0) << run.describe();
  for (const char* verb : {"read", "update", "delete"}) {
    const std::string id = std::string("security.authz.bola.note.") + verb;
    ASSERT_TRUE(run.checks.count(id)) << run.describe();
    EXPECT_EQ(run.checks.at(id)["status"], "fail") << id << "\n" << run.describe();
  }
  // A wrong password: the login workflow fails, and the setup error says where.
  nlohmann::json wrong = env;
  wrong["auth"]["test_users"][1]["password"] = "not-the-password";
  const ProbeRun refused = probe("authz", "workflow_wrong_password", wrong);
  ASSERT_TRUE(refused.checks.count("security.authz.setup")) << refused.describe();
  EXPECT_EQ(refused.checks.at("security.authz.setup")["status"], "error");
  EXPECT_NE(refused.checks.at("security.authz.setup")["message"].get<std::string>().find("login workflow"),
            std::string::npos)
      << refused.describe();
}

TEST_F(ForeignApi, ATokenTheTargetRejectsIsAnErrorWithItsStatus) {
  NodeApi api("correct");
  ASSERT_GT(api.port(), 0);
  const nlohmann::json wrong_b = {{"token", "rk_not_issued_by_this_api"}, {"user_id", "usr_b"}};
  const ProbeRun run = probe("authz", "rejected_token", tokens_env(api, wrong_b));
  ASSERT_TRUE(run.checks.count("security.authz.bola.note.setup")) << run.describe();
  const auto& setup = run.checks.at("security.authz.bola.note.setup");
  EXPECT_EQ(setup["status"], "error");
  EXPECT_NE(setup["message"].get<std::string>().find("refused user B's token"), std::string::npos);
  EXPECT_NE(setup["message"].get<std::string>().find("401"), std::string::npos);
  EXPECT_EQ(run.exit.exit_code, 1) << run.describe();
}

}  // namespace
}  // namespace golive::testing::cli
