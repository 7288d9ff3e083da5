#include "load/load_records.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <optional>
#include <sstream>

namespace golive::load {

namespace {

double ms(std::uint64_t us) { return static_cast<double>(us) / 1000.0; }

nlohmann::json optional_number(const std::optional<double>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

// Log-spaced bars (1-2-5 per decade, 0.1 ms .. 1 h) over the exact histogram.
nlohmann::json histogram_bars(const LatencyHistogram& latency) {
  nlohmann::json bars = nlohmann::json::array();
  if (latency.count() == 0) return bars;
  std::vector<double> bounds_ms;
  for (double decade = 0.1; decade <= 3.6e6; decade *= 10) {
    for (double step : {1.0, 2.0, 5.0}) bounds_ms.push_back(decade * step);
  }
  std::vector<std::uint64_t> counts(bounds_ms.size() + 1, 0);
  const HistogramLayout& layout = latency.layout();
  for (std::size_t i = 0; i < layout.bucket_count(); ++i) {
    const std::uint64_t n = latency.count_at_index(i);
    if (n == 0) continue;
    const double value_ms = ms(layout.representative(i));
    const auto it = std::lower_bound(bounds_ms.begin(), bounds_ms.end(), value_ms);
    counts[static_cast<std::size_t>(it - bounds_ms.begin())] += n;
  }
  for (std::size_t b = 0; b < bounds_ms.size(); ++b) {
    bars.push_back({{"le_ms", bounds_ms[b]}, {"count", counts[b]}});
  }
  if (counts.back() > 0) bars.push_back({{"le_ms", ms(latency.max())}, {"count", counts.back()}});
  return bars;
}

core::CheckResult check(std::string id, std::string title, bool passed, std::string message,
                        nlohmann::json evidence) {
  core::CheckResult result;
  result.id = std::move(id);
  result.suite = "load";
  result.title = std::move(title);
  result.status = passed ? core::CheckStatus::kPass : core::CheckStatus::kFail;
  result.severity = core::Severity::kHigh;
  result.message = std::move(message);
  result.evidence = std::move(evidence);
  return result;
}

// 99.9 -> "99.9", 25.5813 -> "25.58", 100 -> "100": two decimals at most.
std::string rounded(double value, int decimals) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(decimals) << value;
  std::string text = out.str();
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  return text == "-0" ? "0" : text;
}

// Milliseconds: whole above 10 ms, one decimal below.
std::string ms_text(double value) { return rounded(value, value >= 10 ? 0 : 1) + " ms"; }

}  // namespace

std::string sla_sentence(const nlohmann::json& sla, bool met) {
  std::string line = std::string("SLA ") + (met ? "met" : "NOT met") + ": availability ";
  const auto number = [&](const nlohmann::json& object, const char* key) -> std::optional<double> {
    if (!object.is_object() || !object.contains(key) || !object[key].is_number()) return std::nullopt;
    return object[key].get<double>();
  };
  const auto availability = number(sla, "availability");
  line += availability ? rounded(*availability * 100, 2) + "%" : std::string("unknown (no requests)");
  if (const auto target = number(sla, "target")) line += " (target " + rounded(*target * 100, 3) + "%)";
  if (const auto budget = number(sla, "error_budget_consumed_pct")) {
    line += ", " + rounded(*budget, *budget >= 10 ? 0 : 1) + "% of the error budget used";
  }
  if (sla.is_object() && sla.contains("slos") && sla["slos"].is_array()) {
    bool first = true;
    for (const nlohmann::json& slo : sla["slos"]) {
      line += first ? "; " : ", ";
      first = false;
      line += slo.value("name", std::string("latency")) + " ";
      const auto observed = number(slo, "observed");
      line += observed ? ms_text(*observed) : std::string("not measured");
      if (const auto objective = number(slo, "objective")) line += " (objective " + ms_text(*objective);
      line += std::string(slo.value("pass", false) ? ", met)" : ", NOT met)");
    }
  }
  return line;
}

std::uint32_t peak_active_vus(const LoadStats& stats, const std::string& scenario) {
  std::uint32_t peak = 0;
  if (const TimeSeries* series = stats.series(scenario)) {
    for (const SecondPoint& point : series->points()) peak = std::max(peak, point.active_vus);
  }
  return peak;
}

nlohmann::json load_summary_record(const LoadStats& stats, const std::string& scenario,
                                   const std::vector<ThresholdVerdict>& verdicts) {
  nlohmann::json record = {{"scenario", scenario}};
  const ScopeTotals* totals = stats.find(scenario, "scenario");
  const MetricSnapshot snapshot = stats.snapshot(scenario);
  nlohmann::json errors = nlohmann::json::object();
  if (totals) {
    for (std::size_t c = 1; c < kErrorCategoryCount; ++c) {
      if (totals->errors[c] > 0) errors[to_string(static_cast<ErrorCategory>(c))] = totals->errors[c];
    }
  }
  const LatencyHistogram& latency = snapshot.latency;
  record["requests"] = snapshot.requests;
  record["dropped_iterations"] = snapshot.dropped_iterations;
  record["errors"] = std::move(errors);
  record["throughput_rps"] = snapshot.rps().value_or(0.0);
  record["latency_ms"] = {{"p50", ms(latency.value_at_percentile(50))},
                          {"p90", ms(latency.value_at_percentile(90))},
                          {"p95", ms(latency.value_at_percentile(95))},
                          {"p99", ms(latency.value_at_percentile(99))},
                          {"p99_9", ms(latency.value_at_percentile(99.9))},
                          {"max", ms(latency.max())}};
  record["peak_vus"] = peak_active_vus(stats, scenario);
  // One row of figures per workflow step (scope "step:<name>"), in the order
  // the steps were registered: what each request of the workflow costs.
  nlohmann::json steps = nlohmann::json::array();
  for (const std::string& scope : stats.scope_names(scenario)) {
    if (scope.rfind("step:", 0) != 0) continue;
    const ScopeTotals* step = stats.find(scenario, scope);
    if (!step) continue;
    steps.push_back({{"step", scope.substr(5)},
                     {"requests", step->requests},
                     {"errors", step->error_total()},
                     {"latency_ms", {{"p50", ms(step->latency.value_at_percentile(50))},
                                     {"p90", ms(step->latency.value_at_percentile(90))},
                                     {"p95", ms(step->latency.value_at_percentile(95))},
                                     {"p99", ms(step->latency.value_at_percentile(99))},
                                     {"max", ms(step->latency.max())}}}});
  }
  record["steps"] = std::move(steps);
  // Connections opened and TLS handshakes run (the figures of a keep_alive: false storm).
  if (const ConnectionTotals* connections = stats.connections(scenario)) {
    record["connections"] = connections->summary(snapshot.duration_s);
  }
  // The slowest requests with the ids they were sent with, to find them in the target's logs.
  if (const SlowestRequests* slowest = stats.slowest(scenario)) {
    nlohmann::json requests = nlohmann::json::array();
    for (const SlowRequest& request : slowest->sorted()) requests.push_back(request.to_json());
    record["slowest_requests"] = std::move(requests);
  }

  nlohmann::json thresholds = nlohmann::json::array();
  for (const ThresholdVerdict& verdict : verdicts) {
    thresholds.push_back({{"expression", verdict.spec.expression},
                          {"scope", verdict.spec.scope},
                          {"observed", optional_number(verdict.observed)},
                          {"pass", verdict.passed},
                          {"message", verdict.message}});
  }
  record["thresholds"] = std::move(thresholds);
  nlohmann::json timeseries = nlohmann::json::array();
  if (const TimeSeries* series = stats.series(scenario)) {
    for (const SecondPoint& point : series->points()) {
      timeseries.push_back({{"t", point.second},
                            {"rps", point.requests},
                            {"errors", point.errors},
                            {"p50_ms", point.percentile_ms(50)},
                            {"p95_ms", point.percentile_ms(95)},
                            {"p99_ms", point.percentile_ms(99)},
                            {"active_vus", point.active_vus}});
    }
  }
  record["timeseries"] = std::move(timeseries);
  record["histogram"] = histogram_bars(latency);
  return record;
}

nlohmann::json sla_record(const SlaVerdict& verdict) {
  nlohmann::json slos = nlohmann::json::array();
  for (const LatencySloVerdict& slo : verdict.latency) {
    slos.push_back({{"name", slo.name + " latency"},
                    {"scenario", ""},
                    {"objective", slo.target_ms},
                    {"observed", optional_number(slo.observed_ms)},
                    {"unit", "ms"},
                    {"pass", slo.met}});
  }
  return {{"availability", optional_number(verdict.availability)},
          {"target", verdict.availability_target},
          {"error_budget_consumed_pct", optional_number(verdict.error_budget_consumed_pct)},
          {"intended_requests", verdict.intended},
          {"successes", verdict.successes},
          {"slos", std::move(slos)}};
}

std::vector<core::CheckResult> threshold_checks(const std::string& scenario,
                                                const std::vector<ThresholdVerdict>& verdicts) {
  std::vector<core::CheckResult> checks;
  for (std::size_t i = 0; i < verdicts.size(); ++i) {
    core::CheckResult result = to_check_result(scenario, verdicts[i]);
    result.id = "load." + scenario + ".threshold." + std::to_string(i + 1);
    checks.push_back(std::move(result));
  }
  return checks;
}

std::vector<core::CheckResult> sla_checks(const SlaVerdict& verdict) {
  std::vector<core::CheckResult> checks;
  std::ostringstream availability;
  availability << "availability ";
  if (verdict.availability) {
    availability << *verdict.availability * 100 << "%";
  } else {
    availability << "unknown (no requests)";
  }
  availability << ", target " << verdict.availability_target * 100 << "%";
  checks.push_back(check("load.sla.availability", "Availability under load meets the SLA target",
                         verdict.availability_met, availability.str(), sla_record(verdict)));
  for (const LatencySloVerdict& slo : verdict.latency) {
    std::ostringstream message;
    message << slo.name << " ";
    if (slo.observed_ms) {
      message << *slo.observed_ms << "ms";
    } else {
      message << "not measured";
    }
    message << ", objective <= " << slo.target_ms << "ms";
    checks.push_back(check("load.sla." + slo.name, "Latency SLO " + slo.name + " under load", slo.met,
                           message.str(),
                           {{"objective_ms", slo.target_ms}, {"observed_ms", optional_number(slo.observed_ms)}}));
  }
  return checks;
}

core::CheckResult concurrency_check(const LoadStats& stats, const std::string& scenario,
                                    double planned_peak) {
  const std::uint32_t peak = peak_active_vus(stats, scenario);
  const bool reached = static_cast<double>(peak) >= std::floor(planned_peak * 0.95);
  return check("load." + scenario + ".concurrency",
               "Concurrent virtual users reached the planned peak (" + scenario + ")", reached,
               std::to_string(peak) + " concurrent VUs at peak, planned " +
                   std::to_string(static_cast<long long>(std::llround(planned_peak))),
               {{"peak_vus", peak}, {"planned_peak_vus", planned_peak}});
}

}  // namespace golive::load
