#include "load/time_series.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>

#include "core/input_error.hpp"

namespace golive::load {

namespace {

using SparseBuckets = std::vector<std::pair<std::uint32_t, std::uint64_t>>;

bool has_data(const SecondPoint& point) {
  return point.requests != 0 || point.errors != 0 || point.active_vus != 0 || !point.latency.empty();
}

void add_bucket(SparseBuckets& buckets, std::uint32_t index, std::uint64_t count) {
  auto it = std::lower_bound(buckets.begin(), buckets.end(), index,
                             [](const auto& entry, std::uint32_t i) { return entry.first < i; });
  if (it != buckets.end() && it->first == index) {
    it->second += count;
  } else {
    buckets.insert(it, {index, count});
  }
}

// Exact union of two sorted sparse bucket lists.
SparseBuckets merge_buckets(const SparseBuckets& a, const SparseBuckets& b) {
  SparseBuckets out;
  out.reserve(a.size() + b.size());
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() || j < b.size()) {
    if (j == b.size() || (i < a.size() && a[i].first < b[j].first)) {
      out.push_back(a[i++]);
    } else if (i == a.size() || b[j].first < a[i].first) {
      out.push_back(b[j++]);
    } else {
      out.emplace_back(a[i].first, a[i].second + b[j].second);
      ++i;
      ++j;
    }
  }
  return out;
}

void add_point(SecondPoint& into, const SecondPoint& from) {
  into.requests += from.requests;
  into.errors += from.errors;
  into.active_vus += from.active_vus;
  into.latency = merge_buckets(into.latency, from.latency);
}

}  // namespace

std::uint64_t SecondPoint::latency_count() const {
  std::uint64_t total = 0;
  for (const auto& [index, count] : latency) total += count;
  return total;
}

double SecondPoint::percentile_ms(double p) const {
  const std::uint64_t total = latency_count();
  if (total == 0) return 0;
  const HistogramLayout layout = TimeSeries::coarse_layout();
  auto rank = static_cast<std::uint64_t>(std::ceil(std::clamp(p, 0.0, 100.0) / 100.0 *
                                                   static_cast<double>(total)));
  rank = std::clamp<std::uint64_t>(rank, 1, total);
  std::uint64_t seen = 0;
  for (const auto& [index, count] : latency) {
    seen += count;
    if (seen >= rank) return static_cast<double>(layout.representative(index)) / 1000.0;
  }
  return static_cast<double>(layout.representative(latency.back().first)) / 1000.0;
}

TimeSeries::TimeSeries() : open_latency_(coarse_layout()) {}

bool TimeSeries::advance_to(std::int64_t second) {
  if (second == open_second_) return true;
  if (open_second_ != kNoSecond && second < open_second_) return false;
  close_open_second();
  open_second_ = second;
  return true;
}

SecondPoint TimeSeries::compact_open_second() const {
  SecondPoint point = open_;
  point.second = open_second_;
  point.latency.clear();
  if (open_latency_.count() == 0) return point;
  const std::size_t first = coarse_layout().index_of(open_latency_.min());
  const std::size_t last = coarse_layout().index_of(open_latency_.max());
  // Closed seconds live for the whole run: allocate each list at its exact
  // size (one pass to count), so an hour of seconds holds no spare capacity.
  std::size_t non_empty = 0;
  for (std::size_t i = first; i <= last; ++i) non_empty += open_latency_.count_at_index(i) != 0 ? 1 : 0;
  point.latency.reserve(non_empty);
  for (std::size_t i = first; i <= last; ++i) {
    const std::uint64_t count = open_latency_.count_at_index(i);
    if (count != 0) point.latency.emplace_back(static_cast<std::uint32_t>(i), count);
  }
  return point;
}

void TimeSeries::close_open_second() {
  if (open_second_ == kNoSecond) return;
  SecondPoint point = compact_open_second();
  if (has_data(point)) closed_.push_back(std::move(point));
  open_ = SecondPoint{};
  open_latency_.reset();
}

SecondPoint& TimeSeries::closed_point(std::int64_t second) {
  auto it = std::lower_bound(closed_.begin(), closed_.end(), second,
                             [](const SecondPoint& p, std::int64_t s) { return p.second < s; });
  if (it == closed_.end() || it->second != second) {
    SecondPoint point;
    point.second = second;
    it = closed_.insert(it, std::move(point));
  }
  return *it;
}

void TimeSeries::record_late(std::int64_t second, std::uint64_t latency_us, bool failed) {
  SecondPoint& point = closed_point(second);
  ++point.requests;
  point.errors += failed ? 1 : 0;
  const HistogramLayout layout = coarse_layout();
  add_bucket(point.latency,
             static_cast<std::uint32_t>(layout.index_of(std::min(latency_us, layout.highest_us))), 1);
}

void TimeSeries::record_dropped(std::int64_t second) {
  if (advance_to(second)) {
    ++open_.errors;
  } else {
    ++closed_point(second).errors;
  }
}

void TimeSeries::record_active_vus(std::int64_t second, std::uint32_t vus) {
  if (advance_to(second)) {
    open_.active_vus = std::max(open_.active_vus, vus);
  } else {
    SecondPoint& point = closed_point(second);
    point.active_vus = std::max(point.active_vus, vus);
  }
}

std::vector<SecondPoint> TimeSeries::points() const {
  std::vector<SecondPoint> out = closed_;
  if (open_second_ != kNoSecond) {
    SecondPoint open = compact_open_second();
    if (has_data(open)) out.push_back(std::move(open));
  }
  return out;
}

