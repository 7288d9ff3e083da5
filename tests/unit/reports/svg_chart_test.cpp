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

// A chart whose p50 is under a millisecond and whose p99 is tens of them.
LineChart latency_chart(double p50, double p99) {
  LineChart chart;
  chart.y_label = "latency (ms)";
  chart.series.push_back({"p50", "#4c78a8", {{0, p50}, {1, p50 * 1.2}, {2, p50}}, false});
  chart.series.push_back({"p99", "#7b4ea3", {{0, p99}, {1, p99 * 0.8}, {2, p99}}, false});
  return chart;
}

TEST(LogScale, SpansWholeDecadesWithOneTwoFiveTicks) {
  const AxisScale scale = log_scale(0.42, 46);
  EXPECT_TRUE(scale.log);
  EXPECT_DOUBLE_EQ(scale.min, 0.1);
  EXPECT_DOUBLE_EQ(scale.max, 100);
  ASSERT_FALSE(scale.ticks.empty());
  EXPECT_DOUBLE_EQ(scale.ticks.front(), 0.1);
  EXPECT_DOUBLE_EQ(scale.ticks.back(), 100);
  EXPECT_EQ(scale.ticks.size(), 10u);  // 0.1 0.2 0.5 1 2 5 10 20 50 100
  const AxisScale wide = log_scale(0.01, 5000);  // six decades: powers of ten only
  EXPECT_EQ(wide.ticks.size(), 7u);
}

TEST(LineChart, AxisFollowsTheDataNotTheSloLines) {
  LineChart chart = latency_chart(2, 5);
  chart.reference_lines.push_back({500, "p95 SLO 500 ms", "#6e7781"});
  chart.reference_lines.push_back({4, "p99 SLO 4 ms", "#d62728"});
  const std::string svg = render_line_chart(chart);
  EXPECT_EQ(testing::xml_wellformedness_error(svg), "");
  // Linear from 0 to 5 ms (1.2 x 2 .. 5 spans less than 50x): the 500 ms
  // line is named in the legend, the 4 ms line is drawn where it falls.
  EXPECT_NE(svg.find(">5</text>"), std::string::npos) << svg;
  EXPECT_EQ(svg.find(">500</text>"), std::string::npos) << svg;
  EXPECT_NE(svg.find("p95 SLO 500 ms: above the axis"), std::string::npos) << svg;
  EXPECT_NE(svg.find(">p99 SLO 4 ms</text>"), std::string::npos) << svg;
  EXPECT_EQ(svg.find("log scale"), std::string::npos);
}

TEST(LineChart, DataSpanningDecadesGetsALogAxis) {
  LineChart chart = latency_chart(0.4, 60);
  chart.reference_lines.push_back({50, "p99 SLO 50 ms", "#d62728"});
  const std::string svg = render_line_chart(chart);
  EXPECT_EQ(testing::xml_wellformedness_error(svg), "");
  EXPECT_NE(svg.find("latency (ms) (log scale)"), std::string::npos) << svg;
  EXPECT_NE(svg.find(">0.1</text>"), std::string::npos) << svg;
  EXPECT_NE(svg.find(">100</text>"), std::string::npos) << svg;
  EXPECT_NE(svg.find(">p99 SLO 50 ms</text>"), std::string::npos) << "in range: drawn";
  // p50's points are not pressed onto the bottom edge: every y lies well above it.
  const std::size_t first = svg.find("<polyline");
  ASSERT_NE(first, std::string::npos);
  const std::string points = svg.substr(svg.find("points=\"", first) + 8, 60);
  const double bottom = 280 - 46;
  const double y = std::stod(points.substr(points.find(',') + 1));
  EXPECT_LT(y, bottom - 30) << points;  // linear, 0.4 of 60 ms would sit 1 px above it
}

TEST(LineChart, LogAxisCanBeTurnedOff) {
  LineChart chart = latency_chart(0.4, 60);
  chart.log_when_spanning = false;
  EXPECT_EQ(render_line_chart(chart).find("log scale"), std::string::npos);
}

}  // namespace
}  // namespace golive::report
