// The workflow constructs for apps that are not token APIs (cookies, forms,
// multipart, HTML queries, redirects, auth schemes, retry, when), run by
// WorkflowRun against a scripted HttpClient, and their schema errors.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "core/ascii_case.hpp"
#include "core/encoding.hpp"
#include "core/input_error.hpp"
#include "e2e/digest_auth.hpp"
#include "e2e/step_request.hpp"
#include "e2e/workflow_parser.hpp"
#include "e2e/workflow_run.hpp"
#include "tests/support/fake_http_client.hpp"
#include "tests/support/temp_workflow_dir.hpp"

namespace golive::e2e {
namespace {

using testing::FakeHttpClient;
using testing::TempWorkflowDir;

std::shared_ptr<const RunEnvironment> environment() {
  config::Environment env;
  env.name = "test";
  env.base_url = "http://127.0.0.1:9";
  env.anon_key = "anon-key-for-tests";
  env.service_role_key = "service-role-key-for-tests";
  return std::make_shared<RunEnvironment>(env);
}

std::shared_ptr<const Workflow> parse(const std::string& json) {
  return std::make_shared<const Workflow>(
      parse_workflow(nlohmann::json::parse(json), "/tmp/web.json"));
}

std::string path_of(const std::string& url) {
  auto start = url.find('/', url.find("://") + 3);
  return url.substr(start, url.find('?') - start);
}

std::string header_of(const http::HttpRequest& request, const std::string& name) {
  for (const auto& [key, value] : request.headers) {
    if (core::ascii_lower(key) == name) return value;
  }
  return "";
}

http::HttpResponse html(int status, const std::string& body, http::HeaderList headers = {}) {
  http::HttpResponse response;
  response.status = status;
  response.body = body;
  response.headers = std::move(headers);
  response.headers.emplace_back("content-type", "text/html");
  return response;
}

struct RunResult {
  WorkflowOutcome outcome;
  std::map<std::string, core::CheckResult> checks;  // by step name
};

RunResult run(const std::shared_ptr<const Workflow>& workflow, FakeHttpClient& client,
        boost::asio::io_context& io) {
  core::CollectingSink sink;
  WorkflowRunOptions options;
  options.environment = environment();
  options.results = &sink;
  options.seed = 7;
  RunResult result;
  WorkflowRun::create(workflow, client, options)->start([&](const WorkflowOutcome& outcome) {
    result.outcome = outcome;
  });
  io.run();
  for (const auto& check : sink.results()) {
    result.checks[check.evidence.value("step", "")] = check;
  }
  return result;
}

// A login form with a CSRF token in a cookie and the page, a 303 to the app
// that needs the session cookie, and a logout that expires it.
http::HttpResponse cookie_site(const http::HttpRequest& request) {
  const std::string path = path_of(request.url);
  const std::string cookies = header_of(request, "cookie");
  if (path == "/login" && request.method == "GET") {
    return html(200, R"(<form><input type="hidden" name="csrf" value="t0k"></form>)",
                {{"set-cookie", "csrf=t0k; Path=/; HttpOnly; SameSite=Strict"}});
  }
  if (path == "/login") {
    if (request.body != "csrf=t0k&user=ann%2Bq%40example.test" || cookies != "csrf=t0k") {
      return html(403, "bad form: " + request.body + " cookies: " + cookies);
    }
    return html(303, "", {{"location", "/app"},
                          {"set-cookie", "sid=s3ss10n; Path=/; HttpOnly; SameSite=Lax; Max-Age=600"}});
  }
  if (path == "/app") {
    if (cookies.find("sid=s3ss10n") == std::string::npos) return html(303, "", {{"location", "/login"}});
    return html(200, R"(<p id="who">ann@example.test</p>)");
  }
  if (path == "/logout") return html(200, "bye", {{"set-cookie", "sid=; Path=/; Max-Age=0"}});
  return html(404, "");
}

TEST(WebStepsTest, CookieSessionThroughAFormWithCsrfAndARedirect) {
  boost::asio::io_context io;
  FakeHttpClient client(io, cookie_site);
  auto workflow = parse(R"({
    "description": "form login",
    "steps": [
      {"name": "form", "url": "/login",
       "assert": [{"status": 200}, {"cookie": "csrf", "http_only": true, "same_site": "strict", "session": true}],
       "capture": [{"var": "csrf", "html": "input[name=csrf]", "attribute": "value"}]},
      {"name": "login", "method": "POST", "url": "/login", "follow_redirects": true,
       "form": {"user": "ann+q@example.test", "csrf": "{{csrf}}"},
       "assert": [{"status": 200}, {"url": {"equals": "http://127.0.0.1:9/app"}}, {"redirects": 1},
                  {"html": "#who", "equals": "ann@example.test"},
                  {"cookie": "sid", "equals": "s3ss10n", "http_only": true, "path": "/", "session": false}],
       "capture": [{"var": "sid", "cookie": "sid"}]},
      {"name": "logout", "url": "/logout", "assert": [{"cookie": "sid", "exists": false}]},
      {"name": "app_again", "url": "/app", "assert": [{"status": 303}, {"header": "location", "equals": "/login"}]}
    ]})");
  RunResult result = run(workflow, client, io);
  EXPECT_TRUE(result.outcome.ok()) << result.outcome.first_failure;
  EXPECT_EQ(result.outcome.passed, 4u);
  // The redirect was a GET without the form body, and the chain is evidence.
  ASSERT_EQ(client.requests.size(), 5u);
  EXPECT_EQ(client.requests[2].method, "GET");
  EXPECT_EQ(client.requests[2].body, "");
  EXPECT_EQ(header_of(client.requests[2], "content-type"), "");
  EXPECT_EQ(header_of(client.requests[2], "cookie"), "csrf=t0k; sid=s3ss10n");
  EXPECT_EQ(header_of(client.requests[1], "content-type"), "application/x-www-form-urlencoded");
  const auto& evidence = result.checks["login"].evidence;
  ASSERT_TRUE(evidence.contains("redirects")) << evidence.dump();
  EXPECT_EQ(evidence["redirects"][0], "303 http://127.0.0.1:9/app");
}

TEST(WebStepsTest, CookiesOffSendsNoneAndClearCookiesEmptiesTheJar) {
  boost::asio::io_context io;
  FakeHttpClient client(io, cookie_site);
  auto off = parse(R"({"description": "d", "cookies": false, "steps": [
      {"name": "form", "url": "/login"}, {"name": "app", "url": "/app"}]})");
  run(off, client, io);
  EXPECT_EQ(header_of(client.requests[1], "cookie"), "");

  boost::asio::io_context io2;
  FakeHttpClient client2(io2, cookie_site);
  auto cleared = parse(R"({"description": "d", "steps": [
      {"name": "form", "url": "/login"}, {"name": "again", "url": "/app"},
      {"name": "fresh", "url": "/app", "clear_cookies": true}]})");
  run(cleared, client2, io2);
  EXPECT_EQ(header_of(client2.requests[1], "cookie"), "csrf=t0k");
  EXPECT_EQ(header_of(client2.requests[2], "cookie"), "");
}