void TimeSeries::merge(const TimeSeries& other, std::int64_t offset_s) {
  std::vector<SecondPoint> theirs = other.points();
  close_open_second();
  if (!theirs.empty()) {
    for (SecondPoint& point : theirs) point.second += offset_s;
    // Only the seconds from their first one on can change: merge that tail in
    // place, so adding a few recent seconds to a long series costs a few
    // seconds' work, not a copy of the whole run.
    const auto first = std::lower_bound(closed_.begin(), closed_.end(), theirs.front().second,
                                        [](const SecondPoint& p, std::int64_t s) { return p.second < s; });
    std::vector<SecondPoint> mine(std::make_move_iterator(first), std::make_move_iterator(closed_.end()));
    closed_.erase(first, closed_.end());
    closed_.reserve(closed_.size() + mine.size() + theirs.size());
    std::size_t i = 0;
    std::size_t j = 0;
    while (i < mine.size() || j < theirs.size()) {
      const std::int64_t their_second = j < theirs.size() ? theirs[j].second : INT64_MAX;
      if (i < mine.size() && mine[i].second < their_second) {
        closed_.push_back(std::move(mine[i++]));
      } else if (i < mine.size() && mine[i].second == their_second) {
        add_point(mine[i], theirs[j++]);
        closed_.push_back(std::move(mine[i++]));
      } else {
        closed_.push_back(std::move(theirs[j++]));
      }
    }
  }
  // Everything is closed now; the next open second starts after the last.
  open_ = SecondPoint{};
  open_latency_.reset();
  open_second_ = closed_.empty() ? kNoSecond : closed_.back().second + 1;
}

TimeSeries TimeSeries::take_before(std::int64_t first_kept) {
  TimeSeries taken;
  const auto keep = std::lower_bound(closed_.begin(), closed_.end(), first_kept,
                                     [](const SecondPoint& p, std::int64_t s) { return p.second < s; });
  taken.closed_.assign(std::make_move_iterator(closed_.begin()), std::make_move_iterator(keep));
  closed_.erase(closed_.begin(), keep);
  if (!taken.closed_.empty()) taken.open_second_ = taken.closed_.back().second + 1;
  return taken;
}

void TimeSeries::shift(std::int64_t offset_s) {
  for (SecondPoint& point : closed_) point.second += offset_s;
  if (open_second_ != kNoSecond) open_second_ += offset_s;
}

TimeSeries TimeSeries::since(std::int64_t first_second) const {
  TimeSeries copy;
  for (const SecondPoint& point : closed_) {
    if (point.second >= first_second) copy.closed_.push_back(point);
  }
  if (open_second_ != kNoSecond && open_second_ >= first_second) {
    copy.open_second_ = open_second_;
    copy.open_ = open_;
    copy.open_latency_ = open_latency_;
  } else if (!copy.closed_.empty()) {
    copy.open_second_ = copy.closed_.back().second + 1;
  }
  return copy;
}

nlohmann::json TimeSeries::to_json() const {
  nlohmann::json points_json = nlohmann::json::array();
  for (const SecondPoint& point : points()) {
    nlohmann::json buckets = nlohmann::json::array();
    for (const auto& [index, count] : point.latency) {
      buckets.push_back(index);
      buckets.push_back(count);
    }
    points_json.push_back({{"t", point.second},
                           {"requests", point.requests},
                           {"errors", point.errors},
                           {"active_vus", point.active_vus},
                           {"latency", std::move(buckets)}});
  }
  return {{"layout", layout_to_json(coarse_layout())}, {"points", std::move(points_json)}};
}

TimeSeries TimeSeries::from_json(const nlohmann::json& value, const std::string& origin,
                                 const std::string& pointer) {
  const core::JsonReader reader(value, origin, pointer);
  reader.reject_unknown_keys({"layout", "points"});
  if (!(read_layout(reader.at("layout")) == coarse_layout())) {
    reader.at("layout").fail("time-series layout differs from this build's; refusing to merge");
  }
  const std::size_t bucket_count = coarse_layout().bucket_count();
  TimeSeries series;
  const core::JsonReader points = reader.at("points");
  for (std::size_t p = 0; p < points.as_array().size(); ++p) {
    const core::JsonReader entry = points.at(p);
    entry.reject_unknown_keys({"t", "requests", "errors", "active_vus", "latency"});
    SecondPoint point;
    point.second = entry.at("t").as_integer();
    if (!series.closed_.empty() && point.second <= series.closed_.back().second) {
      entry.at("t").fail("seconds must increase");
    }
    point.requests = read_count(entry.at("requests"));
    point.errors = read_count(entry.at("errors"));
    const std::uint64_t vus = read_count(entry.at("active_vus"));
    if (vus > UINT32_MAX) entry.at("active_vus").fail("too large");
    point.active_vus = static_cast<std::uint32_t>(vus);
    const core::JsonReader buckets = entry.at("latency");
    const std::size_t entries = buckets.as_array().size();
    if (entries % 2 != 0) buckets.fail("expected [index, count, ...] pairs, found an odd length");
    for (std::size_t e = 0; e < entries; e += 2) {
      const std::uint64_t index = read_count(buckets.at(e));
      const std::uint64_t count = read_count(buckets.at(e + 1));
      if (index >= bucket_count) buckets.at(e).fail("bucket index out of range");
      if (!point.latency.empty() && index <= point.latency.back().first) {
        buckets.at(e).fail("bucket indices must increase");
      }
      if (count == 0) buckets.at(e + 1).fail("zero counts are not stored");
      point.latency.emplace_back(static_cast<std::uint32_t>(index), count);
    }
    if (point.latency_count() != point.requests) {
      entry.at("requests").fail("requests differ from the latency bucket total");
    }
    series.closed_.push_back(std::move(point));
  }
  if (!series.closed_.empty()) series.open_second_ = series.closed_.back().second + 1;
  return series;
}

}  // namespace golive::load
