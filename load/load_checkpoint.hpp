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
//   {"record":"load_checkpoint","elapsed_s":4.5,"summaries":[load_summary
//    without "timeseries", one per scenario],"sla":{sla record},
//    "shard":{the load-shard.json document of the figures so far}}
//       totals, histograms and threshold verdicts of everything measured.
// The final load_summary and sla records (written at the end, also after
// Ctrl-C) supersede them. A reader of a killed run takes the last
// checkpoint's summaries with the series from the load_second lines
// (reports/), or the last checkpoint's shard with that series rebuilt
// (shard_from_checkpoints, for `golive report merge`).
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
  // written yet, then one load_checkpoint of `merged` (workers' progress copies).
  void write(const LoadStats& merged, std::int64_t open_second, double elapsed_s);

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
// load_checkpoint's shard, its series rebuilt from the load_second lines, and
// marked interrupted. `meta` are a result stream's meta records in order;
// nullopt when no checkpoint exists or a final load_summary followed it.
// Throws core::InputError naming `origin` for a malformed checkpoint.
std::optional<ShardFile> shard_from_checkpoints(const std::vector<nlohmann::json>& meta,
                                                const std::string& origin);

}  // namespace golive::load
