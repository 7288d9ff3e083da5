// Alertmanager configuration verified (seed 001 R5.2 "notify the on-call
// team via email/Slack"), with amtool (Debian package prometheus-alertmanager):
//
//   observability.alertmanager.config_valid     amtool check-config
//   observability.alertmanager.critical_routed  amtool config routes test
//                                               severity=critical reaches a
//                                               receiver with email or Slack settings
#pragma once

#include <string>
#include <vector>

#include "core/result_stream.hpp"
#include "observability/monitoring_config.hpp"

namespace golive::observability {

const std::vector<std::string>& alertmanager_check_ids();

void run_alertmanager_checks(const MonitoringConfig& monitoring, core::ResultSink& sink);

}  // namespace golive::observability
