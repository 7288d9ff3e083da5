// The AI worker against a fault-injecting provider: a TestHttpServer (Beast on
// Asio, in this process) is the service's config.ai_provider_url. A marker in
// the job's text scripts the stub per job, so tests never interfere:
//
//   "stub:fail-N"      500 for the first N calls of the job, then 200
//   "stub:always-500"  500 for every call
//   "stub:status-400"  400 (not retryable)
//   otherwise          200 {"topics": ["Stub topic"]}
#include <chrono>
#include <mutex>
#include <thread>

#include "tests/support/service/function_test_support.hpp"
#include "tests/support/test_http_server.hpp"

namespace golive::testing {
namespace {

using Clock = std::chrono::steady_clock;

class ProviderStub {
 public:
  ProviderStub() {
    server_.on("/extract", [this](const TestRequest& request) { return on_extract(request); });
  }

  std::string url() const { return server_.url("/extract"); }

  std::vector<Clock::time_point> calls_of(const std::string& job_id) {
    std::lock_guard lock(mutex_);
    return calls_[job_id];
  }

  std::string input_of(const std::string& job_id) {
    std::lock_guard lock(mutex_);
    return inputs_[job_id];
  }

 private:
  TestReply on_extract(const TestRequest& request) {
    const nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
    const std::string input = body.is_object() ? body.value("input", "") : "";
    const std::string job_id = body.is_object() ? body.value("job_id", "") : "";
    std::size_t call_number = 0;
    {
      std::lock_guard lock(mutex_);
      calls_[job_id].push_back(Clock::now());
      inputs_[job_id] = input;
      call_number = calls_[job_id].size();
    }
    const std::size_t fail_marker = input.find("stub:fail-");
    if (input.find("stub:always-500") != std::string::npos ||
        (fail_marker != std::string::npos &&
         call_number <= static_cast<std::size_t>(input[fail_marker + 10] - '0'))) {
      return {500, {{"Content-Type", "application/json"}}, R"({"error":"stub outage"})"};
    }
    if (input.find("stub:status-400") != std::string::npos) {
      return {400, {{"Content-Type", "application/json"}}, R"({"error":"bad prompt"})"};
    }
    return {
        200, {{"Content-Type", "application/json"}}, R"({"topics":["Stub topic"],"model":"stub"})"};
  }

  TestHttpServer server_;
  std::mutex mutex_;
  std::map<std::string, std::vector<Clock::time_point>> calls_;
  std::map<std::string, std::string> inputs_;
};

// Constructed before the shared reference target (see SetUpTestSuite), so it
// is destroyed after it: the service never talks to a dead stub.
ProviderStub& stub() {
  static ProviderStub instance;
  return instance;
}

class AiProviderRetryTest : public ReferenceServiceTest {
 protected:
  static void SetUpTestSuite() { env_options().ai_provider_url = stub().url(); }

  // Submits `text` and waits (at most ~15 s) until the job is finished.
  nlohmann::json run_job(const std::string& text) {
    const TestUser user = create_user("ai");
    const HttpReply submitted =
        post_json("/functions/v1/extract-topics", {{"text", text + " " + unique_suffix()}}, &user);
    EXPECT_EQ(submitted.status, 200) << submitted.body;
    const std::string job_id = submitted.json().value("job_id", "");
    nlohmann::json job;
    for (int poll = 0; poll < 300; ++poll) {
      job = get("/functions/v1/jobs/" + job_id, &user).json();
      if (job.value("status", "") == "completed" || job.value("status", "") == "failed") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return job;
  }

  static double gap_ms(const std::vector<Clock::time_point>& calls, std::size_t i) {
    return std::chrono::duration<double, std::milli>(calls[i] - calls[i - 1]).count();
  }
};

TEST_F(AiProviderRetryTest, ServerErrorsAreRetriedWithExponentialBackoff) {
  const nlohmann::json job = run_job("stub:fail-2 retry me");
  ASSERT_EQ(job["status"], "completed") << job.dump();
  EXPECT_EQ(job["attempts"], 3);
  EXPECT_EQ(job["result"]["topics"], nlohmann::json({"Stub topic"}));
  const auto calls = stub().calls_of(job["id"]);
  ASSERT_EQ(calls.size(), 3u);
  // Backoff base 100 ms (the service default): >= 100 ms, then >= 200 ms.
  EXPECT_GE(gap_ms(calls, 1), 95.0);
  EXPECT_GE(gap_ms(calls, 2), 190.0);
  EXPECT_GT(gap_ms(calls, 2), gap_ms(calls, 1));

  const auto of_this_job = [&](const std::string& event) {
    std::vector<nlohmann::json> found;
    for (auto& line : service_log_events(event)) {
      if (line.value("job_id", "") == job["id"]) found.push_back(line);
    }
    return found;
  };
  EXPECT_EQ(of_this_job("AI_RUN_START").size(), 1u);
  EXPECT_EQ(of_this_job("AI_RUN_RETRY").size(), 2u);
  const auto complete = of_this_job("AI_RUN_COMPLETE");
  ASSERT_EQ(complete.size(), 1u);
  EXPECT_EQ(complete[0]["status"], "completed");
  EXPECT_EQ(complete[0]["attempts"], 3);
  EXPECT_GE(complete[0]["duration_ms"].get<double>(), 300.0);  // two backoffs: 100 + 200 ms
}

TEST_F(AiProviderRetryTest, AfterThreeRetriesTheJobIsDeadLetteredWithDetails) {
  const nlohmann::json job = run_job("stub:always-500 doomed");
  ASSERT_EQ(job["status"], "failed") << job.dump();
  EXPECT_EQ(stub().calls_of(job["id"]).size(), 4u);  // 1 call + 3 retries, never more
  EXPECT_EQ(job["attempts"], 4);
  EXPECT_EQ(job["error"]["category"], "provider_5xx");
  EXPECT_EQ(job["error"]["last_status"], 500);
  EXPECT_EQ(job["error"]["history"].size(), 4u);
  EXPECT_NE(job["error"]["message"].get<std::string>().find("stub outage"), std::string::npos);
}

TEST_F(AiProviderRetryTest, ClientErrorsAreNotRetried) {
  const nlohmann::json job = run_job("stub:status-400 bad");
  ASSERT_EQ(job["status"], "failed") << job.dump();
  EXPECT_EQ(stub().calls_of(job["id"]).size(), 1u);
  EXPECT_EQ(job["error"]["category"], "provider_rejected");
}

TEST_F(AiProviderRetryTest, TheProviderReceivesSanitisedInputAndTheJobId) {
  const nlohmann::json job = run_job("<script>steal()</script>Clean topic");
  ASSERT_EQ(job["status"], "completed") << job.dump();
  const std::string input = stub().input_of(job["id"]);
  EXPECT_EQ(input.find("<script"), std::string::npos) << input;
  EXPECT_EQ(input.rfind("Clean topic", 0), 0u) << input;
}

TEST_F(AiProviderRetryTest, DefectAiNoRetryGivesUpOnTheFirst5xx) {
  use_defects({"ai-no-retry"});
  const nlohmann::json job = run_job("stub:fail-1 once");
  EXPECT_EQ(job["status"], "failed") << job.dump();
  EXPECT_EQ(stub().calls_of(job["id"]).size(), 1u);
}

}  // namespace
}  // namespace golive::testing
