#include "reports/svg_chart.hpp"

#include <algorithm>
#include <cmath>

#include "reports/escaping.hpp"
#include "reports/text_format.hpp"

namespace golive::report {

namespace {

// Plot-area margins, px. The left and right margins hold tick labels and the
// rotated axis titles; the top holds the title and legend.
constexpr double kMarginLeft = 64;
constexpr double kMarginRightPlain = 20;
constexpr double kMarginRightAxis = 64;
constexpr double kMarginTop = 48;
constexpr double kMarginBottom = 46;
constexpr const char* kAxisColor = "#555";
constexpr const char* kGridColor = "#e3e3e3";
constexpr const char* kTextColor = "#222";

std::string px(double value) {
  return format_number(value, 1);
}

// Decimals needed to tell ticks `step` apart.
int decimals_for(double step) {
  if (step <= 0 || !std::isfinite(step)) return 0;
  int decimals = 0;
  while (decimals < 6 && std::fabs(step * std::pow(10.0, decimals) -
                                   std::round(step * std::pow(10.0, decimals))) > 1e-9) {
    ++decimals;
  }
  return decimals;
}

struct Frame {
  double width;
  double height;
  double left;
  double right;  // x of the plot area's right edge
  double top;
  double bottom;  // y of the plot area's bottom edge
};

Frame make_frame(int width, int height, bool right_axis) {
  Frame frame{
      static_cast<double>(width), static_cast<double>(height), kMarginLeft, 0, kMarginTop, 0};
  frame.right = frame.width - (right_axis ? kMarginRightAxis : kMarginRightPlain);
  frame.bottom = frame.height - kMarginBottom;
  return frame;
}

std::string open_svg(const Frame& frame, const std::string& title) {
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + px(frame.width) +
                    "\" height=\"" + px(frame.height) + "\" viewBox=\"0 0 " + px(frame.width) +
                    " " + px(frame.height) + "\" role=\"img\" aria-label=\"" +
                    xml_escape_attribute(title) +
                    "\" font-family=\"sans-serif\" font-size=\"11\" fill=\"" + kTextColor + "\">\n";
  svg += "<title>" + xml_escape(title) + "</title>\n";
  svg += "<rect x=\"0\" y=\"0\" width=\"" + px(frame.width) + "\" height=\"" + px(frame.height) +
         "\" fill=\"#fff\"/>\n";
  svg += "<text x=\"" + px(frame.width / 2) +
         "\" y=\"18\" text-anchor=\"middle\" font-size=\"13\" " + "font-weight=\"bold\">" +
         xml_escape(title) + "</text>\n";
  return svg;
}

std::string text_at(double x, double y, const std::string& anchor, const std::string& text,
                    const std::string& extra = "") {
  return "<text x=\"" + px(x) + "\" y=\"" + px(y) + "\" text-anchor=\"" + anchor + "\"" + extra +
         ">" + xml_escape(text) + "</text>\n";
}

std::string line(double x1, double y1, double x2, double y2, const char* color) {
  return "<line x1=\"" + px(x1) + "\" y1=\"" + px(y1) + "\" x2=\"" + px(x2) + "\" y2=\"" + px(y2) +
         "\" stroke=\"" + color + "\" stroke-width=\"1\"/>\n";
}

double map_linear(double value, double from_min, double from_max, double to_min, double to_max) {
  if (from_max == from_min) return (to_min + to_max) / 2;
  return to_min + (value - from_min) / (from_max - from_min) * (to_max - to_min);
}

// The y pixel of `value` on `scale` (NaN for a non-positive value on a log scale).
double map_y(double value, const AxisScale& scale, const Frame& frame) {
  if (!scale.log) return map_linear(value, scale.min, scale.max, frame.bottom, frame.top);
  if (!(value > 0)) return std::nan("");
  return map_linear(std::log10(value), std::log10(scale.min), std::log10(scale.max), frame.bottom, frame.top);
}

// Decimals a tick label needs: a log scale's ticks below 1 need their own.
int tick_decimals(double tick, const AxisScale& scale) {
  if (!scale.log) return decimals_for(scale.step);
  return tick >= 1 ? 0 : decimals_for(tick);
}

// Horizontal grid lines with tick labels on the left or right side.
std::string y_axis(const Frame& frame, const AxisScale& scale, bool on_right, bool draw_grid) {
  std::string svg;
  for (double tick : scale.ticks) {
    double y = map_y(tick, scale, frame);
    if (draw_grid) svg += line(frame.left, y, frame.right, y, kGridColor);
    std::string label = format_number(tick, tick_decimals(tick, scale));
    if (on_right) {
      svg += text_at(frame.right + 6, y + 4, "start", label);
    } else {
      svg += text_at(frame.left - 6, y + 4, "end", label);
    }
  }
  double axis_x = on_right ? frame.right : frame.left;
  svg += line(axis_x, frame.top, axis_x, frame.bottom, kAxisColor);
  return svg;
}

std::string axis_title_vertical(const Frame& frame, const std::string& text, bool on_right) {
  if (text.empty()) return "";
  double x = on_right ? frame.width - 12 : 14;
  double y = (frame.top + frame.bottom) / 2;
  return text_at(x, y, "middle", text,
                 " transform=\"rotate(" + std::string(on_right ? "90 " : "-90 ") + px(x) + " " +
                     px(y) + ")\"");
}

// A reference line the axis does not reach, named in the legend.
struct OffScaleLine {
  std::string label;  // "p95 SLO 500 ms: above the axis"
  std::string color;
};

// Series on the first row; reference lines the axis does not reach on a
// second row (the caller leaves room for it above the plot).
std::string legend(const Frame& frame, const std::vector<ChartSeries>& series,
                   const std::vector<OffScaleLine>& off_scale = {}) {
  std::string svg;
  double x = frame.left;
  for (const auto& s : series) {
    std::string label = s.label + (s.right_axis ? " (right axis)" : "");
    svg += "<rect x=\"" + px(x) + "\" y=\"28\" width=\"12\" height=\"4\" fill=\"" +
           xml_escape_attribute(s.color) + "\"/>\n";
    svg += text_at(x + 16, 34, "start", label);
    x += 16 + 6.5 * static_cast<double>(label.size()) + 18;  // approximate width of 11px sans-serif
  }
  x = frame.left;
  for (const auto& entry : off_scale) {
    const std::string color = xml_escape_attribute(entry.color);
    svg += "<line x1=\"" + px(x) + "\" y1=\"44\" x2=\"" + px(x + 12) + "\" y2=\"44\" stroke=\"" + color +
           "\" stroke-width=\"1\" stroke-dasharray=\"3 2\"/>\n";
    svg += text_at(x + 16, 48, "start", entry.label, " fill=\"" + color + "\"");
    x += 16 + 6.5 * static_cast<double>(entry.label.size()) + 18;
  }
  return svg;
}

std::string no_data(const Frame& frame) {
  return "<rect x=\"" + px(frame.left) + "\" y=\"" + px(frame.top) + "\" width=\"" +
         px(frame.right - frame.left) + "\" height=\"" + px(frame.bottom - frame.top) +
         "\" fill=\"#fafafa\" stroke=\"" + kGridColor + "\"/>\n" +
         text_at((frame.left + frame.right) / 2, (frame.top + frame.bottom) / 2, "middle",
                 "no data");
}

// The smallest interval holding every finite value it was given.
struct DataRange {
  double min = 0;
  double max = 0;
  bool any = false;

