// The workflow runner against a scripted HttpClient whose responses arrive
// later on the io_context, as a real engine's do.
#include "e2e/workflow_run.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <map>
#include <set>
#include <thread>

#include "core/input_error.hpp"
#include "e2e/workflow_parser.hpp"
#include "e2e/workflow_suite.hpp"
#include "tests/support/fake_http_client.hpp"
#include "tests/support/temp_workflow_dir.hpp"

namespace golive::e2e {
namespace {

using testing::FakeHttpClient;
using testing::json_response;
using testing::TempWorkflowDir;

std::shared_ptr<const RunEnvironment> test_environment(const std::string& webhook_secret = "") {
  config::Environment env;
  env.name = "test";
  env.base_url = "http://127.0.0.1:9";
  env.anon_key = "anon-key-for-tests";
  env.stripe.webhook_secret = webhook_secret;
  return std::make_shared<RunEnvironment>(env);
}

std::shared_ptr<const Workflow> parse(const std::string& json, const std::string& name = "flow") {
  return std::make_shared<const Workflow>(
      parse_workflow(nlohmann::json::parse(json), "/tmp/" + name + ".json"));
}

std::string path_of(const std::string& url) {
  auto start = url.find('/', url.find("://") + 3);
  return url.substr(start, url.find('?') - start);
}

struct RunResult {
  WorkflowOutcome outcome;
  std::vector<core::CheckResult> checks;
};

RunResult run_once(const std::shared_ptr<const Workflow>& workflow, FakeHttpClient& client,
                   boost::asio::io_context& io, WorkflowRunOptions options = {}) {
  core::CollectingSink sink;
  if (!options.environment) options.environment = test_environment();
  options.results = &sink;
  options.seed = 99;
  RunResult result;
  bool finished = false;
  auto run = WorkflowRun::create(workflow, client, std::move(options));
  run->start([&](const WorkflowOutcome& outcome) {
    result.outcome = outcome;
    finished = true;
  });
  io.run();
  EXPECT_TRUE(finished);
  result.checks = sink.results();
  return result;
}

const core::CheckResult* find_check(const RunResult& result, const std::string& id) {
  for (const auto& check : result.checks) {
    if (check.id == id) return &check;
  }
  return nullptr;
}

const char* kSignupFlow = R"({
  "description": "signup, read the profile, delete the user",
  "variables": {"email": "{{random.email}}"},
  "headers": {"apikey": "{{env.anon_key}}"},
  "steps": [
    {"name": "signup", "method": "POST", "url": "/auth/v1/signup",
     "body": {"email": "{{email}}", "password": "pw-123456"},
     "assert": [{"status": 200}],
     "capture": [{"var": "token", "json": "/access_token"}, {"var": "user_id", "json": "/user/id"}]},
    {"name": "profile", "url": "/rest/v1/profiles", "query": {"user_id": "eq.{{user_id}}"},
     "headers": {"Authorization": "Bearer {{token}}"},
     "assert": [{"status": 200}, {"json": "/0/user_id", "equals": "{{user_id}}"}]},
    {"name": "after", "url": "/rest/v1/courses", "headers": {"Authorization": "Bearer {{token}}"},
     "assert": [{"status": 200}]}
  ],
  "cleanup": [
    {"name": "delete_user", "method": "DELETE", "url": "/auth/v1/user",
     "headers": {"Authorization": "Bearer {{token}}"}, "assert": [{"status": 204}]}
  ]
})";

// A tiny scripted service for kSignupFlow; `fail_profile` breaks step 2.
FakeHttpClient::Responder signup_service(bool fail_profile = false, bool fail_signup = false) {
  return [=](const http::HttpRequest& request) {
    std::string path = path_of(request.url);
    if (path == "/auth/v1/signup") {
      if (fail_signup) return json_response(422, R"({"message":"email taken"})");
      return json_response(200, R"({"access_token":"tok-1","user":{"id":"u-1"}})");
    }
    if (path == "/rest/v1/profiles") {
      if (fail_profile) return json_response(500, R"({"message":"boom"})");
      return json_response(200, R"([{"user_id":"u-1"}])");
    }
    if (path == "/rest/v1/courses") return json_response(200, "[]");
    if (path == "/auth/v1/user" && request.method == "DELETE") return json_response(204, "");
    return json_response(404, "{}");
  };
}

