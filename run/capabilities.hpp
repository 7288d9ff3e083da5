// Every suite's capability with one environment, in the order `golive env
// check` prints them; each suite declares its own next to its entry point.
#pragma once

#include <vector>

#include "config/environment.hpp"

namespace golive::run {

std::vector<config::Capability> describe_capabilities(const config::Environment& env);

}  // namespace golive::run
