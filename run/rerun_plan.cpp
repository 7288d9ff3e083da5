#include "run/rerun_plan.hpp"

#include <algorithm>

#include "observability/monitoring_fixture.hpp"
#include "repo/app_repo_fixture.hpp"

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

// Commands that take --defect NAME for the embedded reference service.
bool takes_service_defects(const std::vector<std::string>& arguments) {
  if (arguments.empty()) return false;
  if (arguments[0] == "e2e") return true;
  if (arguments[0] != "probe" || arguments.size() < 2) return false;
  static const char* const kFamilies[] = {"headers", "authz", "injection", "storage", "ratelimit",
                                          "secrets", "infra", "browser", "observability"};
  return std::find(std::begin(kFamilies), std::end(kFamilies), arguments[1]) != std::end(kFamilies);
}

void add_defects(RerunUnit& unit, const std::vector<std::string>& defects) {
  for (const auto& defect : defects) unit.arguments.insert(unit.arguments.end(), {"--defect", defect});
}

void carry_defects(RerunUnit& unit, const std::vector<std::string>& defects) {
  std::vector<std::string> service;
  std::vector<std::string> repo_variants;
  std::vector<std::string> monitoring;
  for (const auto& defect : defects) {
    (repo::is_app_repo_variant(defect)                    ? repo_variants
     : observability::is_monitoring_variant(defect) ? monitoring
                                                    : service)
        .push_back(defect);
  }
  const std::vector<std::string>& args = unit.arguments;
  if (args.front() == "run") {
    add_defects(unit, defects);
  } else if (args == std::vector<std::string>{"audit", "repo"}) {
    add_defects(unit, repo_variants);
  } else if (args == std::vector<std::string>{"probe", "observability"}) {
    add_defects(unit, service);
    add_defects(unit, monitoring);
  } else if (takes_service_defects(args)) {
    add_defects(unit, service);
  } else if (!service.empty()) {
    // No --defect on this command: the suite through `golive run`.
    const std::string& first = unit.checks.front();
    unit.arguments = {"run", "--suite", first.substr(0, first.find('.'))};
    add_defects(unit, service);
  }
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

RerunPlan plan_rerun(const report::ReportModel& model, const std::string& env_file,
                     const std::vector<std::string>& defects) {
  RerunPlan plan;
  plan.env_file = env_file;
  plan.defects = defects;
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
  if (!defects.empty()) {
    for (auto& unit : plan.units) carry_defects(unit, defects);
  }
  return plan;
}

}  // namespace golive::run
