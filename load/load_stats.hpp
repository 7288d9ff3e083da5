// LoadStats: everything a load run measures, for one worker thread or one
// shard, keyed by scenario and scope ("scenario", "step:<name>",
// "tag:<key>=<value>", the same strings threshold scopes use).
//
// Thread model. Each worker thread owns one LoadStats and records into it
// without locks or atomics. Nothing is shared: for the live progress line a
// worker hands the coordinator a copy (progress_copy(), once per second, e.g.
// posted to the coordinator's io_context) and the coordinator merges the
// copies into a fresh LoadStats; at the end the workers' stats are merged the
// same way, and shard files are merged with from_json() + merge(). Merging is
// exact: counters add and histograms add bucket-wise.
//
// Hot path. register_step() and register_scenario() run at set-up, allocate,
// and return small keys; record(), record_dropped() and
// record_active_vus() take a key and never allocate except for the
// once-per-second compaction of the time series (see time_series.hpp).
//
// Warm-up. set_warmup_end(t) makes every sample whose completion time is
// before t count only in discarded_warmup(). We chose one timestamp over a
// per-record flag so the executors need no notion of phases, all workers and
// shards apply the same cut, and a request that was intended during warm-up
// but completed after it (say, behind a stall) is still counted.
//
// Accounting. A request is counted once it completes, successfully or not;
// its latency (from the intended send time in the open model) always goes
// into the histograms, so a timeout shows up as its duration. A dropped
// iteration (the open model could not start it: all VUs busy) counts as
// dropped_iterations and as an error of category "dropped", but not as a
// request and not in the latency histograms.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "load/connection_totals.hpp"
#include "load/latency_histogram.hpp"
#include "load/slowest_requests.hpp"
#include "load/threshold.hpp"
#include "load/time_series.hpp"

namespace golive::load {

using Clock = std::chrono::steady_clock;

enum class ErrorCategory : std::uint8_t {
  kNone = 0,    // success
  kConnect,     // TCP connect refused or failed, DNS
  kTimeout,     // no complete response within the request timeout
  kTls,         // handshake or certificate failure
  kHttpStatus,  // a response whose status the step did not expect
  kAssertion,   // a response that failed a workflow assertion
  kProtocol,    // malformed response, reset mid-response
  kDropped,     // open model: the iteration could not start
  kOther,
  kNotAllowed,  // refused by golive's safety rail (host outside allowed_hosts); never sent
};
constexpr std::size_t kErrorCategoryCount = 10;

const char* to_string(ErrorCategory category);  // "connect", "http_status", ...
std::optional<ErrorCategory> parse_error_category(std::string_view name);

// The start of a run, on both clocks: workers time with the steady clock, and
// shards on different machines line up by the wall clock.
struct RunEpoch {
  Clock::time_point steady;
  std::int64_t unix_ms = 0;  // milliseconds since 1970-01-01 UTC
  static RunEpoch now();
};

// One completed request.
struct RequestSample {
  Clock::time_point completed_at;  // when the response or the failure was observed
  std::uint64_t latency_us = 0;    // microseconds, from the intended send time
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_received = 0;
  ErrorCategory error = ErrorCategory::kNone;
  // The connection it went out on (ConnectionTotals): opened by this request,
  // its TCP connect and TLS handshake durations, and whether TLS resumed.
  bool new_connection = false;
  bool tls_resumed = false;
  std::uint32_t connect_us = 0;
  std::uint32_t handshake_us = 0;
};

// The totals of one scope.
struct ScopeTotals {
  std::uint64_t requests = 0;            // completed requests, failed or not
  std::uint64_t dropped_iterations = 0;  // also counted in errors[kDropped]
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_received = 0;
  std::array<std::uint64_t, kErrorCategoryCount> errors{};  // by ErrorCategory; [kNone] stays 0
  LatencyHistogram latency;                                  // microseconds

