// Latency histogram hot path (target: record <= 20 ns per sample), merge of
// two full histograms (what the coordinator does per worker per second), and
// one LoadStats::record (scenario + step + tag histograms and the series).
//   golive_bench_histogram --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <vector>

#include "load/latency_histogram.hpp"
#include "load/load_stats.hpp"

namespace {

using golive::load::LatencyHistogram;

// 64 Ki lognormal latencies around 10 ms, so the branch predictor and the
// cache see a realistic spread of buckets rather than one hot counter.
const std::vector<std::uint64_t>& sample_latencies() {
  static const std::vector<std::uint64_t> samples = [] {
    std::mt19937_64 rng(42);
    std::lognormal_distribution<double> latency(std::log(10'000.0), 1.0);
    std::vector<std::uint64_t> out(1 << 16);
    for (auto& v : out) v = static_cast<std::uint64_t>(latency(rng));
    return out;
  }();
  return samples;
}

void BM_HistogramRecord(benchmark::State& state) {
  const auto& samples = sample_latencies();
  LatencyHistogram histogram;
  std::size_t i = 0;
  for (auto _ : state) {
    histogram.record(samples[i]);
    i = (i + 1) & (samples.size() - 1);
  }
  benchmark::DoNotOptimize(histogram.count());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HistogramRecord);

void BM_HistogramMerge(benchmark::State& state) {
  LatencyHistogram source;
  for (std::uint64_t v : sample_latencies()) source.record(v);
  LatencyHistogram target;
  for (auto _ : state) {
    target.merge(source);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HistogramMerge);

void BM_HistogramP99(benchmark::State& state) {
  LatencyHistogram histogram;
  for (std::uint64_t v : sample_latencies()) histogram.record(v);
  for (auto _ : state) benchmark::DoNotOptimize(histogram.value_at_percentile(99));
}
BENCHMARK(BM_HistogramP99);

void BM_LoadStatsRecord(benchmark::State& state) {
  using namespace golive::load;
  const RunEpoch epoch = RunEpoch::now();
  LoadStats stats(epoch);
  const StepKey key = stats.register_step("bench", "get", {{"group", "read"}});
  const auto& samples = sample_latencies();
  RequestSample sample;
  sample.bytes_sent = 120;
  sample.bytes_received = 900;
  std::size_t i = 0;
  std::int64_t n = 0;
  for (auto _ : state) {
    // 100k requests per simulated second, so the series rolls over as in a run.
    sample.completed_at = epoch.steady + std::chrono::microseconds(n * 10);
    sample.latency_us = samples[i];
    stats.record(key, sample);
    i = (i + 1) & (samples.size() - 1);
    ++n;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LoadStatsRecord);

}  // namespace

BENCHMARK_MAIN();
