#include "reports/run_diff.hpp"

#include <algorithm>
#include <map>

#include "reports/escaping.hpp"
#include "reports/text_format.hpp"

namespace golive::report {

namespace {

struct CheckState {
  std::string status;  // "pass", "fail", "error", "skip", "waived"
  const core::CheckResult* check = nullptr;
  bool failing() const { return status == "fail" || status == "error"; }
};

// The last result per id (a stream may repeat an id; the latest counts).
std::map<std::string, CheckState> states_of(const ReportModel& model) {
  std::map<std::string, CheckState> states;
  for (std::size_t i = 0; i < model.checks.size(); ++i) {
    const auto& check = model.checks[i];
    states[check.id] = {model.is_waived(i) ? "waived" : core::to_string(check.status), &check};
  }
  return states;
}

CheckChange change(const std::string& id, const CheckState* before, const CheckState* after) {
  const core::CheckResult* shown = after != nullptr ? after->check : before->check;
  return {id, shown->suite, before != nullptr ? before->status : "absent",
          after != nullptr ? after->status : "absent", shown->severity, shown->message};
}

void compare_metric(std::vector<LoadRegression>& out, const std::string& scenario, const std::string& metric,
                    double before, double after, bool relative, double tolerance) {
  if (!present(before) || !present(after)) return;
  const double limit = relative ? before * (1.0 + tolerance) : before + tolerance;
  if (after > limit) out.push_back({scenario, metric, before, after});
}

std::string percent(double ratio) {
  return format_number(ratio * 100.0, 2) + "%";
}

}  // namespace

RunDiff diff_runs(const ReportModel& a, const ReportModel& b, const DiffOptions& options) {
  RunDiff diff;
  diff.run_a = a.run.id;
  diff.run_b = b.run.id;
  const auto before = states_of(a);
  const auto after = states_of(b);
  for (const auto& [id, state] : after) {
    auto it = before.find(id);
    const CheckState* old = it == before.end() ? nullptr : &it->second;
    if (state.failing() && (old == nullptr || !old->failing())) diff.new_failures.push_back(change(id, old, &state));
    if (state.failing() && old != nullptr && old->failing()) diff.still_failing.push_back(change(id, old, &state));
    if (state.status == "pass" && old != nullptr && old->failing()) diff.fixed.push_back(change(id, old, &state));
  }
  std::stable_sort(diff.new_failures.begin(), diff.new_failures.end(),
                   [](const CheckChange& x, const CheckChange& y) { return x.severity > y.severity; });
  for (const auto& scenario : b.load) {
    auto old = std::find_if(a.load.begin(), a.load.end(), [&](const LoadScenario& s) { return s.name == scenario.name; });
    if (old == a.load.end()) continue;
    diff.scenarios_compared.push_back(scenario.name);
    compare_metric(diff.regressions, scenario.name, "p95_ms", old->latency.p95, scenario.latency.p95, true,
                   options.latency_tolerance);
    compare_metric(diff.regressions, scenario.name, "p99_ms", old->latency.p99, scenario.latency.p99, true,
                   options.latency_tolerance);
    compare_metric(diff.regressions, scenario.name, "error_ratio", old->error_ratio(), scenario.error_ratio(), false,
                   options.error_rate_tolerance);
  }
  return diff;
}

std::string render_diff_text(const RunDiff& diff, const DiffOptions& options) {
  std::string text = "golive report diff: " + diff.run_a + " (A) -> " + diff.run_b + " (B)\n";
  auto list = [&](const std::string& heading, const std::vector<CheckChange>& changes) {
    text += "\n" + heading + " (" + std::to_string(changes.size()) + ")\n";
    for (const auto& c : changes) {
      text += "  " + c.id + "  [" + core::to_string(c.severity) + "] " + c.before + " -> " + c.after;
      if (c.after == "fail" || c.after == "error") text += "  " + truncate_utf8(c.message, 160);
      text += "\n";
    }
  };
  list("New failures", diff.new_failures);
  list("Fixed", diff.fixed);
  list("Still failing", diff.still_failing);
  text += "\nLoad regressions (" + std::to_string(diff.regressions.size()) + "; tolerance p95/p99 +" +
          percent(options.latency_tolerance) + ", error rate +" + percent(options.error_rate_tolerance) +
          " points; scenarios compared: " + std::to_string(diff.scenarios_compared.size()) + ")\n";
  for (const auto& r : diff.regressions) {
    if (r.metric == "error_ratio") {
      text += "  " + r.scenario + "  error rate " + percent(r.before) + " -> " + percent(r.after) + "\n";
    } else {
      text += "  " + r.scenario + "  " + r.metric.substr(0, 3) + " " + format_number(r.before, 1) + " ms -> " +
              format_number(r.after, 1) + " ms (+" + percent(r.after / r.before - 1.0) + ")\n";
    }
  }
  text += std::string("\n") + (diff.regressed() ? "REGRESSED: B is worse than A" : "NO REGRESSION") + "\n";
  return text;
}

nlohmann::json diff_json(const RunDiff& diff) {
  auto changes = [](const std::vector<CheckChange>& list) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& c : list) {
      out.push_back({{"id", c.id}, {"suite", c.suite}, {"before", c.before}, {"after", c.after},
                     {"severity", core::to_string(c.severity)}, {"message", c.message}});
    }
    return out;
  };
  nlohmann::json regressions = nlohmann::json::array();
  for (const auto& r : diff.regressions) {
    regressions.push_back({{"scenario", r.scenario}, {"metric", r.metric}, {"before", r.before}, {"after", r.after}});
  }
  return {{"run_a", diff.run_a},
          {"run_b", diff.run_b},
          {"new_failures", changes(diff.new_failures)},
          {"fixed", changes(diff.fixed)},
          {"still_failing", changes(diff.still_failing)},
          {"load_regressions", regressions},
          {"scenarios_compared", diff.scenarios_compared},
          {"regressed", diff.regressed()}};
}

}  // namespace golive::report
