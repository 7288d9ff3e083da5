#include "load/shard_file.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "core/input_error.hpp"
#include "load/load_records.hpp"
#include "load/sla.hpp"

namespace golive::load {

namespace {

constexpr const char* kShardFormat = "golive.load.shard/1";
constexpr const char* kBareStatsFormat = "golive.load.stats/1";

nlohmann::json spec_json(const ThresholdSpec& spec) {
  return {{"expression", spec.expression}, {"scope", spec.scope}, {"abort_on_fail", spec.abort_on_fail}};
}

std::uint32_t read_positive(const core::JsonReader& reader) {
  const std::int64_t value = reader.as_integer();
  if (value < 1 || value > 100000) reader.fail("expected an integer from 1 to 100000");
  return static_cast<std::uint32_t>(value);
}

std::string thresholds_text(const std::map<std::string, std::vector<ThresholdSpec>>& thresholds) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [scenario, specs] : thresholds) {
    for (const ThresholdSpec& spec : specs) out[scenario].push_back(spec_json(spec));
  }
  return out.dump();
}

// "shard 2/4 (out/x/load-shard.json)" for messages.
std::string describe(const ShardFile& shard) {
  std::string origin = shard.origin.empty() ? "<memory>" : shard.origin;
  if (!shard.has_metadata) return origin;
  return "shard " + std::to_string(shard.index) + "/" + std::to_string(shard.count) + " (" +
         origin + ")";
}

[[noreturn]] void incompatible(const ShardFile& shard, const std::string& problem) {
  throw core::InputError(shard.origin.empty() ? "<shard>" : shard.origin, "", problem);
}

}  // namespace

void describe_profile(const LoadProfile& profile, ShardFile& shard) {
  shard.profile = profile.name;
  shard.thresholds.clear();
  shard.closed_model_peaks.clear();
  for (const ScenarioProfile& scenario : profile.scenarios) {
    shard.thresholds[scenario.name] = scenario.thresholds;
    if (!scenario.open_model()) shard.closed_model_peaks[scenario.name] = scenario.peak();
  }
}

nlohmann::json to_json(const ShardFile& shard) {
  nlohmann::json thresholds = nlohmann::json::object();
  for (const auto& [scenario, specs] : shard.thresholds) {
    nlohmann::json list = nlohmann::json::array();
    for (const ThresholdSpec& spec : specs) list.push_back(spec_json(spec));
    thresholds[scenario] = std::move(list);
  }
  nlohmann::json peaks = nlohmann::json::object();
  for (const auto& [scenario, peak] : shard.closed_model_peaks) peaks[scenario] = peak;
  nlohmann::json out = {{"format", kShardFormat},
                        {"run_id", shard.run_id},
                        {"group", shard.group},
                        {"env", shard.env},
                        {"profile", shard.profile},
                        {"shard", {{"index", shard.index}, {"count", shard.count}}},
                        {"interrupted", shard.interrupted},
                        {"aborted", shard.aborted},
                        {"thresholds", std::move(thresholds)},
                        {"closed_model_peaks", std::move(peaks)},
                        {"sla", nullptr},
                        {"stats", shard.stats.to_json()}};
  if (shard.sla) {
    out["sla"] = {{"availability", shard.sla->availability},
                  {"p95_ms", shard.sla->p95_ms},
                  {"p99_ms", shard.sla->p99_ms}};
  }
  return out;
}

ShardFile shard_from_json(const nlohmann::json& document, const std::string& origin) {
  const core::JsonReader reader(document, origin);
  reader.as_object();
  if (!reader.has("format")) {
    reader.fail(std::string("not a load-shard.json: no \"format\" (expected \"") + kShardFormat +
                "\", written by golive load)");
  }
  const std::string format = reader.at("format").as_string();
  ShardFile shard;
  shard.origin = origin;
  if (format == kBareStatsFormat) {
    shard.has_metadata = false;
    shard.stats = LoadStats::from_json(document, origin);
    return shard;
  }
  if (format != kShardFormat) {
    reader.at("format").fail(std::string("expected \"") + kShardFormat + "\" (a load-shard.json file)");
  }
  reader.reject_unknown_keys({"format", "run_id", "group", "env", "profile", "shard", "interrupted",
                              "aborted", "thresholds", "closed_model_peaks", "sla", "stats"});
  shard.run_id = reader.string_or("run_id", "");
  shard.group = reader.string_or("group", "");
  shard.env = reader.string_or("env", "");
  shard.profile = reader.at("profile").as_string();
  const core::JsonReader position = reader.at("shard");
  position.reject_unknown_keys({"index", "count"});
  shard.index = read_positive(position.at("index"));
  shard.count = read_positive(position.at("count"));
  if (shard.index > shard.count) position.at("index").fail("shard index above the shard count");
  shard.interrupted = reader.bool_or("interrupted", false);
  shard.aborted = reader.bool_or("aborted", false);
  if (reader.has("thresholds")) {
    const core::JsonReader thresholds = reader.at("thresholds");
    for (const auto& [scenario, list] : thresholds.as_object().items()) {
      const core::JsonReader specs = thresholds.at(scenario);
      auto& target = shard.thresholds[scenario];
      for (std::size_t i = 0; i < specs.as_array().size(); ++i) {
        target.push_back(threshold_spec_from_json(specs.at(i)));
      }
    }
  }
  if (reader.has("closed_model_peaks")) {
    const core::JsonReader peaks = reader.at("closed_model_peaks");
    for (const auto& [scenario, value] : peaks.as_object().items()) {
      shard.closed_model_peaks[scenario] = peaks.at(scenario).as_number();
    }
  }
  if (reader.has("sla") && !reader.at("sla").value().is_null()) {
    const core::JsonReader sla = reader.at("sla");
    sla.reject_unknown_keys({"availability", "p95_ms", "p99_ms"});
    config::SlaTargets targets;
    targets.availability = sla.number_or("availability", targets.availability);
    targets.p95_ms = sla.number_or("p95_ms", targets.p95_ms);
    targets.p99_ms = sla.number_or("p99_ms", targets.p99_ms);
    shard.sla = targets;
  }
  shard.stats = LoadStats::from_json(reader.at("stats").value(), origin);
  return shard;
}

