#include "observability/observability_suite.hpp"

#include <memory>

#include "observability/alert_rule_checks.hpp"
#include "observability/alertmanager_checks.hpp"
#include "observability/dashboard_checks.hpp"
#include "observability/log_checks.hpp"
#include "observability/log_source.hpp"
#include "observability/metrics_checks.hpp"
#include "observability/payment_failure.hpp"
#include "observability/sentry_payment_check.hpp"
#include "observability/sentry_sink.hpp"
#include "observability/sentry_envelope.hpp"
#include "observability/monitoring_config.hpp"
#include "observability/sentry_checks.hpp"
#include "observability/uptime_checks.hpp"
#include "observability/watch_loop.hpp"

namespace golive::observability {

config::Capability observability_capability(const config::Environment& env) {
  config::Capability capability;
  capability.suite = "observability";
  const SentrySettings sentry = read_sentry_settings(env);
  const MetricsSettings metrics = read_metrics_settings(env);
  const WatchSettings watch = read_watch_settings(env);
  const LogSettings logs = read_log_settings(env);
  capability.available =
      sentry.configured() || !metrics.urls.empty() || !watch.probes.empty() ||
      !watch.monitor_url.empty() || logs.configured();
  std::string detail;
  detail += !sentry.sink_listen.empty()
                ? "Sentry: the target's DSN points at golive's sink on " + sentry.sink_listen
                : sentry.api.configured()
                      ? "Sentry: events found through the Sentry API at " + sentry.api.url
                      : "Sentry: set observability.sentry.sink_listen (the address the target's DSN "
                        "points at) or observability.sentry.api";
  detail += logs.configured() ? "; logs: read from the configured source"
                              : "; logs: set observability.logs.file, .command or .drain_listen";
  detail += metrics.urls.empty() ? "; metrics: set observability.metrics.url"
                                 : "; metrics: " + std::to_string(metrics.urls.size()) +
                                       " endpoint(s) scraped before and after";
  detail += watch.monitor_url.empty() && watch.probes.empty()
                ? "; uptime: set observability.watch.monitor_url or observability.watch.probes"
                : "; uptime: " + (watch.monitor_url.empty() ? std::string("golive's own watch")
                                                           : watch.monitor_url);
  capability.detail = detail;
  return capability;
}

void run_observability_suite(const config::Environment& env, bool allow_production,
                             core::ResultSink& sink) {
  const MetricsSettings metrics = read_metrics_settings(env);
  const MonitoringConfig monitoring = read_monitoring_config(env);
  const LogSettings logs = read_log_settings(env);
  const WatchSettings watch = read_watch_settings(env);
  // Opened before anything is provoked, so the stage's lines are all seen.
  std::unique_ptr<LogSource> log_source;
  std::string log_source_error;
  if (logs.configured() && !(env.production && !allow_production)) {
    try {
      log_source = LogSource::open(logs);
    } catch (const std::exception& error) {
      log_source_error = error.what();
    }
  }
  MetricsScrape before;
  if (!metrics.urls.empty()) before = scrape_metrics(env, metrics);
  StageTraffic traffic;
  const SentryOutcome sentry = run_sentry_checks(env, allow_production, sink);
  traffic.ai_jobs = sentry.jobs_finished;
  if (metrics.urls.empty()) {
    for (const std::string& id : metrics_check_ids()) {
      core::CheckResult result;
      result.id = id;
      result.suite = "observability";
      result.title = id;
      result.status = core::CheckStatus::kSkip;
      result.severity = core::Severity::kInfo;
      result.message = "no observability.metrics.url: the target's metrics endpoint is not named";
      sink.record(result);
    }
  }
  MetricsScrape after;
  if (!metrics.urls.empty()) {
    traffic.requests = send_probe_requests(env, metrics.probe_requests);
    after = scrape_metrics(env, metrics);
    record_metrics_checks(metrics, before, after, traffic, sink);
  }
  // The rules' and panels' metric names are judged against what the target exports.
  const MetricExposition* exported =
      !metrics.urls.empty() && after.error.empty() ? &after.summed : nullptr;
  // The failed payment, once, for the Sentry and the log checks; sent while
  // the sink listens (the embedded run's, or one of the stage's own).
  const bool production_refused = env.production && !allow_production;
  const SentrySettings sentry_settings = read_sentry_settings(env);
  std::unique_ptr<SentrySink> own_sink;
  SentrySink* sentry_sink = nullptr;
  std::string why_no_sink;
  if (!sentry_settings.sink_listen.empty() && !production_refused) {
    try {
      sentry_sink = &SentrySink::running_or_start(sentry_settings.sink_listen,
                                                  sentry_key_from_dsn(sentry_settings.dsn), own_sink);
    } catch (const std::exception& error) {
      why_no_sink = std::string(error.what()) + " (observability.sentry.sink_listen)";
    }
  }
  ProvokedPayment payment;
  if (production_refused) {
    payment.error = "production environment: provoking a failed payment needs --allow-production";
  } else if (sentry_settings.configured() || logs.configured()) {
    payment = send_payment_failed(env);
  }
  run_sentry_payment_check(env, sentry_settings, sentry_sink, why_no_sink, payment, sink);
  run_alert_rule_checks(env, monitoring, metrics, exported, sink);
  run_alertmanager_checks(monitoring, sink);
  run_dashboard_checks(monitoring, metrics, exported, sink);
  const bool logs_refused = production_refused && logs.configured();
  if (logs_refused || !log_source_error.empty()) {
    for (const std::string& id : log_check_ids()) {
      core::CheckResult result;
      result.id = id;
      result.suite = "observability";
      result.title = id;
      result.status = logs_refused ? core::CheckStatus::kSkip : core::CheckStatus::kError;
      result.severity = core::Severity::kInfo;
      result.message = logs_refused
                           ? "production environment: provoking a failed payment needs --allow-production"
                           : "the log source cannot be opened: " + log_source_error;
      sink.record(result);
    }
  } else {
    run_log_checks(env, logs, log_source.get(), sentry.job_id, payment, sink);
  }
  remove_provoked_payment(env, payment);
  run_uptime_checks(env, watch, sink);
}

}  // namespace golive::observability
