#include "reports/escaping.hpp"

#include <gtest/gtest.h>

#include "reports/text_format.hpp"
#include "tests/support/xml_wellformed.hpp"

namespace golive::report {
namespace {

TEST(XmlEscape, EscapesMarkupAndQuotes) {
  EXPECT_EQ(xml_escape("a<b>&\"c\"'"), "a&lt;b&gt;&amp;&quot;c&quot;&#39;");
}

TEST(XmlEscape, MakesForbiddenControlCharactersVisible) {
  std::string text = std::string("bell\x07 nul") + '\0' + "end";
  EXPECT_EQ(xml_escape(text), "bell\\u0007 nul\\u0000end");
  EXPECT_EQ(xml_escape("tab\tnewline\n"), "tab\tnewline\n");
}

TEST(XmlEscape, ReplacesBrokenUtf8AndNonCharacters) {
  EXPECT_EQ(xml_escape("a\xff"
                       "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(xml_escape("\xEF\xBF\xBF"), "\\uFFFF");  // U+FFFF is not an XML character
  EXPECT_EQ(xml_escape("\xED\xA0\x80"),
            "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");              // a UTF-16 surrogate
  EXPECT_EQ(xml_escape("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
  EXPECT_EQ(xml_escape("caf\xC3\xA9 \xF0\x9F\x9A\x80"), "caf\xC3\xA9 \xF0\x9F\x9A\x80");
}

TEST(XmlEscape, AttributeKeepsWhitespaceAsReferences) {
  EXPECT_EQ(xml_escape_attribute("a\tb\nc\rd"), "a&#9;b&#10;c&#13;d");
}

TEST(XmlEscape, HostileTextStaysWellFormed) {
  std::string hostile = "]]><x a='1'>&amp;&#0;\x01\x1f</x><!-- \xfe";
  std::string document =
      "<r a=\"" + xml_escape_attribute(hostile) + "\">" + xml_escape(hostile) + "</r>";
  EXPECT_EQ(testing::xml_wellformedness_error(document), "");
}

TEST(HtmlEscape, NeutralisesScript) {
  EXPECT_EQ(html_escape("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
}

TEST(MarkdownCell, EscapesTableAndInlineMarkup) {
  EXPECT_EQ(markdown_cell("a|b *c* _d_ [e](f) <g>"), "a\\|b \\*c\\* \\_d\\_ \\[e\\](f) \\<g\\>");
  EXPECT_EQ(markdown_cell("line one\nline two\n"), "line one line two");
}

TEST(MarkdownCode, FencesAroundBackticksAndPipes) {
  EXPECT_EQ(markdown_code("e2e.signup.*"), "`e2e.signup.*`");
  EXPECT_EQ(markdown_code("a`b"), "``a`b``");
  EXPECT_EQ(markdown_code("a|b"), "`a\\|b`");
}

TEST(TruncateUtf8, CutsOnCharacterBoundaries) {
  EXPECT_EQ(truncate_utf8("short", 10), "short");
  // "é" is two bytes; a cut at byte 2 would split it.
  EXPECT_EQ(truncate_utf8("a\xC3\xA9xyz", 2), "a\xE2\x80\xA6 (5 bytes more)");
}

TEST(FormatNumber, TrimsAndRounds) {
  EXPECT_EQ(format_number(12.5), "12.5");
  EXPECT_EQ(format_number(3.0), "3");
  EXPECT_EQ(format_number(0.12345, 3), "0.123");
  EXPECT_EQ(format_number(-0.0001, 2), "0");
  EXPECT_EQ(format_number(std::nan("")), "n/a");
  EXPECT_EQ(format_count(1234567), "1,234,567");
  EXPECT_EQ(format_count(999), "999");
  EXPECT_EQ(format_ratio_percent(0.99951), "99.951%");
}

TEST(EvidenceText, EmptyEvidenceIsEmptyAndLongEvidenceIsCut) {
  EXPECT_EQ(evidence_text(nlohmann::json::object(), 100), "");
  EXPECT_EQ(evidence_text(nullptr, 100), "");
  EXPECT_EQ(evidence_text({{"status", 200}}, 100), "{\n  \"status\": 200\n}");
  std::string cut = evidence_text({{"body", std::string(500, 'x')}}, 64);
  EXPECT_LT(cut.size(), 100u);
  EXPECT_NE(cut.find("bytes more"), std::string::npos);
}

}  // namespace
}  // namespace golive::report
