#include "e2e/response_checks.hpp"

#include <gtest/gtest.h>

#include "target/stripe_signature.hpp"
#include "e2e/step_request.hpp"
#include "e2e/workflow_parser.hpp"

namespace golive::e2e {
namespace {

// Builds a one-step workflow whose step has the given assert/capture JSON.
Workflow workflow_with(const nlohmann::json& step_extra) {
  nlohmann::json step{{"name", "s"}, {"url", "/x"}};
  for (const auto& item : step_extra.items()) step[item.key()] = item.value();
  nlohmann::json document{{"description", "d"},
                          {"variables", {{"expected", "active"}, {"count", "3"}}},
                          {"steps", {step}}};
  return parse_workflow(document, "/tmp/checks.json");
}

http::HttpResponse response(int status, const std::string& body, http::HeaderList headers = {}) {
  http::HttpResponse r;
  r.status = status;
  r.body = body;
  r.headers = std::move(headers);
  return r;
}

class ChecksTest : public ::testing::Test {
 protected:
  // The failure message of the single assertion, or "" when it holds.
  std::string check(const nlohmann::json& assertion, const http::HttpResponse& r,
                    double latency_ms = 1) {
    Workflow wf = workflow_with({{"assert", {assertion}}});
    e2e::TemplateValues values(wf.symbols.size(), 1);
    for (const auto& v : wf.variables) values.set(v.slot, v.value.render(values, wf.symbols));
    ResponseView view(r, latency_ms);
    auto failure = check_assertion(wf.steps[0].assertions[0], view, values);
    return failure.value_or("");
  }
};

const char* kBody =
    R"({"status": "active", "count": 3, "items": [1, 2], "nested": {"ok": true}, "nothing": null})";

TEST_F(ChecksTest, Status) {
  EXPECT_EQ(check({{"status", 200}}, response(200, "")), "");
  EXPECT_EQ(check({{"status", {200, 201}}}, response(201, "")), "");
  EXPECT_EQ(check({{"status", 200}}, response(404, "{\"message\":\"gone\"}")),
            "status 200: actual 404 {\"message\":\"gone\"}");
  EXPECT_EQ(check({{"status", {200, 201}}}, response(500, "")), "status in [200,201]: actual 500");
}

TEST_F(ChecksTest, JsonEquals) {
  EXPECT_EQ(check({{"json", "/status"}, {"equals", "{{expected}}"}}, response(200, kBody)), "");
  EXPECT_EQ(check({{"json", "/count"}, {"equals", 3}}, response(200, kBody)), "");
  // A string expectation matches a number by its JSON text (captured values are strings).
  EXPECT_EQ(check({{"json", "/count"}, {"equals", "{{count}}"}}, response(200, kBody)), "");
  EXPECT_EQ(check({{"json", "/items"}, {"equals", {1, 2}}}, response(200, kBody)), "");
  EXPECT_EQ(check({{"json", "/status"}, {"equals", "incomplete"}}, response(200, kBody)),
            "json /status equals \"incomplete\": actual \"active\"");
  EXPECT_EQ(check({{"json", "/missing"}, {"equals", 1}}, response(200, kBody)),
            "json /missing equals 1: actual: /missing not present");
  EXPECT_EQ(check({{"json", "/status"}, {"equals", "x"}}, response(200, "<html>")),
            "json /status equals \"x\": actual: the body is not JSON");
}

TEST_F(ChecksTest, JsonExistsMatchesTypeLength) {
  EXPECT_EQ(check({{"json", "/nested/ok"}, {"exists", true}}, response(200, kBody)), "");
  EXPECT_EQ(check({{"json", "/nothing"}, {"exists", true}}, response(200, kBody)), "");
  EXPECT_EQ(check({{"json", "/gone"}, {"exists", false}}, response(200, kBody)), "");
  EXPECT_EQ(check({{"json", "/status"}, {"exists", false}}, response(200, kBody)),
            "json /status absent: actual \"active\"");
  EXPECT_EQ(check({{"json", "/status"}, {"matches", "^act"}}, response(200, kBody)), "");
  EXPECT_EQ(check({{"json", "/status"}, {"matches", "^in"}}, response(200, kBody)),
            "json /status matches /^in/: actual \"active\"");
  EXPECT_EQ(check({{"json", "/count"}, {"type", "integer"}}, response(200, kBody)), "");
  EXPECT_EQ(check({{"json", "/count"}, {"type", "number"}}, response(200, kBody)), "");
  EXPECT_EQ(check({{"json", "/nothing"}, {"type", "null"}}, response(200, kBody)), "");
  EXPECT_EQ(check({{"json", "/status"}, {"type", "array"}}, response(200, kBody)),
            "json /status is array: actual string \"active\"");
  EXPECT_EQ(check({{"json", "/items"}, {"length", 2}}, response(200, kBody)), "");
  EXPECT_EQ(check({{"json", ""}, {"length", 5}}, response(200, kBody)), "");
  EXPECT_EQ(check({{"json", "/items"}, {"length", 3}}, response(200, kBody)),
            "json /items has length 3: actual length 2");
  EXPECT_EQ(check({{"json", ""}, {"length", 0}}, response(200, "[1]")),
            "json (root) has length 0: actual length 1");
  EXPECT_EQ(check({{"json", "/count"}, {"length", 1}}, response(200, kBody)),
            "json /count has length 1: actual integer 3 has no length");
}

TEST_F(ChecksTest, Headers) {
  http::HeaderList headers{{"content-type", "application/json; charset=utf-8"},
                           {"x-frame-options", "DENY"}};
  EXPECT_EQ(check({{"header", "X-Frame-Options"}, {"equals", "DENY"}}, response(200, "", headers)),
            "");
  EXPECT_EQ(check({{"header", "content-type"}, {"matches", "^application/json"}},
                  response(200, "", headers)),
            "");
  EXPECT_EQ(check({{"header", "strict-transport-security"}, {"exists", true}},
                  response(200, "", headers)),
            "header strict-transport-security present: actual: not present");
  EXPECT_EQ(check({{"header", "x-frame-options"}, {"exists", false}}, response(200, "", headers)),
            "header x-frame-options absent: actual \"DENY\"");
  EXPECT_EQ(
      check({{"header", "x-frame-options"}, {"equals", "SAMEORIGIN"}}, response(200, "", headers)),
      "header x-frame-options equals \"SAMEORIGIN\": actual \"DENY\"");
}

TEST_F(ChecksTest, BodyAndLatency) {
  EXPECT_EQ(check({{"body_contains", "{{expected}}"}}, response(200, kBody)), "");
  EXPECT_EQ(check({{"body_not_contains", "password"}}, response(200, kBody)), "");
  EXPECT_NE(check({{"body_not_contains", "active"}}, response(200, kBody))
                .find("body does not contain \"active\""),
            std::string::npos);
  EXPECT_EQ(check({{"body_contains", "Terms"}}, response(200, "<h1>Privacy</h1>")),
            "body contains \"Terms\": actual body \"<h1>Privacy</h1>\"");
  EXPECT_EQ(check({{"latency_ms_below", 100}}, response(200, ""), 12.5), "");
  EXPECT_EQ(check({{"latency_ms_below", 100}}, response(200, ""), 150),
            "latency below 100 ms: actual 150 ms");
}

TEST(CaptureTest, EveryCaptureSource) {
  Workflow wf = workflow_with({{"capture",
                                {{{"var", "token"}, {"json", "/session/token"}},
                                 {{"var", "count"}, {"json", "/count"}},
                                 {{"var", "obj"}, {"json", "/session"}},
                                 {{"var", "where"}, {"header", "Location"}},
                                 {{"var", "order"}, {"regex", "order=([a-z0-9]+)"}},
                                 {{"var", "code"}, {"status", true}}}}});
  e2e::TemplateValues values(wf.symbols.size(), 1);
  auto r = response(201, R"({"session": {"token": "t0k"}, "count": 7, "link": "x?order=ab12"})",
                    {{"location", "/next"}});
  ResponseView view(r, 1);
  EXPECT_FALSE(apply_captures(wf.steps[0], view, values).has_value());
  auto value = [&](const std::string& name) { return values.get(*wf.symbols.find(name)); };
  EXPECT_EQ(value("token"), "t0k");
  EXPECT_EQ(value("count"), "7");
  EXPECT_EQ(value("obj"), R"({"token":"t0k"})");
  EXPECT_EQ(value("where"), "/next");
  EXPECT_EQ(value("order"), "ab12");
  EXPECT_EQ(value("code"), "201");
}

TEST(CaptureTest, FailuresNameTheCapture) {
  Workflow wf = workflow_with({{"capture", {{{"var", "token"}, {"json", "/access_token"}}}}});
  e2e::TemplateValues values(wf.symbols.size(), 1);
  auto r = response(200, R"({"error": "nope"})");
  ResponseView view(r, 1);
  EXPECT_EQ(apply_captures(wf.steps[0], view, values).value_or(""),
            "capture token: /access_token not found in the response body");
  EXPECT_FALSE(values.is_set(*wf.symbols.find("token")));
}

TEST(StepRequestTest, RendersUrlQueryHeadersJsonBodyAndSignature) {
  nlohmann::json document = nlohmann::json::parse(R"({
    "description": "d",
    "variables": {"name": "O'Brien \"Bob\"", "filter": "a b"},
    "headers": {"apikey": "{{env.anon_key}}"},
    "steps": [{"name": "hook", "method": "POST", "url": "{{env.paths.functions}}/stripe-webhook",
               "query": {"q": "{{filter}}"},
               "body": {"data": {"name": "{{name}}"}, "n": 1}, "sign": {"stripe": true}}]})");
  Workflow wf = parse_workflow(document, "/tmp/w.json");
  config::Environment env;
  env.base_url = "http://127.0.0.1:9";
  env.anon_key = "anon-key-123";
  auto fields = environment_field_values(env);
  e2e::TemplateValues values(wf.symbols.size(), 1);
  for (std::size_t i = 0; i < fields.size(); ++i) values.set(i, fields[i]);
  for (const auto& v : wf.variables) values.set(v.slot, v.value.render(values, wf.symbols));

