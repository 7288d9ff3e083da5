// Crash-safe load results: what a running load test appends to the result
// stream while it measures, so a process killed without warning (SIGKILL, an
// OOM kill, a CI timeout, an eviction) still leaves its figures on disk.
//
// Twice a second the coordinator writes, through the sink (the JSON Lines
// writer flushes every line):
//   {"record":"load_second","scenario":"health","t":3,"rps":412,"errors":0,
//    "p50_ms":..,"p95_ms":..,"p99_ms":..,"active_vus":50,"latency":[index,count,..]}
//       once per scenario and full second, when the second is over; "latency"
//       holds the second's coarse histogram buckets (TimeSeries layout), so the
//       lines rebuild a mergeable series;
//   {"record":"load_snapshot","elapsed_s":4.0,"shard":{the load-shard.json
//    document of the figures so far}}
//       once a second: every scope's totals and histograms, mergeable;
//   {"record":"load_checkpoint","elapsed_s":4.5,"summaries":[load_summary
//    without "timeseries", one per scenario, a capacity scenario's with its
//    "capacity" search so far],"sla":{sla record}}
//       twice a second: what the report shows, thresholds evaluated.
// The final load_summary and sla records (written at the end, also after
// Ctrl-C) supersede them. A reader of a killed run takes the last
// checkpoint's summaries with the series from the load_second lines
// (reports/), or the last snapshot's shard with that series rebuilt
// (shard_from_checkpoints, for `golive report merge`). The stream reader
// keeps only the last checkpoint and snapshot whole (core/result_stream.cpp),
// so a long run's stream renders in bounded memory.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "config/environment.hpp"
#include "core/result_stream.hpp"
#include "load/load_profile.hpp"
#include "load/load_stats.hpp"
#include "load/shard_file.hpp"

namespace golive::load {

class CheckpointWriter {
 public:
  // `metadata`: the shard file fields (run id, group, env, index/count, SLA
  // targets, profile); its stats are replaced by each checkpoint's.
  CheckpointWriter(core::ResultSink& sink, ShardFile metadata, const LoadProfile& profile,
                   config::SlaTargets sla);

  // Writes the load_second lines of every second before `open_second` not
  // written yet, a load_snapshot when `with_snapshot`, then one
  // load_checkpoint of `merged` (the workers' progress copies). `capacity`:
  // a capacity scenario's search so far (CapacitySearch::to_json), by
  // scenario name, carried in its summary so a killed run reports the
  // last rate that held.
  void write(const LoadStats& merged, std::int64_t open_second, double elapsed_s,
             bool with_snapshot, const std::map<std::string, nlohmann::json>& capacity = {});

  std::size_t checkpoints_written() const { return checkpoints_; }

 private:
  core::ResultSink& sink_;
  ShardFile metadata_;
  const LoadProfile& profile_;
  config::SlaTargets sla_;
  std::map<std::string, std::int64_t> next_second_;  // per scenario: first second not written
  std::size_t checkpoints_ = 0;
};

// The figures of a run that ended without its final records: the last
// load_snapshot's shard, its series rebuilt from the load_second lines, and
// marked interrupted. `meta` are a result stream's meta records in order;
// nullopt when no snapshot exists or a final load_summary followed it.
// Throws core::InputError naming `origin` for a malformed checkpoint.
std::optional<ShardFile> shard_from_checkpoints(const std::vector<nlohmann::json>& meta,
                                                const std::string& origin);

}  // namespace golive::load
