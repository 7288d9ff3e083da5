// The shard file and `golive report merge`'s core: two shards that together
// saw exactly the samples of one run merge to that run's statistics, and
// thresholds and the SLA evaluated on the merge equal those of the single
// run (never an average of the shards' percentiles). Incompatible shards are
// refused; missing shards are warned about.
#include "load/shard_file.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/input_error.hpp"

namespace golive::load {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

RunEpoch test_epoch() {
  RunEpoch epoch;
  epoch.steady = Clock::time_point(std::chrono::hours(1000));
  epoch.unix_ms = 1'700'000'000'000;
  return epoch;
}

RequestSample sample_at(const RunEpoch& epoch, milliseconds at, std::uint64_t latency_us,
                        ErrorCategory error = ErrorCategory::kNone) {
  RequestSample sample;
  sample.completed_at = epoch.steady + at;
  sample.latency_us = latency_us;
  sample.bytes_sent = 80;
  sample.bytes_received = 400;
  sample.error = error;
  return sample;
}

// The samples of one 4-second run: "browse" (fast shard 1, slow shard 2 so
// the shards' p99s differ widely) and "checkout" with some errors.
// `keep(i)` chooses which samples this LoadStats records.
LoadStats recorded(const std::function<bool(int)>& keep) {
  const RunEpoch epoch = test_epoch();
  LoadStats stats(epoch);
  const StepKey browse = stats.register_step("browse", "list", {{"kind", "read"}});
  const StepKey pay = stats.register_step("checkout", "pay", {});
  for (int i = 0; i < 4000; ++i) {
    if (!keep(i)) continue;
    const bool odd = i % 2 == 1;
    // Shard 2 (odd samples) sees a slow target: 40..240 ms against 1..5 ms.
    const std::uint64_t latency = odd ? 40'000 + static_cast<std::uint64_t>(i % 200) * 1'000
                                      : 1'000 + static_cast<std::uint64_t>(i % 40) * 100;
    stats.record(browse, sample_at(epoch, milliseconds(i), latency));
    if (i % 10 == 0) {
      stats.record(pay, sample_at(epoch, milliseconds(i), latency * 2,
                                  i % 70 == 0 ? ErrorCategory::kHttpStatus : ErrorCategory::kNone));
    }
  }
  stats.mark_end(epoch.steady + milliseconds(4000));
  return stats;
}

const std::map<std::string, std::vector<ThresholdSpec>> kThresholds = {
    {"browse", {{"p(99) < 150ms", "scenario", false}, {"rps > 500", "scenario", false}}},
    {"checkout", {{"error_rate < 5%", "scenario", false}, {"p(95) < 1s", "step:pay", false}}},
};

ShardFile shard(std::uint32_t index, std::uint32_t count, LoadStats stats,
                const std::string& profile = "mixed") {
  ShardFile file(std::move(stats));
  file.run_id = "run-" + std::to_string(index);
  file.group = "release-1";
  file.env = "test";
  file.profile = profile;
  file.index = index;
  file.count = count;
  file.thresholds = kThresholds;
  file.sla = config::SlaTargets{0.99, 100, 300};
  return file;
}

// Writes the shard as `golive load` does and reads it back, so the test
// covers the file format too.
ShardFile round_trip(const ShardFile& file) {
  const fs::path path = fs::path(::testing::TempDir()) /
                        ("golive_shard_" + std::to_string(getpid()) + "_" + std::to_string(file.index) + ".json");
  std::ofstream(path) << to_json(file).dump() << "\n";
  ShardFile read = read_shard_file(path.string());
  fs::remove(path);
  return read;
}

TEST(ShardMerge, TwoShardsEqualTheSingleRun) {
  const LoadStats whole = recorded([](int) { return true; });
  const ShardFile one = round_trip(shard(1, 2, recorded([](int i) { return i % 2 == 0; })));
  const ShardFile two = round_trip(shard(2, 2, recorded([](int i) { return i % 2 == 1; })));
  EXPECT_EQ(one.group, "release-1");
  EXPECT_EQ(two.index, 2u);
  ASSERT_EQ(one.thresholds.at("browse").size(), 2u);

  const MergedShards merged = merge_shards({one, two});
  EXPECT_TRUE(merged.warnings.empty());
  EXPECT_TRUE(merged.missing_indexes.empty());
  EXPECT_EQ(merged.indexes, (std::vector<std::uint32_t>{1, 2}));
  EXPECT_EQ(merged.run_ids, (std::vector<std::string>{"run-1", "run-2"}));

  // Every scope's counters and histogram, exactly.
  for (const std::string& scenario : whole.scenario_names()) {
    for (const std::string& scope : whole.scope_names(scenario)) {
      const ScopeTotals* expected = whole.find(scenario, scope);
      const ScopeTotals* actual = merged.stats.find(scenario, scope);
      ASSERT_NE(actual, nullptr) << scenario << " " << scope;
      EXPECT_TRUE(*actual == *expected) << scenario << " " << scope;
    }
  }
  EXPECT_EQ(summary_json(merged.stats), summary_json(whole));

  // The shards' own p99s bracket the true one; their mean is not it.
  const double p99_fast = static_cast<double>(one.stats.snapshot("browse").latency.value_at_percentile(99));
  const double p99_slow = static_cast<double>(two.stats.snapshot("browse").latency.value_at_percentile(99));
  const double p99_true = static_cast<double>(whole.snapshot("browse").latency.value_at_percentile(99));
  EXPECT_EQ(static_cast<double>(merged.stats.snapshot("browse").latency.value_at_percentile(99)), p99_true);
  EXPECT_GT(std::abs((p99_fast + p99_slow) / 2 - p99_true), p99_true * 0.1)
      << "the fixture must make averaging percentiles visibly wrong";

  // Thresholds, SLA and the records, identical to the single run's.
  core::CollectingSink merged_checks, whole_checks;
  const auto from_merge = evaluate_merged(merged.stats, merged.thresholds, {}, *merged.sla, merged_checks);
  const auto from_whole = evaluate_merged(whole, kThresholds, {}, config::SlaTargets{0.99, 100, 300}, whole_checks);
  EXPECT_EQ(from_merge.load_summaries, from_whole.load_summaries);
  EXPECT_EQ(from_merge.sla, from_whole.sla);
  EXPECT_EQ(from_merge.thresholds_passed, from_whole.thresholds_passed);
  EXPECT_EQ(from_merge.sla_met, from_whole.sla_met);
  const auto a = merged_checks.results();
  const auto b = whole_checks.results();
  ASSERT_EQ(a.size(), b.size());
  ASSERT_EQ(a.size(), 4u + 3u) << "four thresholds and three SLA checks";
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].id, b[i].id);
    EXPECT_EQ(a[i].status, b[i].status) << a[i].id;
    EXPECT_EQ(a[i].message, b[i].message) << a[i].id;
  }
  // The slow half breaks p(99) < 150ms on the whole; the rate holds.
  EXPECT_FALSE(from_merge.thresholds_passed);
  EXPECT_EQ(a[0].id, "load.browse.threshold.1");
  EXPECT_EQ(a[0].status, core::CheckStatus::kFail);
  EXPECT_EQ(a[1].status, core::CheckStatus::kPass) << a[1].message;
}