TEST(WebStepsTest, FailingCookieAssertionShowsTheCookie) {
  boost::asio::io_context io;
  FakeHttpClient client(io, cookie_site);
  auto workflow = parse(R"({"description": "d", "steps": [
      {"name": "form", "url": "/login", "assert": [{"cookie": "csrf", "secure": true}]}]})");
  RunResult result = run(workflow, client, io);
  EXPECT_EQ(result.checks["form"].status, core::CheckStatus::kFail);
  EXPECT_NE(result.checks["form"].message.find("cookie csrf present, Secure: actual csrf=(3 characters); Path=/; host 127.0.0.1; HttpOnly; SameSite=Strict; session"),
            std::string::npos)
      << result.checks["form"].message;
}

TEST(WebStepsTest, RedirectBoundIsEnforced) {
  boost::asio::io_context io;
  FakeHttpClient client(io, [](const http::HttpRequest&) {
    return html(302, "", {{"location", "/loop"}});
  });
  auto workflow = parse(R"({"description": "d", "steps": [
      {"name": "loop", "url": "/loop", "follow_redirects": {"max": 3}}]})");
  RunResult result = run(workflow, client, io);
  EXPECT_EQ(client.sent, 4u);
  EXPECT_EQ(result.checks["loop"].status, core::CheckStatus::kFail);
  EXPECT_NE(result.checks["loop"].message.find("more than 3 redirects"), std::string::npos);
}

