// LatencyHistogram against exact percentiles of sorted samples, bucket
// geometry, exact merge and the sparse JSON form used for shard merge.
#include "load/latency_histogram.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <random>
#include <vector>

#include "core/input_error.hpp"

namespace golive::load {
namespace {

constexpr std::size_t kSamples = 1'200'000;
constexpr double kPercentiles[] = {50, 90, 95, 99, 99.9, 100};

// Nearest rank, the definition value_at_percentile documents.
std::uint64_t exact_percentile(const std::vector<std::uint64_t>& sorted, double p) {
  if (p >= 100) return sorted.back();
  auto rank = static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  rank = std::clamp<std::uint64_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

std::vector<std::uint64_t> draw(std::size_t n, const std::function<double(std::mt19937_64&)>& next) {
  std::mt19937_64 rng(20240611);
  std::vector<std::uint64_t> out(n);
  for (auto& v : out) v = static_cast<std::uint64_t>(std::max(1.0, std::round(next(rng))));
  return out;
}

// Records the samples, compares every reported percentile with the exact one
// and returns the worst relative error (also printed for the report).
double worst_relative_error(const char* name, std::vector<std::uint64_t> samples) {
  LatencyHistogram histogram;
  for (std::uint64_t v : samples) histogram.record(v);
  std::sort(samples.begin(), samples.end());
  EXPECT_EQ(histogram.count(), samples.size());
  EXPECT_EQ(histogram.min(), samples.front());
  EXPECT_EQ(histogram.max(), samples.back());

  double worst = 0;
  std::printf("  %-12s", name);
  for (double p : kPercentiles) {
    const double exact = static_cast<double>(exact_percentile(samples, p));
    const double reported = static_cast<double>(histogram.value_at_percentile(p));
    const double error = std::fabs(reported - exact) / exact;
    worst = std::max(worst, error);
    std::printf("  p%g=%.0fus err=%.4f%%", p, exact, error * 100);
    EXPECT_LE(error, 0.01) << name << " p" << p << " exact " << exact << " reported " << reported;
  }
  std::printf("\n");
  return worst;
}

TEST(HistogramLayoutTest, BucketsTileTheRangeWithoutGapsOrOverlap) {
  const HistogramLayout layout;
  const std::size_t buckets = layout.bucket_count();
  EXPECT_LT(buckets, 4000u);  // about 26 KB of counters
  for (std::size_t i = 0; i < buckets; ++i) {
    ASSERT_EQ(layout.index_of(layout.lowest_in_bucket(i)), i);
    const std::uint64_t high = std::min(layout.highest_in_bucket(i), layout.highest_us);
    ASSERT_EQ(layout.index_of(high), i);
    if (i + 1 < buckets) {
      ASSERT_EQ(layout.lowest_in_bucket(i + 1), layout.highest_in_bucket(i) + 1);
    }
    // Width bounded by 1/128 of the lower bound (exact below 256 us).
    const std::uint64_t low = layout.lowest_in_bucket(i);
    const std::uint64_t width = layout.highest_in_bucket(i) - low + 1;
    if (low >= 256) {
      ASSERT_LE(width * 128, low) << "bucket " << i;
    } else {
      ASSERT_EQ(width, 1u);
    }
  }
}

TEST(LatencyHistogramTest, SmallValuesAreExact) {
  LatencyHistogram histogram;
  for (std::uint64_t v = 0; v < 256; ++v) histogram.record(v);
  EXPECT_EQ(histogram.value_at_percentile(50), 127u);
  EXPECT_EQ(histogram.value_at_percentile(0), 0u);
  EXPECT_EQ(histogram.value_at_percentile(100), 255u);
  EXPECT_EQ(histogram.min(), 0u);
  EXPECT_DOUBLE_EQ(histogram.mean(), 127.5);
}

TEST(LatencyHistogramTest, PercentilesWithinOnePercentOfExactOnMillionsOfSamples) {
  std::printf("  relative error of value_at_percentile vs sorted samples (%zu each):\n", kSamples);
  double worst = 0;
  worst = std::max(worst, worst_relative_error("uniform", draw(kSamples, [](std::mt19937_64& rng) {
                     return std::uniform_real_distribution<double>(100, 2'000'000)(rng);
                   })));
  worst = std::max(worst, worst_relative_error("lognormal", draw(kSamples, [](std::mt19937_64& rng) {
                     return std::lognormal_distribution<double>(std::log(20'000.0), 1.0)(rng);
                   })));
  // 97% fast answers around 3 ms; 3% caught behind a 1 s stall, whose
  // latency from the intended send time spreads over 0.9..1 s.
  worst = std::max(worst, worst_relative_error("stall_1s", draw(kSamples, [](std::mt19937_64& rng) {
                     if (std::uniform_real_distribution<double>(0, 1)(rng) < 0.97) {
                       return std::lognormal_distribution<double>(std::log(3'000.0), 0.4)(rng);
                     }
                     return std::uniform_real_distribution<double>(900'000, 1'000'000)(rng);
                   })));
  // Every decade from 1 us to 1 h equally likely.
  worst = std::max(worst, worst_relative_error("log_uniform", draw(kSamples, [](std::mt19937_64& rng) {
                     return std::exp(std::uniform_real_distribution<double>(0, std::log(3.6e9))(rng));
                   })));
  std::printf("  worst relative error: %.4f%%\n", worst * 100);
  EXPECT_LT(worst, 0.004);  // midpoint reporting: at most 1/256
}

TEST(LatencyHistogramTest, MergeEqualsHistogramOfAllSamplesBucketForBucket) {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> latency(std::log(5'000.0), 1.5);
  LatencyHistogram all;
  LatencyHistogram first;
  LatencyHistogram second;
  for (int i = 0; i < 500'000; ++i) {
    const auto v = static_cast<std::uint64_t>(latency(rng));
    all.record(v);
    (i % 3 == 0 ? first : second).record(v);
  }
  LatencyHistogram merged;
  merged.merge(first);
  merged.merge(second);
  EXPECT_TRUE(merged == all);
  for (std::size_t i = 0; i < all.layout().bucket_count(); ++i) {
    ASSERT_EQ(merged.count_at_index(i), all.count_at_index(i));
  }
  EXPECT_EQ(merged.value_at_percentile(99.9), all.value_at_percentile(99.9));
}

TEST(LatencyHistogramTest, MergeRejectsAnotherLayout) {
  LatencyHistogram fine;
  LatencyHistogram coarse(HistogramLayout{5, HistogramLayout::kOneHourUs});
  EXPECT_THROW(fine.merge(coarse), std::invalid_argument);
}

TEST(LatencyHistogramTest, ValuesAboveOneHourClampIntoTheTopBucketAndCount) {
  LatencyHistogram histogram;
  histogram.record(5'000'000'000ULL);  // 83 minutes
  histogram.record(UINT64_MAX);
  histogram.record(1'000);
  EXPECT_EQ(histogram.overflow(), 2u);
  EXPECT_EQ(histogram.count(), 3u);
  EXPECT_EQ(histogram.max(), HistogramLayout::kOneHourUs);
  EXPECT_EQ(histogram.value_at_percentile(100), HistogramLayout::kOneHourUs);
  EXPECT_EQ(histogram.count_at_index(histogram.layout().bucket_count() - 1), 2u);
}

TEST(LatencyHistogramTest, RecordNAndResetAndEmptyBehaviour) {
  LatencyHistogram histogram;
  EXPECT_EQ(histogram.value_at_percentile(99), 0u);
  EXPECT_EQ(histogram.min(), 0u);
  EXPECT_EQ(histogram.mean(), 0.0);
  histogram.record_n(1'000, 99);
  histogram.record_n(100'000, 1);
  EXPECT_EQ(histogram.count(), 100u);
  EXPECT_EQ(histogram.value_at_percentile(99), 1'001u);  // midpoint of the bucket [1000, 1003]
  EXPECT_EQ(histogram.value_at_percentile(99.5), 100'000u);
  EXPECT_DOUBLE_EQ(histogram.mean(), (99 * 1'000.0 + 100'000) / 100);
  histogram.reset();
  EXPECT_TRUE(histogram == LatencyHistogram());
}

TEST(LatencyHistogramTest, JsonIsSparseAndRoundTripsExactly) {
  LatencyHistogram histogram;
  std::mt19937_64 rng(11);
  std::uniform_int_distribution<std::uint64_t> latency(1'000, 50'000);
  for (int i = 0; i < 100'000; ++i) histogram.record(latency(rng));
  histogram.record(9'000'000'000ULL);  // one overflow

  const nlohmann::json json = histogram.to_json();
  EXPECT_EQ(json["layout"]["sub_bucket_bits"], 7);
  EXPECT_EQ(json["layout"]["highest_us"], 3'600'000'000ULL);
  EXPECT_LT(json["buckets"].size(), 2 * 800u);  // only the non-empty buckets
  const LatencyHistogram back = LatencyHistogram::from_json(json, "shard-0.json", "/h");
  EXPECT_TRUE(back == histogram);
  EXPECT_EQ(back.overflow(), 1u);
  // And it survives text.
  EXPECT_TRUE(LatencyHistogram::from_json(nlohmann::json::parse(json.dump()), "x") == histogram);
}

TEST(LatencyHistogramTest, JsonWithAnotherLayoutIsRejectedWithItsPointer) {
  LatencyHistogram coarse(HistogramLayout{5, HistogramLayout::kOneHourUs});
  coarse.record(1234);
  try {
    LatencyHistogram::from_json(coarse.to_json(), "shard-1.json", "/scenarios/0/scopes/0/latency");
    FAIL() << "a coarse histogram was accepted";
  } catch (const core::InputError& e) {
    EXPECT_EQ(e.file(), "shard-1.json");
    EXPECT_EQ(e.location(), "/scenarios/0/scopes/0/latency/layout");
    EXPECT_NE(e.problem().find("differs"), std::string::npos);
  }
}

TEST(LatencyHistogramTest, CorruptJsonIsRejected) {
  LatencyHistogram histogram;
  histogram.record(500);
  histogram.record(70'000);
  const nlohmann::json good = histogram.to_json();

  nlohmann::json wrong_count = good;
  wrong_count["count"] = 3;
  EXPECT_THROW(LatencyHistogram::from_json(wrong_count, "f"), core::InputError);

  nlohmann::json odd = good;
  odd["buckets"].push_back(5);
  EXPECT_THROW(LatencyHistogram::from_json(odd, "f"), core::InputError);

  nlohmann::json out_of_range = good;
  out_of_range["buckets"][2] = 99'999;
  EXPECT_THROW(LatencyHistogram::from_json(out_of_range, "f"), core::InputError);

  nlohmann::json negative = good;
  negative["sum_us"] = -1;
  EXPECT_THROW(LatencyHistogram::from_json(negative, "f"), core::InputError);

  nlohmann::json bad_max = good;
  bad_max["max_us"] = 10;
  EXPECT_THROW(LatencyHistogram::from_json(bad_max, "f"), core::InputError);
}

}  // namespace
}  // namespace golive::load
