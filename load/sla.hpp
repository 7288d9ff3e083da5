// SLA verdict of a load run against the environment's targets
// (config::SlaTargets: availability 0.999, p95 500 ms, p99 1500 ms by default).
//
//   availability          = successes / intended requests, where intended
//                           = sent requests + dropped iterations (a request
//                           the generator could not even start is a failure
//                           the user would have seen, not a sample to hide)
//   error budget consumed = (1 - availability) / (1 - target), as a percent:
//                           100% means the run used exactly the failures the
//                           target allows; above 100% the target is missed
//   latency SLOs          = p95 and p99 over every sent request, milliseconds
// A run without requests has no evidence and therefore does not meet the SLA.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "config/environment.hpp"
#include "load/threshold.hpp"

namespace golive::load {

struct LatencySloVerdict {
  std::string name;                   // "p95", "p99"
  double percentile = 0;              // 95, 99
  double target_ms = 0;               // the observed value must be <= this
  std::optional<double> observed_ms;  // nullopt when nothing was measured
  bool met = false;
};

struct SlaVerdict {
  std::uint64_t intended = 0;   // sent requests + dropped iterations
  std::uint64_t successes = 0;  // intended - failures of every category
  std::optional<double> availability;  // successes / intended, 0..1
  double availability_target = 0.999;
  // Percent of the error budget used; nullopt when it is undefined (no
  // requests, or a 100% target with at least one failure).
  std::optional<double> error_budget_consumed_pct;
  bool availability_met = false;
  std::vector<LatencySloVerdict> latency;

  bool met() const;
  std::string message() const;  // "availability 99.85% (target 99.9%), budget 150%; p95 212ms <= 500ms; ..."
  nlohmann::json to_json() const;
};

SlaVerdict evaluate_sla(const MetricSnapshot& snapshot, const config::SlaTargets& targets);

}  // namespace golive::load
