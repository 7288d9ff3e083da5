#include "e2e/check_ids.hpp"

namespace golive::e2e {

std::vector<std::string> e2e_check_ids(const std::vector<std::shared_ptr<const Workflow>>& workflows) {
  std::vector<std::string> ids;
  for (const auto& workflow : workflows) {
    // The same prefix WorkflowSuite::instance_id_prefix gives each instance.
    const std::string prefix = "e2e." + workflow->name + (workflow->dataset ? ".row{n}" : "");
    for (const auto& step : workflow->steps) ids.push_back(prefix + "." + step.name);
    for (const auto& step : workflow->cleanup) ids.push_back(prefix + "." + step.name);
  }
  return ids;
}

}  // namespace golive::e2e
