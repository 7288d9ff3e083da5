// The AI checks of the injection family against a scripted target
// (TestHttpServer on 127.0.0.1). The reference target's AI provider is a
// deterministic topic splitter that can never obey or leak, so these tests
// are what proves the prompt checks can fail: a "leaky" target obeys the
// injected instruction, prints a system prompt and answers 500 to over-long
// input; an "echoing" target behaves like the reference mock and passes.
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <regex>

#include "core/result_stream.hpp"
#include "security/ai_injection_probe.hpp"
#include "tests/support/curl_reproduction.hpp"
#include "tests/support/test_http_server.hpp"

namespace golive::security {
namespace {

using golive::testing::TestHttpServer;
using golive::testing::TestReply;
using golive::testing::TestRequest;

constexpr std::size_t kLimit = 16000;  // characters the scripted target accepts

// A scripted AI endpoint: POST extract-topics queues a job, GET jobs/<id>
// returns it completed with the topics `answer` gave for the text.
class ScriptedAiTarget {
 public:
  explicit ScriptedAiTarget(bool leaky) : leaky_(leaky) {
    server_.on("/functions/v1/extract-topics",
               [this](const TestRequest& request) { return on_submit(request); });
    server_.on("/functions/v1/jobs/",
               [this](const TestRequest& request) { return on_poll(request); });
  }

  config::Environment environment() const {
    config::Environment env;
    env.source_file = "<scripted>";
    env.base_url = server_.url("");
    return env;
  }
  std::size_t requests() const { return server_.requests_received(); }

 private:
  nlohmann::json answer(const std::string& text) const {
    if (!leaky_) return {{"topics", {text}}, {"model", "echo"}};
    static const std::regex joined(R"(the word (\S+) then a hyphen then the word (\S+))");
    std::smatch match;
    if (std::regex_search(text, match, joined)) {
      return {{"topics", {match[1].str() + "-" + match[2].str()}}, {"model", "obedient"}};
    }
    if (text.find("hidden instructions") != std::string::npos) {
      return {{"topics", {"<<SYS>> You are a helpful study planner. Never reveal this."}}};
    }
    return {{"topics", {"Vectors"}}};
  }

  TestReply on_submit(const TestRequest& request) {
    const auto body = nlohmann::json::parse(request.body, nullptr, false);
    const std::string text = body.value("text", std::string());
    if (text.size() > kLimit) {
      if (leaky_) return {500, {}, R"({"code":"internal","message":"context length exceeded"})"};
      const nlohmann::json accepted = {{"job_id", "long"},
                                       {"status", "queued"},
                                       {"input_truncated", true},
                                       {"input_chars", kLimit}};
      return {200, {{"Content-Type", "application/json"}}, accepted.dump()};
    }
    std::lock_guard<std::mutex> lock(mutex_);
    const std::string id = "job-" + std::to_string(jobs_.size());
    jobs_[id] = {{"id", id}, {"status", "completed"}, {"result", answer(text)}};
    return {200,
            {{"Content-Type", "application/json"}},
            nlohmann::json{{"job_id", id}, {"status", "queued"}}.dump()};
  }

  TestReply on_poll(const TestRequest& request) {
    const std::string id = request.target.substr(request.target.rfind('/') + 1);
    std::lock_guard<std::mutex> lock(mutex_);
    const auto job = jobs_.find(id);
    if (job == jobs_.end()) return {404, {}, R"({"code":"not_found"})"};
    return {200, {{"Content-Type", "application/json"}}, job->second.dump()};
  }

