#include "reports/json_reporter.hpp"

#include <cmath>

namespace golive::report {

namespace {

using nlohmann::json;

json number_or_null(double value) {
  return present(value) ? json(value) : json(nullptr);
}

// Sums of float durations pick up binary noise (8.299999999999999); a
// microsecond is finer than any duration golive measures.
double round_to_microseconds(double milliseconds) {
  return std::round(milliseconds * 1000.0) / 1000.0;
}

json counts_json(const StatusCounts& counts) {
  return {{"pass", counts.pass},
          {"fail", counts.fail},
          {"error", counts.error},
          {"skip", counts.skip},
          {"waived", counts.waived},
          {"total", counts.total()}};
}

json run_json(const RunInfo& run) {
  return {{"id", run.id},
          {"env", run.env},
          {"started_at", run.started_at},
          {"ended_at", run.ended_at.empty() ? json(nullptr) : json(run.ended_at)},
          {"golive_version", run.golive_version},
          {"suites", run.suites},
          {"complete", !run.partial()},
          {"interrupted", run.partial()},
          {"truncated_tail", run.truncated_tail},
          {"release", {{"version", run.release.empty() ? json(nullptr) : json(run.release)},
                       {"source", run.release_source.empty() ? json(nullptr)
                                                             : json(run.release_source)}}},
          {"env_sha256", run.env_sha256.empty() ? json(nullptr) : json(run.env_sha256)},
          {"strict", run.strict},
          {"fail_on", core::to_string(run.fail_on)}};
}

json summary_json(const ReportModel& model) {
  json by_suite = json::object();
  for (const auto& suite : model.suites) {
    json entry = counts_json(suite.counts);
    entry["duration_ms"] = round_to_microseconds(suite.duration_ms);
    entry["planned"] = suite.planned;
    by_suite[suite.name] = std::move(entry);
  }
  json summary = counts_json(model.counts);
  summary["verdict"] = to_string(model.verdict);
  summary["verdict_reasons"] = model.verdict_reasons;
  summary["gate"] = gate_summary(model);
  summary["by_suite"] = std::move(by_suite);
  summary["failed_thresholds"] = model.failed_thresholds();
  summary["checklist"] = {{"verified_pass", model.checklist_counts.verified_pass},
                          {"verified_fail", model.checklist_counts.verified_fail},
                          {"not_verified", model.checklist_counts.not_verified},
                          {"not_verifiable", model.checklist_counts.not_verifiable},
                          {"awaiting", model.checklist_counts.awaiting},
                          {"total", model.checklist_counts.total()}};
  return summary;
}

json latency_json(const LatencyPercentiles& latency) {
  return {{"p50", number_or_null(latency.p50)},     {"p90", number_or_null(latency.p90)},
          {"p95", number_or_null(latency.p95)},     {"p99", number_or_null(latency.p99)},
          {"p99_9", number_or_null(latency.p99_9)}, {"max", number_or_null(latency.max)}};
}

json scenario_json(const LoadScenario& scenario) {
  json thresholds = json::array();
  for (const auto& threshold : scenario.thresholds) {
    thresholds.push_back({{"expression", threshold.expression},
                          {"scope", threshold.scope},
                          {"observed", threshold.observed},
                          {"pass", threshold.pass},
                          {"message", threshold.message}});
  }
  json timeseries = json::array();
  for (const auto& point : scenario.timeseries) {
    timeseries.push_back({{"t", point.t_s},
                          {"rps", number_or_null(point.rps)},
                          {"errors", number_or_null(point.errors)},
                          {"p50_ms", number_or_null(point.p50_ms)},
                          {"p95_ms", number_or_null(point.p95_ms)},
                          {"p99_ms", number_or_null(point.p99_ms)},
                          {"active_vus", number_or_null(point.active_vus)}});
  }
  json histogram = json::array();
  for (const auto& bucket : scenario.histogram) {
    histogram.push_back({{"le_ms", bucket.le_ms}, {"count", bucket.count}});
  }
  json out = {{"requests", scenario.requests},
          {"errors", scenario.errors},
          {"error_total", scenario.error_total()},
          {"error_ratio", scenario.error_ratio()},
          {"throughput_rps", number_or_null(scenario.throughput_rps)},
          {"latency_ms", latency_json(scenario.latency)},
          {"thresholds", std::move(thresholds)},
          {"timeseries", std::move(timeseries)},
          {"histogram", std::move(histogram)}};
  if (!scenario.capacity.is_null()) out["capacity"] = scenario.capacity;
  // Streams written before the slowest requests were kept render as before.
  if (!scenario.slowest.empty()) {
    json slowest = json::array();
    for (const auto& row : scenario.slowest) {
      slowest.push_back({{"latency_ms", number_or_null(row.latency_ms)},
                         {"completed_unix_ms", row.completed_unix_ms},
                         {"step", row.step},
                         {"method", row.method},
                         {"url", row.url},
                         {"status", row.status},
                         {"error", row.error},
                         {"request_id", row.request_id},
                         {"trace_id", row.trace_id},
                         {"timing_ms",
                          {{"total", number_or_null(row.total_ms)},
                           {"connect", number_or_null(row.connect_ms)},
                           {"tls_handshake", number_or_null(row.tls_handshake_ms)},
                           {"first_byte", number_or_null(row.first_byte_ms)}}}});
    }
    out["slowest_requests"] = std::move(slowest);
  }
  // Only a killed run's scenarios carry these, so finished runs render as before.
  if (scenario.partial) {
    out["partial"] = true;
    out["measured_s"] = number_or_null(scenario.measured_s);
  }
  return out;
}

json sla_json(const SlaReport& sla) {
  if (!sla.present) return nullptr;
  json slos = json::array();
  for (const auto& slo : sla.slos) {
    slos.push_back({{"name", slo.name},
                    {"scenario", slo.scenario},
                    {"objective", number_or_null(slo.objective)},
                    {"observed", number_or_null(slo.observed)},
                    {"unit", slo.unit},
                    {"pass", slo.pass}});
  }
  return {{"availability", number_or_null(sla.availability)},
          {"target", number_or_null(sla.target)},
          {"error_budget_consumed_pct", number_or_null(sla.error_budget_consumed_pct)},
          {"slos", std::move(slos)}};
}

json measure_json(const CoverageMeasure& measure) {
  if (!measure.known) return nullptr;
  return {{"count", measure.count}, {"names", measure.names}};
}

// Items declared but not covered; null when either side is only a count.
json missing_names(const CoverageMeasure& done, const CoverageMeasure& all) {
  auto missing = uncovered_names(done, all);
  return missing ? json(*missing) : json(nullptr);
}

json coverage_json(const ReportModel& model) {
  const auto& coverage = model.coverage;
  json out = {
      {"checklist",
       {{"verified", model.checklist_counts.verified()},
        {"verifiable", model.checklist_counts.total() - model.checklist_counts.not_verifiable},
        {"total", model.checklist_counts.total()}}}};
  if (!coverage.present) return out;
  out["endpoints"] = {
      {"exercised", measure_json(coverage.endpoints_exercised)},
      {"declared", measure_json(coverage.endpoints_declared)},
      {"not_exercised", missing_names(coverage.endpoints_exercised, coverage.endpoints_declared)}};
  out["tables"] = {{"probed", measure_json(coverage.tables_probed)},
                   {"present", measure_json(coverage.tables_present)},
                   {"not_probed", missing_names(coverage.tables_probed, coverage.tables_present)}};
  return out;
}

json checklist_json(const ReportModel& model) {
  json items = json::array();
  for (const auto& entry : model.checklist) {
    json item = {{"id", entry.item.id},
                 {"source", entry.item.source},
                 {"text", entry.item.text},
                 {"status", to_string(entry.status)},
                 {"evidence", entry.evidence_ids},
                 {"failing", entry.failing_ids},
                 {"note", entry.note}};
    if (entry.item.verifiable()) {
      item["patterns"] = entry.item.evidence;
      if (!entry.item.awaiting.empty()) item["awaiting"] = entry.item.awaiting;
    } else {
      item["reason"] = entry.item.not_verifiable;
    }
    items.push_back(std::move(item));
  }
  return items;
}

}  // namespace

nlohmann::json report_json(const ReportModel& model) {
  json checks = json::array();
  for (std::size_t i = 0; i < model.checks.size(); ++i) {
    json entry = core::to_json(model.checks[i]);
    if (const WaiverUse* use = model.waiver_of(i)) {
      entry["waiver"] = {{"subject", use->waiver.subject()}, {"reason", use->waiver.reason},
                         {"owner", use->waiver.owner}, {"expires", use->waiver.expires},
                         {"expired", use->expired}, {"source", model.waivers.source}};
    }
    checks.push_back(std::move(entry));
  }
  json load = json::object();
  for (const auto& scenario : model.load) load[scenario.name] = scenario_json(scenario);
  return {{"format_version", kReportFormatVersion},
          {"run", run_json(model.run)},
          {"summary", summary_json(model)},
          {"checks", std::move(checks)},
          {"load", std::move(load)},
          {"sla", sla_json(model.sla)},
          {"surface_coverage", coverage_json(model)},
          {"checklist", checklist_json(model)}};
}

std::string render_report_json(const ReportModel& model) {
  return report_json(model).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace golive::report