TEST(WorkflowRunTest, RunsStepsCapturesAndCleanup) {
  boost::asio::io_context io;
  FakeHttpClient client(io, signup_service());
  auto result = run_once(parse(kSignupFlow), client, io);
  EXPECT_TRUE(result.outcome.ok()) << result.outcome.first_failure;
  EXPECT_EQ(result.outcome.passed, 4u);
  ASSERT_EQ(client.requests.size(), 4u);
  const auto& signup = client.requests[0];
  EXPECT_EQ(signup.url, "http://127.0.0.1:9/auth/v1/signup");
  auto body = nlohmann::json::parse(signup.body);
  EXPECT_NE(body["email"].get<std::string>().find("@example.test"), std::string::npos);
  EXPECT_EQ(client.requests[1].url, "http://127.0.0.1:9/rest/v1/profiles?user_id=eq.u-1");
  bool bearer = false;
  for (const auto& [name, value] : client.requests[1].headers)
    bearer = bearer || value == "Bearer tok-1";
  EXPECT_TRUE(bearer);
  EXPECT_EQ(client.requests[3].method, "DELETE");

  ASSERT_EQ(result.checks.size(), 4u);
  const auto* profile = find_check(result, "e2e.flow.profile");
  ASSERT_NE(profile, nullptr);
  EXPECT_EQ(profile->status, core::CheckStatus::kPass);
  EXPECT_EQ(profile->suite, "e2e");
  EXPECT_EQ(profile->message, "2 assertions passed");
  EXPECT_EQ(profile->evidence["method"], "GET");
  EXPECT_EQ(profile->evidence["status"], 200);
  EXPECT_TRUE(profile->evidence.contains("latency_ms"));
  EXPECT_EQ(profile->evidence["response_body"], R"([{"user_id":"u-1"}])");
  EXPECT_NE(find_check(result, "e2e.flow.delete_user"), nullptr);
}

TEST(WorkflowRunTest, FailureSkipsTheRestButCleanupStillRuns) {
  boost::asio::io_context io;
  FakeHttpClient client(io, signup_service(/*fail_profile=*/true));
  auto result = run_once(parse(kSignupFlow), client, io);
  EXPECT_FALSE(result.outcome.ok());
  EXPECT_EQ(result.outcome.failed, 1u);
  EXPECT_EQ(result.outcome.skipped, 1u);
  EXPECT_EQ(result.outcome.passed, 2u);  // signup and the cleanup
  const auto* profile = find_check(result, "e2e.flow.profile");
  ASSERT_NE(profile, nullptr);
  EXPECT_EQ(profile->status, core::CheckStatus::kFail);
  EXPECT_EQ(profile->message, "status 200: actual 500 {\"message\":\"boom\"}");
  EXPECT_EQ(profile->severity, core::Severity::kHigh);
  const auto* after = find_check(result, "e2e.flow.after");
  ASSERT_NE(after, nullptr);
  EXPECT_EQ(after->status, core::CheckStatus::kSkip);
  EXPECT_EQ(after->message, "skipped: step profile did not pass");
  ASSERT_EQ(client.requests.size(), 3u);
  EXPECT_EQ(client.requests.back().method, "DELETE");
  EXPECT_EQ(find_check(result, "e2e.flow.delete_user")->status, core::CheckStatus::kPass);
  EXPECT_EQ(result.outcome.first_failure, "profile: status 200: actual 500 {\"message\":\"boom\"}");
}

