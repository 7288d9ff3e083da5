// libFuzzer target: the threshold expression parser (load/threshold). Input is
// one expression ("p(99) < 1500ms"). A malformed expression must be a
// core::InputError; a parsed one is evaluated against a small snapshot and
// turned into a result record, as `golive load` does.
#include <cstddef>
#include <cstdint>

#include "core/input_error.hpp"
#include "fuzz/fuzz_input.hpp"
#include "load/threshold.hpp"

using namespace golive::load;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const MetricSnapshot snapshot = [] {
    MetricSnapshot s;
    s.requests = 100;
    s.errors = 3;
    s.dropped_iterations = 1;
    s.duration_s = 2.5;
    for (std::uint64_t us = 100; us < 200'000; us = us * 3 / 2) s.latency.record(us);
    return s;
  }();
  Threshold threshold;
  try {
    threshold = parse_threshold(golive::fuzz::as_text(data, size), "profile.json",
                                "/scenarios/0/thresholds/0");
  } catch (const golive::core::InputError&) {
    return 0;
  }
  (void)threshold.metric_name();
  (void)threshold.holds(1.0);
  ThresholdSpec spec;
  spec.expression = threshold.expression;
  ThresholdVerdict verdict = evaluate(spec, threshold, snapshot);
  (void)golive::core::to_json(to_check_result("scenario", verdict));
  ThresholdVerdict empty = evaluate(spec, threshold, MetricSnapshot{});
  (void)empty.to_json();
  return 0;
}
