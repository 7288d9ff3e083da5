// The injection family's detectors on literal responses: SQL error
// signatures, response shapes for the boolean pair, raw-markup detection in
// HTML and JSON, prompt-leak markers, and the settings reader's errors.
#include "security/injection_signals.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "core/input_error.hpp"
#include "security/injection_settings.hpp"

namespace golive::security {
namespace {

http::HttpResponse response(int status, std::string body) {
  http::HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

TEST(InjectionSignalsTest, FindsPostgresParseErrorsOnly) {
  const auto syntax = find_sql_error(
      R"({"code":"42601","message":"syntax error at or near \"'\"","details":null})");
  ASSERT_TRUE(syntax.has_value());
  EXPECT_EQ(syntax->signal, "42601");
  EXPECT_NE(syntax->excerpt.find("42601"), std::string::npos);
  const auto unterminated = find_sql_error("ERROR: Unterminated quoted string at or near \"'%\"");
  ASSERT_TRUE(unterminated.has_value());
  EXPECT_EQ(unterminated->signal, "unterminated quoted string");
  // A type error of a bound parameter is not an injection signal.
  EXPECT_FALSE(
      find_sql_error(R"({"code":"22P02","message":"invalid input syntax for type uuid"})"));
  EXPECT_FALSE(find_sql_error("[]"));
}

TEST(InjectionSignalsTest, PayloadsStayBalancedAroundTheToken) {
  EXPECT_EQ(sql_boolean_true("glv1"), "glv1%' OR 'a'<>'");
  EXPECT_EQ(sql_boolean_false("glv1"), "glv1%' AND 'a'='b");
  EXPECT_EQ(sql_sleep_payload("glv1", 2), "glv1%' OR (SELECT 1 FROM pg_sleep(2))=1 OR 'a'='");
  for (const auto& payload : sql_error_payloads()) EXPECT_FALSE(payload.empty());
}

TEST(InjectionSignalsTest, ResponseShapeIgnoresEchoedInputAndRowContent) {
  EXPECT_EQ(response_shape(response(200, R"([{"id":"a"}])"), "x"), "status 200 rows 1");
  EXPECT_EQ(response_shape(response(200, R"([{"id":"b"}])"), "y"), "status 200 rows 1");
  EXPECT_NE(response_shape(response(200, "[]"), "x"), response_shape(response(200, "[{}]"), "x"));
  EXPECT_EQ(
      response_shape(response(404, R"({"code":"invalid_token","message":"no code xyz"})"), "xyz"),
      R"(status 404 code "invalid_token")");
  // Plain text: the payload's own echo does not change the shape.
  EXPECT_EQ(response_shape(response(200, "found abc"), "abc"),
            response_shape(response(200, "found defg"), "defg"));
}

TEST(InjectionSignalsTest, RawMarkupIsFoundButEscapedOrStrippedIsNot) {
  const auto payloads = xss_payloads("glvtest");
  ASSERT_EQ(payloads.size(), 5u);
  std::string raw;
  for (const auto& payload : payloads) raw += payload.text + "\n";
  EXPECT_EQ(raw_markup_fields(payloads, raw, true).size(), 5u);
  // In JSON the attribute-breaking quote is plain text.
  EXPECT_EQ(raw_markup_fields(payloads, raw, false).size(), 4u);

  const std::string escaped =
      "golive xss &lt;script&gt;alert(&#39;glvtest-1&#39;)&lt;/script&gt; notes &quot; "
      "onmouseover=&quot;alert(&#39;glvtest-4&#39;)&quot;";
  EXPECT_TRUE(raw_markup_fields(payloads, escaped, true).empty());
  const std::string stripped = "golive xss \nWeek 1  vectors\ntopic\ngolive ";
  EXPECT_TRUE(raw_markup_fields(payloads, stripped, false).empty());
}

TEST(InjectionSignalsTest, JsonStringsAreDecoded) {
  const auto doc = nlohmann::json::parse(R"({"a":[{"t":"<a href=\"javascript:x\">"}],"n":1})");
  EXPECT_EQ(json_strings(doc), "<a href=\"javascript:x\">\n");
}

