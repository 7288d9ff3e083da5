#include "reports/load_charts.hpp"

#include <algorithm>

#include "reports/text_format.hpp"

namespace golive::report {

namespace {

// Colours chosen to stay distinct for common colour-vision deficiencies.
constexpr const char* kBlue = "#4c78a8";
constexpr const char* kOrange = "#f58518";
constexpr const char* kPurple = "#7b4ea3";
constexpr const char* kRed = "#d62728";
constexpr const char* kGrey = "#6e7781";

ChartSeries series_of(const LoadScenario& scenario, const char* label, const char* color,
                      double TimeseriesPoint::*field) {
  ChartSeries series{label, color, {}, false};
  bool any = false;
  for (const auto& point : scenario.timeseries) {
    series.points.push_back({point.t_s, point.*field});
    any = any || present(point.*field);
  }
  if (!any) series.points.clear();
  return series;
}

}  // namespace

LineChart latency_over_time_chart(const LoadScenario& scenario, const SlaReport& sla) {
  LineChart chart;
  chart.title = scenario.name + ": latency percentiles over time";
  chart.x_label = "time since start (s)";
  chart.y_label = "latency (ms)";
  for (auto series : {series_of(scenario, "p50", kBlue, &TimeseriesPoint::p50_ms),
                      series_of(scenario, "p95", kOrange, &TimeseriesPoint::p95_ms),
                      series_of(scenario, "p99", kPurple, &TimeseriesPoint::p99_ms)}) {
    if (!series.points.empty()) chart.series.push_back(std::move(series));
  }
  for (const auto& slo : sla.slos) {
    bool applies = slo.scenario.empty() || slo.scenario == scenario.name;
    if (!applies || slo.unit != "ms" || !present(slo.objective)) continue;
    chart.reference_lines.push_back({slo.objective,
                                     slo.name + " SLO " + format_number(slo.objective, 2) + " ms",
                                     slo.pass ? kGrey : kRed});
  }
  return chart;
}

LineChart throughput_over_time_chart(const LoadScenario& scenario) {
  LineChart chart;
  chart.title = scenario.name + ": throughput and errors over time";
  chart.x_label = "time since start (s)";
  chart.y_label = "requests/s";
  chart.y_right_label = "errors per interval";
  ChartSeries rps = series_of(scenario, "requests/s", kBlue, &TimeseriesPoint::rps);
  ChartSeries errors = series_of(scenario, "errors", kRed, &TimeseriesPoint::errors);
  errors.right_axis = true;
  if (!rps.points.empty()) chart.series.push_back(std::move(rps));
  if (!errors.points.empty()) chart.series.push_back(std::move(errors));
  return chart;
}

BarChart latency_histogram_chart(const LoadScenario& scenario) {
  BarChart chart;
  chart.title = scenario.name + ": latency histogram";
  chart.x_label = "latency bucket upper bound (ms)";
  chart.y_label = "requests";
  const auto& buckets = scenario.histogram;
  std::size_t first = 0;
  std::size_t last = buckets.size();
  while (first < last && buckets[first].count == 0) ++first;
  while (last > first && buckets[last - 1].count == 0) --last;
  std::size_t shown = last - first;
  if (shown == 0) return chart;
  // Merge runs of adjacent buckets so at most kMaxHistogramBars remain; a
  // merged bar keeps the upper bound of its last bucket.
  std::size_t per_bar = (shown + kMaxHistogramBars - 1) / kMaxHistogramBars;
  double previous_bound = first > 0 ? buckets[first - 1].le_ms : 0;
  for (std::size_t start = first; start < last; start += per_bar) {
    std::size_t end = std::min(start + per_bar, last);
    std::uint64_t count = 0;
    for (std::size_t i = start; i < end; ++i) count += buckets[i].count;
    double bound = buckets[end - 1].le_ms;
    Bar bar;
    bar.label = format_number(bound, 2);
    bar.value = static_cast<double>(count);
    bar.tooltip = format_number(previous_bound, 2) + " < latency <= " + format_number(bound, 2) +
                  " ms: " + format_count(static_cast<double>(count)) + " requests";
    chart.bars.push_back(std::move(bar));
    previous_bound = bound;
  }
  return chart;
}

}  // namespace golive::report
