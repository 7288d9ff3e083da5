#include "reports/svg_chart.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "reports/load_charts.hpp"
#include "tests/support/xml_wellformed.hpp"

namespace golive::report {
namespace {

TEST(NiceScale, RoundsToFriendlySteps) {
  AxisScale scale = nice_scale(0, 412.5, 5);
  EXPECT_DOUBLE_EQ(scale.step, 100);
  EXPECT_DOUBLE_EQ(scale.min, 0);
  EXPECT_DOUBLE_EQ(scale.max, 500);
  EXPECT_EQ(scale.ticks.size(), 6u);

  AxisScale small = nice_scale(0, 0.037, 5);
  EXPECT_DOUBLE_EQ(small.step, 0.01);
  EXPECT_NEAR(small.max, 0.04, 1e-12);
}

TEST(NiceScale, HandlesDegenerateRanges) {
  AxisScale flat = nice_scale(0, 0, 5);
  EXPECT_GT(flat.max, flat.min);
  AxisScale constant = nice_scale(7, 7, 5);
  EXPECT_LE(constant.min, 7);
  EXPECT_GE(constant.max, 7);
  AxisScale broken = nice_scale(std::nan(""), INFINITY, 5);
  EXPECT_GT(broken.max, broken.min);
  EXPECT_LE(broken.ticks.size(), 101u);
}

TEST(LineChart, DrawsAxesLabelsLegendAndLines) {
  LineChart chart;
  chart.title = "latency <over> time";
  chart.x_label = "time (s)";
  chart.y_label = "latency (ms)";
  chart.series.push_back({"p95", "#f58518", {{0, 10}, {5, 20}, {10, 15}}, false});
  chart.series.push_back({"errors", "#d62728", {{0, 0}, {5, 3}, {10, 1}}, true});
  chart.y_right_label = "errors";
  std::string svg = render_line_chart(chart);
  EXPECT_EQ(testing::xml_wellformedness_error(svg), "");
  EXPECT_NE(svg.find("latency &lt;over&gt; time"), std::string::npos);
  EXPECT_NE(svg.find(">time (s)</text>"), std::string::npos);
  EXPECT_NE(svg.find(">latency (ms)</text>"), std::string::npos);
  EXPECT_NE(svg.find("errors (right axis)"), std::string::npos);
  EXPECT_NE(svg.find("<line"), std::string::npos) << "axes and grid";
  std::size_t polylines = 0;
  for (auto at = svg.find("<polyline"); at != std::string::npos; at = svg.find("<polyline", at + 1))
    ++polylines;
  EXPECT_EQ(polylines, 2u);
}

TEST(LineChart, GapsBreakTheLine) {
  LineChart chart;
  chart.series.push_back(
      {"p95", "#000", {{0, 1}, {1, 2}, {2, std::nan("")}, {3, 4}, {4, 5}}, false});
  std::string svg = render_line_chart(chart);
  std::size_t polylines = 0;
  for (auto at = svg.find("<polyline"); at != std::string::npos; at = svg.find("<polyline", at + 1))
    ++polylines;
  EXPECT_EQ(polylines, 2u);
}

TEST(LineChart, EmptyChartSaysNoData) {
  LineChart chart;
  chart.title = "empty";
  std::string svg = render_line_chart(chart);
  EXPECT_NE(svg.find("no data"), std::string::npos);
  EXPECT_EQ(testing::xml_wellformedness_error(svg), "");
}

TEST(BarChart, OneRectPerBarWithTooltips) {
  BarChart chart;
  chart.title = "histogram";
  for (int i = 0; i < 25; ++i)
    chart.bars.push_back({std::to_string(i), static_cast<double>(i * i), ""});
  std::string svg = render_bar_chart(chart);
  EXPECT_EQ(testing::xml_wellformedness_error(svg), "");
  std::size_t rects = 0;
  for (auto at = svg.find("<rect"); at != std::string::npos; at = svg.find("<rect", at + 1))
    ++rects;
  EXPECT_EQ(rects, 25u + 1u) << "bars plus the background";
  EXPECT_NE(svg.find("<title>24: 576</title>"), std::string::npos);
}

TEST(LoadCharts, HistogramMergesFineBucketsAndDropsEmptyEnds) {
  LoadScenario scenario;
  scenario.name = "fine";
  scenario.histogram.push_back({0.5, 0});
  for (int i = 1; i <= 200; ++i) scenario.histogram.push_back({static_cast<double>(i), 1});
  scenario.histogram.push_back({500, 0});
  BarChart chart = latency_histogram_chart(scenario);
  ASSERT_EQ(chart.bars.size(), kMaxHistogramBars);
  double total = 0;
  for (const auto& bar : chart.bars) total += bar.value;
  EXPECT_DOUBLE_EQ(total, 200);
  EXPECT_EQ(chart.bars.back().label, "200");
}

TEST(LoadCharts, LatencyChartUsesOnlyPercentilesPresent) {
  LoadScenario scenario;
  scenario.name = "s";
  TimeseriesPoint point;
  point.t_s = 1;
  point.p95_ms = 12;
  point.rps = 100;
  point.errors = 0;
  scenario.timeseries.push_back(point);
  LineChart latency = latency_over_time_chart(scenario);
  ASSERT_EQ(latency.series.size(), 1u);
  EXPECT_EQ(latency.series[0].label, "p95");
  LineChart throughput = throughput_over_time_chart(scenario);
  ASSERT_EQ(throughput.series.size(), 2u);
  EXPECT_TRUE(throughput.series[1].right_axis);
}

}  // namespace
}  // namespace golive::report
