// SlowestRequests: a bounded heap of the slowest requests (the N kept are the
// N slowest of any stream, merges of workers and shards included), its shard
// JSON form with errors naming the pointer, URL redaction, and the list in a
// LoadStats (warm-up honoured, merged, round-tripped through the shard file).
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "core/input_error.hpp"
#include "load/load_records.hpp"
#include "load/load_stats.hpp"
#include "load/slowest_requests.hpp"

namespace golive::load {
namespace {

SlowRequest request(std::uint64_t latency_us, const std::string& id = "") {
  SlowRequest r;
  r.latency_us = latency_us;
  r.completed_unix_ms = static_cast<std::int64_t>(latency_us);
  r.step = "request";
  r.method = "GET";
  r.url = "http://127.0.0.1/x";
  r.status = 200;
  r.request_id = id.empty() ? "id" + std::to_string(latency_us) : id;
  r.trace_id = r.request_id;
  r.total_ms = static_cast<double>(latency_us) / 1000.0;
  return r;
}

TEST(SlowestRequests, KeepsExactlyTheSlowestNOfAnyOrder) {
  std::vector<std::uint64_t> latencies(1000);
  for (std::size_t i = 0; i < latencies.size(); ++i) latencies[i] = 1000 + i * 7;
  std::shuffle(latencies.begin(), latencies.end(), std::mt19937(42));
  SlowestRequests slowest(10);
  for (std::uint64_t latency : latencies) {
    if (slowest.would_keep(latency)) slowest.add(request(latency));
  }
  ASSERT_EQ(slowest.size(), 10u);
  const auto sorted = slowest.sorted();
  for (std::size_t i = 0; i < sorted.size(); ++i) EXPECT_EQ(sorted[i].latency_us, 1000 + (999 - i) * 7);
  EXPECT_FALSE(slowest.would_keep(1000));
  EXPECT_TRUE(slowest.would_keep(100000));
}

TEST(SlowestRequests, MergeOfWorkersEqualsOneStreamAndZeroKeepsNothing) {
  SlowestRequests a(5), b(5), all(5);
  for (std::uint64_t i = 1; i <= 40; ++i) {
    (i % 3 == 0 ? a : b).add(request(i * 100));
    all.add(request(i * 100));
  }
  a.merge(b);
  EXPECT_EQ(a.sorted(), all.sorted());
  SlowestRequests none(0);
  EXPECT_FALSE(none.would_keep(1'000'000));
  none.add(request(5));
  EXPECT_EQ(none.size(), 0u);
}

TEST(SlowestRequests, ShardJsonRoundTripsAndErrorsNameThePointer) {
  SlowestRequests slowest(3);
  for (std::uint64_t i = 1; i <= 5; ++i) slowest.add(request(i * 1000));
  const nlohmann::json json = slowest.to_json();
  EXPECT_EQ(SlowestRequests::from_json(json, "shard.json", "/s").sorted(), slowest.sorted());
  EXPECT_TRUE(json["requests"][0]["timing_ms"]["connect"].is_null());  // not reported: null, not 0

  nlohmann::json bad = json;
  bad["requests"][1]["status"] = "fast";
  try {
    SlowestRequests::from_json(bad, "shard.json", "/scenarios/0/slowest");
    FAIL() << "accepted a string status";
  } catch (const core::InputError& error) {
    EXPECT_NE(std::string(error.what()).find("shard.json"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("/scenarios/0/slowest/requests/1/status"), std::string::npos)
        << error.what();
  }
  bad = json;
  bad["capacity"] = 1;
  EXPECT_THROW(SlowestRequests::from_json(bad, "shard.json", ""), core::InputError);
}

TEST(SlowestRequests, UrlsLoseCredentialQueryValues) {
  EXPECT_EQ(redact_url("http://h/a?id=7&access_token=abc&apikey=k1&x=1#f"),
            "http://h/a?id=7&access_token=[REDACTED]&apikey=[REDACTED]&x=1#f");
  EXPECT_EQ(redact_url("http://h/plain"), "http://h/plain");
  EXPECT_EQ(trace_id_of("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
            "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(trace_id_of("00-XYZ"), "");
}

TEST(SlowestRequests, LoadStatsHonoursWarmupMergesAndSerialises) {
  const RunEpoch epoch = RunEpoch::now();
  LoadStats worker1(epoch), worker2(epoch);
  worker1.set_warmup_end(epoch.steady + std::chrono::seconds(1));
  const StepKey key1 = worker1.register_step("api", "get");
  const StepKey key2 = worker2.register_step("api", "get");
  worker1.set_slowest_capacity("api", 2);
  worker2.set_slowest_capacity("api", 2);
  auto sample_at = [&](int ms, std::uint64_t latency_us) {
    RequestSample sample;
    sample.completed_at = epoch.steady + std::chrono::milliseconds(ms);
    sample.latency_us = latency_us;
    return sample;
  };
  const RequestSample warm = sample_at(500, 9'000'000);  // slowest of all, but during warm-up
  EXPECT_FALSE(worker1.wants_slow(key1, warm));
  for (auto [stats, key, latency] : {std::tuple{&worker1, key1, 3000u}, std::tuple{&worker1, key1, 1000u},
                                     std::tuple{&worker2, key2, 5000u}, std::tuple{&worker2, key2, 2000u}}) {
    const RequestSample sample = sample_at(1500, latency);
    if (stats->wants_slow(key, sample)) stats->record_slow(key, request(latency));
    stats->record(key, sample);
  }
  LoadStats merged(epoch);
  merged.merge(worker1);
  merged.merge(worker2);
  const auto kept = merged.slowest("api")->sorted();
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_EQ(kept[0].latency_us, 5000u);
  EXPECT_EQ(kept[1].latency_us, 3000u);

  const LoadStats reread = LoadStats::from_json(merged.to_json(), "load-shard.json");
  EXPECT_EQ(reread.slowest("api")->sorted(), kept);
  const nlohmann::json record = load_summary_record(reread, "api", {});
  ASSERT_EQ(record["slowest_requests"].size(), 2u);
  EXPECT_EQ(record["slowest_requests"][0]["request_id"], "id5000");
}

}  // namespace
}  // namespace golive::load
