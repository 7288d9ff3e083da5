// LoadStats: aggregation by scenario, step and tag; warm-up; dropped
// iterations; the per-second series; exact merge across threads and shards;
// the shard file format and the report summary.
#include "load/load_stats.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <thread>

#include "core/input_error.hpp"

namespace golive::load {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// A fixed epoch keeps seconds and windows deterministic.
RunEpoch test_epoch(std::int64_t unix_ms = 1'700'000'000'000) {
  RunEpoch epoch;
  epoch.steady = Clock::time_point(std::chrono::hours(1000));
  epoch.unix_ms = unix_ms;
  return epoch;
}

// Equality of two large documents, reporting at most a few differences.
::testing::AssertionResult same_json(const nlohmann::json& actual, const nlohmann::json& expected) {
  if (actual == expected) return ::testing::AssertionSuccess();
  const nlohmann::json diff = nlohmann::json::diff(expected, actual);
  std::string shown;
  for (std::size_t i = 0; i < diff.size() && i < 5; ++i) shown += diff[i].dump().substr(0, 200) + "\n";
  return ::testing::AssertionFailure() << diff.size() << " differences, first:\n" << shown;
}

RequestSample sample_at(const RunEpoch& epoch, milliseconds at, std::uint64_t latency_us,
                        ErrorCategory error = ErrorCategory::kNone) {
  RequestSample sample;
  sample.completed_at = epoch.steady + at;
  sample.latency_us = latency_us;
  sample.bytes_sent = 100;
  sample.bytes_received = 1000;
  sample.error = error;
  return sample;
}

TEST(LoadStatsTest, AggregatesByScenarioStepAndTag) {
  const RunEpoch epoch = test_epoch();
  LoadStats stats(epoch);
  const StepKey login = stats.register_step("checkout", "login", {{"group", "auth"}});
  const StepKey pay = stats.register_step("checkout", "pay", {{"group", "payments"}, {"kind", "post"}});
  const StepKey browse = stats.register_step("browse", "list", {});

  for (int i = 0; i < 90; ++i) stats.record(login, sample_at(epoch, milliseconds(10 * i), 5'000));
  for (int i = 0; i < 8; ++i) stats.record(pay, sample_at(epoch, milliseconds(100 * i), 200'000));
  stats.record(pay, sample_at(epoch, milliseconds(900), 2'000'000, ErrorCategory::kTimeout));
  stats.record(pay, sample_at(epoch, milliseconds(950), 300, ErrorCategory::kHttpStatus));
  stats.record(browse, sample_at(epoch, milliseconds(500), 1'000, ErrorCategory::kConnect));
  stats.mark_end(epoch.steady + seconds(1));

  EXPECT_EQ(stats.scenario_names(), (std::vector<std::string>{"checkout", "browse"}));
  EXPECT_EQ(stats.scope_names("checkout"),
            (std::vector<std::string>{"scenario", "step:login", "tag:group=auth", "step:pay",
                                      "tag:group=payments", "tag:kind=post"}));
  const ScopeTotals& checkout = *stats.find("checkout", "scenario");
  EXPECT_EQ(checkout.requests, 100u);
  EXPECT_EQ(checkout.error_total(), 2u);
  EXPECT_EQ(checkout.errors[static_cast<std::size_t>(ErrorCategory::kTimeout)], 1u);
  EXPECT_EQ(checkout.errors[static_cast<std::size_t>(ErrorCategory::kHttpStatus)], 1u);
  EXPECT_EQ(checkout.bytes_received, 100'000u);
  EXPECT_EQ(checkout.latency.count(), 100u);
  EXPECT_EQ(stats.find("checkout", "step:pay")->requests, 10u);
  EXPECT_EQ(stats.find("checkout", "tag:kind=post")->latency.max(), 2'000'000u);
  EXPECT_EQ(stats.find("checkout", "tag:group=auth")->error_total(), 0u);
  EXPECT_EQ(stats.find("browse", "scenario")->errors[static_cast<std::size_t>(ErrorCategory::kConnect)], 1u);
  EXPECT_EQ(stats.find("checkout", "step:list"), nullptr);

  const MetricSnapshot pay_snapshot = stats.snapshot("checkout", "step:pay");
  EXPECT_EQ(pay_snapshot.requests, 10u);
  EXPECT_DOUBLE_EQ(*pay_snapshot.error_rate(), 0.2);
  EXPECT_DOUBLE_EQ(*pay_snapshot.rps(), 10.0);
  EXPECT_EQ(stats.overall().requests, 101u);
  EXPECT_EQ(stats.overall().errors, 3u);
}

TEST(LoadStatsTest, WarmUpSamplesAreDiscardedAndTheWindowStartsAfterIt) {
  const RunEpoch epoch = test_epoch();
  LoadStats stats(epoch);
  const StepKey step = stats.register_step("s", "get");
  const ScenarioKey scenario = stats.register_scenario("s");
  stats.set_warmup_end(epoch.steady + seconds(5));
  for (int i = 0; i < 50; ++i) stats.record(step, sample_at(epoch, milliseconds(100 * i), 1'000));  // 0..4.9 s
  stats.record_dropped(scenario, epoch.steady + seconds(2));
  for (int i = 0; i < 30; ++i) stats.record(step, sample_at(epoch, milliseconds(5'000 + 100 * i), 2'000));
  stats.mark_end(epoch.steady + seconds(15));

  EXPECT_EQ(stats.discarded_warmup(), 51u);
  EXPECT_EQ(stats.find("s", "scenario")->requests, 30u);
  EXPECT_EQ(stats.find("s", "scenario")->dropped_iterations, 0u);
  EXPECT_EQ(stats.find("s", "scenario")->latency.min(), 2'000u);
  EXPECT_DOUBLE_EQ(stats.measured_seconds(), 10.0);
  EXPECT_DOUBLE_EQ(*stats.snapshot("s").rps(), 3.0);
  EXPECT_EQ(stats.series("s")->points().front().second, 5);
}

TEST(LoadStatsTest, DroppedIterationsAreErrorsButNotRequests) {
  const RunEpoch epoch = test_epoch();
  LoadStats stats(epoch);
  const StepKey step = stats.register_step("open", "get");
  const ScenarioKey scenario = stats.register_scenario("open");
  for (int i = 0; i < 96; ++i) stats.record(step, sample_at(epoch, milliseconds(10 * i), 1'000));
  for (int i = 0; i < 4; ++i) stats.record_dropped(scenario, epoch.steady + milliseconds(500));

  const ScopeTotals& totals = *stats.find("open", "scenario");
  EXPECT_EQ(totals.requests, 96u);
  EXPECT_EQ(totals.dropped_iterations, 4u);
  EXPECT_EQ(totals.errors[static_cast<std::size_t>(ErrorCategory::kDropped)], 4u);
  EXPECT_EQ(totals.latency.count(), 96u);
  EXPECT_DOUBLE_EQ(*stats.snapshot("open").error_rate(), 0.04);
  EXPECT_FALSE(evaluate({"dropped_iterations == 0"}, stats.snapshot("open")).passed);
  EXPECT_EQ(stats.series("open")->points().at(0).errors, 4u);
}

TEST(LoadStatsTest, PerSecondSeriesHasRpsErrorsP95AndActiveVus) {
  const RunEpoch epoch = test_epoch();
  LoadStats stats(epoch);
  const StepKey step = stats.register_step("s", "get");
  const ScenarioKey scenario = stats.register_scenario("s");
  // Second k carries 100 * (k + 1) requests; the slowest 10% of second 2 take 1 s.
  for (int second = 0; second < 4; ++second) {
    stats.record_active_vus(scenario, epoch.steady + seconds(second), 10 * (second + 1));
    const int n = 100 * (second + 1);
    for (int i = 0; i < n; ++i) {
      const auto at = milliseconds(1000 * second + i * 1000 / n);
      const bool slow = second == 2 && i % 10 == 0;
      stats.record(step, sample_at(epoch, at, slow ? 1'000'000 : 4'000,
                                   i % 50 == 1 ? ErrorCategory::kHttpStatus : ErrorCategory::kNone));
    }
  }
  // A late completion for second 1 after second 3 opened still lands in second 1.
  stats.record(step, sample_at(epoch, milliseconds(1'999), 4'000));

  const std::vector<SecondPoint> points = stats.series("s")->points();
  ASSERT_EQ(points.size(), 4u);
  EXPECT_EQ(points[0].requests, 100u);
  EXPECT_EQ(points[1].requests, 201u);
  EXPECT_EQ(points[3].requests, 400u);
  EXPECT_EQ(points[0].errors, 2u);
  EXPECT_EQ(points[3].errors, 8u);
  EXPECT_EQ(points[2].active_vus, 30u);
  EXPECT_NEAR(points[0].percentile_ms(95), 4.0, 4.0 * 0.02);
  EXPECT_NEAR(points[2].percentile_ms(95), 1000.0, 1000.0 * 0.02);

  const nlohmann::json summary = summary_json(stats);
  const nlohmann::json& series = summary["scenarios"][0]["series"];
  ASSERT_EQ(series.size(), 4u);
  EXPECT_EQ(series[1]["rps"], 201);
  EXPECT_EQ(series[2]["active_vus"], 30);
  EXPECT_NEAR(series[2]["p95_ms"].get<double>(), 1000.0, 20.0);
}

// Records the same random workload either into one LoadStats or split over
// several (one per worker thread), returning the merged result.
void record_workload(const RunEpoch& epoch, std::vector<LoadStats>& workers, std::uint64_t seed) {
  std::vector<std::vector<StepKey>> keys(workers.size());
  std::vector<ScenarioKey> scenarios;
  for (auto& worker : workers) {
    scenarios.push_back(worker.register_scenario("mixed"));
    keys[&worker - workers.data()] = {worker.register_step("mixed", "a", {{"t", "x"}}),
                                      worker.register_step("mixed", "b", {{"t", "x"}}),
                                      worker.register_step("other", "c", {{"t", "y"}})};
  }
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> latency(std::log(8'000.0), 1.2);
  for (int i = 0; i < 300'000; ++i) {
    const std::size_t w = rng() % workers.size();
    const auto at = milliseconds(i / 30);  // 10 s of traffic
    const auto error = static_cast<ErrorCategory>(rng() % 40 < 6 ? rng() % 7 : 0);
    workers[w].record(keys[w][rng() % 3], sample_at(epoch, at, static_cast<std::uint64_t>(latency(rng)), error));
    if (i % 1000 == 0) workers[w].record_dropped(scenarios[w], epoch.steady + at);
    if (i % 30'000 == 0) workers[w].record_active_vus(scenarios[w], epoch.steady + at, 10);
  }
  for (auto& worker : workers) worker.mark_end(epoch.steady + seconds(10));
}

TEST(LoadStatsTest, MergeOfWorkersEqualsOneStatsOfEverySample) {
  const RunEpoch epoch = test_epoch();
  std::vector<LoadStats> single(1, LoadStats(epoch));
  record_workload(epoch, single, 99);
  std::vector<LoadStats> split(3, LoadStats(epoch));
  record_workload(epoch, split, 99);

  LoadStats merged(epoch);
  for (const LoadStats& worker : split) merged.merge(worker);
  // Active VUs add across workers; everything else is identical to one stats.
  nlohmann::json expected = single[0].to_json();
  nlohmann::json actual = merged.to_json();
  for (auto* doc : {&expected, &actual}) {
    for (auto& scenario : (*doc)["scenarios"]) {
      for (auto& point : scenario["series"]["points"]) point.erase("active_vus");
    }
  }
  EXPECT_TRUE(same_json(actual, expected));
  EXPECT_EQ(merged.find("mixed", "scenario")->latency, single[0].find("mixed", "scenario")->latency);
  EXPECT_DOUBLE_EQ(merged.measured_seconds(), 10.0);
}

// What a load run does: each worker hands its finished seconds to the
// coordinator every so often (taking them out of its own series), late
// samples land in seconds already handed over, and the final statistics are
// the workers' remainders plus the merged hand-overs: identical to keeping
// every second in every worker.
TEST(LoadStatsTest, SecondsHandedOverInPiecesMergeBackExactly) {
  const RunEpoch epoch = test_epoch();
  LoadStats kept(epoch);
  std::vector<LoadStats> workers(2, LoadStats(epoch));
  const StepKey kept_key = kept.register_step("s", "get");
  const std::vector<StepKey> keys = {workers[0].register_step("s", "get"), workers[1].register_step("s", "get")};
  std::map<std::string, TimeSeries> handed_over;
  for (int i = 0; i < 30'000; ++i) {
    const int worker = i % 2;
    // Every 97th sample completes 3 s late: its second was already handed over.
    const milliseconds at(i % 97 == 0 && i > 5000 ? i - 3000 : i);
    const RequestSample sample = sample_at(epoch, at, 500 + (i * 13) % 40'000,
                                           i % 50 == 0 ? ErrorCategory::kHttpStatus : ErrorCategory::kNone);
    workers[worker].record(keys[worker], sample);
    kept.record(kept_key, sample);
    if (i % 700 == 0) {
      for (LoadStats& w : workers) {
        for (auto& [scenario, series] : w.take_series_before(w.latest_second() - 2)) {
          handed_over[scenario].merge(series);
        }
      }
    }
  }
  EXPECT_LT(workers[0].series("s")->points().size(), 10u) << "the workers handed most seconds over";
  LoadStats merged(epoch);
  merged.merge(workers[0]);
  merged.merge(workers[1]);
  for (const auto& [scenario, series] : handed_over) merged.merge_series(scenario, series);
  EXPECT_TRUE(same_json(merged.to_json(), kept.to_json()));
}

TEST(LoadStatsTest, WorkerThreadsRecordWithoutSharingAndMergeExactly) {
  const RunEpoch epoch = test_epoch();
  constexpr int kPerThread = 200'000;
  std::vector<LoadStats> workers(2, LoadStats(epoch));
  std::vector<StepKey> keys = {workers[0].register_step("s", "get"), workers[1].register_step("s", "get")};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        workers[t].record(keys[t], sample_at(epoch, milliseconds(i / 40), 1'000 + (i * 7 + t) % 90'000));
      }
    });
  }
  for (auto& thread : threads) thread.join();

  LoadStats sequential(epoch);
  const StepKey key = sequential.register_step("s", "get");
  for (int t = 0; t < 2; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      sequential.record(key, sample_at(epoch, milliseconds(i / 40), 1'000 + (i * 7 + t) % 90'000));
    }
  }
  LoadStats merged(epoch);
  merged.merge(workers[0]);
  merged.merge(workers[1]);
  EXPECT_TRUE(same_json(merged.to_json(), sequential.to_json()));
}

TEST(LoadStatsTest, ShardFileRoundTripsAndMergesAlignedByWallClock) {
  const RunEpoch a_epoch = test_epoch(1'700'000'000'000);
  const RunEpoch b_epoch = test_epoch(1'700'000'003'000);  // shard b started 3 s later
  LoadStats a(a_epoch);
  LoadStats b(b_epoch);
  const StepKey a_key = a.register_step("s", "get");
  const StepKey b_key = b.register_step("s", "get");
  for (int i = 0; i < 500; ++i) a.record(a_key, sample_at(a_epoch, milliseconds(10 * i), 2'000));  // a: 0..5 s
  for (int i = 0; i < 500; ++i) b.record(b_key, sample_at(b_epoch, milliseconds(10 * i), 9'000));  // b: 3..8 s
  a.mark_end(a_epoch.steady + seconds(5));
  b.mark_end(b_epoch.steady + seconds(5));

  const std::string a_text = a.to_json().dump();
  const LoadStats a_back = LoadStats::from_json(nlohmann::json::parse(a_text), "shard-0.json");
  EXPECT_TRUE(same_json(a_back.to_json(), a.to_json()));
  const LoadStats b_back = LoadStats::from_json(b.to_json(), "shard-1.json");

  // Merge in either order: the result starts at a's start.
  LoadStats ab = a_back;
  ab.merge(b_back);
  LoadStats ba = b_back;
  ba.merge(a_back);
  EXPECT_TRUE(same_json(ab.to_json(), ba.to_json()));
  EXPECT_EQ(ab.start_unix_ms(), 1'700'000'000'000);
  EXPECT_DOUBLE_EQ(ab.measured_seconds(), 8.0);
  const std::vector<SecondPoint> points = ab.series("s")->points();
  ASSERT_EQ(points.size(), 8u);
  EXPECT_EQ(points[0].requests, 100u);  // a only
  EXPECT_EQ(points[3].requests, 200u);  // a and b overlap in seconds 3 and 4
  EXPECT_EQ(points[7].requests, 100u);  // b only
  EXPECT_EQ(ab.find("s", "scenario")->latency.count(), 1000u);
  EXPECT_DOUBLE_EQ(*ab.snapshot("s").rps(), 125.0);
}

TEST(LoadStatsTest, ShardFileErrorsNameTheFileAndPointer) {
  const RunEpoch epoch = test_epoch();
  LoadStats stats(epoch);
  stats.record(stats.register_step("s", "get"), sample_at(epoch, milliseconds(5), 1'000));
  const nlohmann::json good = stats.to_json();

  nlohmann::json wrong_layout = good;
  wrong_layout["scenarios"][0]["scopes"][1]["latency"]["layout"]["sub_bucket_bits"] = 6;
  try {
    LoadStats::from_json(wrong_layout, "shard-2.json");
    FAIL();
  } catch (const core::InputError& e) {
    EXPECT_EQ(e.file(), "shard-2.json");
    EXPECT_EQ(e.location(), "/scenarios/0/scopes/1/latency/layout");
  }
  nlohmann::json inconsistent = good;
  inconsistent["scenarios"][0]["scopes"][0]["requests"] = 2;
  EXPECT_THROW(LoadStats::from_json(inconsistent, "x"), core::InputError);
  nlohmann::json unknown_category = good;
  unknown_category["scenarios"][0]["scopes"][0]["errors"]["gremlins"] = 1;
  EXPECT_THROW(LoadStats::from_json(unknown_category, "x"), core::InputError);
  nlohmann::json wrong_format = good;
  wrong_format["format"] = "k6";
  EXPECT_THROW(LoadStats::from_json(wrong_format, "x"), core::InputError);
}

TEST(LoadStatsTest, MergingWithItselfDoublesEveryCount) {
  const RunEpoch epoch = test_epoch();
  LoadStats stats(epoch);
  const StepKey key = stats.register_step("s", "get");
  for (int i = 0; i < 100; ++i) stats.record(key, sample_at(epoch, milliseconds(20 * i), 7'000));
  stats.merge(stats);
  EXPECT_EQ(stats.find("s", "step:get")->requests, 200u);
  EXPECT_EQ(stats.find("s", "scenario")->latency.count(), 200u);
  EXPECT_EQ(stats.series("s")->points().at(1).requests, 100u);
}

TEST(LoadStatsTest, ProgressCopyKeepsTotalsAndOnlyTheLastSeconds) {
  const RunEpoch epoch = test_epoch();
  LoadStats stats(epoch);
  const StepKey key = stats.register_step("s", "get");
  for (int i = 0; i < 600; ++i) stats.record(key, sample_at(epoch, milliseconds(100 * i), 3'000));  // 60 s
  const LoadStats copy = stats.progress_copy(2);
  EXPECT_EQ(copy.find("s", "scenario")->requests, 600u);
  const std::vector<SecondPoint> points = copy.series("s")->points();
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[0].second, 58);
  EXPECT_EQ(points[1].second, 59);
  // Keys issued by the original still work on the copy.
  LoadStats writable = copy;
  writable.record(key, sample_at(epoch, milliseconds(60'500), 3'000));
  EXPECT_EQ(writable.find("s", "step:get")->requests, 601u);
}

TEST(LoadStatsTest, SummaryHasTheReportShape) {
  const RunEpoch epoch = test_epoch();
  LoadStats stats(epoch);
  const StepKey key = stats.register_step("smoke", "home", {{"page", "home"}});
  for (int i = 0; i < 1000; ++i) {
    stats.record(key, sample_at(epoch, milliseconds(i * 10), 10'000 + 1'000 * static_cast<std::uint64_t>(i % 100),
                                i % 200 == 0 ? ErrorCategory::kTimeout : ErrorCategory::kNone));
  }
  stats.mark_end(epoch.steady + seconds(10));
  const auto verdicts = evaluate_thresholds(stats, "smoke", {{"p(95) < 500ms"}, {"error_rate < 0.1%", "step:home"}});
  ASSERT_EQ(verdicts.size(), 2u);
  EXPECT_TRUE(verdicts[0].passed);
  EXPECT_FALSE(verdicts[1].passed);

  const nlohmann::json summary = summary_json(stats, {{"smoke", verdicts}});
  EXPECT_EQ(summary["thresholds_passed"], false);
  EXPECT_DOUBLE_EQ(summary["measured_s"].get<double>(), 10.0);
  const nlohmann::json& scenario = summary["scenarios"][0];
  EXPECT_EQ(scenario["name"], "smoke");
  EXPECT_EQ(scenario["requests"], 1000);
  EXPECT_EQ(scenario["errors"]["total"], 5);
  EXPECT_EQ(scenario["errors"]["timeout"], 5);
  EXPECT_EQ(scenario["errors"]["dropped"], 0);
  EXPECT_DOUBLE_EQ(scenario["throughput_rps"].get<double>(), 100.0);
  for (const char* p : {"p50", "p90", "p95", "p99", "p99.9", "max"}) {
    EXPECT_TRUE(scenario["latency_ms"].contains(p)) << p;
  }
  EXPECT_NEAR(scenario["latency_ms"]["p50"].get<double>(), 59.0, 59.0 * 0.005);
  EXPECT_DOUBLE_EQ(scenario["latency_ms"]["max"].get<double>(), 109.0);
  EXPECT_EQ(scenario["thresholds"].size(), 2u);
  EXPECT_EQ(scenario["thresholds"][1]["scope"], "step:home");
  EXPECT_EQ(scenario["steps"][0]["name"], "home");
  EXPECT_EQ(scenario["tags"][0]["tag"], "page=home");
  EXPECT_EQ(scenario["series"].size(), 10u);
}

}  // namespace
}  // namespace golive::load

namespace golive::load {
namespace {

// A request the safety rail refused (a host outside allowed_hosts) was never
// sent: it is an error of its own category, never a request or a latency
// sample, so 0.1 ms refusals cannot pull the percentiles down.
TEST(LoadStatsTest, RefusedRequestsStayOutOfRequestsAndLatency) {
  const RunEpoch epoch = test_epoch();
  LoadStats stats(epoch);
  const StepKey step = stats.register_step("browse", "list", {});
  for (int i = 0; i < 10; ++i) stats.record(step, sample_at(epoch, milliseconds(10 * i), 50'000));
  for (int i = 0; i < 90; ++i) {
    stats.record(step, sample_at(epoch, milliseconds(10 * i), 100, ErrorCategory::kNotAllowed));
  }
  stats.mark_end(epoch.steady + seconds(1));
  const ScopeTotals* totals = stats.find("browse", "scenario");
  ASSERT_NE(totals, nullptr);
  EXPECT_EQ(totals->requests, 10u);
  EXPECT_EQ(totals->latency.count(), 10u);
  EXPECT_GE(totals->latency.value_at_percentile(50), 49'000u);  // only the sent requests
  EXPECT_EQ(totals->errors[static_cast<std::size_t>(ErrorCategory::kNotAllowed)], 90u);
  EXPECT_EQ(totals->error_total(), 90u);
}

}  // namespace
}  // namespace golive::load
