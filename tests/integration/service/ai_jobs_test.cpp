// extract-topics and the AI worker against the service's built-in mock
// provider: the async pipeline, cache, dedupe, quota, ownership, input
// hygiene and dead-lettering, plus the quota-ui-only, ai-no-dedupe and
// ai-no-retry defects.
#include <algorithm>
#include <chrono>
#include <latch>
#include <thread>

#include "target/crypto.hpp"
#include "tests/support/service/function_test_support.hpp"

namespace golive::testing {
namespace {

constexpr const char* kBobsCourse = "b0b00000-0000-4000-8000-00000000c002";  // seed

class AiJobsTest : public ReferenceServiceTest {
 protected:
  std::string create_course(const TestUser& user, const std::string& title = "Course") {
    return sql_value(admin(), "INSERT INTO public.courses (user_id, title) VALUES ('" + user.id +
                                  "', '" + title + "') RETURNING id");
  }

  HttpReply submit(const TestUser& user, const std::string& text,
                   const std::string& course_id = "") {
    nlohmann::json body = {{"text", text}};
    if (!course_id.empty()) body["course_id"] = course_id;
    return post_json("/functions/v1/extract-topics", body, &user);
  }

  // Polls GET /functions/v1/jobs/{id} until the job is completed or failed
  // (at most ~15 s); returns the last job document.
  nlohmann::json wait_for_job(const TestUser& user, const std::string& job_id) {
    nlohmann::json job;
    for (int poll = 0; poll < 300; ++poll) {
      job = get("/functions/v1/jobs/" + job_id, &user).json();
      const std::string status = job.value("status", "");
      if (status == "completed" || status == "failed") return job;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "job " << job_id << " did not finish: " << job.dump();
    return job;
  }

  // A 'processing' job for `user` with the hash of `text`, as if a worker had
  // it in flight; returns its id.
  std::string insert_processing_job(const TestUser& user, const std::string& text) {
    return sql_value(
        admin(), "INSERT INTO public.ai_jobs (user_id, input_hash, status, input_text) VALUES ('" +
                     user.id + "', '" + target::sha256_hex(text) +
                     "', 'processing', 'x') RETURNING id");
  }

  void assert_quota_refuses_fourth_request(bool expect_refusal) {
    const TestUser user = create_user("quota");  // free tier: 3 AI requests a day
    for (int i = 0; i < 3; ++i) {
      const HttpReply reply =
          submit(user, "Quota topic " + std::to_string(i) + " " + unique_suffix());
      ASSERT_EQ(reply.status, 200) << reply.body;
    }
    const HttpReply fourth = submit(user, "Quota topic 4 " + unique_suffix());
    if (expect_refusal) {
      EXPECT_EQ(fourth.status, 429) << fourth.body;
      EXPECT_EQ(fourth.json().value("code", ""), "quota_exceeded");
      EXPECT_FALSE(fourth.header("retry-after").empty());
      EXPECT_EQ(sql_value(admin(), "SELECT ai_requests FROM public.usage_quotas WHERE user_id = '" +
                                       user.id + "'"),
                "3");
    } else {
      EXPECT_EQ(fourth.status, 200) << fourth.body;
    }
  }

  void assert_dead_lettered_after(int expected_attempts) {
    const TestUser user = create_user("fails");
    const HttpReply submitted = submit(user, "MOCK_AI_FAIL please. " + unique_suffix());
    ASSERT_EQ(submitted.status, 200) << submitted.body;
    const nlohmann::json job = wait_for_job(user, submitted.json()["job_id"]);
    EXPECT_EQ(job["status"], "failed") << job.dump();
    EXPECT_EQ(job["attempts"], expected_attempts) << job.dump();
    EXPECT_EQ(job["error"]["category"], "provider_5xx") << job.dump();
    EXPECT_EQ(job["error"]["last_status"], 503);
    EXPECT_EQ(job["error"]["attempts"], expected_attempts);
  }
};

TEST_F(AiJobsTest, QueuedJobIsCompletedByTheWorkerAndCached) {
  const TestUser user = create_user();
  const std::string course = create_course(user);
  const std::string marker = "Marker " + unique_suffix();
  const std::string text = "Week 1: sets. Week 2: relations.\n" + marker;
  const HttpReply submitted = submit(user, text, course);
  ASSERT_EQ(submitted.status, 200) << submitted.body;
  EXPECT_EQ(submitted.json()["deduplicated"], false);
  EXPECT_EQ(submitted.json()["from_cache"], false);
  EXPECT_EQ(submitted.json()["input_hash"], target::sha256_hex(text));
  const std::string job_id = submitted.json()["job_id"];

  const nlohmann::json job = wait_for_job(user, job_id);
  ASSERT_EQ(job["status"], "completed") << job.dump();
  EXPECT_EQ(job["attempts"], 1);
  EXPECT_EQ(job["course_id"], course);
  EXPECT_EQ(job["result"]["topics"], nlohmann::json({"Sets", "Relations", marker}));
  EXPECT_EQ(
      sql_value(admin(), "SELECT count(*) FROM public.ai_response_cache WHERE input_hash = '" +
                             target::sha256_hex(text) + "'"),
      "1");

  // The same job through the REST API, as the owner (RLS).
  const HttpReply rest = get("/rest/v1/ai_jobs?id=eq." + job_id, &user);
  EXPECT_EQ(rest.status, 200) << rest.body;
  EXPECT_EQ(rest.json().size(), 1u) << rest.body;

  // Same text again: completed at once from the cache, without the worker.
  const HttpReply cached = submit(user, text, course);
  ASSERT_EQ(cached.status, 200) << cached.body;
  EXPECT_EQ(cached.json()["status"], "completed");
  EXPECT_EQ(cached.json()["from_cache"], true);
  EXPECT_NE(cached.json()["job_id"], job_id);
  EXPECT_EQ(cached.json()["result"]["topics"], job["result"]["topics"]);
}

TEST_F(AiJobsTest, APendingJobWithTheSameInputIsReturnedInsteadOfANewOne) {
  const TestUser user = create_user();
  const std::string text = "Pending topic " + unique_suffix();
  const std::string pending = insert_processing_job(user, text);
  const HttpReply reply = submit(user, text);
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json()["deduplicated"], true);
  EXPECT_EQ(reply.json()["job_id"], pending);
  EXPECT_EQ(
      sql_value(admin(), "SELECT count(*) FROM public.ai_jobs WHERE user_id = '" + user.id + "'"),
      "1");
}

TEST_F(AiJobsTest, ACachedResultCompletesANewJobWithoutTheProvider) {
  const TestUser user = create_user();
  const std::string cached_text = "Cached topic " + unique_suffix();
  sql_value(admin(), "INSERT INTO public.ai_response_cache (input_hash, result) VALUES ('" +
                         target::sha256_hex(cached_text) +
                         "', '{\"topics\": [\"From cache\"]}') RETURNING 1");
  const HttpReply reply = submit(user, cached_text);
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json()["status"], "completed");
  EXPECT_EQ(reply.json()["from_cache"], true);
  EXPECT_EQ(reply.json()["result"]["topics"], nlohmann::json({"From cache"}));
}

TEST_F(AiJobsTest, DailyQuotaIsEnforcedByTheApi) {
  assert_quota_refuses_fourth_request(true);
}

TEST_F(AiJobsTest, ConcurrentSubmissionsCannotExceedTheQuota) {
  const TestUser user = create_user("burst");
  constexpr int kSenders = 8;
  std::vector<long> statuses(kSenders);
  std::latch start(kSenders);
  std::vector<std::thread> threads;
  for (int i = 0; i < kSenders; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      statuses[i] = submit(user, "Burst topic " + std::to_string(i) + " " + unique_suffix()).status;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 200), 3);
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 429), kSenders - 3);
}