  // A request the safety rail refused was never sent: it counts as an error
  // of its category only, never as a request or a latency sample.
  void add(const RequestSample& sample) {
    if (sample.error == ErrorCategory::kNotAllowed) [[unlikely]] {
      ++errors[static_cast<std::size_t>(ErrorCategory::kNotAllowed)];
      return;
    }
    ++requests;
    bytes_sent += sample.bytes_sent;
    bytes_received += sample.bytes_received;
    errors[static_cast<std::size_t>(sample.error)] += sample.error != ErrorCategory::kNone;
    latency.record(sample.latency_us);
  }
  std::uint64_t error_total() const;
  void merge(const ScopeTotals& other);
  bool operator==(const ScopeTotals& other) const = default;

  nlohmann::json to_json() const;
  static ScopeTotals from_json(const nlohmann::json& value, const std::string& origin,
                               const std::string& pointer);
};

// Keys handed out at set-up; valid only for the LoadStats that issued them
// (and its copies).
struct ScenarioKey {
  std::uint32_t scenario = 0;
};
struct StepKey {
  std::uint32_t route = 0;
};

class LoadStats {
 public:
  explicit LoadStats(RunEpoch epoch = RunEpoch::now());

  // --- set-up (allocates) ---
  ScenarioKey register_scenario(const std::string& scenario);
  // Samples recorded with the key count in the scenario, in "step:<step>"
  // and in "tag:<key>=<value>" for each tag.
  StepKey register_step(const std::string& scenario, const std::string& step,
                        const std::vector<std::pair<std::string, std::string>>& tags = {});
  void set_warmup_end(Clock::time_point end);
  // How many of the scenario's slowest requests it keeps (default 10; 0 = none).
  void set_slowest_capacity(const std::string& scenario, std::uint32_t capacity);
  // Closes the measured window (otherwise it ends at the latest sample).
  void mark_end(Clock::time_point end);

  // --- hot path (no locks, no allocation) ---
  void record(StepKey key, const RequestSample& sample) {
    if (sample.completed_at < warmup_end_) [[unlikely]] {
      ++discarded_warmup_;
      return;
    }
    const Route& route = routes_[key.route];
    Scenario& scenario = scenarios_[route.scenario];
    for (std::uint32_t scope : route.scopes) scenario.scopes[scope].add(sample);
    scenario.connections.add(sample.new_connection, sample.connect_us, sample.handshake_us,
                             sample.tls_resumed);
    const std::int64_t offset_us = offset_of(sample.completed_at);
    latest_us_ = offset_us > latest_us_ ? offset_us : latest_us_;
    window_known_ = true;
    if (sample.error == ErrorCategory::kNotAllowed) [[unlikely]] return;  // never sent: no latency
    scenario.series.record(second_of(offset_us), sample.latency_us,
                           sample.error != ErrorCategory::kNone);
  }
  // True when `sample` (recorded with `key`) is among the scenario's slowest
  // so far: the caller then builds its SlowRequest and calls record_slow().
  bool wants_slow(StepKey key, const RequestSample& sample) const {
    if (sample.completed_at < warmup_end_ || sample.error == ErrorCategory::kNotAllowed) return false;
    return scenarios_[routes_[key.route].scenario].slowest.would_keep(sample.latency_us);
  }
  void record_slow(StepKey key, SlowRequest request) {
    scenarios_[routes_[key.route].scenario].slowest.add(std::move(request));
  }
  // Wall-clock milliseconds (since 1970) of a steady-clock time.
  std::int64_t unix_ms_of(Clock::time_point t) const { return epoch_.unix_ms + offset_of(t) / 1000; }
  void record_dropped(ScenarioKey key, Clock::time_point at);
  // The number of VUs this worker runs for the scenario right now.
  void record_active_vus(ScenarioKey key, Clock::time_point at, std::uint32_t vus);

