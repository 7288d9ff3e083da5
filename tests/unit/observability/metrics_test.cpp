// The Prometheus exposition parser, the metrics checks' verdicts over
// hand-written scrapes, and promtool's lint (the real binary; the lint test
// is skipped when promtool is not installed).
#include <gtest/gtest.h>

#include <cmath>

#include "core/external_tool.hpp"
#include "core/result_stream.hpp"
#include "observability/metrics_checks.hpp"
#include "observability/prometheus_text.hpp"

namespace golive::observability {
namespace {

const char* const kText =
    "# HELP golive_http_requests_total Requests.\n"
    "# TYPE golive_http_requests_total counter\n"
    "golive_http_requests_total{method=\"GET\",route=\"/health\",status=\"200\"} 5\n"
    "golive_http_requests_total{method=\"POST\",route=\"/x\",status=\"500\"} 2 1700000000000\n"
    "# TYPE golive_http_request_duration_seconds histogram\n"
    "golive_http_request_duration_seconds_bucket{route=\"/health\",le=\"+Inf\"} 7\n"
    "golive_http_request_duration_seconds_sum{route=\"/health\"} 0.01\n"
    "golive_http_request_duration_seconds_count{route=\"/health\"} 7\n"
    "golive_ai_jobs_active 0\n"
    "# TYPE golive_ai_job_duration_seconds histogram\n"
    "golive_ai_job_duration_seconds_count 1\n"
    "golive_mrr_cents 900\n"
    "weird_label{path=\"a\\\"b\\\\c\"} NaN\n";

MetricExposition parsed(const std::string& text) {
  std::string error;
  auto exposition = parse_exposition(text, error);
  EXPECT_TRUE(exposition) << error;
  return exposition.value_or(MetricExposition{});
}

TEST(PrometheusText, ParsesSamplesLabelsAndTypes) {
  const MetricExposition exposition = parsed(kText);
  EXPECT_EQ(exposition.samples.size(), 9u);
  EXPECT_EQ(exposition.sum("golive_http_requests_total"), 7.0);
  EXPECT_EQ(exposition.samples[0].labels.at("route"), "/health");
  EXPECT_EQ(exposition.samples.back().labels.at("path"), "a\"b\\c");
  EXPECT_TRUE(std::isnan(exposition.samples.back().value));
  EXPECT_EQ(exposition.types.at("golive_ai_job_duration_seconds"), "histogram");
  EXPECT_EQ(exposition.family_of("golive_http_request_duration_seconds_bucket"),
            "golive_http_request_duration_seconds");
  EXPECT_TRUE(exposition.has_family("golive_http_request_duration_seconds"));
  EXPECT_TRUE(exposition.has_family("golive_mrr_cents"));
  EXPECT_FALSE(exposition.has_family("golive_subscriptions"));
  EXPECT_FALSE(exposition.sum("absent"));
}

TEST(PrometheusText, MalformedLinesNameTheLine) {
  std::string error;
  EXPECT_FALSE(parse_exposition("ok 1\nbad{a=\"1\" 2\n", error));
  EXPECT_EQ(error.rfind("line 2: ", 0), 0u) << error;
  EXPECT_FALSE(parse_exposition("x one\n", error));
  EXPECT_NE(error.find("\"one\" is not a sample value"), std::string::npos) << error;
  EXPECT_FALSE(parse_exposition("# TYPE x countr\n", error));
  EXPECT_NE(error.find("unknown metric type"), std::string::npos) << error;
}

TEST(PrometheusText, InstancesAddUp) {
  MetricExposition a = parsed("c_total{i=\"1\"} 2\n");
  a.add(parsed("c_total{i=\"1\"} 3\nc_total{i=\"2\"} 1\n"));
  EXPECT_EQ(a.sum("c_total"), 6.0);
  EXPECT_EQ(a.samples.size(), 2u);
}

std::map<std::string, core::CheckResult> record(const MetricsScrape& before,
                                                const MetricsScrape& after,
                                                const StageTraffic& traffic) {
  MetricsSettings settings;
  settings.urls = {"http://127.0.0.1:1/metrics"};
  core::CollectingSink sink;
  record_metrics_checks(settings, before, after, traffic, sink);
  std::map<std::string, core::CheckResult> by_id;
  for (const auto& result : sink.results()) by_id[result.id] = result;
  return by_id;
}

MetricsScrape scrape_of(const std::string& text) {
  MetricsScrape scrape;
  scrape.summed = parsed(text);
  scrape.texts = {text};
  return scrape;
}

TEST(MetricsChecks, RequiredMetricsAndMovementAreJudged) {
  const MetricsScrape before = scrape_of(kText);
  std::string grown = kText;
  grown.replace(grown.find("} 5\n"), 4, "} 30\n");  // +25 requests
  grown.replace(grown.find("golive_ai_job_duration_seconds_count 1"), 38,
                "golive_ai_job_duration_seconds_count 2");
  auto results = record(before, scrape_of(grown), {20, 1});
  EXPECT_EQ(results.at("observability.metrics.required").status, core::CheckStatus::kPass)
      << results.at("observability.metrics.required").message;
  EXPECT_EQ(results.at("observability.metrics.moves").status, core::CheckStatus::kPass)
      << results.at("observability.metrics.moves").message;

  // The counter did not see golive's requests, and the business metric is gone.
  std::string stale = kText;
  stale.replace(stale.find("golive_mrr_cents 900\n"), 21, "");
  results = record(before, scrape_of(stale), {20, 1});
  const auto& moves = results.at("observability.metrics.moves");
  EXPECT_EQ(moves.status, core::CheckStatus::kFail);
  EXPECT_NE(moves.message.find("golive_http_requests_total grew by 0, golive sent 20"),
            std::string::npos)
      << moves.message;
  const auto& required = results.at("observability.metrics.required");
  EXPECT_EQ(required.status, core::CheckStatus::kFail);
  EXPECT_NE(required.message.find("golive_mrr_cents or golive_subscriptions"), std::string::npos)
      << required.message;
}

TEST(MetricsChecks, AFailedScrapeFailsEveryCheck) {
  MetricsScrape failed;
  failed.error = "http://127.0.0.1:1/metrics answered connect";
  const auto results = record(failed, failed, {});
  ASSERT_EQ(results.size(), 4u);
  for (const auto& [id, result] : results) EXPECT_EQ(result.status, core::CheckStatus::kFail) << id;
  EXPECT_NE(results.at("observability.metrics.scrape").message.find("answered connect"),
            std::string::npos);
}

TEST(MetricsChecks, PromtoolLintsTheExposition) {
  if (core::find_executable({"promtool"}).empty()) GTEST_SKIP() << "promtool is not installed";
  bool missing = true;
  EXPECT_EQ(promtool_check_metrics("# HELP a_total A.\n# TYPE a_total counter\na_total 1\n", missing), "");
  EXPECT_FALSE(missing);
  const std::string findings =
      promtool_check_metrics("# HELP a A.\n# TYPE a counter\na 1\n", missing);
  EXPECT_NE(findings.find("_total"), std::string::npos) << findings;
}

}  // namespace
}  // namespace golive::observability