TEST_F(AiJobsTest, AnotherUsersCourseAndJobsAreNotFound) {
  const TestUser alice = create_user("alice");
  const TestUser mallory = create_user("mallory");
  const HttpReply foreign_course = submit(mallory, "Steal " + unique_suffix(), kBobsCourse);
  EXPECT_EQ(foreign_course.status, 404) << foreign_course.body;
  EXPECT_EQ(foreign_course.json().value("code", ""), "course_not_found");

  const HttpReply own = submit(alice, "Private topic " + unique_suffix());
  ASSERT_EQ(own.status, 200) << own.body;
  const std::string job_id = own.json()["job_id"];
  EXPECT_EQ(get("/functions/v1/jobs/" + job_id, &alice).status, 200);
  EXPECT_EQ(get("/functions/v1/jobs/" + job_id, &mallory).status, 404);
  EXPECT_EQ(post_json("/functions/v1/extract-topics", {{"text", "anon"}}).status, 401);
}

TEST_F(AiJobsTest, TextIsSanitisedAndTruncatedBeforeItReachesTheProvider) {
  const TestUser user = create_user();
  const HttpReply reply =
      submit(user, "<script>alert('x')</script>Alpha topic. <b onclick=\"evil()\">Beta</b> " +
                       unique_suffix());
  ASSERT_EQ(reply.status, 200) << reply.body;
  const std::string job_id = reply.json()["job_id"];
  const std::string stored =
      sql_value(admin(), "SELECT input_text FROM public.ai_jobs WHERE id = '" + job_id + "'");
  EXPECT_EQ(stored.find("<script"), std::string::npos) << stored;
  EXPECT_EQ(stored.find("onclick"), std::string::npos) << stored;
  EXPECT_NE(stored.find("Alpha topic"), std::string::npos) << stored;
  const nlohmann::json job = wait_for_job(user, job_id);
  EXPECT_EQ(job["result"]["topics"][0], "Alpha topic") << job.dump();

  const HttpReply huge = submit(create_user("huge"), std::string(40000, 'a') + unique_suffix());
  ASSERT_EQ(huge.status, 200) << huge.body;
  EXPECT_EQ(huge.json()["input_truncated"], true);
  EXPECT_LT(huge.json()["input_chars"].get<int>(), 40000);
}