  http::HttpRequest request;
  std::string secret = "whsec_test_secret";
  auto failure =
      render_step_request(wf.steps[0], values, wf.symbols, {env.base_url, secret}, request);
  ASSERT_FALSE(failure.has_value()) << failure->message;
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.url, "http://127.0.0.1:9/functions/v1/stripe-webhook?q=a%20b");
  auto body = nlohmann::json::parse(request.body);
  EXPECT_EQ(body["data"]["name"], "O'Brien \"Bob\"");
  EXPECT_EQ(body["n"], 1);
  EXPECT_EQ(request.headers[0], (std::pair<std::string, std::string>{"apikey", "anon-key-123"}));
  std::string signature;
  bool content_type = false;
  for (const auto& [name, value] : request.headers) {
    if (name == "Stripe-Signature") signature = value;
    if (name == "Content-Type") content_type = value == "application/json";
  }
  EXPECT_TRUE(content_type);
  auto verified = target::verify_stripe_signature(request.body, signature, secret);
  EXPECT_TRUE(verified.ok) << signature;

  auto unsigned_failure =
      render_step_request(wf.steps[0], values, wf.symbols, {env.base_url, ""}, request);
  ASSERT_TRUE(unsigned_failure.has_value());
  EXPECT_EQ(unsigned_failure->kind, RenderFailure::Kind::kCannotSign);
}