TEST(WorkflowRunTest, CleanupNeedingAnUncapturedVariableIsSkipped) {
  boost::asio::io_context io;
  FakeHttpClient client(io, signup_service(false, /*fail_signup=*/true));
  auto result = run_once(parse(kSignupFlow), client, io);
  EXPECT_EQ(client.requests.size(), 1u);  // no DELETE without a token
  const auto* cleanup = find_check(result, "e2e.flow.delete_user");
  ASSERT_NE(cleanup, nullptr);
  EXPECT_EQ(cleanup->status, core::CheckStatus::kSkip);
  EXPECT_NE(cleanup->message.find("variable \"token\""), std::string::npos);
  EXPECT_EQ(result.outcome.failed, 1u);
  EXPECT_EQ(result.outcome.skipped, 3u);
}

const char* kPollFlow = R"({
  "description": "submit a job and poll it",
  "steps": [
    {"name": "submit", "method": "POST", "url": "/functions/v1/extract-topics", "body": {"text": "x"},
     "capture": [{"var": "job", "json": "/job_id"}], "assert": [{"status": 202}]},
    {"name": "wait", "url": "/rest/v1/ai_jobs", "query": {"id": "eq.{{job}}"},
     "poll": {"interval_ms": 5, "timeout_ms": 200},
     "assert": [{"status": 200}, {"json": "/0/status", "equals": "completed"}],
     "capture": [{"var": "result", "json": "/0/result"}]}
  ]
})";

FakeHttpClient::Responder job_service(int completes_on_poll) {
  auto polls = std::make_shared<int>(0);
  return [=](const http::HttpRequest& request) {
    if (request.method == "POST") return json_response(202, R"({"job_id":"j-1"})");
    ++*polls;
    if (completes_on_poll > 0 && *polls >= completes_on_poll) {
      return json_response(200, R"([{"status":"completed","result":{"topics":["a"]}}])");
    }
    return json_response(200, R"([{"status":"queued"}])");
  };
}

TEST(WorkflowRunTest, PollRepeatsUntilAssertionsPass) {
  boost::asio::io_context io;
  FakeHttpClient client(io, job_service(3));
  auto result = run_once(parse(kPollFlow), client, io);
  EXPECT_TRUE(result.outcome.ok()) << result.outcome.first_failure;
  EXPECT_EQ(client.requests.size(), 4u);  // submit + 3 polls
  EXPECT_EQ(client.requests[1].url, "http://127.0.0.1:9/rest/v1/ai_jobs?id=eq.j-1");
  const auto* wait = find_check(result, "e2e.flow.wait");
  ASSERT_NE(wait, nullptr);
  EXPECT_EQ(wait->message, "2 assertions passed on attempt 3");
  EXPECT_EQ(wait->evidence["attempts"], 3);
  EXPECT_GE(wait->duration_ms, 10.0);  // two 5 ms intervals
}

TEST(WorkflowRunTest, PollTimesOutWithTheLastFailure) {
  boost::asio::io_context io;
  FakeHttpClient client(io, job_service(0));
  auto started = std::chrono::steady_clock::now();
  auto result = run_once(parse(kPollFlow), client, io);
  auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_GE(elapsed, std::chrono::milliseconds(190));
  EXPECT_LT(elapsed, std::chrono::milliseconds(2000));
  const auto* wait = find_check(result, "e2e.flow.wait");
  ASSERT_NE(wait, nullptr);
  EXPECT_EQ(wait->status, core::CheckStatus::kFail);
  EXPECT_NE(wait->message.find(
                "json /0/status equals \"completed\": actual \"queued\" (still failing after"),
            std::string::npos)
      << wait->message;
  EXPECT_NE(wait->message.find("poll timeout 200 ms"), std::string::npos);
  EXPECT_GT(client.requests.size(), 5u);
}

TEST(WorkflowRunTest, TransportFailureIsAnErrorWithItsCategory) {
  boost::asio::io_context io;
  FakeHttpClient client(io, [](const http::HttpRequest&) {
    http::HttpResponse response;
    response.error = http::HttpErrorCategory::kConnect;
    response.error_message = "Connection refused";
    return response;
  });
  auto result = run_once(parse(kSignupFlow), client, io);
  EXPECT_EQ(result.outcome.errors, 1u);
  const auto* signup = find_check(result, "e2e.flow.signup");
  ASSERT_NE(signup, nullptr);
  EXPECT_EQ(signup->status, core::CheckStatus::kError);
  EXPECT_EQ(signup->message, "no response: connect (Connection refused)");
  EXPECT_EQ(signup->evidence["error"], "connect");
}

