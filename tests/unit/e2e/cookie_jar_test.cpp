// RFC 6265 storage and retrieval rules of the per-run cookie jar.
#include "e2e/cookie_jar.hpp"

#include <gtest/gtest.h>

namespace golive::e2e {
namespace {

core::Url url(const std::string& text) { return *core::parse_url(text); }

const auto kNow = std::chrono::system_clock::from_time_t(1800000000);  // 2027-01-15

TEST(CookieJarTest, HostOnlyCookieGoesBackToItsHostOnly) {
  CookieJar jar;
  ASSERT_TRUE(jar.store("sid=abc; Path=/; HttpOnly", url("http://app.example.test/login"), kNow));
  EXPECT_EQ(jar.cookie_header(url("http://app.example.test/x"), kNow), "sid=abc");
  EXPECT_EQ(jar.cookie_header(url("http://sub.app.example.test/x"), kNow), "");
  EXPECT_EQ(jar.cookie_header(url("http://example.test/x"), kNow), "");
  const StoredCookie* cookie = jar.find("sid", nullptr, kNow);
  ASSERT_NE(cookie, nullptr);
  EXPECT_TRUE(cookie->http_only);
  EXPECT_TRUE(cookie->host_only);
  EXPECT_FALSE(cookie->expires.has_value());
}

TEST(CookieJarTest, DomainAttributeCoversSubdomainsAndMustMatchTheHost) {
  CookieJar jar;
  ASSERT_TRUE(jar.store("d=1; Domain=.example.test", url("http://app.example.test/"), kNow));
  EXPECT_EQ(jar.cookie_header(url("http://other.example.test/"), kNow), "d=1");
  EXPECT_EQ(jar.cookie_header(url("http://example.test/"), kNow), "d=1");
  EXPECT_EQ(jar.cookie_header(url("http://notexample.test/"), kNow), "");
  // A host may not set a cookie for a domain it is not inside.
  EXPECT_FALSE(jar.store("e=1; Domain=evil.test", url("http://app.example.test/"), kNow));
  EXPECT_FALSE(jar.store("e=1; Domain=app.example.test", url("http://example.test/"), kNow));
  // IP addresses only match themselves.
  EXPECT_FALSE(jar.store("ip=1; Domain=0.0.1", url("http://127.0.0.1/"), kNow));
}

TEST(CookieJarTest, DefaultPathIsTheRequestDirectoryAndPathsMatchOnSegments) {
  CookieJar jar;
  jar.store("a=1", url("http://h.test/web/login"), kNow);
  EXPECT_EQ(jar.find("a", nullptr, kNow)->path, "/web");
  EXPECT_EQ(jar.cookie_header(url("http://h.test/web"), kNow), "a=1");
  EXPECT_EQ(jar.cookie_header(url("http://h.test/web/app"), kNow), "a=1");
  EXPECT_EQ(jar.cookie_header(url("http://h.test/website"), kNow), "");
  EXPECT_EQ(jar.cookie_header(url("http://h.test/"), kNow), "");
}

TEST(CookieJarTest, LongerPathsFirstThenOlderFirst) {
  CookieJar jar;
  jar.store("root=1; Path=/", url("http://h.test/"), kNow);
  jar.store("deep=2; Path=/a/b", url("http://h.test/"), kNow);
  jar.store("mid=3; Path=/a", url("http://h.test/"), kNow);
  jar.store("root2=4; Path=/", url("http://h.test/"), kNow);
  EXPECT_EQ(jar.cookie_header(url("http://h.test/a/b/c"), kNow), "deep=2; mid=3; root=1; root2=4");
}

TEST(CookieJarTest, SecureCookiesTravelOverHttpsOnly) {
  CookieJar jar;
  jar.store("s=1; Secure", url("https://h.test/"), kNow);
  jar.store("p=2", url("https://h.test/"), kNow);
  EXPECT_EQ(jar.cookie_header(url("https://h.test/"), kNow), "s=1; p=2");
  EXPECT_EQ(jar.cookie_header(url("http://h.test/"), kNow), "p=2");
}

TEST(CookieJarTest, MaxAgeWinsOverExpiresAndZeroDeletes) {
  CookieJar jar;
  jar.store("a=1; Expires=Wed, 09 Jun 2021 10:18:14 GMT; Max-Age=60", url("http://h.test/"), kNow);
  ASSERT_NE(jar.find("a", nullptr, kNow), nullptr);
  EXPECT_EQ(jar.find("a", nullptr, kNow + std::chrono::seconds(61)), nullptr);
  jar.store("b=1; Expires=Wed, 09 Jun 2021 10:18:14 GMT", url("http://h.test/"), kNow);
  EXPECT_EQ(jar.find("b", nullptr, kNow), nullptr);  // already expired: never stored
  jar.store("c=1; Path=/", url("http://h.test/"), kNow);
  jar.store("c=; Path=/; Max-Age=0", url("http://h.test/"), kNow);
  EXPECT_EQ(jar.find("c", nullptr, kNow), nullptr);
  EXPECT_EQ(jar.size(), 1u);
}

TEST(CookieJarTest, SameNameDomainPathReplacesKeepingItsPlace) {
  CookieJar jar;
  jar.store("a=1", url("http://h.test/"), kNow);
  jar.store("b=2", url("http://h.test/"), kNow);
  jar.store("a=3", url("http://h.test/"), kNow);
  EXPECT_EQ(jar.cookie_header(url("http://h.test/"), kNow), "a=3; b=2");
}

TEST(CookieJarTest, CookieDatesParseLeniently) {
  auto expected = std::chrono::system_clock::from_time_t(1623233894);  // 2021-06-09 10:18:14 UTC
  EXPECT_EQ(parse_cookie_date("Wed, 09 Jun 2021 10:18:14 GMT"), expected);
  EXPECT_EQ(parse_cookie_date("Wednesday, 09-Jun-21 10:18:14 GMT"), expected);
  EXPECT_EQ(parse_cookie_date("Wed Jun  9 10:18:14 2021"), expected);
  EXPECT_FALSE(parse_cookie_date("tomorrow").has_value());
  EXPECT_FALSE(parse_cookie_date("Wed, 39 Jun 2021 10:18:14 GMT").has_value());
}

TEST(CookieJarTest, MalformedSetCookieIsRefused) {
  CookieJar jar;
  EXPECT_FALSE(jar.store("novalue", url("http://h.test/"), kNow));
  EXPECT_FALSE(jar.store("=x", url("http://h.test/"), kNow));
  EXPECT_EQ(jar.size(), 0u);
}

}  // namespace
}  // namespace golive::e2e
