#include "run/check_registry.hpp"

#include "browser/check_ids.hpp"
#include "contract/check_ids.hpp"
#include "db/check_ids.hpp"
#include "e2e/check_ids.hpp"
#include "e2e/e2e_suite.hpp"
#include "infra/check_ids.hpp"
#include "load/check_ids.hpp"
#include "reports/checklist.hpp"
#include "repo/check_ids.hpp"
#include "run/run_options.hpp"
#include "security/check_ids.hpp"
#include "observability/check_ids.hpp"

namespace golive::run {

std::vector<std::string> env_check_ids() {
  return {"env.valid",
          "env.target_reachable",
          "env.database_reachable",
          "env.secrets_not_hardcoded",
          "env.stripe_key_mode",
          "env.tls_verification_off",
          "env.release_identified",
          "env.test_users_left"};
}

std::vector<RegisteredCheckId> check_id_registry(const std::string& workflows_dir) {
  std::vector<RegisteredCheckId> registry;
  auto add = [&](const std::string& suite, const std::vector<std::string>& ids) {
    for (const auto& id : ids) registry.push_back({suite, id});
  };
  add("env", env_check_ids());
  const std::string dir = workflows_dir.empty() ? e2e::default_workflows_dir(golive_home()) : workflows_dir;
  add("e2e", e2e::e2e_check_ids(e2e::load_workflows(dir, {})));
  add("load", load::load_check_ids());
  add("security", security::security_check_ids());
  add("contract", contract::contract_check_ids());
  add("db", db::db_check_ids());
  add("repo", repo::repo_check_ids());
  add("infra", infra::infra_check_ids());
  add("observability", observability::observability_check_ids());
  add("browser", browser::browser_check_ids());
  return registry;
}

bool instance_of(const std::string& id_template, const std::string& id) {
  return report::glob_match(report::template_as_glob(id_template), id);
}

}  // namespace golive::run