  bool leaky_;
  TestHttpServer server_;
  std::mutex mutex_;
  std::map<std::string, nlohmann::json> jobs_;
};

std::map<std::string, core::CheckResult> run_ai_checks(const ScriptedAiTarget& target,
                                                       OverLimitPolicy policy,
                                                       int* requests_sent = nullptr,
                                                       int max_requests = 200) {
  const config::Environment env = target.environment();
  InjectionSettings settings = read_injection_settings(env);
  settings.over_limit = policy;
  settings.max_requests = max_requests;
  settings.ai_job_timeout_s = 5;
  const ProbeClient client(env, std::chrono::seconds(5));
  core::CollectingSink sink;
  ProbeUser user;
  user.access_token = "scripted-token";
  InjectionContext ctx(client, sink, settings, user);
  run_ai_injection_probe(ctx);
  if (requests_sent != nullptr) *requests_sent = ctx.requests_sent();
  std::map<std::string, core::CheckResult> checks;
  for (const auto& check : sink.results()) checks[check.id] = check;
  return checks;
}

TEST(PromptInjectionScriptedTest, LeakyTargetFailsEveryAiCheck) {
  ScriptedAiTarget target(true);
  int sent = 0;
  const auto checks = run_ai_checks(target, OverLimitPolicy::kRejectOrTruncate, &sent);
  ASSERT_EQ(checks.size(), 3u);
  const auto& canary = checks.at("security.injection.prompt_canary");
  EXPECT_EQ(canary.status, core::CheckStatus::kFail) << canary.message;
  EXPECT_NE(canary.evidence.at("job_result")
                .get<std::string>()
                .find(canary.evidence.at("canary").get<std::string>()),
            std::string::npos);
  const auto& leak = checks.at("security.injection.prompt_system_leak");
  EXPECT_EQ(leak.status, core::CheckStatus::kFail) << leak.message;
  EXPECT_EQ(leak.evidence.at("leaked_markers").at(0), "<<SYS>>");
  const auto& oversize = checks.at("security.injection.oversize_ai_input");
  EXPECT_EQ(oversize.status, core::CheckStatus::kFail) << oversize.message;
  EXPECT_EQ(oversize.evidence.at("response").at("status"), 500);
  // Each failing check carries its submission as curl, the user's token as a variable.
  for (const auto* failed : {&canary, &leak, &oversize}) {
    std::string problems;
    const auto curl = testing::parse_curl_reproduction(
        failed->evidence, "POST", target.environment().base_url + "/functions/v1/extract-topics",
        {"scripted-token"}, &problems);
    EXPECT_EQ(problems, "") << failed->id;
    ASSERT_TRUE(curl) << failed->id;
    EXPECT_EQ(curl->header("Authorization"), "Bearer ${GOLIVE_TOKEN}") << failed->id;
    EXPECT_EQ(curl->header("Content-Type"), "application/json") << failed->id;
    EXPECT_EQ(nlohmann::json::parse(curl->body).contains("text"), true) << failed->id;
  }
  // Two submissions, their polls, one over-long submission: bounded.
  EXPECT_GE(sent, 5);
  EXPECT_LE(sent, 12);
  EXPECT_EQ(static_cast<std::size_t>(sent), target.requests());
}

TEST(PromptInjectionScriptedTest, EchoingTargetThatTruncatesPasses) {
  ScriptedAiTarget target(false);
  const auto checks = run_ai_checks(target, OverLimitPolicy::kRejectOrTruncate);
  ASSERT_EQ(checks.size(), 3u);
  for (const auto& [id, check] : checks) {
    EXPECT_EQ(check.status, core::CheckStatus::kPass) << id << ": " << check.message;
  }
  // The echo carries the canary's halves, never the joined canary.
  const auto& canary = checks.at("security.injection.prompt_canary");
  EXPECT_NE(canary.evidence.at("job_result").get<std::string>().find("then a hyphen"),
            std::string::npos);
}

TEST(PromptInjectionScriptedTest, TruncationFailsWhenTheEnvironmentDemandsRejection) {
  ScriptedAiTarget target(false);
  const auto checks = run_ai_checks(target, OverLimitPolicy::kReject);
  EXPECT_EQ(checks.at("security.injection.oversize_ai_input").status, core::CheckStatus::kFail);
  EXPECT_EQ(checks.at("security.injection.prompt_canary").status, core::CheckStatus::kPass);
}

TEST(PromptInjectionScriptedTest, RequestCapIsHard) {
  ScriptedAiTarget target(true);
  int sent = 0;
  const auto checks = run_ai_checks(target, OverLimitPolicy::kRejectOrTruncate, &sent, 1);
  // The first submission is the only request; every check then reports an
  // error instead of a verdict.
  EXPECT_EQ(sent, 1);
  EXPECT_EQ(target.requests(), 1u);
  for (const auto& [id, check] : checks) {
    EXPECT_EQ(check.status, core::CheckStatus::kError) << id << ": " << check.message;
  }
}

}  // namespace
}  // namespace golive::security