TEST(WebStepsTest, MultipartBodyCarriesFilesAndEvidenceShowsPartsNotBytes) {
  TempWorkflowDir dir;
  dir.write("data/note.txt", "hello file");
  const std::string path = dir.write("upload.json", R"({"description": "d", "steps": [
      {"name": "upload", "method": "POST", "url": "/up", "multipart": [
        {"name": "title", "value": "{{env.name}}"},
        {"name": "doc", "file": "data/note.txt"},
        {"name": "big", "generate": {"size": 2048, "type": "application/pdf"}, "filename": "big.pdf"}],
       "assert": [{"status": 200}]}]})");
  auto workflow = std::make_shared<const Workflow>(load_workflow(path));
  boost::asio::io_context io;
  FakeHttpClient client(io, [](const http::HttpRequest&) { return html(200, "ok"); });
  RunResult result = run(workflow, client, io);
  ASSERT_TRUE(result.outcome.ok()) << result.outcome.first_failure;
  const http::HttpRequest& sent = client.requests[0];
  const std::string boundary = workflow->steps[0].multipart_boundary;
  EXPECT_EQ(header_of(sent, "content-type"), "multipart/form-data; boundary=" + boundary);
  EXPECT_NE(sent.body.find("Content-Disposition: form-data; name=\"title\"\r\n\r\ntest\r\n"),
            std::string::npos);
  EXPECT_NE(sent.body.find("name=\"doc\"; filename=\"note.txt\"\r\nContent-Type: text/plain\r\n\r\nhello file\r\n"),
            std::string::npos);
  EXPECT_NE(sent.body.find("filename=\"big.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-"),
            std::string::npos);
  EXPECT_EQ(sent.body.substr(sent.body.size() - boundary.size() - 6), "--" + boundary + "--\r\n");
  const auto& evidence = result.checks["upload"].evidence;
  EXPECT_FALSE(evidence.contains("request_body"));
  ASSERT_EQ(evidence["request_parts"].size(), 3u);
  EXPECT_EQ(evidence["request_parts"][2],
            "big: file \"big.pdf\" (application/pdf, 2048 bytes, generated 2048 bytes)");
}

TEST(WebStepsTest, BasicAndBearerAuthHeaders) {
  auto workflow = parse(R"({"description": "d", "variables": {"user": "ann"}, "steps": [
      {"name": "basic", "url": "/a", "auth": {"basic": {"username": "{{user}}", "password": "{{env.service_role_key}}"}}},
      {"name": "bearer", "url": "/b", "auth": {"bearer": "{{env.anon_key}}"}}]})");
  boost::asio::io_context io;
  FakeHttpClient client(io, [](const http::HttpRequest&) { return html(200, ""); });
  run(workflow, client, io);
  EXPECT_EQ(header_of(client.requests[0], "authorization"),
            "Basic " + core::base64_encode("ann:service-role-key-for-tests"));
  EXPECT_EQ(header_of(client.requests[1], "authorization"), "Bearer anon-key-for-tests");
}

TEST(WebStepsTest, DigestAuthAnswersTheChallenge) {
  // RFC 2617 section 3.5's example, with qop=auth.
  DigestChallenge challenge;
  challenge.realm = "testrealm@host.com";
  challenge.nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093";
  challenge.opaque = "5ccc069c403ebaf9f0171e9517f40e41";
  challenge.qop_auth = true;
  const std::string header = digest_authorization(challenge, "Mufasa", "Circle Of Life", "GET",
                                                  "/dir/index.html", "0a4f113b");
  EXPECT_NE(header.find("response=\"6629fae49393a05397450978507c4ef1\""), std::string::npos)
      << header;
  auto parsed = parse_digest_challenge(
      "Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", "
      "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->nonce, challenge.nonce);
  EXPECT_TRUE(parsed->qop_auth);

  auto workflow = parse(R"({"description": "d", "variables": {"user": "Mufasa"}, "steps": [
      {"name": "digest", "url": "/dir/index.html",
       "auth": {"digest": {"username": "{{user}}", "password": "{{env.service_role_key}}"}},
       "assert": [{"status": 200}]}]})");
  boost::asio::io_context io;
  FakeHttpClient client(io, [](const http::HttpRequest& request) {
    if (header_of(request, "authorization").rfind("Digest username=\"Mufasa\"", 0) == 0) {
      return html(200, "in");
    }
    return html(401, "", {{"www-authenticate", "Digest realm=\"r\", qop=\"auth\", nonce=\"n1\""}});
  });
  RunResult result = run(workflow, client, io);
  EXPECT_TRUE(result.outcome.ok()) << result.outcome.first_failure;
  EXPECT_EQ(client.sent, 2u);
}

TEST(WebStepsTest, RetryResendsOnListedStatusesOnly) {
  boost::asio::io_context io;
  int calls = 0;
  FakeHttpClient client(io, [&calls](const http::HttpRequest&) {
    return html(++calls < 3 ? 503 : 200, "");
  });
  auto workflow = parse(R"({"description": "d", "steps": [
      {"name": "eventual", "url": "/e", "retry": {"attempts": 4, "delay_ms": 1, "on": [503, "timeout"]},
       "assert": [{"status": 200}]}]})");
  RunResult result = run(workflow, client, io);
  EXPECT_TRUE(result.outcome.ok()) << result.outcome.first_failure;
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(result.checks["eventual"].evidence["retries"], 2);

  boost::asio::io_context io2;
  FakeHttpClient client2(io2, [](const http::HttpRequest&) { return html(500, ""); });
  RunResult failed = run(workflow, client2, io2);
  EXPECT_EQ(client2.sent, 1u);  // 500 is not listed
  EXPECT_FALSE(failed.outcome.ok());
}

