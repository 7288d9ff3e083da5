// core/encoding's percent-encoding (RFC 3986 section 2) and core/ascii_case:
// the one implementation every layer uses for URL values and protocol text.
#include <gtest/gtest.h>

#include <string>

#include "core/ascii_case.hpp"
#include "core/encoding.hpp"

namespace golive::core {
namespace {

TEST(PercentEncode, KeepsUnreservedAndEncodesEverythingElseInUpperCaseHex) {
  EXPECT_EQ(percent_encode(""), "");
  EXPECT_EQ(percent_encode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(percent_encode("x%' OR 'a'<>'"), "x%25%27%20OR%20%27a%27%3C%3E%27");
  EXPECT_EQ(percent_encode("a/b?c=d&e#f+g"), "a%2Fb%3Fc%3Dd%26e%23f%2Bg");
  EXPECT_EQ(percent_encode("\xc3\xa4"), "%C3%A4");  // UTF-8 bytes, one by one
  EXPECT_EQ(percent_encode(std::string("\0\xff", 2)), "%00%FF");
}

TEST(PercentDecode, DecodesEitherCaseAndKeepsMalformedEscapes) {
  EXPECT_EQ(percent_decode("a%20b%2fc%2F"), "a b/c/");
  EXPECT_EQ(percent_decode("a+b"), "a+b");
  EXPECT_EQ(percent_decode("a+b", true), "a b");
  EXPECT_EQ(percent_decode("100%"), "100%");
  EXPECT_EQ(percent_decode("%zz%4"), "%zz%4");
}

TEST(PercentEncode, RoundTripsEveryByteValue) {
  std::string all_bytes;
  for (int value = 0; value < 256; ++value) all_bytes += static_cast<char>(value);
  EXPECT_EQ(percent_decode(percent_encode(all_bytes)), all_bytes);
}

TEST(AsciiCase, FoldsAsciiLettersOnly) {
  EXPECT_EQ(ascii_lower("Content-Type: ABC xyz 123"), "content-type: abc xyz 123");
  EXPECT_EQ(ascii_upper("get /Path"), "GET /PATH");
  // Bytes outside ASCII (here UTF-8 for "Ä") are left alone in any locale.
  EXPECT_EQ(ascii_lower("\xc3\x84"), "\xc3\x84");
  EXPECT_EQ(ascii_lower('@'), '@');
  EXPECT_EQ(ascii_lower('['), '[');
  EXPECT_EQ(ascii_upper('`'), '`');
  EXPECT_EQ(ascii_upper('{'), '{');
}

TEST(AsciiCase, EqualsIgnoringCaseComparesAgainstALowerCaseLiteral) {
  EXPECT_TRUE(equals_ignoring_case("Content-Length", "content-length"));
  EXPECT_TRUE(equals_ignoring_case("", ""));
  EXPECT_FALSE(equals_ignoring_case("Content-Lengt", "content-length"));
  EXPECT_FALSE(equals_ignoring_case("Content_Length", "content-length"));
  static_assert(equals_ignoring_case("HOST", "host"));
}

}  // namespace
}  // namespace golive::core