ShardFile read_shard_file(const std::string& path) {
  // Syntax errors name the line and column, as for every other input file.
  const nlohmann::json document = core::load_json_file(path);
  return shard_from_json(document, path);
}

MergedShards merge_shards(const std::vector<ShardFile>& shards) {
  if (shards.empty()) throw core::InputError("report merge", "", "no shard files given");
  MergedShards merged;
  const ShardFile* first_described = nullptr;
  std::set<std::uint32_t> seen;
  for (const ShardFile& shard : shards) {
    merged.run_ids.push_back(shard.run_id);
    merged.interrupted = merged.interrupted || shard.interrupted || shard.aborted;
    if (shard.from_checkpoint) {
      merged.warnings.push_back(describe(shard) +
                                ": the shard was killed before it finished; its figures are those "
                                "of its last checkpoint (at most a second before the kill)");
    }
    if (!shard.has_metadata) {
      merged.warnings.push_back(describe(shard) +
                                ": bare statistics without shard metadata; its profile, shard "
                                "index and environment cannot be checked");
      continue;
    }
    if (!first_described) {
      first_described = &shard;
      merged.group = shard.group;
      merged.env = shard.env;
      merged.profile = shard.profile;
      merged.count = shard.count;
      merged.thresholds = shard.thresholds;
      merged.closed_model_peaks = shard.closed_model_peaks;
      merged.sla = shard.sla;
    } else {
      const ShardFile& first = *first_described;
      if (shard.profile != first.profile) {
        incompatible(shard, "profile \"" + shard.profile + "\" differs from \"" + first.profile +
                                "\" of " + describe(first) + ": shards of different runs");
      }
      if (shard.group != first.group) {
        incompatible(shard, "shard group \"" + shard.group + "\" differs from \"" + first.group +
                                "\" of " + describe(first));
      }
      if (shard.count != first.count) {
        incompatible(shard, "shard count " + std::to_string(shard.count) + " differs from " +
                                std::to_string(first.count) + " of " + describe(first));
      }
      if (shard.env != first.env) {
        incompatible(shard, "environment \"" + shard.env + "\" differs from \"" + first.env +
                                "\" of " + describe(first));
      }
      if (thresholds_text(shard.thresholds) != thresholds_text(first.thresholds)) {
        merged.warnings.push_back(describe(shard) + ": thresholds differ from " + describe(first) +
                                  "; the first shard's are used");
      }
    }
    if (!seen.insert(shard.index).second) {
      incompatible(shard, "shard index " + std::to_string(shard.index) + "/" +
                              std::to_string(shard.count) + " given twice");
    }
  }
  merged.indexes.assign(seen.begin(), seen.end());
  for (std::uint32_t i = 1; i <= merged.count; ++i) {
    if (!seen.count(i)) merged.missing_indexes.push_back(i);
  }
  if (!merged.missing_indexes.empty()) {
    std::string list;
    for (std::uint32_t i : merged.missing_indexes) list += (list.empty() ? "" : ", ") + std::to_string(i);
    merged.warnings.push_back("shards " + list + " of 1.." + std::to_string(merged.count) +
                              " are missing: the figures cover " + std::to_string(seen.size()) +
                              " of " + std::to_string(merged.count) + " shards");
  }

  merged.stats = shards.front().stats;
  for (std::size_t i = 1; i < shards.size(); ++i) merged.stats.merge(shards[i].stats);
  return merged;
}

MergeVerdicts evaluate_merged(const LoadStats& stats,
                              const std::map<std::string, std::vector<ThresholdSpec>>& thresholds,
                              const std::map<std::string, double>& closed_model_peaks,
                              const config::SlaTargets& targets, core::ResultSink& sink) {
  // The measured scenarios in their order, then any scenario a threshold
  // names that measured nothing (its thresholds fail for lack of data).
  std::vector<std::string> scenarios = stats.scenario_names();
  for (const auto& [scenario, specs] : thresholds) {
    if (std::find(scenarios.begin(), scenarios.end(), scenario) == scenarios.end()) {
      scenarios.push_back(scenario);
    }
  }
  static const std::vector<ThresholdSpec> kNone;
  MergeVerdicts out;
  for (const std::string& scenario : scenarios) {
    const auto found = thresholds.find(scenario);
    const auto& specs = found == thresholds.end() ? kNone : found->second;
    const auto verdicts = evaluate_thresholds(stats, scenario, specs);
    for (const ThresholdVerdict& verdict : verdicts) out.thresholds_passed &= verdict.passed;
    for (const core::CheckResult& check : threshold_checks(scenario, verdicts)) sink.record(check);
    if (const auto peak = closed_model_peaks.find(scenario); peak != closed_model_peaks.end()) {
      sink.record(concurrency_check(stats, scenario, peak->second));
    }
    out.load_summaries.push_back(load_summary_record(stats, scenario, verdicts));
  }
  const SlaVerdict sla = evaluate_sla(stats.overall(), targets);
  out.sla_met = sla.met();
  out.sla = sla_record(sla);
  for (const core::CheckResult& check : sla_checks(sla)) sink.record(check);
  return out;
}

}  // namespace golive::load
