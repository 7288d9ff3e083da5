// Where the target's monitoring configuration lives (environment
// "observability" section), paths relative to the environment file:
//
//   "observability": {
//     "alert_rules": ["monitoring/alerts.yml"],
//     "alertmanager_config": "monitoring/alertmanager.yml",
//     "dashboards": ["monitoring/dashboard.json"],
//     "alert_scenarios": {"error_ratio": "HighErrorRatio", "latency_p99": "HighLatencyP99",
//                         "target_down": "TargetDown"}}
//
// The embedded default reads fixtures/monitoring (or a scratch copy with a
// variant applied: GOLIVE_MONITORING_DIR, see monitoring_fixture.hpp).
#pragma once

#include <string>
#include <vector>

#include "config/environment.hpp"

namespace golive::observability {

struct MonitoringConfig {
  std::vector<std::string> alert_rules;  // absolute paths
  std::string alertmanager_config;       // absolute path; "" = not checked
  std::vector<std::string> dashboards;   // absolute paths
  // The alert each outage scenario must fire.
  std::string error_ratio_alert = "HighErrorRatio";
  std::string latency_alert = "HighLatencyP99";
  std::string target_down_alert = "TargetDown";
};

// Reads the keys above; InputError (file + pointer) when malformed or a file is missing.
MonitoringConfig read_monitoring_config(const config::Environment& env);

}  // namespace golive::observability
