// The three charts every load scenario gets in the HTML report, as chart
// specifications for svg_chart: latency percentiles over time, throughput
// and errors over time, and the latency histogram.
#pragma once

#include <cstddef>

#include "reports/report_model.hpp"
#include "reports/svg_chart.hpp"

namespace golive::report {

// Most bars a histogram shows; finer histograms merge adjacent buckets.
inline constexpr std::size_t kMaxHistogramBars = 40;

// p50/p95/p99 (whichever the timeseries carries) in ms against time in s,
// with a dashed line for each millisecond SLO that applies to the scenario.
LineChart latency_over_time_chart(const LoadScenario& scenario, const SlaReport& sla = {});
// Completed requests/s (left axis) and failed requests per interval (right axis).
LineChart throughput_over_time_chart(const LoadScenario& scenario);
// Request counts per latency bucket; empty leading and trailing buckets dropped.
BarChart latency_histogram_chart(const LoadScenario& scenario);

}  // namespace golive::report
