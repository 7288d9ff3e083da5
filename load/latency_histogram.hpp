// LatencyHistogram: an HDR-style log-linear histogram of latencies in
// microseconds with bounded relative error, cheap enough to record every
// request on a load generator's hot path, and mergeable exactly (bucket-wise),
// so each worker thread and each shard keeps its own and they are combined at
// the end without ever averaging percentiles.
//
// Layout (sub_bucket_bits = b, default 7):
//   values 0 .. 2^(b+1)-1 each have their own bucket (exact);
//   every later power of two [2^k, 2^(k+1)) is split into 2^b equal buckets
//   of width 2^(k-b).
// A bucket's width is at most 1/2^b of its lower bound, so with b = 7 any
// value in a bucket lies within 1/128 (0.78%) of the bucket's lower bound and
// within 1/256 (0.39%) of its midpoint, which is what percentiles report.
//
// Values above `highest_us` (default 1 hour) are clamped to highest_us and
// counted in overflow(); count, sum, min and max all use the clamped value, so
// the histogram stays self-consistent and mergeable.
#pragma once

#include <bit>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/input_error.hpp"

namespace golive::load {

// The bucket geometry. Two histograms can merge only when their layouts are
// equal; the layout travels with every serialised histogram.
struct HistogramLayout {
  static constexpr std::uint64_t kOneHourUs = 3'600'000'000ULL;

  unsigned sub_bucket_bits = 7;          // 2^bits sub-buckets per power of two
  std::uint64_t highest_us = kOneHourUs;  // largest trackable value, microseconds

  // Bucket index of a value that is already <= highest_us. Branch-free:
  // shift is 0 for the exact range and grows by one per power of two.
  std::size_t index_of(std::uint64_t value_us) const {
    const unsigned shift =
        static_cast<unsigned>(std::bit_width(value_us | exact_mask())) - (sub_bucket_bits + 1);
    return (static_cast<std::size_t>(shift) << sub_bucket_bits) + (value_us >> shift);
  }

  std::size_t bucket_count() const { return index_of(highest_us) + 1; }
  std::uint64_t lowest_in_bucket(std::size_t index) const;   // microseconds, inclusive
  std::uint64_t highest_in_bucket(std::size_t index) const;  // microseconds, inclusive
  // The value a percentile reports for a bucket: its midpoint, rounded down.
  std::uint64_t representative(std::size_t index) const;

  bool operator==(const HistogramLayout&) const = default;

  // Throws std::invalid_argument for bits outside [1, 16] or highest_us < 2^(bits+1).
  void validate() const;

 private:
  std::uint64_t exact_mask() const { return (std::uint64_t{1} << (sub_bucket_bits + 1)) - 1; }
};

class LatencyHistogram {
 public:
  // Allocates all buckets up front (about 3,300 counters, 26 KB, for the
  // default layout); record() never allocates.
  LatencyHistogram() : LatencyHistogram(HistogramLayout{}) {}
  explicit LatencyHistogram(HistogramLayout layout);

  // Hot path: a handful of arithmetic instructions and one counter increment.
  void record(std::uint64_t value_us) { record_n(value_us, 1); }
  void record_n(std::uint64_t value_us, std::uint64_t n) {
    const std::uint64_t clamped = value_us < layout_.highest_us ? value_us : layout_.highest_us;
    overflow_ += static_cast<std::uint64_t>(value_us > layout_.highest_us) * n;
    counts_[layout_.index_of(clamped)] += n;
    count_ += n;
    sum_us_ += clamped * n;
    min_us_ = clamped < min_us_ ? clamped : min_us_;
    max_us_ = clamped > max_us_ ? clamped : max_us_;
  }

  // Adds every bucket of `other`. Throws std::invalid_argument when the
  // layouts differ (never silently re-bucket).
  void merge(const LatencyHistogram& other);
  void reset();

  // p in [0, 100] (clamped). Nearest-rank: the value of the sample at rank
  // ceil(p/100 * count) (at least 1) in sorted order, reported as its bucket's
  // midpoint and clamped to [min, max]; p = 100 is max() exactly. 0 when empty.
  std::uint64_t value_at_percentile(double p) const;

  std::uint64_t count() const { return count_; }
  std::uint64_t overflow() const { return overflow_; }      // samples clamped to highest_us
  std::uint64_t min() const { return count_ ? min_us_ : 0; }  // microseconds, exact
  std::uint64_t max() const { return max_us_; }               // microseconds, exact
  double mean() const;                                        // microseconds; 0 when empty
  std::uint64_t sum() const { return sum_us_; }               // microseconds
  const HistogramLayout& layout() const { return layout_; }
  std::uint64_t count_at_index(std::size_t index) const { return counts_.at(index); }

  // Bucket-identical and the same count, sum, min, max and overflow.
  bool operator==(const LatencyHistogram& other) const;

  // Compact JSON: the layout, the scalar figures and only the non-zero
  // buckets as a flat [index, count, index, count, ...] array.
  nlohmann::json to_json() const;
  // Throws core::InputError naming `origin` and `pointer` when the document
  // is malformed, its layout differs from `expected`, or its counts do not
  // add up.
  static LatencyHistogram from_json(const nlohmann::json& value, const std::string& origin,
                                    const std::string& pointer = "",
                                    const HistogramLayout& expected = {});

 private:
  HistogramLayout layout_;
  std::vector<std::uint64_t> counts_;  // one counter per bucket, see HistogramLayout
  std::uint64_t count_ = 0;
  std::uint64_t overflow_ = 0;
  std::uint64_t sum_us_ = 0;  // of clamped values; overflows past ~5e9 one-hour samples
  std::uint64_t min_us_ = UINT64_MAX;
  std::uint64_t max_us_ = 0;
};

// Layout JSON ({"sub_bucket_bits": 7, "highest_us": 3600000000}), shared with
// the sparse per-second histograms of the time series.
nlohmann::json layout_to_json(const HistogramLayout& layout);
// Reads it back; throws core::InputError at the reader's pointer.
HistogramLayout read_layout(const core::JsonReader& reader);
// A non-negative JSON integer (counts, microseconds, bytes) as uint64; throws
// core::InputError at the reader's pointer otherwise.
std::uint64_t read_count(const core::JsonReader& field);

}  // namespace golive::load
