#include "contract/check_ids.hpp"

#include "contract/stripe_replay_suite.hpp"

namespace golive::contract {

std::vector<std::string> contract_check_ids() {
  std::vector<std::string> ids;
  // One record per webhook replay scenario (stripe_replay_scenarios.cpp).
  for (const auto& name : stripe_scenario_names()) ids.push_back("contract.stripe." + name);
  ids.emplace_back("contract.stripe_capture.{index}");  // golive replay --capture
  // One record per endpoint whose responses were validated (schema_conformance.cpp).
  ids.emplace_back("contract.schema.{endpoint}");
  // Upstream fault injection through the stub AI provider (ai_fault_checks.cpp).
  for (const char* id : {"contract.ai_retry.backoff", "contract.ai_retry.dead_letter",
                         "contract.ai_retry.recovers", "contract.ai_retry.timeout"}) {
    ids.emplace_back(id);
  }
  return ids;
}

}  // namespace golive::contract
