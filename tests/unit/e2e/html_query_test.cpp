// CSS-to-XPath translation and queries over libxml2's HTML tree.
#include "e2e/html_query.hpp"

#include <gtest/gtest.h>

namespace golive::e2e {
namespace {

const char* kPage = R"(<!doctype html><html><head><title> Sign in </title></head><body>
<form id="login" class="card wide" method="post">
<input type="hidden" name="csrf_token" value="tok-123">
<input type="email" name="email">
<p class=error>Bad <b>password</b>
<ul><li>a<li>b<li data-x="pre-fix">c</ul>
</form></body></html>)";

std::vector<std::string> css(const std::string& selector, const std::string& attribute = "") {
  auto document = HtmlDocument::parse(kPage);
  EXPECT_NE(document, nullptr);
  return document->select(css_to_xpath(selector), attribute);
}

TEST(HtmlQueryTest, CssSelectorsFindNodesAndAttributes) {
  EXPECT_EQ(css("input[name=csrf_token]", "value"), std::vector<std::string>{"tok-123"});
  EXPECT_EQ(css("form#login input[name='email']", "type"), std::vector<std::string>{"email"});
  EXPECT_EQ(css(".error"), std::vector<std::string>{"Bad password"});  // unclosed <p> recovered
  EXPECT_EQ(css("form.card.wide > input").size(), 2u);
  EXPECT_EQ(css("ul li").size(), 3u);
  EXPECT_EQ(css("li[data-x^=pre]"), std::vector<std::string>{"c"});
  EXPECT_EQ(css("li[data-x$=fix]"), std::vector<std::string>{"c"});
  EXPECT_EQ(css("li[data-x*=e-f]"), std::vector<std::string>{"c"});
  EXPECT_EQ(css("title, li[data-x]"), (std::vector<std::string>{"Sign in", "c"}));
  EXPECT_TRUE(css("form > li").empty());
}

TEST(HtmlQueryTest, XPathMayReturnNodesOrValues) {
  auto document = HtmlDocument::parse(kPage);
  ASSERT_NE(document, nullptr);
  EXPECT_EQ(document->select("//input[@name='csrf_token']/@value", ""),
            std::vector<std::string>{"tok-123"});
  EXPECT_EQ(document->select("count(//li)", ""), std::vector<std::string>{"3"});
  EXPECT_EQ(document->select("//title", ""), std::vector<std::string>{"Sign in"});
}

TEST(HtmlQueryTest, SelectorsThatDoNotParseSayWhere) {
  for (const char* bad : {"", "input[name=", "a:hover", "a + b", "div >", "[=x]", "a,"}) {
    EXPECT_THROW(css_to_xpath(bad), std::invalid_argument) << bad;
  }
  try {
    css_to_xpath("input[name=");
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("character"), std::string::npos) << e.what();
  }
  EXPECT_THROW(validate_xpath("//input[@name="), std::invalid_argument);
  EXPECT_NO_THROW(validate_xpath(css_to_xpath("a.b#c[d~=e]")));
}

}  // namespace
}  // namespace golive::e2e
