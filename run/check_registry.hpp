// The registry of check ids: every id template each suite declares it can
// emit (security/check_ids.hpp and its siblings, the e2e suite's from the
// shipped workflows, the env suite's here). The checklist test matches every
// evidence pattern of reports/checklist.json against it, so no go-live item
// waits for an id that nothing emits.
#pragma once

#include <string>
#include <vector>

namespace golive::run {

struct RegisteredCheckId {
  std::string suite;        // "env", "e2e", "load", "security", "contract", "db"
  std::string id_template;  // "security.rls.static.{lint}.{schema}.{table}"
};

// The env pre-flight suite's ids (env_suite.cpp, release_identity.cpp).
std::vector<std::string> env_check_ids();

// Every suite's templates; e2e's from the workflows in `workflows_dir`
// (default: the repository's e2e/workflows).
std::vector<RegisteredCheckId> check_id_registry(const std::string& workflows_dir = "");

// True when `id` is an instance of `id_template` ("{name}" matches any run
// of characters, dots included).
bool instance_of(const std::string& id_template, const std::string& id);

}  // namespace golive::run
