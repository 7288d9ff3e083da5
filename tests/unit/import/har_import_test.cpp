// The HAR importer on a HAR that Chromium wrote (tests/data/import/
// reference_session.har, recorded by tests/node/record_har.js with
// playwright-core against the reference target, nothing redacted by hand)
// and on small HARs written here for the cases a real recording rarely holds
// (HTTP/2 pseudo-headers, other hosts, assets, preflights, a service key).
// GOLIVE_UPDATE_GOLDEN=1 rewrites the golden workflow (review the diff!).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/input_error.hpp"
#include "import/har_reader.hpp"
#include "import/importer.hpp"
#include "target/jwt.hpp"

namespace golive::imports {
namespace {

const std::string kHar = std::string(GOLIVE_TEST_DATA) + "/import/reference_session.har";
const std::string kGolden = std::string(GOLIVE_TEST_DATA) + "/../golden/import/reference_session.json";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(HarImport, RecordedSessionMatchesTheGoldenWorkflow) {
  ImportResult result = import_input("har", kHar, {});
  const std::string text = format_workflow(result.workflow);
  if (const char* update = std::getenv("GOLIVE_UPDATE_GOLDEN"); update && std::string(update) == "1") {
    std::ofstream(kGolden, std::ios::binary) << text;
  }
  const std::string golden = read_file(kGolden);
  ASSERT_FALSE(golden.empty()) << kGolden << " is missing; run with GOLIVE_UPDATE_GOLDEN=1 to create it";
  EXPECT_EQ(text, golden) << "(run with GOLIVE_UPDATE_GOLDEN=1 to accept the new output)";
  EXPECT_EQ(result.summary.read, 13u);
  EXPECT_EQ(result.summary.kept, 13u);
}

// Every credential the browser really sent is in the HAR; none may reach the workflow.
TEST(HarImport, NoRecordedCredentialReachesTheWorkflow) {
  const nlohmann::json har = core::load_json_file(kHar);
  std::vector<std::string> credentials;
  for (const auto& entry : har["log"]["entries"]) {
    for (const auto& header : entry["request"]["headers"]) {
      std::string name = header["name"];
      std::string value = header["value"];
      if (name == "apikey") credentials.push_back(value);
      if (name == "Authorization") credentials.push_back(value.substr(std::string("Bearer ").size()));
    }
    if (entry["request"].contains("postData")) {
      std::string body = entry["request"]["postData"]["text"];
      auto json = nlohmann::json::parse(body, nullptr, false);
      if (json.is_object() && json.contains("password")) credentials.push_back(json["password"]);
      if (json.is_object() && json.contains("email")) credentials.push_back(json["email"]);
    }
  }
  ASSERT_GE(credentials.size(), 10u);
  const std::string text = format_workflow(import_input("har", kHar, {}).workflow);
  for (const auto& credential : credentials) {
    ASSERT_GE(credential.size(), 8u);
    EXPECT_EQ(text.find(credential), std::string::npos) << "literal credential in the workflow: " << credential;
  }
  EXPECT_NE(text.find("\"apikey\": \"{{env.anon_key}}\""), std::string::npos);
  EXPECT_NE(text.find("\"Authorization\": \"Bearer {{access_token}}\""), std::string::npos);
  EXPECT_NE(text.find("\"csrf_token\": \"{{csrf_token}}\""), std::string::npos);
  EXPECT_EQ(text.find("Sec-Fetch"), std::string::npos);
  EXPECT_EQ(text.find("User-Agent"), std::string::npos);
}

TEST(HarImport, ThinkTimeComesFromTheRecordedGapsAndIsCapped) {
  ImportOptions options;
  options.think_time = true;
  options.max_think_ms = 100;
  ImportResult result = import_input("har", kHar, options);
  std::size_t paused = 0;
  for (const auto& step : result.workflow["steps"]) {
    if (!step.contains("think_ms")) continue;
    ++paused;
    EXPECT_GT(step["think_ms"].get<double>(), 0);
    EXPECT_LE(step["think_ms"].get<double>(), 100);
  }
  // The recording paused about 150 ms after each API call.
  EXPECT_GE(paused, 8u);
  EXPECT_FALSE(import_input("har", kHar, {}).workflow["steps"][1].contains("think_ms"));
}

nlohmann::json entry(const std::string& method, const std::string& url, nlohmann::json headers, int status,
                     const std::string& mime, const std::string& body, const std::string& started,
                     nlohmann::json post = nullptr) {
  nlohmann::json request = {{"method", method}, {"url", url}, {"httpVersion", "h2"}, {"headers", headers},
                            {"queryString", nlohmann::json::array()}, {"cookies", nlohmann::json::array()}};
  if (!post.is_null()) request["postData"] = post;
  return {{"startedDateTime", started},
          {"time", 10},
          {"request", request},
          {"response", {{"status", status}, {"headers", nlohmann::json::array()},
                        {"content", {{"mimeType", mime}, {"text", body}}}}}};
}

nlohmann::json header(const std::string& name, const std::string& value) {
  return {{"name", name}, {"value", value}};
}

std::string write_har(const nlohmann::json& entries, const std::string& name) {
  const std::string path = ::testing::TempDir() + name;
  std::ofstream(path) << nlohmann::json{{"log", {{"version", "1.2"}, {"entries", entries}}}}.dump();
  return path;
}

TEST(HarImport, KeepsTheAppsRequestsWithMinimalHeaders) {
  const std::string service_key =
      target::jwt_sign_hs256({{"role", "service_role"}, {"iss", "test"}}, "a-secret-of-the-test-only");
  nlohmann::json entries = nlohmann::json::array({
      entry("GET", "https://app.example.test/", {header(":authority", "app.example.test"), header(":method", "GET"),
                                                 header("cookie", "sid=abcdef123456"), header("accept", "text/html")},
            200, "text/html", "<html></html>", "2026-01-02T10:00:00.000Z"),
      entry("GET", "https://app.example.test/assets/app.3f9c2a1b.js", nlohmann::json::array(), 200,
            "application/javascript", "x", "2026-01-02T10:00:00.100Z"),
      entry("GET", "https://cdn.other.test/font.woff2", nlohmann::json::array(), 200, "font/woff2", "",
            "2026-01-02T10:00:00.200Z"),
      entry("OPTIONS", "https://app.example.test/api/admin", nlohmann::json::array(), 204, "", "",
            "2026-01-02T10:00:00.300Z"),
      entry("POST", "https://app.example.test/api/admin?token=opaque-literal-1234",
            {header(":path", "/api/admin"), header("authorization", "Bearer " + service_key),
             header("content-type", "application/json"), header("x-trace", "keep-me"),
             header("x-api-key", "plain-literal-key-77")},
            201, "application/json", R"({"id": 7})", "2026-01-02T10:00:01.000Z",
            {{"mimeType", "application/json"}, {"text", R"({"note": "hello {{world}}"})"}}),
  });
  ImportResult result = import_input("har", write_har(entries, "minimal.har"), {});
  const auto& steps = result.workflow["steps"];
  ASSERT_EQ(steps.size(), 2u) << format_workflow(result.workflow);
  EXPECT_EQ(steps[0]["url"], "/");
  EXPECT_FALSE(steps[0].contains("headers")) << steps[0].dump();  // cookie, pseudo-headers, html accept: gone
  EXPECT_EQ(steps[1]["url"], "/api/admin");
  EXPECT_EQ(steps[1]["headers"]["authorization"], "Bearer {{env.service_role_key}}");
  EXPECT_EQ(steps[1]["headers"]["x-trace"], "keep-me");
  EXPECT_EQ(steps[1]["headers"]["x-api-key"], "{{x_api_key}}");
  EXPECT_FALSE(steps[1]["headers"].contains("content-type"));  // a JSON body sets it
  EXPECT_EQ(steps[1]["query"]["token"], "{{token}}");
  EXPECT_EQ(steps[1]["body"]["note"], "hello { {world}}");
  EXPECT_EQ(result.workflow["variables"]["x_api_key"], "");
  EXPECT_EQ(result.summary.dropped.size(), 3u);
  const std::string text = format_workflow(result.workflow);
  EXPECT_EQ(text.find(service_key), std::string::npos);
  EXPECT_EQ(text.find("plain-literal-key-77"), std::string::npos);
  EXPECT_EQ(text.find("opaque-literal-1234"), std::string::npos);
  EXPECT_EQ(text.find("abcdef123456"), std::string::npos);

  ImportOptions keep;
  keep.keep_assets = true;
  keep.hosts = {"app.example.test", "cdn.other.test"};
  ImportResult all = import_input("har", write_har(entries, "minimal.har"), keep);
  ASSERT_EQ(all.workflow["steps"].size(), 4u);
  EXPECT_EQ(all.workflow["steps"][2]["url"], "https://cdn.other.test/font.woff2");
}

TEST(HarImport, EnvironmentSecretsBecomeEnvReferences) {
  nlohmann::json entries = nlohmann::json::array({entry(
      "POST", "http://127.0.0.1:9/functions/v1/hook", {header("Stripe-Signature", "t=1,v1=abc"),
                                                        header("X-Secret", "whsec_environmentsecretvalue1234567")},
      200, "application/json", "{}", "2026-01-02T10:00:00Z",
      {{"mimeType", "text/plain"}, {"text", "signed with whsec_environmentsecretvalue1234567"}})});
  ImportOptions options;
  options.environment_secrets = {{"whsec_environmentsecretvalue1234567", "{{env.stripe.webhook_secret}}"}};
  ImportResult result = import_input("har", write_har(entries, "env.har"), options);
  const auto& step = result.workflow["steps"][0];
  EXPECT_EQ(step["url"], "{{env.paths.functions}}/hook");
  EXPECT_EQ(step["headers"]["X-Secret"], "{{env.stripe.webhook_secret}}");
  EXPECT_EQ(step["body"], "signed with {{env.stripe.webhook_secret}}");
}

struct MalformedCase {
  std::string name;
  std::string text;
  std::string location;
};

class MalformedHar : public ::testing::TestWithParam<MalformedCase> {};

TEST_P(MalformedHar, IsAnInputErrorNamingTheFileAndPointer) {
  const std::string path = ::testing::TempDir() + GetParam().name + ".har";
  std::ofstream(path) << GetParam().text;
  try {
    import_input("har", path, {});
    FAIL() << "accepted";
  } catch (const core::InputError& error) {
    EXPECT_EQ(error.file(), path);
    EXPECT_EQ(error.location(), GetParam().location) << error.what();
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, MalformedHar,
    ::testing::Values(
        MalformedCase{"not_json", "{\"log\": ", "line 1, column 9"},
        MalformedCase{"no_log", "{\"entries\": []}", "/"},
        MalformedCase{"entries_object", "{\"log\": {\"entries\": {}}}", "/log/entries"},
        MalformedCase{"no_url",
                      R"({"log": {"entries": [{"startedDateTime": "2026-01-01T00:00:00Z", "request": {"method": "GET", "headers": []}, "response": {"status": 200, "headers": []}}]}})",
                      "/log/entries/0/request"},
        MalformedCase{"bad_date",
                      R"({"log": {"entries": [{"startedDateTime": "yesterday", "request": {"method": "GET", "url": "http://a.test/", "headers": []}, "response": {"status": 200, "headers": []}}]}})",
                      "/log/entries/0/startedDateTime"},
        MalformedCase{"header_number",
                      R"({"log": {"entries": [{"startedDateTime": "2026-01-01T00:00:00Z", "request": {"method": "GET", "url": "http://a.test/", "headers": [{"name": "x", "value": 3}]}, "response": {"status": 200, "headers": []}}]}})",
                      "/log/entries/0/request/headers/0/value"},
        MalformedCase{"nothing_kept", R"({"log": {"entries": []}})", ""}),
    [](const auto& info) { return info.param.name; });

TEST(HarImport, Iso8601Times) {
  EXPECT_EQ(*parse_iso8601_ms("1970-01-01T00:00:01.250Z"), 1250.0);
  EXPECT_EQ(*parse_iso8601_ms("1970-01-01T01:00:00+01:00"), 0.0);
  EXPECT_FALSE(parse_iso8601_ms("1970-01-01"));
  EXPECT_FALSE(parse_iso8601_ms("1970-01-01T00:00:00Q"));
}

}  // namespace
}  // namespace golive::imports