TEST(ShardMerge, RefusesShardsOfDifferentRuns) {
  const LoadStats stats = recorded([](int i) { return i < 100; });
  EXPECT_THROW(merge_shards({shard(1, 2, stats), shard(2, 2, stats, "other-profile")}), core::InputError);
  EXPECT_THROW(merge_shards({shard(1, 2, stats), shard(1, 2, stats)}), core::InputError)
      << "the same index twice";
  EXPECT_THROW(merge_shards({shard(1, 2, stats), shard(2, 3, stats)}), core::InputError)
      << "different shard counts";
  ShardFile other_group = shard(2, 2, stats);
  other_group.group = "release-2";
  try {
    merge_shards({shard(1, 2, stats), other_group});
    ADD_FAILURE() << "groups differ";
  } catch (const core::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("release-2"), std::string::npos) << e.what();
  }
  EXPECT_THROW(merge_shards({}), core::InputError);
}

TEST(ShardMerge, WarnsAboutMissingShardsAndBareFiles) {
  const LoadStats stats = recorded([](int i) { return i < 100; });
  const MergedShards partial = merge_shards({shard(1, 3, stats), shard(3, 3, stats)});
  EXPECT_EQ(partial.missing_indexes, (std::vector<std::uint32_t>{2}));
  ASSERT_EQ(partial.warnings.size(), 1u);
  EXPECT_NE(partial.warnings[0].find("shards 2 of 1..3 are missing"), std::string::npos)
      << partial.warnings[0];
  EXPECT_EQ(partial.stats.find("browse", "scenario")->requests,
            2 * stats.find("browse", "scenario")->requests);

  // A bare LoadStats document (older golive) still merges, with a warning.
  const ShardFile bare = shard_from_json(stats.to_json(), "old/load-shard.json");
  EXPECT_FALSE(bare.has_metadata);
  const MergedShards mixed = merge_shards({shard(1, 1, stats), bare});
  EXPECT_EQ(mixed.warnings.size(), 1u);
  EXPECT_EQ(mixed.stats.find("browse", "scenario")->requests,
            2 * stats.find("browse", "scenario")->requests);
}

TEST(ShardMerge, MalformedShardFileNamesFileAndPointer) {
  nlohmann::json document = to_json(shard(1, 2, recorded([](int i) { return i < 10; })));
  document["shard"]["index"] = 5;
  try {
    shard_from_json(document, "bad-shard.json");
    ADD_FAILURE() << "index above count";
  } catch (const core::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("bad-shard.json"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("/shard/index"), std::string::npos) << e.what();
  }
  document = to_json(shard(1, 2, recorded([](int i) { return i < 10; })));
  document["thresholds"]["browse"][0]["expression"] = "p(99) <<< 1";
  EXPECT_THROW(shard_from_json(document, "bad-shard.json"), core::InputError);
  EXPECT_THROW(read_shard_file("/nonexistent/load-shard.json"), core::InputError);
}

}  // namespace
}  // namespace golive::load
