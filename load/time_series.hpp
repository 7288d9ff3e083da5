// TimeSeries: a scenario's per-second figures (requests, errors, p95, active
// virtual users) for the report's charts and the live progress line.
//
// Cost model. The second being filled is a dense coarse LatencyHistogram
// (32 sub-buckets per power of two: <= 1.6% error at the bucket midpoint, 885
// counters, 7 KB) allocated once, so a sample costs one histogram record and
// two counter increments. When a later second arrives the open one is
// compacted into a sparse list of its non-empty buckets (typically tens of
// entries) and the dense one is cleared: O(buckets) once per second, not per
// sample. We chose "one dense open second + sparse closed seconds" over a
// ring of dense histograms because a worker observes completions in time
// order, so a ring would only hold idle memory (an hour at 7 KB per second
// would be 25 MB per worker), while sparse seconds keep an hour in roughly a
// megabyte and still merge exactly. A sample for an already closed second
// (rare: clock reordering between workers' hand-offs) takes a slow path that
// adds into the sparse second, so nothing is ever dropped or moved.
//
// Merging adds seconds with the same index: requests, errors and latency
// buckets add; active VUs add too, because each worker reports the virtual
// users it runs itself, so the sum over workers (and shards) is the total.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "load/latency_histogram.hpp"

namespace golive::load {

// One second of one scenario. Seconds count from the run's start.
struct SecondPoint {
  std::int64_t second = 0;
  std::uint64_t requests = 0;   // requests completed during this second
  std::uint64_t errors = 0;     // failures during this second, dropped iterations included
  std::uint32_t active_vus = 0;  // peak VUs this worker reported; summed across workers
  // Non-empty buckets of the coarse layout, sorted by index: (index, count).
  std::vector<std::pair<std::uint32_t, std::uint64_t>> latency;

  std::uint64_t latency_count() const;
  // Nearest-rank percentile of this second's latencies, milliseconds (bucket
  // midpoint of the coarse layout); 0 when the second had no requests.
  double percentile_ms(double p) const;
  bool operator==(const SecondPoint&) const = default;
};

class TimeSeries {
 public:
  // 2^5 sub-buckets per power of two, up to one hour.
  static HistogramLayout coarse_layout() { return HistogramLayout{5, HistogramLayout::kOneHourUs}; }

  TimeSeries();

  // Hot path while `second` is the open second or a later one.
  void record(std::int64_t second, std::uint64_t latency_us, bool failed) {
    if (second != open_second_) [[unlikely]] {
      if (!advance_to(second)) return record_late(second, latency_us, failed);
    }
    open_latency_.record(latency_us);
    ++open_.requests;
    open_.errors += failed ? 1 : 0;
  }
  void record_dropped(std::int64_t second);
  void record_active_vus(std::int64_t second, std::uint32_t vus);

  // Adds `other`, whose second s lands on s + offset_s.
  void merge(const TimeSeries& other, std::int64_t offset_s = 0);
  // Moves the closed seconds before `first_kept` out into the returned series
  // (the open second stays): how a worker hands finished seconds to the
  // coordinator, so a long run keeps them once, merged, instead of once per
  // worker.
  TimeSeries take_before(std::int64_t first_kept);
  // Renumbers every second by + offset_s (used when a merge moves the start earlier).
  void shift(std::int64_t offset_s);

  // Every second with data, in order, the open one included.
  std::vector<SecondPoint> points() const;
  // A copy holding only seconds >= first_second (for cheap progress snapshots).
  TimeSeries since(std::int64_t first_second) const;

  bool operator==(const TimeSeries& other) const { return points() == other.points(); }

  nlohmann::json to_json() const;
  static TimeSeries from_json(const nlohmann::json& value, const std::string& origin,
                              const std::string& pointer);

 private:
  // Closes the open second if `second` is later; false when `second` is earlier.
  bool advance_to(std::int64_t second);
  void record_late(std::int64_t second, std::uint64_t latency_us, bool failed);
  void close_open_second();
  SecondPoint compact_open_second() const;
  SecondPoint& closed_point(std::int64_t second);  // finds or inserts, keeps order

  static constexpr std::int64_t kNoSecond = INT64_MIN;

  std::vector<SecondPoint> closed_;   // sorted by second, all before open_second_
  std::int64_t open_second_ = kNoSecond;
  SecondPoint open_;                   // counters of the open second (latency list unused)
  LatencyHistogram open_latency_;      // dense, coarse layout
};

}  // namespace golive::load
