// The shard result file (`load-shard.json`) and the exact merge of several of
// them: what `golive load --shard i/N` writes and `golive report merge` reads.
//
//   {"format": "golive.load.shard/1",
//    "run_id": "20261201T101500Z-1a2b3c",   the shard process's own run
//    "group": "release-1.4",                optional --shard-group: ties shards together
//    "env": "staging", "profile": "smoke",  environment and profile names
//    "shard": {"index": 1, "count": 2},     1-based, as people count
//    "interrupted": false, "aborted": false,
//    "thresholds": {"health": [{"expression": "p(99) < 200ms", "scope": "scenario"}]},
//    "closed_model_peaks": {"users": 1000}, whole-run planned VU peak per closed scenario
//    "sla": {"availability": 0.999, "p95_ms": 500, "p99_ms": 1500},
//    "stats": { LoadStats::to_json() }}
//
// A bare LoadStats document (format "golive.load.stats/1", what earlier
// versions wrote) is read too; it carries no metadata, so the merge can only
// check what the statistics themselves say and needs --profile for thresholds.
//
// Merging is exact: counters add and latency histograms add bucket-wise
// (LoadStats::merge); percentiles are only computed on the merged whole.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/environment.hpp"
#include "core/result_stream.hpp"
#include "load/load_profile.hpp"
#include "load/load_stats.hpp"
#include "load/threshold.hpp"

namespace golive::load {

inline constexpr const char* kShardFileName = "load-shard.json";

struct ShardFile {
  ShardFile() = default;
  explicit ShardFile(LoadStats statistics) : stats(std::move(statistics)) {}

  std::string origin;        // the file it was read from, for messages ("" when built in memory)
  bool has_metadata = true;  // false for a bare LoadStats document
  std::string run_id;
  std::string group;         // "" = no group given
  std::string env;
  std::string profile;
  std::uint32_t index = 1;   // 1-based shard index
  std::uint32_t count = 1;   // shards in the whole run
  bool interrupted = false;  // the shard stopped early (Ctrl-C, time limit)
  bool aborted = false;      // an abort_on_fail threshold stopped the shard
  bool from_checkpoint = false;  // rebuilt from a killed run's last checkpoint (load_checkpoint.hpp)
  std::map<std::string, std::vector<ThresholdSpec>> thresholds;  // by scenario
  std::map<std::string, double> closed_model_peaks;  // scenario -> planned VUs, whole run
  std::optional<config::SlaTargets> sla;               // the shard's environment targets
  LoadStats stats;
};

// Fills the profile-derived fields (name, thresholds, closed-model peaks).
void describe_profile(const LoadProfile& profile, ShardFile& shard);

nlohmann::json to_json(const ShardFile& shard);
// Throws core::InputError naming `origin` and the JSON pointer.
ShardFile shard_from_json(const nlohmann::json& document, const std::string& origin);
// Reads and parses a file; an unreadable or malformed file is a core::InputError.
ShardFile read_shard_file(const std::string& path);

// The merged whole of a set of shards.
struct MergedShards {
  LoadStats stats;                  // exact sum of every shard's statistics
  std::string group;
  std::string env;
  std::string profile;
  std::uint32_t count = 0;          // N of i/N; 0 for bare files
  std::vector<std::uint32_t> indexes;          // present, sorted
  std::vector<std::uint32_t> missing_indexes;  // of 1..N, sorted
  std::vector<std::string> run_ids;            // the shards' own runs, in input order
  std::vector<std::string> warnings;           // printed and recorded; they never fail a merge
  bool interrupted = false;                    // any shard was interrupted or aborted
  std::map<std::string, std::vector<ThresholdSpec>> thresholds;  // from the first shard
  std::map<std::string, double> closed_model_peaks;
  std::optional<config::SlaTargets> sla;
};

// Checks the shards belong to one run and merges them. Errors (core::InputError
// naming the offending file): no shards, different profiles, groups, shard
// counts or environments, an index used twice. Warnings: shard indexes of
// 1..N missing, bare files without metadata, shards whose thresholds differ.
MergedShards merge_shards(const std::vector<ShardFile>& shards);

// What a merge decides: the same records and checks run_load_suite produces
// for one process, computed on the merged statistics.
struct MergeVerdicts {
  std::vector<nlohmann::json> load_summaries;  // `load_summary` meta records
  nlohmann::json sla;                          // the `sla` meta record
  bool thresholds_passed = true;
  bool sla_met = false;
};

// Evaluates `thresholds` per scenario, the closed-model concurrency checks and
// the SLA against `targets`, recording every CheckResult into `sink`.
MergeVerdicts evaluate_merged(const LoadStats& stats,
                              const std::map<std::string, std::vector<ThresholdSpec>>& thresholds,
                              const std::map<std::string, double>& closed_model_peaks,
                              const config::SlaTargets& targets, core::ResultSink& sink);

}  // namespace golive::load