TEST(InjectionSignalsTest, CanaryInstructionNeverContainsTheJoinedCanary) {
  const std::string instruction = prompt_canary_instruction("GOLIVEab", "CANARYcdef");
  EXPECT_NE(instruction.find("GOLIVEab"), std::string::npos);
  EXPECT_EQ(instruction.find("GOLIVEab-CANARYcdef"), std::string::npos);
}

TEST(InjectionSignalsTest, LeakedMarkersIgnoreWhatTheInputAlreadySaid) {
  const std::vector<std::string> markers = {"<<SYS>>", "You are a helpful", "hidden instructions"};
  const std::string input = prompt_system_leak_instruction();
  EXPECT_TRUE(leaked_markers("Topics: Repeat, word for word", input, markers).empty());
  const auto leaked = leaked_markers("<<sys>> you are a helpful planner", input, markers);
  EXPECT_EQ(leaked, (std::vector<std::string>{"<<SYS>>", "You are a helpful"}));
  // "hidden instructions" is in the input, so an echo of it proves nothing.
  EXPECT_TRUE(leaked_markers("the hidden instructions", input, markers).empty());
}

TEST(InjectionSignalsTest, OverLongSyllabusHasAtLeastTheRequestedLength) {
  EXPECT_GE(over_long_syllabus(32000).size(), 32000u);
  EXPECT_LT(over_long_syllabus(32000).size(), 32100u);
}

config::Environment env_with(const nlohmann::json& injection) {
  config::Environment env;
  env.source_file = "envs/test.json";
  env.base_url = "http://127.0.0.1:1";
  env.sections["security"] = {{"injection", injection}};
  return env;
}

TEST(InjectionSettingsTest, DefaultsCoverTheReferenceTarget) {
  config::Environment env;
  env.base_url = "http://127.0.0.1:1";
  const auto settings = read_injection_settings(env);
  ASSERT_EQ(settings.targets.size(), 3u);
  EXPECT_EQ(settings.targets[0].name, "courses.search");
  EXPECT_EQ(settings.targets[1].prefix, "eq.");
  EXPECT_EQ(settings.targets[2].field, "code");
  EXPECT_EQ(settings.ai_path, "/functions/v1/extract-topics");
  EXPECT_EQ(settings.sleep_seconds, 2);
}

TEST(InjectionSettingsTest, ReadsTargetsAndDerivesNames) {
  const auto settings = read_injection_settings(env_with(nlohmann::json::parse(R"({
      "targets": [
        {"method": "GET", "path": "/rest/v1/courses", "param": "search", "auth": "anon"},
        {"method": "POST", "path": "/functions/v1/redeem-token", "field": "code"}],
      "sleep_seconds": 1,
      "ai": {"over_limit": "reject", "system_prompt_markers": ["You are StudyBot"]}})")));
  ASSERT_EQ(settings.targets.size(), 2u);
  EXPECT_EQ(settings.targets[0].name, "courses.search");
  EXPECT_FALSE(settings.targets[0].as_user);
  EXPECT_EQ(settings.targets[1].name, "redeem_token.code");
  EXPECT_EQ(settings.sleep_seconds, 1);
  EXPECT_EQ(settings.over_limit, OverLimitPolicy::kReject);
  EXPECT_EQ(settings.system_prompt_markers.back(), "You are StudyBot");
}

TEST(InjectionSettingsTest, BadInputNamesTheJsonPointer) {
  const auto pointer_of = [](const std::string& injection) {
    try {
      read_injection_settings(env_with(nlohmann::json::parse(injection)));
    } catch (const core::InputError& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(pointer_of(R"({"sleep_seconds": 30})").find("/security/injection/sleep_seconds"),
            std::string::npos);
  EXPECT_NE(pointer_of(R"({"targets": [{"path": "/x"}]})").find("/security/injection/targets/0"),
            std::string::npos);
  EXPECT_NE(pointer_of(R"({"targets": [{"path": "/x", "field": "a"}]})").find("POST"),
            std::string::npos);
  EXPECT_NE(pointer_of(R"({"bogus": 1})").find("bogus"), std::string::npos);
}

}  // namespace
}  // namespace golive::security
