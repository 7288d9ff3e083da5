// core::parse_url: the one URL parser every client and the host policy use.
#include "core/url.hpp"

#include <gtest/gtest.h>

namespace golive::testing {
namespace {

TEST(Url, SplitsSchemeHostPortAndTarget) {
  auto url = core::parse_url("http://127.0.0.1:8080/health?x=1#frag");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->scheme, "http");
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, 8080);
  EXPECT_TRUE(url->explicit_port);
  EXPECT_EQ(url->target, "/health?x=1");
  EXPECT_EQ(url->path(), "/health");
  EXPECT_EQ(url->authority(), "127.0.0.1:8080");
  EXPECT_FALSE(url->tls());
}

TEST(Url, LowercasesSchemeAndHostAndDropsOneTrailingDot) {
  auto upper = core::parse_url("HTTP://LOCALHOST:81/Path");
  ASSERT_TRUE(upper);
  EXPECT_EQ(upper->scheme, "http");
  EXPECT_EQ(upper->host, "localhost");
  EXPECT_EQ(upper->target, "/Path");  // the path keeps its case
  auto dotted = core::parse_url("http://localhost.:81/");
  ASSERT_TRUE(dotted);
  EXPECT_EQ(dotted->host, "localhost");
  EXPECT_EQ(dotted->authority(), upper->authority());
  EXPECT_TRUE(dotted->trailing_dot);
  EXPECT_FALSE(upper->trailing_dot);
}

TEST(Url, DefaultPortsAndEmptyTarget) {
  auto http = core::parse_url("http://example.com");
  ASSERT_TRUE(http);
  EXPECT_EQ(http->port, 80);
  EXPECT_FALSE(http->explicit_port);
  EXPECT_EQ(http->target, "/");
  auto https = core::parse_url("https://example.com?q=1");
  ASSERT_TRUE(https);
  EXPECT_EQ(https->port, 443);
  EXPECT_TRUE(https->tls());
  EXPECT_EQ(https->target, "/?q=1");
}

TEST(Url, Ipv6LiteralsLoseBracketsInHostOnly) {
  auto url = core::parse_url("http://[::1]:9000/x");
  ASSERT_TRUE(url);
  EXPECT_TRUE(url->ipv6);
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->authority(), "[::1]:9000");
  EXPECT_EQ(core::parse_url("http://[::1]/")->port, 80);
  EXPECT_FALSE(core::parse_url("http://[::1/"));
  EXPECT_FALSE(core::parse_url("http://[::1]x/"));
  EXPECT_FALSE(core::parse_url("http://[zz]/"));
}

TEST(Url, RefusesWhatIsNotAnAbsoluteHttpUrl) {
  EXPECT_FALSE(core::parse_url("ftp://example.com/"));
  EXPECT_FALSE(core::parse_url("example.com/path"));
  EXPECT_FALSE(core::parse_url("http:///path"));
  EXPECT_FALSE(core::parse_url("http://:80/"));
  EXPECT_FALSE(core::parse_url("http://host:0/"));
  EXPECT_FALSE(core::parse_url("http://host:65536/"));
  EXPECT_FALSE(core::parse_url("http://host:8a/"));
  EXPECT_FALSE(core::parse_url("http://host:/"));
  EXPECT_FALSE(core::parse_url("http://exa mple.com/"));
  EXPECT_FALSE(core::parse_url("http://exa\tmple.com/"));
  // The target is taken as written; the clients refuse what would split a request.
  EXPECT_EQ(core::parse_url("http://example.com/a b")->target, "/a b");
  EXPECT_FALSE(core::parse_url("http://ex%41mple.com/"));
  // Userinfo hides the real host from a reader ("http://allowed.example@evil.example/").
  EXPECT_FALSE(core::parse_url("http://allowed.example@evil.example/"));
  EXPECT_FALSE(core::parse_url("http://user:pw@example.com/"));
}

TEST(Url, NormalizeHostMatchesParseUrl) {
  EXPECT_EQ(core::normalize_host("Example.COM."), "example.com");
  EXPECT_EQ(core::normalize_host("[::1]"), "::1");
  EXPECT_EQ(core::normalize_host("127.0.0.1"), "127.0.0.1");
  EXPECT_EQ(core::normalize_host("LOCALHOST"), core::parse_url("http://localhost/")->host);
}

}  // namespace
}  // namespace golive::testing
