// Inline SVG charts for the HTML report: line charts (optionally with a
// second y axis on the right) and bar charts. Self-contained markup: no
// script, no CSS classes the page must supply, no external fonts. Output is
// deterministic (coordinates rounded to 0.1 px) so it can sit in golden files.
#pragma once

#include <string>
#include <vector>

namespace golive::report {

struct ChartPoint {
  double x = 0;
  double y = 0;  // NaN leaves a gap in the line
};

struct ChartSeries {
  std::string label;  // legend text
  std::string color;  // any SVG colour: "#1f77b4"
  std::vector<ChartPoint> points;
  bool right_axis = false;  // plot against the right-hand y axis
};

// A horizontal dashed line at a fixed y value, e.g. an SLO objective.
struct ReferenceLine {
  double y = 0;
  std::string label;  // drawn above the line's right end: "p95 SLO 500 ms"
  std::string color;
};

struct LineChart {
  std::string title;
  std::string x_label;        // "time since start (s)"
  std::string y_label;        // "latency (ms)"
  std::string y_right_label;  // label of the right axis, when a series uses it
  std::vector<ChartSeries> series;
  // Against the left axis. They never widen it: the axis is scaled to the
  // data, a line inside its range is drawn and labelled, and one outside it
  // is named in the legend with where it lies ("above the axis").
  std::vector<ReferenceLine> reference_lines;
  // The left axis: linear from zero, or logarithmic when the positive data
  // spans 50x or more (max >= 50 x min, about 1.7 decades) and `log_when_spanning` is on.
  bool log_when_spanning = true;
  int width = 640;                             // px
  int height = 280;                            // px
};

struct Bar {
  std::string label;  // under the bar: "<= 5 ms"
  double value = 0;
  std::string tooltip;  // shown on hover via <title>; defaults to "label: value"
};

struct BarChart {
  std::string title;
  std::string x_label;
  std::string y_label;
  std::string color = "#4c78a8";
  std::vector<Bar> bars;
  int width = 640;   // px
  int height = 280;  // px
};

// An axis range widened to round tick values (steps of 1, 2, 2.5 or 5 x 10^k).
struct AxisScale {
  double min = 0;
  double max = 1;
  double step = 1;
  std::vector<double> ticks;  // min, min + step, ..., max (log: 1, 2, 5 x 10^k within [min, max])
  bool log = false;           // logarithmic: min and max are powers of ten, min > 0
};
AxisScale nice_scale(double data_min, double data_max, int target_ticks = 5);
// A base-10 logarithmic scale from the power of ten at or below `data_min`
// (> 0) to the one at or above `data_max`.
AxisScale log_scale(double data_min, double data_max);

std::string render_line_chart(const LineChart& chart);
std::string render_bar_chart(const BarChart& chart);

}  // namespace golive::report