TEST(WorkflowRunTest, ThinkTimeDelaysTheNextStep) {
  boost::asio::io_context io;
  FakeHttpClient client(io, [](const http::HttpRequest&) { return json_response(200, "{}"); });
  auto workflow = parse(R"({"description": "d", "steps": [
      {"name": "a", "url": "/a", "think_ms": 60}, {"name": "b", "url": "/b"}]})");
  auto started = std::chrono::steady_clock::now();
  auto result = run_once(workflow, client, io);
  EXPECT_TRUE(result.outcome.ok());
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(60));
}

TEST(WorkflowRunTest, RequestStopSkipsToCleanup) {
  boost::asio::io_context io;
  FakeHttpClient client(io, signup_service());
  auto workflow = parse(R"({"description": "d", "steps": [
      {"name": "a", "url": "/rest/v1/courses", "think_ms": 10000}, {"name": "b", "url": "/rest/v1/courses"}],
      "cleanup": [{"name": "c", "method": "DELETE", "url": "/auth/v1/user"}]})");
  core::CollectingSink sink;
  WorkflowRunOptions options;
  options.environment = test_environment();
  options.results = &sink;
  auto run = WorkflowRun::create(workflow, client, options);
  WorkflowOutcome outcome;
  run->start([&](const WorkflowOutcome& o) { outcome = o; });
  boost::asio::steady_timer stopper(io, std::chrono::milliseconds(30));
  stopper.async_wait([run](const boost::system::error_code&) { run->request_stop(); });
  auto started = std::chrono::steady_clock::now();
  io.run();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  EXPECT_TRUE(outcome.stopped);
  EXPECT_EQ(outcome.passed, 2u);  // a and the cleanup c
  EXPECT_EQ(outcome.skipped, 1u);
  ASSERT_EQ(client.requests.size(), 2u);
  EXPECT_EQ(client.requests[1].method, "DELETE");
}

TEST(WorkflowRunTest, SignedStepWithoutSecretIsSkippedAndCleanupRuns) {
  boost::asio::io_context io;
  FakeHttpClient client(io, [](const http::HttpRequest&) { return json_response(200, "{}"); });
  auto workflow = parse(R"({"description": "d", "steps": [
      {"name": "hook", "method": "POST", "url": "/functions/v1/stripe-webhook", "body": {"id": "evt_1"},
       "sign": {"stripe": true}}, {"name": "after", "url": "/x"}],
      "cleanup": [{"name": "c", "url": "/y"}]})");
  auto result = run_once(workflow, client, io);
  EXPECT_TRUE(result.outcome.ok());
  EXPECT_EQ(result.outcome.skipped, 2u);
  EXPECT_EQ(find_check(result, "e2e.flow.hook")->message,
            "skipped: cannot sign the webhook: the environment has no stripe.webhook_secret");
  ASSERT_EQ(client.requests.size(), 1u);
  EXPECT_EQ(path_of(client.requests[0].url), "/y");
}

