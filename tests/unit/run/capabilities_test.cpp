// Every suite declares what it can do with an environment; run/ lists them
// for `golive env check` and skips stages with their details.
#include "run/capabilities.hpp"

#include <gtest/gtest.h>

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
  EXPECT_TRUE(find(full_caps, "contract.stripe").available);
  EXPECT_NE(find(full_caps, "load").detail.find("200"), std::string::npos);
}

}  // namespace
}  // namespace golive::testing