TEST(StepRequestTest, RawPlaceholdersInsertUnquotedJson) {
  nlohmann::json document = nlohmann::json::parse(R"({
    "description": "d",
    "variables": {"amount": "1500", "flag": "true"},
    "steps": [{"name": "s", "method": "POST", "url": "/x",
               "body": {"created": "{{raw:now}}", "amount": "{{ raw:amount }}", "live": "{{raw:flag}}",
                        "quoted": "{{amount}}", "list": [1, "a\"b", null]}}]})");
  Workflow wf = parse_workflow(document, "/tmp/w.json");
  e2e::TemplateValues values(wf.symbols.size(), 1);
  for (const auto& v : wf.variables) values.set(v.slot, v.value.render(values, wf.symbols));
  http::HttpRequest request;
  ASSERT_FALSE(render_step_request(wf.steps[0], values, wf.symbols, {"http://h", ""}, request));
  auto body = nlohmann::json::parse(request.body);
  EXPECT_TRUE(body["created"].is_number_integer());
  EXPECT_EQ(body["amount"], 1500);
  EXPECT_EQ(body["live"], true);
  EXPECT_EQ(body["quoted"], "1500");
  EXPECT_EQ(body["list"], nlohmann::json::parse(R"([1, "a\"b", null])"));
}

TEST(ExcerptTest, CutsOnUtf8Boundary) {
  EXPECT_EQ(excerpt("short", 10), "short");
  std::string text =
      "ab\xC3\xA9"
      "cd";  // "abécd": é is two bytes at offsets 2 and 3
  EXPECT_EQ(excerpt(text, 3), "ab... (6 bytes)");
}

}  // namespace
}  // namespace golive::e2e