TEST(WorkflowRunTest, RequestsToOtherHostsAreRefused) {
  boost::asio::io_context io;
  FakeHttpClient client(io, [](const http::HttpRequest&) { return json_response(200, "{}"); });
  auto workflow =
      parse(R"({"description": "d", "steps": [{"name": "out", "url": "https://example.com/x"}]})");
  auto result = run_once(workflow, client, io);
  EXPECT_TRUE(client.requests.empty());
  EXPECT_EQ(result.outcome.errors, 1u);
  EXPECT_NE(result.checks[0].message.find("\"example.com\" is not in"), std::string::npos);
}

TEST(WorkflowRunTest, EvidenceIsRedactedAndBounded) {
  boost::asio::io_context io;
  std::string big(5000, 'x');
  FakeHttpClient client(io, [&](const http::HttpRequest&) {
    return json_response(200, "{\"echo\":\"anon-key-for-tests\",\"pad\":\"" + big + "\"}");
  });
  core::Redactor redactor;
  redactor.add_secret("anon-key-for-tests");
  WorkflowRunOptions options;
  options.redactor = &redactor;
  auto workflow =
      parse(R"({"description": "d", "steps": [{"name": "s", "method": "POST", "url": "/x",
      "body": {"key": "{{env.anon_key}}"}, "assert": [{"status": 500}]}]})");
  auto result = run_once(workflow, client, io, options);
  ASSERT_EQ(result.checks.size(), 1u);
  std::string dumped = core::to_json(result.checks[0]).dump();
  EXPECT_EQ(dumped.find("anon-key-for-tests"), std::string::npos);
  EXPECT_NE(dumped.find("[REDACTED]"), std::string::npos);
  EXPECT_LT(result.checks[0].evidence["response_body"].get<std::string>().size(), 2100u);
  EXPECT_LT(result.checks[0].message.size(), 400u);
}

TEST(WorkflowRunTest, SamplesReportEveryRequest) {
  boost::asio::io_context io;
  FakeHttpClient client(io, job_service(2), std::chrono::milliseconds(2));
  std::vector<std::pair<std::string, int>> samples;
  std::int64_t min_latency_us = 1 << 30;
  WorkflowRunOptions options;
  options.on_sample = [&](const RequestSample& sample) {
    samples.emplace_back(std::string(sample.step), sample.status);
    min_latency_us = std::min(min_latency_us, sample.latency_us);
    EXPECT_EQ(sample.workflow, "flow");
    EXPECT_EQ(sample.error, http::HttpErrorCategory::kNone);
  };
  run_once(parse(kPollFlow), client, io, options);
  ASSERT_EQ(samples.size(), 3u);
  EXPECT_EQ(samples[0], (std::pair<std::string, int>{"submit", 202}));
  EXPECT_EQ(samples[2].first, "wait");
  EXPECT_GE(min_latency_us, 1500);  // the 2 ms scripted delay
}

// The response observer (JSON Schema conformance uses it) sees every
// response with the method and URL it answered, polls included.
TEST(WorkflowRunTest, ExchangeObserverSeesEveryResponseWithItsRequest) {
  boost::asio::io_context io;
  FakeHttpClient client(io, job_service(2), std::chrono::milliseconds(2));
  std::vector<std::string> seen;
  WorkflowRunOptions options;
  options.on_exchange = [&](const StepExchange& exchange) {
    EXPECT_EQ(exchange.workflow, "flow");
    seen.push_back(std::string(exchange.step) + " " + std::string(exchange.method) + " " +
                   std::to_string(exchange.response.status));
    EXPECT_NE(exchange.url.find("http"), std::string_view::npos);
  };
  run_once(parse(kPollFlow), client, io, options);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0], "submit POST 202");
  EXPECT_EQ(seen[2].rfind("wait GET", 0), 0u) << seen[2];
}

TEST(WorkflowRunTest, MissingEnvironmentCapabilitySkipsTheStep) {
  boost::asio::io_context io;
  FakeHttpClient client(io, [](const http::HttpRequest&) { return json_response(200, "[]"); });
  auto workflow = parse(R"({"description": "d", "steps": [
      {"name": "public", "url": "/x", "headers": {"X-Captcha": "{{env.auth.captcha_token}}"}},
      {"name": "as_service", "url": "/rest/v1/courses", "headers": {"Authorization": "Bearer {{env.service_role_key}}"}}]})");
  auto result = run_once(workflow, client, io);
  EXPECT_TRUE(result.outcome.ok());
  EXPECT_EQ(result.outcome.passed, 1u);  // an empty captcha token is a value, not a gap
  EXPECT_EQ(find_check(result, "e2e.flow.as_service")->message,
            "skipped: the environment has no service_role_key (used in header Authorization)");
  EXPECT_EQ(client.requests.size(), 1u);
}

