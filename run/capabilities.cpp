#include "run/capabilities.hpp"

#include "contract/stripe_replay_suite.hpp"
#include "db/db_suite.hpp"
#include "e2e/e2e_suite.hpp"
#include "load/load_suite.hpp"
#include "repo/repo_suite.hpp"
#include "security/http_security_suite.hpp"
#include "security/rls_suite.hpp"

namespace golive::run {

std::vector<config::Capability> describe_capabilities(const config::Environment& env) {
  std::vector<config::Capability> capabilities = {e2e::e2e_capability(env), load::load_capability(env),
                                                  security::rls_capability(env)};
  for (auto& capability : security::http_security_capabilities(env)) {
    capabilities.push_back(std::move(capability));
  }
  capabilities.push_back(contract::stripe_replay_capability(env));
  capabilities.push_back(db::db_capability(env));
  capabilities.push_back(repo::repo_capability(env));
  return capabilities;
}

}  // namespace golive::run