  void include(double value) {
    if (!std::isfinite(value)) return;
    min = any ? std::min(min, value) : value;
    max = any ? std::max(max, value) : value;
    any = true;
  }
};

// Range of the y values of the series plotted against one axis.
DataRange y_range(const std::vector<ChartSeries>& series, bool right_axis) {
  DataRange range;
  for (const auto& s : series) {
    if (s.right_axis != right_axis) continue;
    for (const auto& p : s.points) {
      if (std::isfinite(p.x)) range.include(p.y);
    }
  }
  return range;
}

std::string polyline_runs(const ChartSeries& series, const AxisScale& x_scale,
                          const AxisScale& y_scale, const Frame& frame) {
  std::string svg;
  std::vector<std::string> run;
  std::string color = xml_escape_attribute(series.color);
  auto flush = [&] {
    if (run.size() == 1) {
      auto comma = run[0].find(',');
      svg += "<circle cx=\"" + run[0].substr(0, comma) + "\" cy=\"" + run[0].substr(comma + 1) +
             "\" r=\"2.5\" fill=\"" + color + "\"/>\n";
    } else if (run.size() > 1) {
      std::string points;
      for (const auto& p : run) points += (points.empty() ? "" : " ") + p;
      svg += "<polyline fill=\"none\" stroke=\"" + color +
             "\" stroke-width=\"1.8\" stroke-linejoin=\"round\" points=\"" + points + "\"/>\n";
    }
    run.clear();
  };
  for (const auto& p : series.points) {
    if (!std::isfinite(p.y) || !std::isfinite(p.x)) {
      flush();
      continue;
    }
    double x = map_linear(p.x, x_scale.min, x_scale.max, frame.left, frame.right);
    double y = map_y(p.y, y_scale, frame);
    if (!std::isfinite(y)) {
      flush();
      continue;
    }
    run.push_back(px(x) + "," + px(y));
  }
  flush();
  return svg;
}

}  // namespace

AxisScale nice_scale(double data_min, double data_max, int target_ticks) {
  AxisScale scale;
  if (!std::isfinite(data_min) || !std::isfinite(data_max)) data_min = 0, data_max = 1;
  if (data_max < data_min) std::swap(data_min, data_max);
  if (data_max == data_min) {
    double pad = data_max == 0 ? 1 : std::fabs(data_max) * 0.5;
    data_min -= data_min == 0 ? 0 : pad;
    data_max += pad;
  }
  if (target_ticks < 2) target_ticks = 2;
  double raw_step = (data_max - data_min) / target_ticks;
  double magnitude = std::pow(10.0, std::floor(std::log10(raw_step)));
  double step = magnitude;
  for (double factor : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    step = factor * magnitude;
    if (step >= raw_step) break;
  }
  scale.step = step;
  scale.min = std::floor(data_min / step + 1e-9) * step;
  scale.max = std::ceil(data_max / step - 1e-9) * step;
  if (scale.max <= scale.min) scale.max = scale.min + step;
  // Bounded: at most a few dozen ticks for any input.
  for (int i = 0; i <= 100; ++i) {
    double tick = scale.min + i * step;
    if (tick > scale.max + step * 1e-6) break;
    scale.ticks.push_back(std::fabs(tick) < step * 1e-9 ? 0.0 : tick);
  }
  return scale;
}

AxisScale log_scale(double data_min, double data_max) {
  AxisScale scale;
  scale.log = true;
  if (!(data_min > 0) || !std::isfinite(data_min)) data_min = 1;
  if (!std::isfinite(data_max) || data_max < data_min) data_max = data_min;
  const int low = static_cast<int>(std::floor(std::log10(data_min) + 1e-9));
  int high = static_cast<int>(std::ceil(std::log10(data_max) - 1e-9));
  if (high <= low) high = low + 1;
  scale.min = std::pow(10.0, low);
  scale.max = std::pow(10.0, high);
  scale.step = 10;
  // 1-2-5 ticks for up to three decades, powers of ten beyond.
  const bool dense = high - low <= 3;
  for (int exponent = low; exponent <= high; ++exponent) {
    for (double factor : {1.0, 2.0, 5.0}) {
      if (!dense && factor != 1.0) continue;
      const double tick = factor * std::pow(10.0, exponent);
      if (tick > scale.max * (1 + 1e-9)) break;
      scale.ticks.push_back(tick);
    }
  }
  return scale;
}

std::string render_line_chart(const LineChart& chart) {
  bool uses_right = std::any_of(chart.series.begin(), chart.series.end(),
                                [](const ChartSeries& s) { return s.right_axis; });
  Frame frame = make_frame(chart.width, chart.height, uses_right);
  std::string svg = open_svg(frame, chart.title);

  DataRange x_range;
  for (const auto& s : chart.series) {
    for (const auto& p : s.points) {
      if (std::isfinite(p.y)) x_range.include(p.x);
    }
  }
  DataRange left = y_range(chart.series, false);
  DataRange right = y_range(chart.series, true);
  if (!x_range.any) {
    svg += no_data(frame);
    svg += axis_title_vertical(frame, chart.y_label, false);
    svg += text_at((frame.left + frame.right) / 2, frame.height - 8, "middle", chart.x_label);
    return svg + "</svg>\n";
  }
  // Rates, counts and latencies start at zero so heights compare honestly,
  // unless they span 50x or more (p50 under 1 ms beside a p99 of 50): then
  // a log axis shows every line instead of pressing the small ones onto zero.
  AxisScale x_scale = nice_scale(x_range.min, x_range.max, 6);
  DataRange left_positive;
  for (const auto& s : chart.series) {
    if (s.right_axis) continue;
    for (const auto& p : s.points) {
      if (std::isfinite(p.x) && p.y > 0) left_positive.include(p.y);
    }
  }
  const bool use_log = chart.log_when_spanning && left_positive.any && left.min >= 0 &&
                       left_positive.max >= 50 * left_positive.min;
  AxisScale left_scale = use_log ? log_scale(left_positive.min, left_positive.max)
                                 : nice_scale(std::min(0.0, left.min), left.any ? left.max : 1, 5);
  AxisScale right_scale = nice_scale(std::min(0.0, right.min), right.any ? right.max : 1, 5);

  std::vector<OffScaleLine> off_scale;
  for (const auto& reference : chart.reference_lines) {
    if (!std::isfinite(reference.y) || (reference.y <= left_scale.max && reference.y >= left_scale.min)) continue;
    off_scale.push_back({reference.label + (reference.y > left_scale.max ? ": above the axis" : ": below the axis"),
                         reference.color});
  }
  if (!off_scale.empty()) frame.top += 14;  // room for the legend's second row

  svg += y_axis(frame, left_scale, false, true);
  if (uses_right) svg += y_axis(frame, right_scale, true, false);
  int x_decimals = decimals_for(x_scale.step);
  for (double tick : x_scale.ticks) {
    double x = map_linear(tick, x_scale.min, x_scale.max, frame.left, frame.right);
    svg += line(x, frame.bottom, x, frame.bottom + 4, kAxisColor);
    svg += text_at(x, frame.bottom + 16, "middle", format_number(tick, x_decimals));
  }
  svg += line(frame.left, frame.bottom, frame.right, frame.bottom, kAxisColor);
  svg += text_at((frame.left + frame.right) / 2, frame.height - 8, "middle", chart.x_label);
  svg += axis_title_vertical(frame, chart.y_label + (use_log ? " (log scale)" : ""), false);
  if (uses_right) svg += axis_title_vertical(frame, chart.y_right_label, true);

  for (const auto& reference : chart.reference_lines) {
    if (!std::isfinite(reference.y) || reference.y > left_scale.max || reference.y < left_scale.min) continue;
    double y = map_y(reference.y, left_scale, frame);
    std::string color = xml_escape_attribute(reference.color);
    svg += "<line x1=\"" + px(frame.left) + "\" y1=\"" + px(y) + "\" x2=\"" + px(frame.right) +
           "\" y2=\"" + px(y) + "\" stroke=\"" + color +
           "\" stroke-width=\"1\" stroke-dasharray=\"5 4\"/>\n";
    svg += text_at(frame.right - 4, y - 4, "end", reference.label, " fill=\"" + color + "\"");
  }
  for (const auto& s : chart.series) {
    svg += polyline_runs(s, x_scale, s.right_axis ? right_scale : left_scale, frame);
  }
  svg += legend(frame, chart.series, off_scale);
  return svg + "</svg>\n";
}

std::string render_bar_chart(const BarChart& chart) {
  Frame frame = make_frame(chart.width, chart.height, false);
  std::string svg = open_svg(frame, chart.title);
  if (chart.bars.empty()) {
    svg += no_data(frame);
    return svg + "</svg>\n";
  }
  double max_value = 0;
  for (const auto& bar : chart.bars) {
    if (std::isfinite(bar.value)) max_value = std::max(max_value, bar.value);
  }
  AxisScale y_scale = nice_scale(0, max_value > 0 ? max_value : 1, 5);
  svg += y_axis(frame, y_scale, false, true);
  svg += line(frame.left, frame.bottom, frame.right, frame.bottom, kAxisColor);

  double slot = (frame.right - frame.left) / static_cast<double>(chart.bars.size());
  double gap = slot > 6 ? std::min(slot * 0.15, 6.0) : 0;
  // Label at most ~10 bars evenly so the labels never overlap.
  std::size_t label_every = std::max<std::size_t>(1, (chart.bars.size() + 9) / 10);
  std::string color = xml_escape_attribute(chart.color);
  for (std::size_t i = 0; i < chart.bars.size(); ++i) {
    const auto& bar = chart.bars[i];
    double value = std::isfinite(bar.value) ? std::max(0.0, bar.value) : 0;
    double x = frame.left + slot * static_cast<double>(i) + gap / 2;
    double y = map_linear(value, y_scale.min, y_scale.max, frame.bottom, frame.top);
    std::string tooltip =
        bar.tooltip.empty() ? bar.label + ": " + format_number(value, 3) : bar.tooltip;
    svg += "<rect x=\"" + px(x) + "\" y=\"" + px(y) + "\" width=\"" +
           px(std::max(slot - gap, 0.5)) + "\" height=\"" + px(frame.bottom - y) + "\" fill=\"" +
           color + "\"><title>" + xml_escape(tooltip) + "</title></rect>\n";
    if (i % label_every == 0) {
      svg += text_at(x + (slot - gap) / 2, frame.bottom + 16, "middle", bar.label);
    }
  }
  svg += text_at((frame.left + frame.right) / 2, frame.height - 8, "middle", chart.x_label);
  svg += axis_title_vertical(frame, chart.y_label, false);
  return svg + "</svg>\n";
}

}  // namespace golive::report
