// Crash-safe load results: the load_second and load_checkpoint records a
// running load test writes rebuild, for a run killed after its last
// checkpoint, the totals of that checkpoint and the whole per-second series,
// in the mergeable shard form `golive report merge` takes; the console's SLA
// line is a sentence with rounded figures.
#include "load/load_checkpoint.hpp"

#include <gtest/gtest.h>

#include "load/load_records.hpp"

namespace golive::load {
namespace {

using std::chrono::milliseconds;

class MetaSink : public core::ResultSink {
 public:
  void record(const core::CheckResult&) override {}
  void record_meta(const std::string& kind, const nlohmann::json& fields) override {
    nlohmann::json line = fields;
    line["record"] = kind;
    meta.push_back(std::move(line));
  }
  std::vector<nlohmann::json> meta;
};

RunEpoch test_epoch() {
  RunEpoch epoch;
  epoch.steady = Clock::time_point(std::chrono::hours(1000));
  epoch.unix_ms = 1'700'000'000'000;
  return epoch;
}

LoadProfile one_scenario_profile() {
  LoadProfile profile;
  profile.name = "tiny";
  ScenarioProfile scenario;
  scenario.name = "browse";
  ThresholdSpec spec;
  spec.expression = "p(95) < 1ms";
  scenario.thresholds.push_back(spec);
  profile.scenarios.push_back(scenario);
  return profile;
}

TEST(LoadCheckpoint, AKilledRunKeepsItsLastCheckpointsTotalsAndTheWholeSeries) {
  const RunEpoch epoch = test_epoch();
  LoadStats stats(epoch);
  const StepKey key = stats.register_step("browse", "list", {});
  const LoadProfile profile = one_scenario_profile();
  MetaSink sink;
  ShardFile metadata;
  metadata.run_id = "run-1";
  metadata.env = "local";
  describe_profile(profile, metadata);
  CheckpointWriter writer(sink, metadata, profile, config::SlaTargets{});

  // 7.3 s of requests, one every 5 ms, 2..6 ms each; checkpoints every 500 ms
  // from progress copies, as the coordinator writes them.
  int written_up_to_ms = 0;
  for (int at = 0; at < 7300; at += 5) {
    RequestSample sample;
    sample.completed_at = epoch.steady + milliseconds(at);
    sample.latency_us = 2000 + static_cast<std::uint64_t>(at % 5) * 1000;
    sample.error = at % 500 == 0 ? ErrorCategory::kHttpStatus : ErrorCategory::kNone;
    stats.record(key, sample);
    if (at > 0 && at % 500 == 0) {
      writer.write(stats.progress_copy(4), (at - 300) / 1000, at / 1000.0, at % 1000 == 0);
      written_up_to_ms = at;
    }
  }
  ASSERT_EQ(writer.checkpoints_written(), 14u);
  ASSERT_EQ(written_up_to_ms, 7000);

  const auto shard = shard_from_checkpoints(sink.meta, "out/r/results.jsonl");
  ASSERT_TRUE(shard.has_value());
  EXPECT_TRUE(shard->interrupted);
  EXPECT_TRUE(shard->from_checkpoint);
  EXPECT_EQ(shard->run_id, "run-1");
  EXPECT_EQ(shard->profile, "tiny");
  // Totals: everything up to and including the sample at 7000 ms.
  EXPECT_EQ(shard->stats.snapshot("browse").requests, 1401u);
  // The series: each of seconds 0..6 complete, exactly as the full run's.
  const auto rebuilt = shard->stats.series("browse")->points();
  const auto full = stats.series("browse")->points();
  ASSERT_GE(rebuilt.size(), 7u);
  for (std::size_t s = 0; s < 7; ++s) {
    EXPECT_EQ(rebuilt[s], full[s]) << "second " << s;
  }
  // Each second was written once.
  std::size_t second_lines = 0;
  for (const auto& line : sink.meta) second_lines += line["record"] == "load_second" ? 1 : 0;
  EXPECT_EQ(second_lines, 6u);  // seconds 0..5 are over at the last checkpoint (open second 6)

  // The checkpoint's own summary evaluated the threshold on what was measured.
  const auto& checkpoint = sink.meta.back();
  ASSERT_EQ(checkpoint["record"], "load_checkpoint");
  EXPECT_EQ(checkpoint["summaries"][0]["requests"], 1401);
  EXPECT_FALSE(checkpoint["summaries"][0]["thresholds"][0]["pass"].get<bool>());
  EXPECT_FALSE(checkpoint["summaries"][0].contains("timeseries"));

  // The shard merges like any other, with a warning that it was killed.
  const MergedShards merged = merge_shards({*shard});
  EXPECT_TRUE(merged.interrupted);
  ASSERT_FALSE(merged.warnings.empty());
  EXPECT_NE(merged.warnings.front().find("killed"), std::string::npos);
}

// A capacity scenario's search so far rides in its checkpoint summary, so a
// killed capacity run still reports the last rate that held; other
// scenarios' summaries carry none.
TEST(LoadCheckpoint, ACapacitySearchSoFarIsInItsScenariosCheckpointSummary) {
  const RunEpoch epoch = test_epoch();
  LoadStats stats(epoch);
  const StepKey browse = stats.register_step("browse", "list", {});
  const StepKey other = stats.register_step("other", "list", {});
  RequestSample sample;
  sample.completed_at = epoch.steady + milliseconds(100);
  sample.latency_us = 2000;
  stats.record(browse, sample);
  stats.record(other, sample);
  LoadProfile profile = one_scenario_profile();
  MetaSink sink;
  CheckpointWriter writer(sink, ShardFile{}, profile, config::SlaTargets{});
  const nlohmann::json search = {{"held_rps", 30}, {"broke_at_rps", nullptr}, {"result", "capacity: 30 req/s held"}};
  writer.write(stats, 0, 0.5, false, {{"browse", search}});

  const auto& checkpoint = sink.meta.back();
  ASSERT_EQ(checkpoint["record"], "load_checkpoint");
  ASSERT_EQ(checkpoint["summaries"].size(), 2u);
  for (const auto& summary : checkpoint["summaries"]) {
    if (summary["scenario"] == "browse") {
      EXPECT_EQ(summary["capacity"], search);
    } else {
      EXPECT_FALSE(summary.contains("capacity")) << summary.dump();
    }
  }
}

TEST(LoadCheckpoint, NothingToRecoverAfterTheFinalSummaryOrWithoutCheckpoints) {
  EXPECT_FALSE(shard_from_checkpoints({}, "x").has_value());
  std::vector<nlohmann::json> meta = {{{"record", "load_snapshot"}, {"shard", nlohmann::json::object()}},
                                      {{"record", "load_summary"}, {"scenario", "a"}}};
  EXPECT_FALSE(shard_from_checkpoints(meta, "x").has_value());
}

TEST(LoadCheckpoint, AMalformedCheckpointIsAnInputErrorNamingTheStream) {
  std::vector<nlohmann::json> meta = {{{"record", "load_snapshot"}, {"shard", 3}}};
  try {
    shard_from_checkpoints(meta, "out/r/results.jsonl");
    FAIL() << "expected an InputError";
  } catch (const core::InputError& error) {
    EXPECT_NE(std::string(error.what()).find("out/r/results.jsonl"), std::string::npos);
  }
}

TEST(SlaSentence, RoundsTheFiguresIntoASentence) {
  const nlohmann::json sla = {{"availability", 0.2558139534},
                              {"target", 0.999},
                              {"error_budget_consumed_pct", 74412.8058590374},
                              {"slos",
                               {{{"name", "p95 latency"}, {"objective", 500.0}, {"observed", 812.3456}, {"pass", false}},
                                {{"name", "p99 latency"}, {"objective", 1500.0}, {"observed", 3.21}, {"pass", true}}}}};
  EXPECT_EQ(sla_sentence(sla, false),
            "SLA NOT met: availability 25.58% (target 99.9%), 74413% of the error budget used; "
            "p95 latency 812 ms (objective 500 ms, NOT met), p99 latency 3.2 ms (objective 1500 ms, met)");
  EXPECT_EQ(sla_sentence({{"availability", nullptr}, {"target", 0.9995}, {"slos", nlohmann::json::array()}}, false),
            "SLA NOT met: availability unknown (no requests) (target 99.95%)");
}

}  // namespace
}  // namespace golive::load
