// config::HostPolicy: one decision for every client, hosts compared after
// normalisation, http(s) only.
#include "config/host_policy.hpp"

#include <gtest/gtest.h>

namespace golive::testing {
namespace {

TEST(HostPolicy, DefaultsToTheBaseUrlHostOnAnyPort) {
  auto policy = config::HostPolicy::for_target("http://127.0.0.1:8080", {});
  EXPECT_TRUE(policy->allows_url("http://127.0.0.1:8080/x"));
  EXPECT_TRUE(policy->allows_url("https://127.0.0.1:9443/"));
  EXPECT_FALSE(policy->allows_url("http://127.0.0.2:8080/"));
  EXPECT_FALSE(policy->allows_url("http://localhost:8080/"));
  EXPECT_EQ(policy->hosts(), std::vector<std::string>{"127.0.0.1"});
}

TEST(HostPolicy, HostsAreCaseInsensitiveAndTrailingDotFree) {
  auto policy = config::HostPolicy::for_target("http://LOCALHOST:8080", {});
  EXPECT_TRUE(policy->allows_url("http://localhost:8080/"));
  EXPECT_TRUE(policy->allows_url("http://LocalHost.:8080/"));
  auto listed = config::HostPolicy::for_target("http://a.example", {"API.Example.COM.", "[::1]"});
  EXPECT_TRUE(listed->allows_url("https://api.example.com/v1"));
  EXPECT_TRUE(listed->allows_url("http://[::1]:9000/"));
  EXPECT_FALSE(listed->allows_url("http://a.example/"));  // the list replaces the default
}

TEST(HostPolicy, RefusesOtherSchemesUserinfoTricksAndGarbage) {
  auto policy = config::HostPolicy::for_target("http://127.0.0.1:8080", {});
  EXPECT_FALSE(policy->allows_url("ftp://127.0.0.1/"));
  EXPECT_FALSE(policy->allows_url("http://127.0.0.1@evil.example/"));
  EXPECT_FALSE(policy->allows_url("127.0.0.1:8080/x"));
  EXPECT_FALSE(policy->allows_url(""));
}

TEST(HostPolicy, Ipv6BaseUrl) {
  auto policy = config::HostPolicy::for_target("http://[::1]:8080", {});
  EXPECT_TRUE(policy->allows_url("http://[::1]:8080/health"));
  EXPECT_TRUE(policy->allows_host("::1"));
  EXPECT_FALSE(policy->allows_url("http://127.0.0.1:8080/health"));
}

}  // namespace
}  // namespace golive::testing
