#include "load/load_checkpoint.hpp"

#include <utility>

#include "core/input_error.hpp"
#include "load/load_records.hpp"
#include "load/sla.hpp"

namespace golive::load {

namespace {

nlohmann::json second_line(const std::string& scenario, const SecondPoint& point) {
  nlohmann::json buckets = nlohmann::json::array();
  for (const auto& [index, count] : point.latency) {
    buckets.push_back(index);
    buckets.push_back(count);
  }
  return {{"scenario", scenario},
          {"t", point.second},
          {"rps", point.requests},
          {"errors", point.errors},
          {"p50_ms", point.percentile_ms(50)},
          {"p95_ms", point.percentile_ms(95)},
          {"p99_ms", point.percentile_ms(99)},
          {"active_vus", point.active_vus},
          {"latency", std::move(buckets)}};
}

const std::vector<ThresholdSpec>* thresholds_of(const LoadProfile& profile, const std::string& scenario) {
  for (const ScenarioProfile& entry : profile.scenarios) {
    if (entry.name == scenario) return &entry.thresholds;
  }
  return nullptr;
}

}  // namespace

CheckpointWriter::CheckpointWriter(core::ResultSink& sink, ShardFile metadata, const LoadProfile& profile,
                                   config::SlaTargets sla)
    : sink_(sink), metadata_(std::move(metadata)), profile_(profile), sla_(sla) {}

void CheckpointWriter::write(const LoadStats& merged, std::int64_t open_second, double elapsed_s,
                             bool with_snapshot,
                             const std::map<std::string, nlohmann::json>& capacity) {
  nlohmann::json summaries = nlohmann::json::array();
  for (const std::string& scenario : merged.scenario_names()) {
    std::int64_t& next = next_second_[scenario];
    if (const TimeSeries* series = merged.series(scenario)) {
      for (const SecondPoint& point : series->points()) {
        if (point.second < next || point.second >= open_second) continue;
        sink_.record_meta("load_second", second_line(scenario, point));
        next = point.second + 1;
      }
    }
    const std::vector<ThresholdSpec>* specs = thresholds_of(profile_, scenario);
    nlohmann::json summary = load_summary_record(
        merged, scenario, specs ? evaluate_thresholds(merged, scenario, *specs) : std::vector<ThresholdVerdict>{});
    summary.erase("timeseries");  // the load_second lines carry it
    if (const auto search = capacity.find(scenario); search != capacity.end()) {
      summary["capacity"] = search->second;
    }
    summaries.push_back(std::move(summary));
  }
  if (with_snapshot) {
    ShardFile shard = metadata_;
    shard.stats = merged;
    shard.interrupted = true;  // a snapshot is read only when the run never finished
    sink_.record_meta("load_snapshot", {{"elapsed_s", elapsed_s}, {"shard", to_json(shard)}});
  }
  sink_.record_meta("load_checkpoint", {{"elapsed_s", elapsed_s},
                                        {"summaries", std::move(summaries)},
                                        {"sla", sla_record(evaluate_sla(merged.overall(), sla_))}});
  ++checkpoints_;
}

std::optional<ShardFile> shard_from_checkpoints(const std::vector<nlohmann::json>& meta,
                                                const std::string& origin) {
  const nlohmann::json* checkpoint = nullptr;
  // scenario -> second -> the mergeable series point
  std::map<std::string, std::map<std::int64_t, nlohmann::json>> seconds;
  for (const nlohmann::json& record : meta) {
    const std::string kind = record.value("record", "");
    if (kind == "load_snapshot") {
      checkpoint = &record;
    } else if (kind == "load_summary") {
      checkpoint = nullptr;  // the run finished its measurement: nothing to recover
      seconds.clear();
    } else if (kind == "load_second" && record.contains("t") && record["t"].is_number_integer()) {
      const auto field = [&](const char* key, nlohmann::json fallback) {
        return record.contains(key) ? record[key] : fallback;
      };
      seconds[record.value("scenario", "")][record["t"].get<std::int64_t>()] = {
          {"t", record["t"]},
          {"requests", field("rps", 0)},
          {"errors", field("errors", 0)},
          {"active_vus", field("active_vus", 0)},
          {"latency", field("latency", nlohmann::json::array())}};
    }
  }
  if (!checkpoint) return std::nullopt;
  const std::string where = origin + " (last load_snapshot)";
  if (!checkpoint->contains("shard") || !(*checkpoint)["shard"].is_object()) {
    throw core::InputError(where, "/shard", "expected the shard document of the figures so far");
  }
  nlohmann::json document = (*checkpoint)["shard"];
  // The checkpoint's own series holds only its last seconds: put the whole
  // series back from the per-second lines, keeping its later seconds.
  if (document.contains("stats") && document["stats"].contains("scenarios") &&
      document["stats"]["scenarios"].is_array()) {
    for (nlohmann::json& scenario : document["stats"]["scenarios"]) {
      if (!scenario.is_object() || !scenario.contains("series") || !scenario["series"].is_object()) continue;
      std::map<std::int64_t, nlohmann::json> points = seconds[scenario.value("name", "")];
      const nlohmann::json& own = scenario["series"]["points"];
      if (own.is_array()) {
        for (const nlohmann::json& point : own) {
          if (point.contains("t") && point["t"].is_number_integer()) {
            points.emplace(point["t"].get<std::int64_t>(), point);  // the lines win
          }
        }
      }
      nlohmann::json list = nlohmann::json::array();
      for (auto& [second, point] : points) list.push_back(std::move(point));
      scenario["series"]["points"] = std::move(list);
    }
  }
  ShardFile shard = shard_from_json(document, where);
  shard.origin = origin;
  shard.interrupted = true;
  shard.from_checkpoint = true;
  return shard;
}

}  // namespace golive::load