TEST(WebStepsTest, WhenSkipsOnlyItsStepWithTheReason) {
  boost::asio::io_context io;
  FakeHttpClient client(io, [](const http::HttpRequest&) {
    return testing::json_response(200, R"({"plan": "free"})");
  });
  auto workflow = parse(R"({"description": "d", "steps": [
      {"name": "read", "url": "/me", "capture": [{"var": "plan", "json": "/plan"}]},
      {"name": "pro_only", "url": "/pro", "when": {"var": "plan", "equals": "pro"}},
      {"name": "free_only", "url": "/free", "when": {"var": "plan", "not_equals": "pro"}},
      {"name": "after", "url": "/after", "when": {"var": "plan", "exists": true}}]})");
  RunResult result = run(workflow, client, io);
  EXPECT_TRUE(result.outcome.ok());
  EXPECT_EQ(result.outcome.passed, 3u);
  EXPECT_EQ(result.outcome.skipped, 1u);
  EXPECT_EQ(result.checks["pro_only"].status, core::CheckStatus::kSkip);
  EXPECT_EQ(result.checks["pro_only"].message,
            "skipped: when plan equals \"pro\" does not hold (plan is \"free\")");
  EXPECT_EQ(client.sent, 3u);
}

// ---- schema errors ------------------------------------------------------

void expect_error(const std::string& content, const std::string& location,
                  const std::string& problem) {
  TempWorkflowDir dir;
  const std::string path = dir.write("flow.json", content);
  try {
    load_workflow(path);
    FAIL() << "expected an InputError at " << location;
  } catch (const core::InputError& e) {
    EXPECT_EQ(e.file(), path) << e.what();
    EXPECT_EQ(e.location(), location) << e.what();
    EXPECT_NE(e.problem().find(problem), std::string::npos) << e.what();
  }
}

std::string flow(const std::string& step) {
  return R"({"description": "d", "steps": [)" + step + "]}";
}

TEST(WebStepsTest, SchemaErrorsNameFileAndPointer) {
  expect_error(flow(R"({"name": "s", "url": "/x", "form": {"a": "1"}, "body": "x"})"), "/steps/0",
               "at most one of: body, form, multipart");
  expect_error(flow(R"({"name": "s", "url": "/x", "multipart": [{"name": "f", "file": "missing.pdf"}]})"),
               "/steps/0/multipart/0/file", "does not exist");
  expect_error(flow(R"({"name": "s", "url": "/x", "multipart": [{"name": "f", "stream": 1}]})"),
               "/steps/0/multipart/0/stream", "unknown key");
  expect_error(flow(R"({"name": "s", "url": "/x", "multipart": [{"name": "f", "generate": {"size": -1, "type": "text/plain"}}]})"),
               "/steps/0/multipart/0/generate/size", "generated size");
  expect_error(flow(R"({"name": "s", "url": "/x", "capture": [{"var": "v", "html": "input[name="}]})"),
               "/steps/0/capture/0/html", "does not parse");
  expect_error(flow(R"({"name": "s", "url": "/x", "assert": [{"xpath": "//a[", "exists": true}]})"),
               "/steps/0/assert/0/xpath", "does not compile");
  expect_error(flow(R"({"name": "s", "url": "/x", "auth": {"basic": {"username": "u", "password": "hunter2"}}})"),
               "/steps/0/auth/basic/password", "never literal text");
  expect_error(flow(R"({"name": "s", "url": "/x", "auth": {"oauth": "x"}})"), "/steps/0/auth/oauth", "unknown key");
  expect_error(flow(R"({"name": "s", "url": "/x", "retry": {"attempts": 3, "on": ["sometimes"]}})"),
               "/steps/0/retry/on/0", "error category");
  expect_error(flow(R"({"name": "s", "url": "/x", "when": {"var": "nope", "exists": true}})"),
               "/steps/0/when/var", "no variable \"nope\"");
  expect_error(flow(R"({"name": "s", "url": "/x", "follow_redirects": {"max": 0}})"),
               "/steps/0/follow_redirects/max", "1 to 50");
  expect_error(R"({"description": "d", "cookies": false, "steps": [{"name": "s", "url": "/x", "assert": [{"cookie": "a"}]}]})",
               "/steps/0/assert/0/cookie", "cookie jar");
  expect_error(flow(R"({"name": "s", "url": "/x", "assert": [{"cookie": "a", "same_site": "sometimes"}]})"),
               "/steps/0/assert/0/same_site", "Lax, Strict, None");
}

}  // namespace
}  // namespace golive::e2e
