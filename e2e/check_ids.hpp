// The check ids the e2e suite can emit: one per step of each workflow,
// "e2e.<workflow>.<step>", or "e2e.<workflow>.row<N>.<step>" for a workflow
// that runs once per dataset row ("{n}" stands for the row number).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "e2e/workflow.hpp"

namespace golive::e2e {

std::vector<std::string> e2e_check_ids(const std::vector<std::shared_ptr<const Workflow>>& workflows);

}  // namespace golive::e2e