TEST(WorkflowRunTest, EnvironmentOverridesWorkflowVariables) {
  config::Environment env;
  env.base_url = "http://127.0.0.1:9";
  env.source_file = "staging.json";
  env.sections["e2e"] =
      nlohmann::json::parse(R"({"variables": {"token_code": "STAGING-1", "n": 5}})");
  WorkflowRunOptions options;
  options.environment = std::make_shared<RunEnvironment>(env);
  boost::asio::io_context io;
  FakeHttpClient client(io, [](const http::HttpRequest&) { return json_response(200, "{}"); });
  auto workflow = parse(
      R"({"description": "d", "variables": {"token_code": "WELCOME", "other": "{{token_code}}-x"},
      "steps": [{"name": "s", "url": "/redeem/{{token_code}}/{{other}}"}]})");
  run_once(workflow, client, io, options);
  ASSERT_EQ(client.requests.size(), 1u);
  EXPECT_EQ(client.requests[0].url, "http://127.0.0.1:9/redeem/STAGING-1/STAGING-1-x");

  env.sections["e2e"] = nlohmann::json::parse(R"({"variables": {"bad": [1]}})");
  try {
    RunEnvironment bad(env);
    FAIL();
  } catch (const core::InputError& e) {
    EXPECT_EQ(e.file(), "staging.json");
    EXPECT_EQ(e.location(), "/e2e/variables/bad");
  }
}

TEST(WorkflowRunTest, NullHeaderRemovesTheWorkflowDefault) {
  boost::asio::io_context io;
  FakeHttpClient client(io, [](const http::HttpRequest&) { return json_response(200, "{}"); });
  auto workflow =
      parse(R"({"description": "d", "headers": {"apikey": "{{env.anon_key}}", "X-Keep": "1"},
      "steps": [{"name": "s", "url": "/x", "headers": {"APIKEY": null}}]})");
  run_once(workflow, client, io);
  ASSERT_EQ(client.requests.size(), 1u);
  ASSERT_EQ(client.requests[0].headers.size(), 1u);
  EXPECT_EQ(client.requests[0].headers[0].first, "X-Keep");
}

TEST(WorkflowRunTest, CapturedCredentialsAreMaskedInEvidence) {
  boost::asio::io_context io;
  FakeHttpClient client(io, [](const http::HttpRequest& request) {
    if (path_of(request.url) == "/login")
      return json_response(200, R"({"access_token":"jwt-abc-123456"})");
    return json_response(500, R"({"echo":"jwt-abc-123456"})");
  });
  auto workflow = parse(R"({"description": "d", "variables": {"password": "hunter2-secret"},
      "steps": [{"name": "login", "method": "POST", "url": "/login", "body": {"password": "{{password}}"},
                 "capture": [{"var": "access_token", "json": "/access_token"}]},
                {"name": "use", "url": "/use?t={{access_token}}", "assert": [{"status": 200}]}]})");
  auto result = run_once(workflow, client, io);
  std::string dumped;
  for (const auto& check : result.checks) dumped += core::to_json(check).dump();
  EXPECT_EQ(dumped.find("jwt-abc-123456"), std::string::npos) << dumped;
  EXPECT_EQ(dumped.find("hunter2-secret"), std::string::npos) << dumped;
  EXPECT_NE(dumped.find("/use?t=[REDACTED]"), std::string::npos) << dumped;
  // The request itself carried the real values.
  EXPECT_NE(client.requests[1].url.find("jwt-abc-123456"), std::string::npos);
}

