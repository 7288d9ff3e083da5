#include "run/capabilities.hpp"

#include "contract/stripe_replay_suite.hpp"
#include "db/db_suite.hpp"
#include "e2e/e2e_suite.hpp"
#include "infra/infra_suite.hpp"
#include "load/load_suite.hpp"
#include "repo/repo_suite.hpp"
#include "security/api_rls_matrix.hpp"
#include "security/http_security_suite.hpp"
#include "security/rls_suite.hpp"
#include "observability/observability_suite.hpp"

namespace golive::run {

namespace {

// How every suite obtains its test users (target/test_users.hpp), as the
// environment's auth section says.
config::Capability test_users_capability(const config::Environment& env) {
  const config::AuthSettings& auth = env.auth;
  if (auth.kind == "tokens") {
    return {"auth", true,
            "auth.kind \"tokens\": " + std::to_string(auth.tokens.size()) +
                " pre-issued bearer tokens (no signup, no login)"};
  }
  if (auth.kind == "workflow") {
    return {"auth", true, "auth.kind \"workflow\": users log in through " + auth.workflow};
  }
  if (!auth.declared) {
    return {"auth", true,
            "no auth section: Supabase signup on " + env.paths.auth +
                " where the target has it; families that need users are skipped where it "
                "answers 404 or 405"};
  }
  if (auth.signup_enabled) {
    return {"auth", true,
            "auth.kind \"supabase\": fresh users signed up on " + env.paths.auth +
                " and deleted afterwards"};
  }
  return {"auth", !auth.test_users.empty(),
          auth.test_users.empty()
              ? "auth.signup_enabled is false and auth.test_users is empty: families that need "
                "users will end in a setup error"
              : "auth.kind \"supabase\": " + std::to_string(auth.test_users.size()) +
                    " existing test users log in with their passwords"};
}

}  // namespace

std::vector<config::Capability> describe_capabilities(const config::Environment& env) {
  std::vector<config::Capability> capabilities = {test_users_capability(env), e2e::e2e_capability(env),
                                                  load::load_capability(env),
                                                  security::rls_capability(env),
                                                  security::api_rls_capability(env)};
  for (auto& capability : security::http_security_capabilities(env)) {
    capabilities.push_back(std::move(capability));
  }
  capabilities.push_back(contract::stripe_replay_capability(env));
  capabilities.push_back(db::db_capability(env));
  capabilities.push_back(repo::repo_capability(env));
  capabilities.push_back(infra::infra_capability(env));
  capabilities.push_back(observability::observability_capability(env));
  return capabilities;
}

}  // namespace golive::run