  // --- combining ---
  // Exact. Scopes match by name; series line up by wall-clock start (to the
  // second); the measured window becomes the union of both windows.
  void merge(const LoadStats& other);
  // Moves every scenario's closed seconds before `first_kept` out, by
  // scenario name (TimeSeries::take_before); totals and scopes stay.
  std::vector<std::pair<std::string, TimeSeries>> take_series_before(std::int64_t first_kept);
  // Adds seconds taken from this or another LoadStats of the same epoch.
  void merge_series(const std::string& scenario, const TimeSeries& series);
  // The second (from the epoch) of the latest sample recorded.
  std::int64_t latest_second() const { return second_of(latest_us_); }
  // A copy whose series holds only the last few seconds: what a worker hands
  // over once per second for progress, at a cost independent of run length.
  LoadStats progress_copy(std::int64_t series_seconds = 2) const;

  // --- reading ---
  std::vector<std::string> scenario_names() const;  // in registration order
  // Scope names of a scenario in registration order ("scenario" first).
  std::vector<std::string> scope_names(const std::string& scenario) const;
  const ScopeTotals* find(const std::string& scenario, const std::string& scope) const;
  const TimeSeries* series(const std::string& scenario) const;
  // The scenario's slowest requests; nullptr for an unknown one.
  const SlowestRequests* slowest(const std::string& scenario) const;
  // The connections and TLS handshakes of a scenario; nullptr for an unknown one.
  const ConnectionTotals* connections(const std::string& scenario) const;
  // The figures thresholds are evaluated on; an unknown scope gives an empty snapshot.
  MetricSnapshot snapshot(const std::string& scenario, const std::string& scope = "scenario") const;
  MetricSnapshot overall() const;  // all scenarios together (for the SLA)
  double measured_seconds() const;
  std::uint64_t discarded_warmup() const { return discarded_warmup_; }
  std::int64_t start_unix_ms() const { return epoch_.unix_ms; }

  // The shard result file: every scope's totals with serialised histograms
  // and every series, so shards merge exactly.
  nlohmann::json to_json() const;
  // Throws core::InputError naming `origin` and the JSON pointer.
  static LoadStats from_json(const nlohmann::json& value, const std::string& origin);

 private:
  struct Scenario {
    std::string name;
    std::vector<std::string> scope_names;  // parallel to scopes; [0] is "scenario"
    std::vector<ScopeTotals> scopes;
    TimeSeries series;
    ConnectionTotals connections;
    SlowestRequests slowest;
  };
  struct Route {
    std::uint32_t scenario = 0;
    std::vector<std::uint32_t> scopes;  // indices into Scenario::scopes
  };

  std::int64_t offset_of(Clock::time_point t) const {
    return std::chrono::duration_cast<std::chrono::microseconds>(t - epoch_.steady).count();
  }
  static std::int64_t second_of(std::int64_t offset_us) {
    return offset_us < 0 ? 0 : offset_us / 1'000'000;
  }
  std::uint32_t find_or_add_scenario(const std::string& name);
  std::uint32_t find_or_add_scope(Scenario& scenario, const std::string& scope);
  const Scenario* find_scenario(const std::string& name) const;
  void move_start_earlier(std::int64_t new_start_unix_ms);

  RunEpoch epoch_;
  Clock::time_point warmup_end_;             // samples completing before it are discarded
  std::int64_t measured_from_us_ = 0;        // window start, microseconds after the epoch
  std::optional<std::int64_t> end_us_;       // window end if marked, microseconds after the epoch
  std::int64_t latest_us_ = 0;               // latest completion seen, microseconds after the epoch
  std::uint64_t discarded_warmup_ = 0;       // samples dropped by the warm-up cut
  bool window_known_ = false;                // a sample was recorded or the end marked
  std::vector<Scenario> scenarios_;
  std::vector<Route> routes_;
};

// The report.json `load` section: per scenario its requests, errors by
// category, throughput, latency percentiles in ms, threshold verdicts (looked
// up by scenario name), steps, tags and the per-second series.
nlohmann::json summary_json(
    const LoadStats& stats,
    const std::map<std::string, std::vector<ThresholdVerdict>>& verdicts_by_scenario = {});

// Evaluates a scenario's thresholds, each on its own scope.
std::vector<ThresholdVerdict> evaluate_thresholds(const LoadStats& stats, const std::string& scenario,
                                                  const std::vector<ThresholdSpec>& specs);

}  // namespace golive::load
