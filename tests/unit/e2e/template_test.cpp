#include "e2e/template.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>

namespace golive::core {
namespace {

class TemplateTest : public ::testing::Test {
 protected:
  TemplateTest() {
    token_ = symbols_.declare("token");
    base_ = symbols_.declare("env.base_url");
  }
  e2e::TemplateValues values() {
    e2e::TemplateValues v(symbols_.size(), 42);
    v.set(token_, "abc");
    v.set(base_, "http://127.0.0.1:8080");
    return v;
  }
  e2e::TemplateSymbols symbols_;
  std::size_t token_ = 0;
  std::size_t base_ = 0;
};

TEST_F(TemplateTest, CompilesIntoLiteralAndVariableSegments) {
  auto t = e2e::Template::compile("Bearer {{token}}", symbols_);
  ASSERT_EQ(t.segments().size(), 2u);
  EXPECT_EQ(t.segments()[0].kind, e2e::Template::SegmentKind::kLiteral);
  EXPECT_EQ(t.segments()[0].literal, "Bearer ");
  EXPECT_EQ(t.segments()[1].kind, e2e::Template::SegmentKind::kVariable);
  EXPECT_EQ(t.segments()[1].slot, token_);
  EXPECT_EQ(t.render(values(), symbols_), "Bearer abc");
}

TEST_F(TemplateTest, RendersEnvFieldsAndWhitespaceInsideBraces) {
  auto t = e2e::Template::compile("{{ env.base_url }}/rest/v1?x={{token}}&y={{token}}", symbols_);
  EXPECT_EQ(t.render(values(), symbols_), "http://127.0.0.1:8080/rest/v1?x=abc&y=abc");
  EXPECT_EQ(t.referenced_slots(), (std::vector<std::size_t>{base_, token_, token_}));
}

TEST_F(TemplateTest, LiteralTextHasOneSegment) {
  auto t = e2e::Template::compile("no placeholders here", symbols_);
  EXPECT_TRUE(t.is_literal());
  EXPECT_EQ(t.segments().size(), 1u);
  EXPECT_EQ(t.render(values(), symbols_), "no placeholders here");
  EXPECT_TRUE(e2e::Template::compile("", symbols_).segments().empty());
}

TEST_F(TemplateTest, UnknownVariableIsACompileErrorWithOffset) {
  try {
    e2e::Template::compile("x {{missing}}", symbols_);
    FAIL() << "expected TemplateError";
  } catch (const e2e::TemplateError& e) {
    EXPECT_NE(std::string(e.what()).find("unknown variable \"missing\""), std::string::npos);
    EXPECT_EQ(e.offset(), 2u);
  }
}

TEST_F(TemplateTest, SyntaxErrors) {
  EXPECT_THROW(e2e::Template::compile("{{token", symbols_), e2e::TemplateError);
  EXPECT_THROW(e2e::Template::compile("{{}}", symbols_), e2e::TemplateError);
  EXPECT_THROW(e2e::Template::compile("{{to ken}}", symbols_), e2e::TemplateError);
  EXPECT_THROW(e2e::Template::compile("{{a\"b}}", symbols_), e2e::TemplateError);
}

TEST_F(TemplateTest, UnsetVariableIsReportedNotRenderedEmpty) {
  auto t = e2e::Template::compile("Bearer {{token}}", symbols_);
  e2e::TemplateValues empty(symbols_.size(), 1);
  std::string out;
  auto missing = t.render_into(empty, out);
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(*missing, token_);
  EXPECT_THROW(t.render(empty, symbols_), std::logic_error);
}

TEST_F(TemplateTest, BuiltinsRenderFreshValuesPerOccurrence) {
  auto t = e2e::Template::compile("{{uuid}} {{uuid}}", symbols_);
  auto text = t.render(values(), symbols_);
  std::regex uuid(
      "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12} "
      "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  EXPECT_TRUE(std::regex_match(text, uuid)) << text;
  EXPECT_NE(text.substr(0, 36), text.substr(37));

  auto email = e2e::Template::compile("{{random.email}}", symbols_).render(values(), symbols_);
  EXPECT_TRUE(std::regex_match(email, std::regex("^golive-[0-9a-f]{16}@example\\.test$"))) << email;
  auto hex = e2e::Template::compile("{{random.hex}}", symbols_).render(values(), symbols_);
  EXPECT_TRUE(std::regex_match(hex, std::regex("^[0-9a-f]{16}$"))) << hex;
}

TEST_F(TemplateTest, NowIsUnixSecondsAndMilliseconds) {
  auto seconds = std::stoll(e2e::Template::compile("{{now}}", symbols_).render(values(), symbols_));
  auto millis = std::stoll(e2e::Template::compile("{{now_ms}}", symbols_).render(values(), symbols_));
  auto expected = std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  EXPECT_NEAR(static_cast<double>(seconds), static_cast<double>(expected), 2.0);
  EXPECT_NEAR(static_cast<double>(millis) / 1000.0, static_cast<double>(seconds), 2.0);
}

TEST_F(TemplateTest, SameSeedSameRandomValues) {
  auto t = e2e::Template::compile("{{uuid}}/{{random.hex}}", symbols_);
  e2e::TemplateValues a(symbols_.size(), 7);
  e2e::TemplateValues b(symbols_.size(), 7);
  EXPECT_EQ(t.render(a, symbols_), t.render(b, symbols_));
}

TEST_F(TemplateTest, JsonEscapingAppliesToVariablesOnly) {
  auto t = e2e::Template::compile(R"({"note":"{{token}}","lit":"a\"b"})", symbols_,
                             e2e::TemplateEscape::kJsonString);
  e2e::TemplateValues v = values();
  v.set(token_, "say \"hi\"\n\\");
  auto text = t.render(v, symbols_);
  auto parsed = nlohmann::json::parse(text);
  EXPECT_EQ(parsed["note"], "say \"hi\"\n\\");
  EXPECT_EQ(parsed["lit"], "a\"b");
}

TEST_F(TemplateTest, UrlComponentEscaping) {
  auto t = e2e::Template::compile("{{token}}", symbols_, e2e::TemplateEscape::kUrlComponent);
  e2e::TemplateValues v = values();
  v.set(token_, "eq.a b&c=d/é~");
  EXPECT_EQ(t.render(v, symbols_), "eq.a%20b%26c%3Dd%2F%C3%A9~");
}

TEST(TemplateSymbolsTest, DeclareIsIdempotent) {
  e2e::TemplateSymbols symbols;
  auto a = symbols.declare("a");
  auto b = symbols.declare("b");
  EXPECT_EQ(symbols.declare("a"), a);
  EXPECT_NE(a, b);
  EXPECT_EQ(symbols.name(b), "b");
  EXPECT_FALSE(symbols.find("c").has_value());
  EXPECT_TRUE(e2e::is_template_builtin("uuid"));
  EXPECT_FALSE(e2e::is_template_builtin("token"));
}

}  // namespace
}  // namespace golive::core
