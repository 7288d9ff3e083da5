#include "load/check_ids.hpp"

namespace golive::load {

std::vector<std::string> load_check_ids() {
  return {
      // Per scenario of the profile (load_records.cpp): its thresholds in
      // profile order and the concurrency it reached.
      "load.{scenario}.threshold.{n}",
      "load.{scenario}.concurrency",
      // The SLA verdict (load_records.cpp): availability and each latency SLO.
      "load.sla.availability",
      "load.sla.{slo}",
      // Thresholds given on the command line (threshold.cpp).
      "load.threshold.{scenario}.{scope}.{condition}",
      // golive report merge: whether every shard of 1..N was there.
      "load.merge.shards",
  };
}

}  // namespace golive::load
