// ArrivalSchedule: the intended start time of every iteration of an
// open-model scenario. The rate follows the scenario's stages (piecewise
// linear, iterations per second); iteration i is due when the integral of the
// rate from the start reaches i. A worker that owns a fraction of the rate
// (one of K workers across all threads and shards) uses the same schedule
// scaled by 1/K and starts at index offset k/K, so the K workers interleave
// evenly instead of firing together.
//
// Times are seconds from the scenario's start; the pacer turns them into
// steady_clock time points and measures latency from them (coordinated
// omission correction: a late start still counts from its intended time).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "load/load_profile.hpp"

namespace golive::load {

class ArrivalSchedule {
 public:
  // `scale` multiplies every rate (a worker's share, a max_rps cap);
  // `index_offset` in [0, 1) shifts this worker's iterations.
  ArrivalSchedule(const ScenarioProfile& scenario, double scale, double index_offset = 0,
                  double end_s = -1);
  // A replay: this worker's arrival times given outright (seconds from the
  // start, ascending).
  explicit ArrivalSchedule(std::vector<double> due_times_s);
  // The schedule of worker `index` of `count` for `scenario`: the rate
  // schedule, or for kReplay every count-th logged request from `index`.
  static ArrivalSchedule for_worker(const ScenarioProfile& scenario, double rate_scale,
                                    std::uint32_t index, std::uint32_t count);

  // Seconds from the start when iteration `i` (0-based) is due; nullopt when
  // the schedule ends before it (after the last stage, or after end_s).
  std::optional<double> due_s(std::uint64_t i) const;

  // Iterations the schedule holds in total (for plans and tests).
  double total_iterations() const { return total_; }

 private:
  struct Segment {
    double start_s = 0;     // seconds from the scenario start
    double duration_s = 0;  // seconds
    double from_rate = 0;   // iterations/s at the segment start
    double to_rate = 0;     // iterations/s at the segment end
    double before = 0;      // iterations due before the segment
  };
  std::vector<Segment> segments_;
  std::vector<double> due_times_s_;  // replay only
  bool replay_ = false;
  double index_offset_ = 0;
  double end_s_ = 0;
  double total_ = 0;
};

}  // namespace golive::load
