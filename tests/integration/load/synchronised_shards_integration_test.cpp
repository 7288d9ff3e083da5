// Synchronised shards against the real reference target: two shards of one
// run given the same start time (--start-at) begin together, and merged
// through their shard files (as `golive report merge` does) their per-second
// series line up second for second: each second of the merge holds both
// shards' requests, and the merged start is the agreed instant. The merge
// also keeps the slowest requests of both shards.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <thread>

#include "config/environment.hpp"
#include "core/redactor.hpp"
#include "core/result_stream.hpp"
#include "load/load_suite.hpp"
#include "load/shard_file.hpp"
#include "load/start_time.hpp"
#include "tests/support/reference_env.hpp"

namespace golive::load {
namespace {

const std::string kSourceDir = std::string(GOLIVE_TEST_DATA) + "/../..";

testing::ReferenceEnv& slow_target() {  // the same target as the other tests of this binary
  ::setenv("GOLIVE_REF_ACCESS_LOG", "1", 1);
  testing::ReferenceEnv::Options options;
  options.defects = {"slow-under-load"};
  return testing::shared_reference_env(options);
}

TEST(SynchronisedShards, TwoShardsWithOneStartTimeMergeIntoAlignedSeconds) {
  core::Redactor redactor;
  const config::Environment env =
      config::load_environment(slow_target().write_env_file(), config::process_variables(), redactor);
  const nlohmann::json document = {
      {"description", "synchronised shards"},
      {"scenarios",
       {{{"name", "health"},
         {"executor", "constant_arrival_rate"},
         {"rate", 40},
         {"duration_s", 3},
         {"request", {{"url", "/health"}}}}}}};
  const LoadProfile profile = parse_profile(document, "shards.json", kSourceDir + "/e2e/workflows");
  const std::int64_t start_at = now_unix_ms() + 2000;  // both shards wait for the same instant

  std::vector<ShardFile> shards(2);
  std::vector<double> waits(2, 0);
  std::vector<std::thread> threads;
  for (std::uint32_t i = 0; i < 2; ++i) {
    threads.emplace_back([&, i] {
      // The second shard is launched 0.7 s later (unsynchronised, its seconds
      // would land a second off in the merge): the agreed time absorbs it.
      if (i == 1) std::this_thread::sleep_for(std::chrono::milliseconds(700));
      LoadOptions options;
      options.profile = profile;
      options.shard = ShardSpec{i, 2};
      options.threads = 1;
      options.start_at_unix_ms = start_at;
      options.on_start_wait = [&, i](double left_s) { waits[i] = std::max(waits[i], left_s); };
      core::CollectingSink sink;
      LoadRunOutcome outcome = run_load_suite(env, options, sink);
      ShardFile shard(outcome.stats);
      shard.group = "sync-test";
      shard.index = i + 1;
      shard.count = 2;
      describe_profile(profile, shard);
      // Through the file form, as `golive report merge` reads it.
      shards[i] = shard_from_json(to_json(shard), "shard-" + std::to_string(i + 1) + ".json");
    });
  }
  for (auto& thread : threads) thread.join();

  EXPECT_GT(waits[0], 0.5);  // the wait was reported
  for (const ShardFile& shard : shards) EXPECT_EQ(shard.stats.start_unix_ms(), start_at);
  const MergedShards merged = merge_shards(shards);
  EXPECT_EQ(merged.stats.start_unix_ms(), start_at);
  const auto first = shards[0].stats.series("health")->points();
  const auto second = shards[1].stats.series("health")->points();
  const auto together = merged.stats.series("health")->points();
  ASSERT_GE(first.size(), 3u);
  ASSERT_GE(second.size(), 3u);
  // Same seconds in both shards and in the merge: 0, 1, 2 (and a drain second at most).
  EXPECT_EQ(first.front().second, 0);
  EXPECT_EQ(second.front().second, 0);
  EXPECT_EQ(together.size(), std::max(first.size(), second.size()));
  for (std::size_t s = 0; s < 3; ++s) {
    SCOPED_TRACE("second " + std::to_string(s));
    EXPECT_EQ(together[s].second, static_cast<std::int64_t>(s));
    EXPECT_EQ(together[s].requests, first[s].requests + second[s].requests);
    // Each shard sends 20/s: a second holds about 20 of each, so neither is shifted.
    EXPECT_GE(first[s].requests, 15u);
    EXPECT_GE(second[s].requests, 15u);
  }
  // The merge keeps the slowest requests of both shards together: the 10
  // slowest of the union, each with the id it was sent with.
  std::vector<SlowRequest> both = shards[0].stats.slowest("health")->sorted();
  for (const SlowRequest& request : shards[1].stats.slowest("health")->sorted()) both.push_back(request);
  std::sort(both.begin(), both.end(),
            [](const SlowRequest& a, const SlowRequest& b) { return a.latency_us > b.latency_us; });
  const std::vector<SlowRequest> kept = merged.stats.slowest("health")->sorted();
  ASSERT_EQ(kept.size(), 10u);
  for (std::size_t i = 0; i < kept.size(); ++i) {
    EXPECT_EQ(kept[i].latency_us, both[i].latency_us);
    EXPECT_EQ(kept[i].request_id.size(), 32u);
  }
  std::printf("[ measure  ] merged seconds:");
  for (const SecondPoint& point : together) std::printf(" t=%lld:%llu", static_cast<long long>(point.second),
                                                        static_cast<unsigned long long>(point.requests));
  std::printf("\n");
}

}  // namespace
}  // namespace golive::load
