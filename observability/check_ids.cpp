#include "observability/check_ids.hpp"

#include "observability/alert_rule_checks.hpp"
#include "observability/alertmanager_checks.hpp"
#include "observability/dashboard_checks.hpp"
#include "observability/log_checks.hpp"
#include "observability/metrics_checks.hpp"
#include "observability/sentry_checks.hpp"
#include "observability/sentry_payment_check.hpp"
#include "observability/uptime_checks.hpp"

namespace golive::observability {

std::vector<std::string> observability_check_ids() {
  std::vector<std::string> ids;
  // A provoked error's Sentry event (sentry_checks.cpp).
  for (const std::string& id : sentry_check_ids()) ids.push_back(id);
  // The provoked failed payment's Sentry event (sentry_payment_check.cpp).
  ids.push_back(kSentryPaymentFailedCheck);
  // The metrics endpoint scraped around the stage (metrics_checks.cpp).
  for (const std::string& id : metrics_check_ids()) ids.push_back(id);
  // Alert rules, Alertmanager and dashboards (alert_rule_checks.cpp, alertmanager_checks.cpp,
  // dashboard_checks.cpp).
  for (const std::string& id : alert_rule_check_ids()) ids.push_back(id);
  for (const std::string& id : alertmanager_check_ids()) ids.push_back(id);
  for (const std::string& id : dashboard_check_ids()) ids.push_back(id);
  // Structured logs of the provoked events (log_checks.cpp).
  for (const std::string& id : log_check_ids()) ids.push_back(id);
  // Uptime monitoring: the watch's /metrics (uptime_checks.cpp).
  for (const std::string& id : uptime_check_ids()) ids.push_back(id);
  return ids;
}

}  // namespace golive::observability