TEST(WorkflowSuiteTest, DatasetRowsRunAsInstances) {
  TempWorkflowDir dir;
  dir.write("pages.csv", "page,title\n/terms,Terms\n/privacy,Privacy\n/cookies,Cookies\n");
  std::string path =
      dir.write("legal.json", R"({"description": "public legal pages", "dataset": "pages.csv",
      "steps": [{"name": "get", "url": "{{page}}", "assert": [{"status": 200}, {"body_contains": "{{title}}"}]}]})");
  auto workflow = std::make_shared<const Workflow>(load_workflow(path));
  boost::asio::io_context io;
  FakeHttpClient client(io, [](const http::HttpRequest& request) {
    std::string path = path_of(request.url);
    if (path == "/terms") return json_response(200, "<h1>Terms of Service</h1>");
    if (path == "/privacy") return json_response(200, "<h1>Privacy Policy</h1>");
    return json_response(404, "not found");
  });
  core::CollectingSink sink;
  SuiteOptions options;
  options.environment = test_environment();
  options.results = &sink;
  options.jobs = 2;
  SuiteOutcome outcome;
  auto suite = WorkflowSuite::create({workflow}, client, options);
  suite->start([&](const SuiteOutcome& o) { outcome = o; });
  io.run();
  ASSERT_EQ(outcome.instances.size(), 3u);
  EXPECT_FALSE(outcome.ok());
  std::map<std::string, core::CheckStatus> statuses;
  for (const auto& check : sink.results()) statuses[check.id] = check.status;
  EXPECT_EQ(statuses["e2e.legal.row1.get"], core::CheckStatus::kPass);
  EXPECT_EQ(statuses["e2e.legal.row2.get"], core::CheckStatus::kPass);
  EXPECT_EQ(statuses["e2e.legal.row3.get"], core::CheckStatus::kFail);
  EXPECT_LE(client.max_in_flight, 2u);
}

TEST(WorkflowSuiteTest, StopLeavesLaterInstancesUnstarted) {
  boost::asio::io_context io;
  FakeHttpClient client(io, [](const http::HttpRequest&) { return json_response(200, "{}"); });
  auto workflow = parse(
      R"({"description": "d", "steps": [{"name": "a", "url": "/a", "think_ms": 10000}, {"name": "b", "url": "/b"}]})");
  SuiteOptions options;
  options.environment = test_environment();
  options.jobs = 1;
  bool stop = false;
  options.should_stop = [&] { return stop; };
  SuiteOutcome outcome;
  auto suite = WorkflowSuite::create({workflow, workflow, workflow}, client, options);
  suite->start([&](const SuiteOutcome& o) { outcome = o; });
  boost::asio::steady_timer stopper(io, std::chrono::milliseconds(20));
  stopper.async_wait([&](const boost::system::error_code&) { stop = true; });
  io.run();
  EXPECT_TRUE(outcome.stopped);
  EXPECT_EQ(outcome.instances.size(), 1u);
  EXPECT_EQ(outcome.not_started, 2u);
  EXPECT_FALSE(outcome.ok());
}

// The load generator's case: a thousand virtual users, one io_context, one
// thread, every one of them mid-request at the same time.
TEST(WorkflowRunScaleTest, ThousandConcurrentRunsOnOneThread) {
  boost::asio::io_context io;
  FakeHttpClient client(io, job_service(2), std::chrono::milliseconds(20));
  client.record_requests = false;
  auto workflow = parse(kPollFlow);
  auto environment = test_environment();
  constexpr std::size_t kRuns = 1000;
  std::size_t finished = 0;
  std::size_t ok = 0;
  std::set<std::thread::id> threads;
  std::size_t samples = 0;
  for (std::size_t i = 0; i < kRuns; ++i) {
    WorkflowRunOptions options;
    options.environment = environment;
    options.on_sample = [&](const RequestSample&) {
      ++samples;
      threads.insert(std::this_thread::get_id());
    };
    // job_service counts polls across all runs, so every run's second poll
    // (at the latest) completes.
    WorkflowRun::create(workflow, client, options)->start([&](const WorkflowOutcome& outcome) {
      ++finished;
      ok += outcome.ok();
    });
  }
  auto started = std::chrono::steady_clock::now();
  io.run();
  auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(finished, kRuns);
  EXPECT_EQ(ok, kRuns);
  EXPECT_EQ(client.max_in_flight, kRuns);  // all submitted before any response arrived
  EXPECT_EQ(threads.size(), 1u);
  EXPECT_GE(samples, 2 * kRuns);
  EXPECT_LT(elapsed, std::chrono::seconds(10));
}

}  // namespace
}  // namespace golive::e2e
