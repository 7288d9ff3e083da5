#include "load/capacity_search.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

namespace golive::load {
namespace {

std::string rate_text(double rate) {
  std::ostringstream out;
  out << std::setprecision(rate >= 100 ? 0 : 1) << std::fixed << rate;
  std::string text = out.str();
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  return text;
}

nlohmann::json ms_or_null(const LatencyHistogram& latency, double percentile) {
  if (latency.count() == 0) return nullptr;
  return static_cast<double>(latency.value_at_percentile(percentile)) / 1000.0;
}

// The scopes a scenario's thresholds read, "scenario" always included.
std::vector<std::string> scopes_of(const ScenarioProfile& scenario) {
  std::vector<std::string> scopes{"scenario"};
  for (const ThresholdSpec& spec : scenario.thresholds) {
    if (std::find(scopes.begin(), scopes.end(), spec.scope) == scopes.end()) scopes.push_back(spec.scope);
  }
  return scopes;
}

}  // namespace

MetricSnapshot window_between(const MetricSnapshot& earlier, const MetricSnapshot& later) {
  auto less = [](std::uint64_t a, std::uint64_t b) { return a > b ? a - b : 0; };
  MetricSnapshot window;
  window.requests = less(later.requests, earlier.requests);
  window.errors = less(later.errors, earlier.errors);
  window.dropped_iterations = less(later.dropped_iterations, earlier.dropped_iterations);
  window.latency = LatencyHistogram(later.latency.layout());
  const std::size_t buckets = later.latency.layout().bucket_count();
  const bool same_layout = earlier.latency.layout() == later.latency.layout();
  for (std::size_t i = 0; i < buckets; ++i) {
    const std::uint64_t before = same_layout ? earlier.latency.count_at_index(i) : 0;
    const std::uint64_t count = less(later.latency.count_at_index(i), before);
    if (count > 0) window.latency.record_n(later.latency.layout().representative(i), count);
  }
  return window;
}

nlohmann::json CapacityStep::to_json() const {
  nlohmann::json error_rate = nullptr;
  if (const auto rate_value = window.error_rate()) error_rate = *rate_value;
  return {{"rate_rps", rate},
          {"requests", window.requests},
          {"throughput_rps", window.rps().value_or(0.0)},
          {"error_rate", error_rate},
          {"dropped", window.dropped_iterations},
          {"p95_ms", ms_or_null(window.latency, 95)},
          {"p99_ms", ms_or_null(window.latency, 99)},
          {"held", held},
          {"broken", broken}};
}

CapacitySearch::CapacitySearch(const ScenarioProfile& scenario, const config::SlaTargets& sla,
                               double rate_scale)
    : scenario_(scenario),
      sla_(sla),
      rate_scale_(rate_scale),
      step_s_(scenario.stages.empty() ? 1 : scenario.stages.front().duration_s) {
  for (const std::string& scope : scopes_of(scenario)) previous_[scope] = MetricSnapshot{};
}

bool CapacitySearch::due(double elapsed_s) const {
  const double settle_s = std::chrono::duration<double>(kSettle).count();
  return !broke_ && steps_.size() < scenario_.stages.size() &&
         elapsed_s >= static_cast<double>(steps_.size() + 1) * step_s_ + settle_s;
}

bool CapacitySearch::observe(const LoadStats& merged, double elapsed_s) {
  // One step per call: figures taken once serve one step.
  if (due(elapsed_s)) judge(merged, elapsed_s);
  return broke_;
}

void CapacitySearch::finish(const LoadStats& merged, double elapsed_s) {
  // The step the run ended in (the last one, or one cut short by --duration)
  // is judged on its final figures unless it already was.
  if (broke_ || steps_.size() >= scenario_.stages.size()) return;
  if (merged.snapshot(scenario_.name).requests == previous_["scenario"].requests &&
      merged.snapshot(scenario_.name).dropped_iterations == previous_["scenario"].dropped_iterations) {
    return;  // nothing ran after the last judged step
  }
  judge(merged, std::max(elapsed_s, judged_at_s_ + 0.001));
}

void CapacitySearch::judge(const LoadStats& merged, double elapsed_s) {
  // The window is as long as the time between two judgements (both read
  // figures equally stale), not the nominal step length.
  const double window_s = elapsed_s - judged_at_s_;
  judged_at_s_ = elapsed_s;
  CapacityStep step;
  step.rate = scenario_.stages[steps_.size()].target * rate_scale_;
  std::map<std::string, MetricSnapshot> cumulative;
  for (const auto& [scope, before] : previous_) cumulative[scope] = merged.snapshot(scenario_.name, scope);
  step.window = window_between(previous_["scenario"], cumulative["scenario"]);
  step.window.duration_s = window_s;
  for (const ThresholdSpec& spec : scenario_.thresholds) {
    MetricSnapshot window = window_between(previous_[spec.scope], cumulative[spec.scope]);
    window.duration_s = window_s;
    ThresholdVerdict verdict = evaluate(spec, window);
    if (!verdict.passed) step.broken.push_back(spec.expression + ": " + verdict.message);
    step.thresholds.push_back(std::move(verdict));
  }
  step.sla = evaluate_sla(step.window, sla_);
  if (!step.sla.met()) step.broken.push_back("SLA: " + step.sla.message());
  step.held = step.broken.empty();
  previous_ = cumulative;
  if (step.held) {
    held_ = cumulative;
  } else {
    broke_ = true;
  }
  steps_.push_back(std::move(step));
}

std::optional<double> CapacitySearch::held_rate() const {
  std::optional<double> held;
  for (const CapacityStep& step : steps_) {
    if (!step.held) break;
    held = step.rate;
  }
  return held;
}

std::optional<double> CapacitySearch::broke_at_rate() const {
  for (const CapacityStep& step : steps_) {
    if (!step.held) return step.rate;
  }
  return std::nullopt;
}

MetricSnapshot CapacitySearch::verdict_snapshot(const std::string& scope) const {
  if (!held_.empty()) {
    const auto it = held_.find(scope);
    MetricSnapshot snapshot = it != held_.end() ? it->second : MetricSnapshot{};
    std::size_t held_steps = 0;
    for (const CapacityStep& step : steps_) held_steps += step.held ? 1 : 0;
    snapshot.duration_s = static_cast<double>(held_steps) * step_s_;
    return snapshot;
  }
  // None held: the first step's window (which broke), so the verdicts fail with its figures.
  if (!steps_.empty()) return steps_.front().window;
  return MetricSnapshot{};
}

nlohmann::json CapacitySearch::to_json() const {
  nlohmann::json steps = nlohmann::json::array();
  for (const CapacityStep& step : steps_) steps.push_back(step.to_json());
  const auto held = held_rate();
  const auto broke = broke_at_rate();
  const double max_rate = scenario_.stages.empty() ? 0 : scenario_.stages.back().target * rate_scale_;
  return {{"start_rate", scenario_.start * rate_scale_},
          {"step_rate", scenario_.step_rate * rate_scale_},
          {"step_duration_s", step_s_},
          {"max_rate", max_rate},
          {"held_rps", held ? nlohmann::json(*held) : nlohmann::json(nullptr)},
          {"broke_at_rps", broke ? nlohmann::json(*broke) : nlohmann::json(nullptr)},
          {"result", sentence()},
          {"steps", std::move(steps)}};
}

std::string CapacitySearch::sentence() const {
  const auto held = held_rate();
  const auto broke = broke_at_rate();
  std::string text = "capacity: ";
  if (held) {
    text += rate_text(*held) + " req/s held";
  } else if (broke) {
    text += "no rate held (the start rate broke)";
  } else {
    return text + "no step completed";
  }
  if (broke) {
    for (const CapacityStep& step : steps_) {
      if (step.held) continue;
      text += "; " + rate_text(step.rate) + " req/s broke it (";
      for (std::size_t i = 0; i < step.broken.size(); ++i) text += (i ? "; " : "") + step.broken[i];
      text += ")";
      break;
    }
  } else if (steps_.size() == scenario_.stages.size()) {
    text += " up to max_rate (no step broke a threshold or the SLA)";
  } else {
    text += " (the run ended before max_rate)";
  }
  return text;
}

}  // namespace golive::load
