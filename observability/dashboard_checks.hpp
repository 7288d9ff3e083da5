// Grafana dashboards verified (seed 001 R5.3, 000 §4's dashboard): every
// panel's PromQL reads only metrics the target exports, every panel names a
// datasource, and the seed's panels exist (active AI jobs, AI duration, a
// business metric: MRR or churn).
//
//   observability.dashboards.metrics_exported
//   observability.dashboards.datasource
//   observability.dashboards.seed_panels
#pragma once

#include <string>
#include <vector>

#include "core/result_stream.hpp"
#include "observability/metrics_checks.hpp"
#include "observability/monitoring_config.hpp"

namespace golive::observability {

const std::vector<std::string>& dashboard_check_ids();

// `exported` is the target's scrape (null when metrics are not configured).
void run_dashboard_checks(const MonitoringConfig& monitoring, const MetricsSettings& metrics,
                          const MetricExposition* exported, core::ResultSink& sink);

}  // namespace golive::observability
