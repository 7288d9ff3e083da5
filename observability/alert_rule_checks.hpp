// Alert rules verified (seed 001 R5.2): the rule files are valid
// (promtool check rules), read only metrics the target exports, stay quiet
// on healthy series, and fire in each outage scenario golive generates from
// the environment's SLA targets and the target's metric names, as
// `promtool test rules` cases:
//
//   error_ratio  5xx at ten times the error budget (1 - sla.availability)
//   latency_p99  every request slower than twice sla.p99_ms
//   target_down  `up` drops to 0
//
//   observability.alerts.rules_valid          promtool check rules
//   observability.alerts.metrics_exported     every metric a rule reads is exported
//   observability.alerts.quiet_when_healthy   no alert fires on steady series
//   observability.alerts.fires.{scenario}     the scenario's alert fires, with a severity label
//
// promtool comes from the Debian package prometheus; without it the checks are errors.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/environment.hpp"
#include "core/result_stream.hpp"
#include "observability/metrics_checks.hpp"
#include "observability/monitoring_config.hpp"

namespace golive::observability {

const std::vector<std::string>& alert_rule_check_ids();

// Throws core::InputError naming the file and line when a rule file is not
// YAML at all (`golive probe observability` exits 2). A file that parses but
// holds an invalid rule is the rules_valid check's business, not bad input.
void require_parsable_alert_rules(const MonitoringConfig& monitoring);

// `exported` is the target's scrape (null when metrics are not configured).
void run_alert_rule_checks(const config::Environment& env, const MonitoringConfig& monitoring,
                           const MetricsSettings& metrics, const MetricExposition* exported,
                           core::ResultSink& sink);

// A `promtool test rules` file for one scenario ("steady", "error_ratio",
// "latency_p99", "target_down") expecting no alert of `alert_names`; when an
// alert fires promtool fails and prints it (see fired_alerts()).
std::string promtool_test_file(const std::vector<std::string>& rule_files,
                               const MetricsSettings& metrics, const config::SlaTargets& sla,
                               const std::string& scenario,
                               const std::vector<std::string>& alert_names);

// The alerts a failed `promtool test rules` run reports as got, each as
// "<alertname> {<labels>}".
std::vector<std::string> fired_alerts(const std::string& promtool_output);

}  // namespace golive::observability
