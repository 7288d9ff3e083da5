#include "reports/report_model.hpp"

#include <algorithm>
#include <tuple>

#include "core/input_error.hpp"

namespace golive::report {

namespace {

using core::JsonReader;

double number_or_missing(const JsonReader& reader, const std::string& key) {
  if (!reader.has(key) || reader.value().at(key).is_null()) return kMissing;
  return reader.at(key).as_number();
}

std::uint64_t count_or_zero(const JsonReader& reader, const std::string& key) {
  if (!reader.has(key)) return 0;
  double value = reader.at(key).as_number();
  if (value < 0) reader.at(key).fail("a count must not be negative");
  return static_cast<std::uint64_t>(value);
}

std::vector<std::string> string_list(const JsonReader& reader, const std::string& key) {
  std::vector<std::string> out;
  if (!reader.has(key)) return out;
  auto list = reader.at(key);
  for (std::size_t i = 0; i < list.as_array().size(); ++i) out.push_back(list.at(i).as_string());
  return out;
}

void read_run_start(const JsonReader& record, RunInfo& run) {
  run.has_run_start = true;
  run.id = record.string_or("run_id", run.id);
  run.env = record.string_or("env", run.env);
  run.started_at = record.string_or("started_at", run.started_at);
  run.golive_version = record.string_or("golive_version", run.golive_version);
  run.suites = string_list(record, "suites");
  if (record.has("release")) {
    auto release = record.at("release");
    run.release = release.string_or("version", "");
    run.release_source = release.string_or("source", "");
  }
  if (record.has("environment")) run.env_sha256 = record.at("environment").string_or("sha256", "");
  if (record.has("gate")) {
    auto gate = record.at("gate");
    run.strict = gate.bool_or("strict", false);
    const std::string fail_on = gate.string_or("fail_on", "info");
    const auto severity = core::parse_severity(fail_on);
    if (!severity) gate.at("fail_on").fail("expected info, low, medium, high or critical");
    run.fail_on = *severity;
  }
  std::sort(run.suites.begin(), run.suites.end());
  run.suites.erase(std::unique(run.suites.begin(), run.suites.end()), run.suites.end());
}

void read_run_end(const JsonReader& record, RunInfo& run) {
  run.has_run_end = true;
  run.ended_at = record.string_or("ended_at", run.ended_at);
  run.interrupted_flag = record.bool_or("interrupted", false);
}

TimeseriesPoint read_timeseries_point(const JsonReader& item) {
  TimeseriesPoint point;
  point.t_s = item.at("t").as_number();
  point.rps = number_or_missing(item, "rps");
  point.errors = number_or_missing(item, "errors");
  point.p50_ms = number_or_missing(item, "p50_ms");
  point.p95_ms = number_or_missing(item, "p95_ms");
  point.p99_ms = number_or_missing(item, "p99_ms");
  point.active_vus = number_or_missing(item, "active_vus");
  return point;
}

LoadScenario read_load_summary(const JsonReader& record) {
  LoadScenario scenario;
  scenario.name = record.at("scenario").as_string();
  scenario.requests = count_or_zero(record, "requests");
  if (record.has("errors")) {
    auto errors = record.at("errors");
    for (const auto& item : errors.as_object().items()) {
      scenario.errors[item.key()] = count_or_zero(errors, item.key());
    }
  }
  scenario.throughput_rps = number_or_missing(record, "throughput_rps");
  if (record.has("latency_ms")) {
    auto latency = record.at("latency_ms");
    latency.as_object();
    scenario.latency.p50 = number_or_missing(latency, "p50");
    scenario.latency.p90 = number_or_missing(latency, "p90");
    scenario.latency.p95 = number_or_missing(latency, "p95");
    scenario.latency.p99 = number_or_missing(latency, "p99");
    scenario.latency.p99_9 = number_or_missing(latency, "p99_9");
    scenario.latency.max = number_or_missing(latency, "max");
  }
  if (record.has("thresholds")) {
    auto list = record.at("thresholds");
    for (std::size_t i = 0; i < list.as_array().size(); ++i) {
      auto item = list.at(i);
      ThresholdVerdict threshold;
      threshold.expression = item.at("expression").as_string();
      threshold.scope = item.string_or("scope", "scenario");
      if (item.has("observed")) threshold.observed = item.value().at("observed");
      threshold.pass = item.at("pass").as_bool();
      threshold.message = item.string_or("message", "");
      scenario.thresholds.push_back(std::move(threshold));
    }
  }
  if (record.has("timeseries")) {
    auto list = record.at("timeseries");
    for (std::size_t i = 0; i < list.as_array().size(); ++i) {
      scenario.timeseries.push_back(read_timeseries_point(list.at(i)));
    }
    std::stable_sort(scenario.timeseries.begin(), scenario.timeseries.end(),
                     [](const auto& a, const auto& b) { return a.t_s < b.t_s; });
  }
  if (record.has("steps")) {
    auto list = record.at("steps");
    for (std::size_t i = 0; i < list.as_array().size(); ++i) {
      auto item = list.at(i);
      StepFigures step;
      step.name = item.at("step").as_string();
      step.requests = count_or_zero(item, "requests");
      step.errors = count_or_zero(item, "errors");
      if (item.has("latency_ms")) {
        auto latency = item.at("latency_ms");
        latency.as_object();
        step.latency.p50 = number_or_missing(latency, "p50");
        step.latency.p90 = number_or_missing(latency, "p90");
        step.latency.p95 = number_or_missing(latency, "p95");
        step.latency.p99 = number_or_missing(latency, "p99");
        step.latency.max = number_or_missing(latency, "max");
      }
      scenario.steps.push_back(std::move(step));
    }
  }
  if (record.has("capacity")) {
    record.at("capacity").as_object();
    scenario.capacity = record.at("capacity").value();
  }
  if (record.has("slowest_requests")) {
    auto list = record.at("slowest_requests");
    for (std::size_t i = 0; i < list.as_array().size(); ++i) {
      auto item = list.at(i);
      SlowRequestRow row;
      row.latency_ms = number_or_missing(item, "latency_ms");
      row.completed_unix_ms = item.has("completed_unix_ms") ? item.at("completed_unix_ms").as_integer() : 0;
      row.step = item.string_or("step", "");
      row.method = item.string_or("method", "");
      row.url = item.string_or("url", "");
      row.status = static_cast<int>(item.number_or("status", 0));
      row.error = item.string_or("error", "");
      row.request_id = item.string_or("request_id", "");
      row.trace_id = item.string_or("trace_id", "");
      if (item.has("timing_ms")) {
        auto timing = item.at("timing_ms");
        timing.as_object();
        row.total_ms = number_or_missing(timing, "total");
        row.connect_ms = number_or_missing(timing, "connect");
        row.tls_handshake_ms = number_or_missing(timing, "tls_handshake");
        row.first_byte_ms = number_or_missing(timing, "first_byte");
      }
      scenario.slowest.push_back(std::move(row));
    }
  }
  if (record.has("histogram")) {
    auto list = record.at("histogram");
    for (std::size_t i = 0; i < list.as_array().size(); ++i) {
      auto item = list.at(i);
      scenario.histogram.push_back({item.at("le_ms").as_number(), count_or_zero(item, "count")});
    }
    std::stable_sort(scenario.histogram.begin(), scenario.histogram.end(),
                     [](const auto& a, const auto& b) { return a.le_ms < b.le_ms; });
  }
  return scenario;
}

SlaReport read_sla(const JsonReader& record) {
  SlaReport sla;
  sla.present = true;
  sla.availability = number_or_missing(record, "availability");
  sla.target = number_or_missing(record, "target");
  sla.error_budget_consumed_pct = number_or_missing(record, "error_budget_consumed_pct");
  if (record.has("slos")) {
    auto list = record.at("slos");
    for (std::size_t i = 0; i < list.as_array().size(); ++i) {
      auto item = list.at(i);
      SloVerdict slo;
      slo.name = item.at("name").as_string();
      slo.scenario = item.string_or("scenario", "");
      slo.objective = number_or_missing(item, "objective");
      slo.observed = number_or_missing(item, "observed");
      slo.unit = item.string_or("unit", "");
      slo.pass = item.at("pass").as_bool();
      sla.slos.push_back(std::move(slo));
    }
  }
  return sla;
}

// A surface given as a list of names or as a bare count; several records merge.
void merge_measure(const JsonReader& record, const std::string& key, CoverageMeasure& measure) {
  if (!record.has(key)) return;
  auto field = record.at(key);
  measure.known = true;
  if (field.value().is_array()) {
    for (std::size_t i = 0; i < field.as_array().size(); ++i)
      measure.names.insert(field.at(i).as_string());
    measure.count = std::max(measure.count, measure.names.size());
  } else {
    double value = field.as_number();
    if (value < 0) field.fail("a count must not be negative");
    measure.count = std::max(measure.count, static_cast<std::size_t>(value));
  }
}

void read_surface_coverage(const JsonReader& record, SurfaceCoverage& coverage) {
  coverage.present = true;
  merge_measure(record, "endpoints_exercised", coverage.endpoints_exercised);
  merge_measure(record, "endpoints_declared", coverage.endpoints_declared);
  merge_measure(record, "tables_probed", coverage.tables_probed);
  merge_measure(record, "tables_present", coverage.tables_present);
  if (record.has("endpoints_not_exercised")) {
    auto list = record.at("endpoints_not_exercised");
    coverage.not_exercised.clear();
    for (std::size_t i = 0; i < list.as_array().size(); ++i) {
      auto item = list.at(i);
      coverage.not_exercised.push_back({item.at("endpoint").as_string(), item.string_or("group", ""),
                                        item.string_or("method", ""), item.string_or("why", "")});
    }
    std::stable_sort(coverage.not_exercised.begin(), coverage.not_exercised.end(),
                     [](const UnexercisedEndpoint& a, const UnexercisedEndpoint& b) {
                       return std::tie(a.group, a.method, a.endpoint) < std::tie(b.group, b.method, b.endpoint);
                     });
  }
}

int severity_rank(core::Severity severity) {
  return static_cast<int>(severity);
}

void decide_verdict(ReportModel& model) {
  auto& reasons = model.verdict_reasons;
  auto checks = [](std::size_t n) { return std::to_string(n) + (n == 1 ? " check " : " checks "); };
  // Failures at or above the gate's severity (--fail-on), not waived.
  std::size_t failed = 0, errored = 0;
  for (std::size_t i = 0; i < model.checks.size(); ++i) {
    const auto& check = model.checks[i];
    if (!check.failed() || model.is_waived(i) || check.severity < model.run.fail_on) continue;
    (check.status == core::CheckStatus::kFail ? failed : errored) += 1;
  }
  const std::string below =
      model.run.fail_on == core::Severity::kInfo ? "" : " at or above " + std::string(core::to_string(model.run.fail_on));
  if (failed > 0) reasons.push_back(checks(failed) + "failed" + below);
  if (errored > 0) reasons.push_back(checks(errored) + "errored" + below);
  for (const auto& [index, use] : model.waived) {
    if (!use.expired || model.checks[index].severity < model.run.fail_on) continue;
    reasons.push_back(model.checks[index].id + ": its waiver (" + use.waiver.subject() + ") expired on " +
                      use.waiver.expires + "; owner " + use.waiver.owner);
  }
  for (const auto& scenario : model.load) {
    for (const auto& threshold : scenario.thresholds) {
      if (!threshold.pass) {
        reasons.push_back("load scenario " + scenario.name + ": threshold \"" +
                          threshold.expression + "\" failed");
      }
    }
  }
  for (const auto& slo : model.sla.slos) {
    if (!slo.pass) {
      reasons.push_back("SLO \"" + slo.name + "\"" +
                        (slo.scenario.empty() ? "" : " (" + slo.scenario + ")") + " not met");
    }
  }
  const std::size_t gaps = model.checklist_counts.not_verified - model.checklist_counts.awaiting;
  if (model.run.strict && gaps > 0) {
    std::string ids;
    std::size_t listed = 0;
    for (const auto& entry : model.checklist) {
      if (entry.status != ChecklistStatus::kNotVerified || !entry.item.awaiting.empty()) continue;
      if (listed++ < 5) ids += (ids.empty() ? "" : ", ") + entry.item.id;
    }
    if (listed > 5) ids += ", ...";
    reasons.push_back("strict gate: " + std::to_string(gaps) + " verifiable checklist item" +
                      (gaps == 1 ? " was" : "s were") +
                      " not verified (" + ids + ")");
  }
  if (model.run.partial()) reasons.push_back("the run was interrupted: results are partial");
  if (model.counts.total() == 0) reasons.push_back("no check ran");
  model.verdict = reasons.empty() ? Verdict::kPass : Verdict::kFail;
}

}  // namespace

void StatusCounts::add(core::CheckStatus status) {
  switch (status) {
    case core::CheckStatus::kPass:
      ++pass;
      break;
    case core::CheckStatus::kFail:
      ++fail;
      break;
    case core::CheckStatus::kError:
      ++error;
      break;
    case core::CheckStatus::kSkip:
      ++skip;
      break;
  }
}

std::string gate_summary(const ReportModel& model) {
  const auto& k = model.checklist_counts;
  std::string line = std::string(model.verdict == Verdict::kPass ? "PASS" : "FAIL") + ": " +
                     std::to_string(k.verified()) + " of " + std::to_string(k.total()) +
                     " items verified";
  if (k.verified_fail > 0) line += " (" + std::to_string(k.verified_fail) + " failing)";
  if (k.not_verified > k.awaiting) {
    line += ", " + std::to_string(k.not_verified - k.awaiting) + " not verified";
  }
  if (k.awaiting > 0) {
    line += ", " + std::to_string(k.awaiting) + " awaiting checks golive does not have yet";
  }
  if (k.not_verifiable > 0) {
    line += ", " + std::to_string(k.not_verifiable) + " not verifiable here";
  }
  if (k.not_verified + k.not_verifiable > 0) line += " (see why in checklist.md)";
  return line;
}

std::string release_line(const RunInfo& run) {
  if (run.release.empty() && run.env.empty() && run.env_sha256.empty()) return "";
  std::string line = run.release.empty()
                         ? "release unknown (set release.version_url or pass --release)"
                         : "release " + run.release;
  if (!run.release.empty() && !run.release_source.empty()) line += " (from " + run.release_source + ")";
  if (!run.env.empty()) line += " on " + run.env;
  if (!run.env_sha256.empty()) line += ", environment file sha256 " + run.env_sha256;
  return line;
}

const char* to_string(Verdict verdict) {
  return verdict == Verdict::kPass ? "pass" : "fail";
}

std::uint64_t LoadScenario::error_total() const {
  std::uint64_t total = 0;
  for (const auto& [category, count] : errors) total += count;
  return total;
}

double LoadScenario::error_ratio() const {
  return requests == 0 ? 0.0 : static_cast<double>(error_total()) / static_cast<double>(requests);
}

std::optional<std::vector<std::string>> uncovered_names(const CoverageMeasure& done,
                                                        const CoverageMeasure& all) {
  if (all.names.empty() || (done.names.empty() && done.count > 0)) return std::nullopt;
  std::vector<std::string> missing;
  for (const auto& name : all.names) {
    if (!done.names.contains(name)) missing.push_back(name);
  }
  return missing;
}

const WaiverUse* ReportModel::waiver_of(std::size_t index) const {
  auto it = waived.find(index);
  return it == waived.end() ? nullptr : &it->second;
}

bool ReportModel::is_waived(std::size_t index) const {
  const WaiverUse* use = waiver_of(index);
  return use != nullptr && !use->expired;
}

std::vector<std::size_t> ReportModel::failed_checks() const {
  std::vector<std::size_t> indices;
  for (std::size_t i = 0; i < checks.size(); ++i) {
    if (checks[i].failed()) indices.push_back(i);
  }
  // checks is already sorted by (suite, id); a stable sort by severity keeps that within a rank.
  std::stable_sort(indices.begin(), indices.end(), [&](std::size_t a, std::size_t b) {
    return severity_rank(checks[a].severity) > severity_rank(checks[b].severity);
  });
  return indices;
}

std::size_t ReportModel::failed_thresholds() const {
  std::size_t failed = 0;
  for (const auto& scenario : load) {
    for (const auto& threshold : scenario.thresholds) failed += threshold.pass ? 0 : 1;
  }
  return failed;
}

ReportModel build_report_model(const core::ResultStreamContents& stream,
                               const ChecklistDefinition& checklist,
                               const core::Redactor& redactor) {
  ReportModel model;
  model.run.truncated_tail = stream.truncated_tail;

  // Meta records, in stream order. The last load_summary per scenario and
  // the last sla record win; surface_coverage records merge.
  std::map<std::string, LoadScenario> scenarios;
  // A killed load run: its last checkpoint's summaries and SLA, and the
  // per-second lines, stand in for final records it never wrote.
  std::map<std::string, LoadScenario> checkpointed;
  std::map<std::string, std::map<double, TimeseriesPoint>> seconds;
  SlaReport checkpoint_sla;
  for (std::size_t i = 0; i < stream.meta.size(); ++i) {
    nlohmann::json record = redactor.redact(stream.meta[i]);
    std::string origin = "result stream meta record " + std::to_string(i + 1);
    JsonReader reader(record, origin);
    reader.as_object();
    std::string kind = reader.at("record").as_string();
    if (kind == "run_start") {
      read_run_start(reader, model.run);
    } else if (kind == "run_end") {
      read_run_end(reader, model.run);
    } else if (kind == "load_summary") {
      LoadScenario scenario = read_load_summary(reader);
      checkpointed.erase(scenario.name);
      seconds.erase(scenario.name);
      scenarios[scenario.name] = std::move(scenario);
    } else if (kind == "load_checkpoint") {
      const double measured_s = number_or_missing(reader, "elapsed_s");
      if (reader.has("summaries")) {
        auto list = reader.at("summaries");
        for (std::size_t s = 0; s < list.as_array().size(); ++s) {
          LoadScenario scenario = read_load_summary(list.at(s));
          scenario.partial = true;
          scenario.measured_s = measured_s;
          checkpointed[scenario.name] = std::move(scenario);
        }
      }
      if (reader.has("sla")) checkpoint_sla = read_sla(reader.at("sla"));
    } else if (kind == "load_second") {
      seconds[reader.at("scenario").as_string()][reader.at("t").as_number()] =
          read_timeseries_point(reader);
    } else if (kind == "sla") {
      model.sla = read_sla(reader);
    } else if (kind == "surface_coverage") {
      read_surface_coverage(reader, model.coverage);
    } else if (kind == "waivers") {
      model.waivers = core::waivers_from_record(record, origin);
    } else if (kind == "source_locations" && reader.has("tables")) {
      auto tables = reader.at("tables");
      for (const auto& item : tables.as_object().items()) {
        auto where = tables.at(item.key());
        model.object_locations[item.key()] = {where.at("file").as_string(),
                                              static_cast<int>(where.at("line").as_integer())};
      }
    }
    // Other kinds belong to other readers (e.g. raw load samples); skip them.
  }
  for (auto& [name, scenario] : checkpointed) {
    if (scenarios.contains(name)) continue;
    for (const auto& [t, point] : seconds[name]) scenario.timeseries.push_back(point);
    if (!model.sla.present && checkpoint_sla.present) model.sla = checkpoint_sla;
    scenarios[name] = std::move(scenario);
  }
  for (auto& [name, scenario] : scenarios) model.load.push_back(std::move(scenario));

  // Checks: a second redaction pass, then a stable order.
  model.checks.reserve(stream.checks.size());
  for (const auto& check : stream.checks) {
    core::CheckResult copy = check;
    copy.title = redactor.redact(copy.title);
    copy.message = redactor.redact(copy.message);
    copy.evidence = redactor.redact(copy.evidence);
    model.checks.push_back(std::move(copy));
  }
  std::stable_sort(model.checks.begin(), model.checks.end(),
                   [](const core::CheckResult& a, const core::CheckResult& b) {
                     return a.suite != b.suite ? a.suite < b.suite : a.id < b.id;
                   });

  std::map<std::string, SuiteSummary> suites;
  for (const auto& name : model.run.suites) {
    suites[name].name = name;
    suites[name].planned = true;
  }
  // Waivers hold through their expiry date, judged on the run's own date
  // (reporters read no clock).
  const std::string run_date = model.run.started_at.substr(0, std::min<std::size_t>(10, model.run.started_at.size()));
  for (std::size_t i = 0; i < model.checks.size(); ++i) {
    if (!model.checks[i].failed()) continue;
    if (const core::Waiver* waiver = model.waivers.find(model.checks[i])) {
      model.waived[i] = {*waiver, waiver->expired_on(run_date)};
    }
  }
  for (std::size_t i = 0; i < model.checks.size(); ++i) {
    const auto& check = model.checks[i];
    auto& suite = suites[check.suite];
    if (model.is_waived(i)) {
      ++model.counts.waived;
      ++suite.counts.waived;
    } else {
      model.counts.add(check.status);
      suite.counts.add(check.status);
    }
    suite.name = check.suite;
    suite.duration_ms += check.duration_ms;
    suite.checks.push_back(i);
  }
  for (auto& [name, suite] : suites) model.suites.push_back(std::move(suite));

  model.checklist = evaluate_checklist(checklist, model.checks);
  // A failing item whose every failing check is waived (or that a waiver
  // names) says so; its status stays what the checks show.
  for (auto& entry : model.checklist) {
    if (entry.status != ChecklistStatus::kVerifiedFail || entry.failing_ids.empty()) continue;
    const core::Waiver* covering = nullptr;
    bool all = true;
    for (const auto& id : entry.failing_ids) {
      bool waived_here = false;
      for (std::size_t i = 0; i < model.checks.size(); ++i) {
        if (model.checks[i].id != id || !model.is_waived(i)) continue;
        waived_here = true;
        covering = &model.waived.at(i).waiver;
      }
      all = all && waived_here;
    }
    if (all && covering != nullptr) {
      entry.note += std::string(entry.note.empty() ? "" : "; ") + "waived: " + covering->reason + " (owner " +
                    covering->owner + ", until " + covering->expires + ")";
    }
  }
  for (const auto& entry : model.checklist) {
    switch (entry.status) {
      case ChecklistStatus::kVerifiedPass:
        ++model.checklist_counts.verified_pass;
        break;
      case ChecklistStatus::kVerifiedFail:
        ++model.checklist_counts.verified_fail;
        break;
      case ChecklistStatus::kNotVerified:
        ++model.checklist_counts.not_verified;
        if (!entry.item.awaiting.empty()) ++model.checklist_counts.awaiting;
        break;
      case ChecklistStatus::kNotVerifiable:
        ++model.checklist_counts.not_verifiable;
        break;
    }
  }

  decide_verdict(model);
  return model;
}

ReportModel build_report_model(const core::ResultStreamContents& stream,
                               const RenderOptions& options) {
  const core::Redactor& redactor =
      options.redactor != nullptr ? *options.redactor : core::Redactor::global();
  if (options.checklist_path.empty())
    return build_report_model(stream, embedded_checklist(), redactor);
  return build_report_model(stream, load_checklist_file(options.checklist_path), redactor);
}

}  // namespace golive::report