TEST_F(AiJobsTest, ProviderFailuresAreRetriedThenDeadLettered) {
  assert_dead_lettered_after(4);  // the first call + ai_max_retries (3)
}

// --- Defects -----------------------------------------------------------------

TEST_F(AiJobsTest, DefectQuotaUiOnlyLetsTheFourthRequestThrough) {
  use_defects({"quota-ui-only"});
  assert_quota_refuses_fourth_request(false);
}

TEST_F(AiJobsTest, DefectAiNoDedupeIgnoresPendingJobsAndTheCache) {
  use_defects({"ai-no-dedupe"});
  const TestUser user = create_user();
  const std::string text = "Pending topic " + unique_suffix();
  const std::string pending = insert_processing_job(user, text);
  const HttpReply reply = submit(user, text);
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json()["deduplicated"], false);
  EXPECT_NE(reply.json()["job_id"], pending);
  EXPECT_EQ(
      sql_value(admin(), "SELECT count(*) FROM public.ai_jobs WHERE user_id = '" + user.id + "'"),
      "2");

  const std::string cached_text = "Cached topic " + unique_suffix();
  sql_value(admin(), "INSERT INTO public.ai_response_cache (input_hash, result) VALUES ('" +
                         target::sha256_hex(cached_text) +
                         "', '{\"topics\": [\"From cache\"]}') RETURNING 1");
  const HttpReply uncached = submit(user, cached_text);
  ASSERT_EQ(uncached.status, 200) << uncached.body;
  EXPECT_EQ(uncached.json()["from_cache"], false);
  const nlohmann::json job = wait_for_job(user, uncached.json()["job_id"]);
  EXPECT_EQ(job["attempts"], 1) << job.dump();  // the provider was called
  EXPECT_EQ(job["result"]["topics"], nlohmann::json({cached_text})) << job.dump();
}

TEST_F(AiJobsTest, DefectAiNoRetryFailsOnTheFirstError) {
  use_defects({"ai-no-retry"});
  assert_dead_lettered_after(1);
}

}  // namespace
}  // namespace golive::testing
