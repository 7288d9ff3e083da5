// Every suite declares what it can do with an environment; run/ lists them
// for `golive env check` and skips stages with their details.
#include "run/capabilities.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "core/redactor.hpp"

namespace golive::testing {
namespace {

const std::string kEnvDir = std::string(GOLIVE_TEST_DATA) + "/env/";

config::VariableLookup lookup_from(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

const std::map<std::string, std::string> kFullVars = {
    {"TEST_ANON_KEY", "anon-key-value-123"},       {"TEST_SERVICE_KEY", "service-key-value-456"},
    {"TEST_JWT_SECRET", "jwt-secret-value-789"},   {"TEST_DB_PASSWORD", "db-password-abc"},
    {"TEST_WEBHOOK_SECRET", "whsec_webhook-value"}, {"TEST_USER_PASSWORD", "user-password-xyz"},
};

TEST(Capabilities, EachSuiteSaysWhatItWillSkip) {
  core::Redactor redactor;
  auto minimal = config::load_environment(kEnvDir + "good/minimal.json", lookup_from({}), redactor);
  auto caps = run::describe_capabilities(minimal);
  auto find = [&](const std::vector<config::Capability>& list, const std::string& suite) {
    for (const auto& c : list) {
      if (c.suite == suite) return c;
    }
    return config::Capability{suite, false, "absent"};
  };
  EXPECT_FALSE(find(caps, "security.rls").available);
  EXPECT_NE(find(caps, "security.rls").detail.find("no database_url: RLS probes will be skipped"),
            std::string::npos);
  EXPECT_FALSE(find(caps, "contract.stripe").available);
  auto full = config::load_environment(kEnvDir + "good/full.json", lookup_from(kFullVars), redactor);
  auto full_caps = run::describe_capabilities(full);
  EXPECT_TRUE(find(full_caps, "security.rls").available);
  EXPECT_TRUE(find(full_caps, "security.api_rls").available);
  EXPECT_FALSE(find(caps, "security.api_rls").available);
  EXPECT_NE(find(caps, "security.api_rls").detail.find("no database_url"), std::string::npos);
  EXPECT_TRUE(find(full_caps, "contract.stripe").available);
  EXPECT_NE(find(full_caps, "load").detail.find("200"), std::string::npos);
  // How test users are obtained, and how Stripe replay sees what a delivery did.
  EXPECT_NE(find(caps, "auth").detail.find("no auth section"), std::string::npos)
      << find(caps, "auth").detail;
  EXPECT_NE(find(full_caps, "auth").detail.find("auth.kind \"supabase\""), std::string::npos)
      << find(full_caps, "auth").detail;
  EXPECT_NE(find(full_caps, "contract.stripe").detail.find("6 event types with post-conditions"),
            std::string::npos)
      << find(full_caps, "contract.stripe").detail;
}

TEST(Capabilities, TokensAndWorkflowUsersAreDescribed) {
  core::Redactor redactor;
  const auto path = std::filesystem::temp_directory_path() / "golive_capabilities_tokens.json";
  std::ofstream(path) << R"({"name": "tokens", "base_url": "http://127.0.0.1:9",
    "auth": {"kind": "tokens", "tokens": [{"token": "t-a", "user_id": "a"}, {"token": "t-b", "user_id": "b"}]}})";
  const auto env = config::load_environment(path.string(), lookup_from({}), redactor);
  for (const auto& capability : run::describe_capabilities(env)) {
    if (capability.suite != "auth") continue;
    EXPECT_TRUE(capability.available);
    EXPECT_NE(capability.detail.find("2 pre-issued bearer tokens"), std::string::npos) << capability.detail;
    return;
  }
  ADD_FAILURE() << "no auth capability";
}

}  // namespace
}  // namespace golive::testing
