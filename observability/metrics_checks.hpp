// Prometheus metrics verified (seed 001 R5.1 "performance and business
// metrics", 000 §4's dashboard figures): golive scrapes the target's metrics
// endpoint before and after the observability stage's own traffic (the
// provoked AI job and `probe_requests` GETs of /health), sums the instances
// behind a load balancer, and checks:
//
//   observability.metrics.scrape    every URL answers 200 with text in the
//                                   exposition format (a parse error names the line)
//   observability.metrics.lint      `promtool check metrics` finds no problem
//                                   (Debian package prometheus; missing: error)
//   observability.metrics.required  each required metric is exported: request
//                                   counter, latency histogram, active AI jobs,
//                                   AI duration histogram, and a business metric
//                                   (MRR or subscription counts)
//   observability.metrics.moves     the request counter grew by at least the
//                                   requests golive sent, the AI duration
//                                   histogram's count by the jobs it ran
//
//   "observability": {"metrics": {
//      "url": "https://api.example.com/metrics",      (or a list: one per instance)
//      "token": "${METRICS_TOKEN}",                   (optional bearer token)
//      "required": {"requests_total": "http_requests_total", ...}}}
//
// Required names default to the reference target's (golive_http_requests_total,
// golive_http_request_duration_seconds, golive_ai_jobs_active,
// golive_ai_job_duration_seconds, business: golive_mrr_cents or golive_subscriptions).
#pragma once

#include <string>
#include <vector>

#include "config/environment.hpp"
#include "core/result_stream.hpp"
#include "observability/prometheus_text.hpp"

namespace golive::observability {

struct MetricsSettings {
  std::vector<std::string> urls;  // empty = off
  std::string token;
  std::string requests_total = "golive_http_requests_total";
  std::string request_duration = "golive_http_request_duration_seconds";
  std::string ai_jobs_active = "golive_ai_jobs_active";
  std::string ai_duration = "golive_ai_job_duration_seconds";
  std::vector<std::string> business = {"golive_mrr_cents", "golive_subscriptions"};  // any one
  int probe_requests = 20;  // GETs of the target's /health between the scrapes
};

// Reads observability.metrics; InputError (file + pointer) when malformed.
MetricsSettings read_metrics_settings(const config::Environment& env);

const std::vector<std::string>& metrics_check_ids();

// One scrape of every URL: the summed exposition, each instance's text, and
// why it failed ("" if it did not).
struct MetricsScrape {
  MetricExposition summed;
  std::vector<std::string> texts;
  std::string error;
  nlohmann::json reproduction;  // the failed scrape as curl (http::reproduction_of); null when none failed
};
MetricsScrape scrape_metrics(const config::Environment& env, const MetricsSettings& settings);

// The stage's traffic between the two scrapes, as golive counted it.
struct StageTraffic {
  int requests = 0;  // HTTP requests golive sent to the target
  int ai_jobs = 0;   // AI jobs that finished (their error event arrived)
};

// Records the four checks from the two scrapes.
void record_metrics_checks(const MetricsSettings& settings, const MetricsScrape& before,
                           const MetricsScrape& after, const StageTraffic& traffic,
                           core::ResultSink& sink);

// Sends `count` GETs of the target's /health; returns how many were sent.
int send_probe_requests(const config::Environment& env, int count);

// `promtool check metrics` on `text`: "" when clean, else its findings; sets
// `missing` when promtool is not installed.
std::string promtool_check_metrics(const std::string& text, bool& missing);

}  // namespace golive::observability
