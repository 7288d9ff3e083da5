#include "run/rerun_plan.hpp"

#include <algorithm>

namespace golive::run {

namespace {

struct PrefixUnit {
  const char* prefix;
  std::vector<std::string> arguments;
};

// Longest prefixes first where they overlap (security.api_rls before security.).
const std::vector<PrefixUnit>& prefix_table() {
  static const std::vector<PrefixUnit> table = {
      {"security.api_rls", {"run"}},  // the API access matrix is a stage of golive run only
      {"security.rls.", {"probe", "rls"}},
      {"security.headers.", {"probe", "headers"}},
      {"security.cors.", {"probe", "headers"}},
      {"security.authz.", {"probe", "authz"}},
      {"security.jwt.", {"probe", "authz"}},
      {"security.injection.", {"probe", "injection"}},
      {"security.storage.", {"probe", "storage"}},
      {"security.ratelimit.", {"probe", "ratelimit"}},
      {"security.secrets.", {"probe", "secrets"}},
      {"db.migrations.", {"probe", "migrations"}},
      {"db.backup.", {"probe", "backup"}},
      {"db.", {"probe", "schema"}},
      {"repo.", {"audit", "repo"}},
      {"contract.stripe", {"replay", "stripe"}},
      {"infra.", {"probe", "infra"}},
      {"observability.", {"probe", "observability"}},
      {"load.", {"load"}},
      {"env.", {"env", "check"}},
  };
  return table;
}

}  // namespace

std::string RerunUnit::name() const {
  std::string text;
  for (const auto& argument : arguments) text += (text.empty() ? "" : " ") + argument;
  return text;
}

std::vector<std::string> rerun_arguments_for(const std::string& check_id) {
  // e2e.<workflow>[.row<n>].<step...>: the workflow is the second segment.
  if (check_id.rfind("e2e.", 0) == 0) {
    const std::string rest = check_id.substr(4);
    const std::string workflow = rest.substr(0, rest.find('.'));
    if (!workflow.empty()) return {"e2e", "--workflow", workflow};
  }
  for (const auto& entry : prefix_table()) {
    if (check_id.rfind(entry.prefix, 0) == 0) return entry.arguments;
  }
  return {"run"};
}

RerunPlan plan_rerun(const report::ReportModel& model, const std::string& env_file) {
  RerunPlan plan;
  plan.env_file = env_file;
  for (std::size_t i = 0; i < model.checks.size(); ++i) {
    const auto& check = model.checks[i];
    if (!check.failed() || model.is_waived(i)) continue;
    const auto arguments = rerun_arguments_for(check.id);
    auto unit = std::find_if(plan.units.begin(), plan.units.end(),
                             [&](const RerunUnit& u) { return u.arguments == arguments; });
    if (unit == plan.units.end()) {
      plan.units.push_back({arguments, {}});
      unit = plan.units.end() - 1;
    }
    unit->checks.push_back(check.id);
  }
  // `run` re-runs everything: then it is the only unit.
  auto whole = std::find_if(plan.units.begin(), plan.units.end(),
                            [](const RerunUnit& u) { return u.arguments == std::vector<std::string>{"run"}; });
  if (whole != plan.units.end()) {
    RerunUnit all{{"run"}, {}};
    for (const auto& unit : plan.units) all.checks.insert(all.checks.end(), unit.checks.begin(), unit.checks.end());
    plan.units = {all};
  }
  return plan;
}

}  // namespace golive::run
