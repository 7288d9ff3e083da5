// CapacitySearch: judges the steps of a `"executor": "capacity"` scenario
// (an open-model rate that steps up: start_rate, + step_rate every
// step_duration_s, up to max_rate) and says which rate held last.
//
// Each step is judged on its own window: the requests that completed while
// it ran, taken as the difference of the scenario's cumulative figures at
// the step's end and at the previous step's end (histograms bucket by
// bucket). The coordinator calls observe() with the workers' merged figures
// (up to 250 ms old) once a step has ended plus kSettle, so the step's last
// requests have completed; a window is thus shifted by at most kSettle plus
// that lag into the next step, and its rate is taken over the time between
// two judgements (about the step length). A step holds when every threshold of
// the scenario and the environment's SLA (availability and latency SLOs)
// pass on its window; the first step that breaks ends the search, and the
// run is stopped. The open model keeps the schedule whatever the target
// does (no coordinated omission): a slow target shows up as latency and
// dropped iterations in the step that overloaded it.
//
//   CapacitySearch search(scenario, env.sla, rate_scale);
//   if (search.observe(merged, seconds_since_start)) stop_the_run();
//   search.finish(final_merged);  // judges a step the run ended in
//   search.to_json();             // {"held_rps": 30, "broke_at_rps": 40, "steps": [...]}
#pragma once

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "config/environment.hpp"
#include "load/load_profile.hpp"
#include "load/load_stats.hpp"
#include "load/sla.hpp"

namespace golive::load {

struct CapacityStep {
  double rate = 0;  // intended iterations/s
  MetricSnapshot window;
  std::vector<ThresholdVerdict> thresholds;
  SlaVerdict sla;
  bool held = false;
  std::vector<std::string> broken;  // what failed, one sentence each

  nlohmann::json to_json() const;
};

class CapacitySearch {
 public:
  static constexpr std::chrono::milliseconds kSettle{400};

  // `rate_scale`: the max_rps cap's factor on the profile's rates.
  CapacitySearch(const ScenarioProfile& scenario, const config::SlaTargets& sla, double rate_scale);

  // `elapsed_s`: seconds since the scenario started. Judges the step that
  // ended at least kSettle ago, if any; true once a step broke (stop the run).
  bool observe(const LoadStats& merged, double elapsed_s);
  // True when observe() would judge a step now (so the caller merges figures only then).
  bool due(double elapsed_s) const;
  // After the run: judges the step the run ended in (its figures are final).
  // `elapsed_s`: seconds from the scenario start to the end of the run.
  void finish(const LoadStats& merged, double elapsed_s);

  bool broke() const { return broke_; }
  std::optional<double> held_rate() const;
  std::optional<double> broke_at_rate() const;
  const std::vector<CapacityStep>& steps() const { return steps_; }
  // The scenario's cumulative figures at the end of the last step that held
  // (scope -> snapshot), what the run's threshold and SLA verdicts are
  // evaluated on; the first step's window when none held.
  MetricSnapshot verdict_snapshot(const std::string& scope = "scenario") const;

  // {"start_rate","step_rate","step_duration_s","max_rate","held_rps"|null,
  //  "broke_at_rps"|null,"result","steps":[{"rate_rps","requests","throughput_rps",
  //  "error_rate","dropped","p95_ms","p99_ms","held","broken":[...]}]}
  nlohmann::json to_json() const;
  // "capacity: 30 req/s held; 40 req/s broke it (p(95)=62ms, limit < 50ms)"
  std::string sentence() const;

 private:
  void judge(const LoadStats& merged, double elapsed_s);

  const ScenarioProfile& scenario_;
  config::SlaTargets sla_;
  double rate_scale_;
  double step_s_;
  std::vector<CapacityStep> steps_;
  std::map<std::string, MetricSnapshot> previous_;  // cumulative at the last judged step's end, by scope
  std::map<std::string, MetricSnapshot> held_;      // cumulative at the last held step's end, by scope
  bool broke_ = false;
  double judged_at_s_ = 0;  // elapsed seconds at the last judgement
};

// `later` less `earlier` (cumulative figures of the same scope), bucket by
// bucket; duration_s is left to the caller.
MetricSnapshot window_between(const MetricSnapshot& earlier, const MetricSnapshot& later);

}  // namespace golive::load
