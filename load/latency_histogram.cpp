#include "load/latency_histogram.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/input_error.hpp"

namespace golive::load {

namespace {

// The bucket's shift: 0 for the exact range, then one more per power of two.
unsigned shift_of_index(std::size_t index, unsigned bits) {
  const std::size_t half = index >> bits;
  return half == 0 ? 0 : static_cast<unsigned>(half - 1);
}

}  // namespace

std::uint64_t HistogramLayout::lowest_in_bucket(std::size_t index) const {
  const unsigned shift = shift_of_index(index, sub_bucket_bits);
  const std::uint64_t sub = index - (static_cast<std::size_t>(shift) << sub_bucket_bits);
  return sub << shift;
}

std::uint64_t HistogramLayout::highest_in_bucket(std::size_t index) const {
  const unsigned shift = shift_of_index(index, sub_bucket_bits);
  return lowest_in_bucket(index) + ((std::uint64_t{1} << shift) - 1);
}

std::uint64_t HistogramLayout::representative(std::size_t index) const {
  const unsigned shift = shift_of_index(index, sub_bucket_bits);
  return lowest_in_bucket(index) + (((std::uint64_t{1} << shift) - 1) >> 1);
}

void HistogramLayout::validate() const {
  if (sub_bucket_bits < 1 || sub_bucket_bits > 16) {
    throw std::invalid_argument("histogram sub_bucket_bits must be in [1, 16], got " +
                                std::to_string(sub_bucket_bits));
  }
  if (highest_us < (std::uint64_t{1} << (sub_bucket_bits + 1)) || highest_us > (1ULL << 62)) {
    throw std::invalid_argument("histogram highest_us out of range: " +
                                std::to_string(highest_us));
  }
}

nlohmann::json layout_to_json(const HistogramLayout& layout) {
  return {{"sub_bucket_bits", layout.sub_bucket_bits}, {"highest_us", layout.highest_us}};
}

std::uint64_t read_count(const core::JsonReader& field) {
  if (!field.value().is_number_unsigned() &&
      !(field.value().is_number_integer() && field.value().get<std::int64_t>() >= 0)) {
    field.fail("expected a non-negative integer, found " +
               std::string(field.value().type_name()) + " " + field.value().dump());
  }
  return field.value().get<std::uint64_t>();
}

HistogramLayout read_layout(const core::JsonReader& reader) {
  reader.reject_unknown_keys({"sub_bucket_bits", "highest_us"});
  HistogramLayout layout;
  const std::uint64_t bits = read_count(reader.at("sub_bucket_bits"));
  if (bits < 1 || bits > 16) reader.at("sub_bucket_bits").fail("must be in [1, 16]");
  layout.sub_bucket_bits = static_cast<unsigned>(bits);
  layout.highest_us = read_count(reader.at("highest_us"));
  try {
    layout.validate();
  } catch (const std::invalid_argument& e) {
    reader.fail(e.what());
  }
  return layout;
}

LatencyHistogram::LatencyHistogram(HistogramLayout layout) : layout_(layout) {
  layout_.validate();
  counts_.assign(layout_.bucket_count(), 0);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  if (!(other.layout_ == layout_)) {
    throw std::invalid_argument("cannot merge histograms with different layouts");
  }
  for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  overflow_ += other.overflow_;
  sum_us_ += other.sum_us_;
  min_us_ = std::min(min_us_, other.min_us_);
  max_us_ = std::max(max_us_, other.max_us_);
}

void LatencyHistogram::reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = overflow_ = sum_us_ = max_us_ = 0;
  min_us_ = UINT64_MAX;
}

std::uint64_t LatencyHistogram::value_at_percentile(double p) const {
  if (count_ == 0) return 0;
  if (!(p > 0)) p = 0;  // also maps NaN to 0
  if (p >= 100) return max_us_;
  auto rank = static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_)));
  rank = std::clamp<std::uint64_t>(rank, 1, count_);
  if (rank == count_) return max_us_;
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::clamp(layout_.representative(i), min(), max_us_);
  }
  return max_us_;  // unreachable while counts add up to count_
}

