// The load suite as one blocking call: read a profile, start the worker
// threads (each with its own CurlHttpClient) for this shard's share of the load,
// report progress once per second, stop at the profile's end, its request
// cap, an abort_on_fail threshold or should_stop, then merge the workers'
// statistics exactly and turn them into verdicts: threshold and SLA
// CheckResults into `sink`, and the load_summary / sla meta records plus the
// shard statistics into the returned outcome (the caller writes them).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "config/environment.hpp"
#include "core/result_stream.hpp"
#include "load/load_profile.hpp"
#include "load/load_stats.hpp"

namespace golive::load {

// This process's part of a run split over N processes or machines.
struct ShardSpec {
  std::uint32_t index = 0;  // 0-based
  std::uint32_t count = 1;
};
// "2/4" (1-based index, as people count) -> {1, 4}; throws core::InputError.
ShardSpec parse_shard(const std::string& text);

// The figures of the progress line, once per second.
struct LoadProgress {
  double elapsed_s = 0;         // since the scenarios started
  double planned_s = 0;         // the run's planned length
  std::uint32_t active_vus = 0; // iterations or VUs running now, all workers
  double rps = 0;               // requests completed in the last full second
  double p95_ms = 0;            // of the last full second
  std::uint64_t requests = 0;   // since the end of warm-up
  std::uint64_t errors = 0;     // since the end of warm-up, dropped iterations included
  bool warming_up = false;
};

// One progress line: "  12s/20s  vus 850  rps 512  p95 3.1ms  requests 5120  errors 0".
std::string progress_line(const LoadProgress& progress);

struct LoadOptions {
  LoadProfile profile;                    // see load_profile()
  std::optional<double> max_duration_s;   // --duration: caps the run, seconds
  ShardSpec shard;
  std::uint32_t threads = 2;              // worker threads, one CurlHttpClient each
  bool native_http = true;  // plain http:// through http::NativeHttpClient, https:// via curl; --engine curl: all via curl
  bool allow_production = false;
  std::chrono::milliseconds drain_grace{5000};  // for in-flight iterations at the end
  std::function<void(const LoadProgress&)> on_progress;  // on the calling thread
  std::function<bool()> should_stop;                     // polled every 100 ms
  // Crash-safe figures: load_second and load_checkpoint records into the sink
  // twice a second (see load/load_checkpoint.hpp), so a killed run keeps them.
  bool checkpoints = true;
  std::string run_id;       // the checkpoints' shard documents carry it
  std::string shard_group;  // --shard-group
  // --start-at / --start-file: the wall-clock instant (unix ms) the scenarios
  // begin, the same for every shard, so their series line up in the merge.
  // The run waits for it (should_stop still polled) and takes it as its epoch.
  std::optional<std::int64_t> start_at_unix_ms;
  std::function<void(double seconds_left)> on_start_wait;  // about once a second while waiting
};

struct LoadRunOutcome {
  LoadStats stats;                            // merged over the workers (the shard file)
  std::vector<nlohmann::json> load_summaries; // `load_summary` meta records, one per scenario
  nlohmann::json sla;                         // the `sla` meta record
  bool thresholds_passed = true;
  bool sla_met = false;
  bool aborted = false;      // an abort_on_fail threshold stopped the run
  bool stopped = false;      // should_stop stopped the run
  double rate_scale = 1;     // < 1 when safety.max_rps lowered the open-model rates
  double max_rps = 0;        // the environment's cap (0 = none)

  // What `golive run` records: {"load_summaries": [...], "sla": {...},
  // "thresholds_passed", "sla_met", "aborted", "rate_scale", "max_rps"}.
  nlohmann::json summary() const;
};

// Throws core::InputError for a production environment without
// allow_production, or a workflow that does not compile.
LoadRunOutcome run_load_suite(const config::Environment& environment, const LoadOptions& options,
                              core::ResultSink& sink);

// What this suite can do with `env`, and why not (see config::Capability).
config::Capability load_capability(const config::Environment& env);

}  // namespace golive::load
