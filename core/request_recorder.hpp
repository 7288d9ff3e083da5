// RequestRecorder: the distinct requests golive sent during a run (method
// and URL without query or fragment), for the report's surface coverage
// ("API endpoints exercised"). Process-wide and off by default; `golive run`
// switches it on around the functional suites and off around load stages,
// where per-request bookkeeping would distort the measurement.
//
// Thread-safe. When on, HttpEngine::send records every request it accepts:
// one relaxed atomic load when off, a mutex and a set insert when on.
#pragma once

#include <atomic>
#include <cstddef>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace golive::core {

class RequestRecorder {
 public:
  static RequestRecorder& global();

  void set_enabled(bool enabled) { enabled_.store(enabled, std::memory_order_relaxed); }
  bool enabled() const { return enabled_.load(std::memory_order_relaxed); }

  // Keeps (method, url up to '?' or '#'). At most kMaxDistinct entries; the
  // rest only count in dropped().
  void record(std::string_view method, std::string_view url);

  std::vector<std::pair<std::string, std::string>> requests() const;  // sorted
  std::size_t dropped() const;
  void clear();

  static constexpr std::size_t kMaxDistinct = 100000;

 private:
  std::atomic<bool> enabled_{false};
  mutable std::mutex mutex_;
  std::set<std::pair<std::string, std::string>> requests_;
  std::size_t dropped_ = 0;
};

}  // namespace golive::core
