// The Stripe replay scenarios, in run order; each becomes the
// CheckResult "contract.stripe.<name>" (see contract/stripe_replay_suite.hpp
// for what each one proves).
#pragma once

#include <functional>
#include <vector>

#include "contract/stripe_scenario_support.hpp"
#include "core/check_result.hpp"

namespace golive::contract {

struct StripeScenario {
  const char* name;  // stable id suffix, e.g. "duplicate_applied_once"
  const char* title;
  core::Severity severity;
  std::function<ScenarioVerdict(ScenarioContext&)> run;
};

const std::vector<StripeScenario>& stripe_scenarios();

}  // namespace golive::contract