double LatencyHistogram::mean() const {
  return count_ ? static_cast<double>(sum_us_) / static_cast<double>(count_) : 0.0;
}

bool LatencyHistogram::operator==(const LatencyHistogram& other) const {
  return layout_ == other.layout_ && count_ == other.count_ && overflow_ == other.overflow_ &&
         sum_us_ == other.sum_us_ && min() == other.min() && max_us_ == other.max_us_ &&
         counts_ == other.counts_;
}

nlohmann::json LatencyHistogram::to_json() const {
  nlohmann::json buckets = nlohmann::json::array();
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] == 0) continue;
    buckets.push_back(i);
    buckets.push_back(counts_[i]);
  }
  return {{"layout", layout_to_json(layout_)},
          {"count", count_},
          {"sum_us", sum_us_},
          {"min_us", min()},
          {"max_us", max_us_},
          {"overflow", overflow_},
          {"buckets", std::move(buckets)}};
}

LatencyHistogram LatencyHistogram::from_json(const nlohmann::json& value,
                                             const std::string& origin,
                                             const std::string& pointer,
                                             const HistogramLayout& expected) {
  const core::JsonReader reader(value, origin, pointer);
  reader.reject_unknown_keys({"layout", "count", "sum_us", "min_us", "max_us", "overflow", "buckets"});
  const HistogramLayout layout = read_layout(reader.at("layout"));
  if (!(layout == expected)) {
    reader.at("layout").fail("histogram layout (sub_bucket_bits " +
                             std::to_string(layout.sub_bucket_bits) + ", highest_us " +
                             std::to_string(layout.highest_us) + ") differs from this build's (" +
                             std::to_string(expected.sub_bucket_bits) + ", " +
                             std::to_string(expected.highest_us) + "); refusing to merge");
  }

  LatencyHistogram histogram(layout);
  histogram.count_ = read_count(reader.at("count"));
  histogram.sum_us_ = read_count(reader.at("sum_us"));
  histogram.overflow_ = read_count(reader.at("overflow"));
  const std::uint64_t min_us = read_count(reader.at("min_us"));
  histogram.max_us_ = read_count(reader.at("max_us"));
  histogram.min_us_ = histogram.count_ ? min_us : UINT64_MAX;

  const core::JsonReader buckets = reader.at("buckets");
  const std::size_t entries = buckets.as_array().size();
  if (entries % 2 != 0) buckets.fail("expected [index, count, ...] pairs, found an odd length");
  std::uint64_t total = 0;
  std::size_t first = SIZE_MAX;
  std::size_t last = 0;
  for (std::size_t e = 0; e < entries; e += 2) {
    const std::uint64_t index = read_count(buckets.at(e));
    const std::uint64_t count = read_count(buckets.at(e + 1));
    if (index >= histogram.counts_.size()) buckets.at(e).fail("bucket index out of range");
    if (first != SIZE_MAX && index <= last) buckets.at(e).fail("bucket indices must increase");
    if (count == 0) buckets.at(e + 1).fail("zero counts are not stored");
    histogram.counts_[index] = count;
    total += count;
    if (first == SIZE_MAX) first = index;
    last = index;
  }
  if (total != histogram.count_) {
    reader.at("count").fail("count " + std::to_string(histogram.count_) +
                            " differs from the bucket total " + std::to_string(total));
  }
  if (total > 0 && (layout.index_of(std::min(min_us, layout.highest_us)) != first ||
                    layout.index_of(std::min(histogram.max_us_, layout.highest_us)) != last)) {
    reader.fail("min_us/max_us do not fall in the first/last non-empty buckets");
  }
  return histogram;
}

}  // namespace golive::load
