// libFuzzer target: the Prometheus text exposition parser (observability/
// prometheus_text) that reads what a target's /metrics endpoint serves. A
// malformed exposition must be an error naming the line, never a crash; a
// parsed one must answer its queries (sum, family_of, has_family) and merge
// with itself (two instances behind a load balancer) without a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "fuzz/fuzz_input.hpp"
#include "observability/prometheus_text.hpp"
#include "observability/promql_names.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(golive::fuzz::as_text(data, size));
  std::string error;
  auto exposition = golive::observability::parse_exposition(text, error);
  if (!exposition) {
    if (error.empty()) std::abort();  // a refusal always says why
    return 0;
  }
  for (const auto& sample : exposition->samples) {
    if (sample.name.empty()) std::abort();
    (void)exposition->family_of(sample.name);
    (void)exposition->has_family(sample.name);
    (void)exposition->sum(sample.name);
  }
  golive::observability::MetricExposition twice = *exposition;
  twice.add(*exposition);
  // The same text read as a PromQL expression (what a dashboard panel holds).
  (void)golive::observability::promql_metric_names(text);
  return 0;
}
