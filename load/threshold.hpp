// Thresholds: k6-like pass/fail expressions over a load run's metrics, e.g.
//   p(99) < 1500ms    p(95)<=200    avg < 100ms    max < 2s    med < 80ms
//   error_rate < 0.1%    error_rate <= 0.001    rps > 200
//   requests >= 1000    errors == 0    dropped_iterations == 0
//
// Grammar: METRIC OP NUMBER [UNIT], spaces anywhere between tokens.
//   METRIC  p(N) with N in (0, 100], avg, min, med, max  (latency)
//           error_rate                                   (fraction of intended requests)
//           rps, requests, errors, dropped_iterations    (plain numbers)
//   OP      <  <=  >  >=  ==  !=
//   UNIT    latency: us, µs, ms (the default), s;  error_rate: % (or none: a fraction)
// A malformed expression throws core::InputError whose location ends in
// "column C" (1-based, in characters) and whose problem quotes the expression.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/check_result.hpp"
#include "core/input_error.hpp"
#include "load/latency_histogram.hpp"

namespace golive::load {

enum class ThresholdMetric {
  kPercentile,  // p(N)
  kAvg,
  kMin,
  kMedian,
  kMax,
  kErrorRate,
  kRps,
  kRequests,
  kErrors,
  kDroppedIterations,
};

enum class Comparison { kLess, kLessEqual, kGreater, kGreaterEqual, kEqual, kNotEqual };

const char* to_string(Comparison comparison);  // "<", "<=", ...

// A parsed expression. Limits are held in canonical units: milliseconds for
// latency metrics, a fraction (0..1) for error_rate, plain numbers otherwise.
struct Threshold {
  std::string expression;  // as written
  ThresholdMetric metric = ThresholdMetric::kPercentile;
  double percentile = 0;  // for kPercentile: N in (0, 100]
  Comparison comparison = Comparison::kLess;
  double limit = 0;          // canonical units, see above
  std::string unit;          // as written: "ms", "s", "us", "%" or "" (for display)
  double unit_scale = 1;     // canonical value = written value * unit_scale
  std::string limit_text;    // the number and unit as written, e.g. "1500ms"

  std::string metric_name() const;  // "p(99)", "avg", "error_rate", ...
  bool is_latency() const;
  bool holds(double observed_canonical) const;
};

// Parses one expression. On error throws core::InputError(file, location,
// problem) where location is "column C", or "POINTER, column C" when a JSON
// pointer is given, so messages read "profile.json at /scenarios/0/thresholds/1,
// column 9: ...".
Threshold parse_threshold(std::string_view expression, const std::string& file = "<threshold>",
                          const std::string& pointer = "");

// The observed figures of one scope (a scenario, a step or a tag) after
// warm-up. Produced by LoadStats::snapshot.
struct MetricSnapshot {
  std::uint64_t requests = 0;            // sent requests, failed or not
  std::uint64_t errors = 0;              // failures of every category, dropped included
  std::uint64_t dropped_iterations = 0;  // iterations that could not start (open model)
  double duration_s = 0;                 // measured window, seconds
  LatencyHistogram latency;              // every sent request, microseconds

  // errors / (requests + dropped_iterations): a dropped iteration is an
  // intended request that failed. nullopt when nothing was intended.
  std::optional<double> error_rate() const;
  // requests / duration_s; nullopt when the window is empty.
  std::optional<double> rps() const;
  // The metric's value in canonical units; nullopt when there is no data
  // (no latency samples, no requests, no window).
  std::optional<double> observe(const Threshold& threshold) const;
};

// A threshold as configured in a profile.
struct ThresholdSpec {
  std::string expression;
  std::string scope = "scenario";  // "scenario" | "step:<name>" | "tag:<key>=<value>"
  bool abort_on_fail = false;      // stop the run as soon as it fails
};

// Empty when `scope` is well formed, otherwise the problem.
std::string scope_problem(const std::string& scope);

// A threshold in a profile is either an expression string or
// {"expression": ..., "scope": ..., "abort_on_fail": ...}. The expression is
// parsed (and the scope checked) here so a typo fails before the run starts.
ThresholdSpec threshold_spec_from_json(const core::JsonReader& reader);

struct ThresholdVerdict {
  ThresholdSpec spec;
  std::string metric;              // "p(99)"
  std::optional<double> observed;  // canonical units; nullopt = no data, which fails
  double limit = 0;                // canonical units
  std::string unit;                // the display unit of `message`
  bool passed = false;
  std::string message;  // "p(99)=1834.2ms, limit < 1500ms"

  nlohmann::json to_json() const;
};

// Throws core::InputError when the expression is malformed.
ThresholdVerdict evaluate(const ThresholdSpec& spec, const MetricSnapshot& snapshot);
ThresholdVerdict evaluate(const ThresholdSpec& spec, const Threshold& parsed,
                          const MetricSnapshot& snapshot);

// One record for the result stream: id
// "load.threshold.<scenario>.<scope>.<expression slug>", status pass or fail.
core::CheckResult to_check_result(const std::string& scenario, const ThresholdVerdict& verdict);

}  // namespace golive::load
