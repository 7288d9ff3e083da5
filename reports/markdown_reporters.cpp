#include "reports/markdown_reporters.hpp"

#include <algorithm>

#include "reports/escaping.hpp"
#include "reports/text_format.hpp"

namespace golive::report {

namespace {

// Evidence ids listed per checklist row; the full list is in report.json.
constexpr std::size_t kMarkdownEvidenceIds = 8;
// Failing checks listed in the step summary.
constexpr std::size_t kSummaryFailedChecks = 10;

const char* status_mark(ChecklistStatus status) {
  switch (status) {
    case ChecklistStatus::kVerifiedPass:
      return "✅";
    case ChecklistStatus::kVerifiedFail:
      return "❌";
    case ChecklistStatus::kNotVerified:
      return "⚠️";
    case ChecklistStatus::kNotVerifiable:
      return "➖";
  }
  return "⚠️";
}

const char* pass_mark(bool pass) {
  return pass ? "✅ met" : "❌ not met";
}

std::string run_line(const RunInfo& run) {
  std::string line = "Run " + markdown_code(run.id);
  if (!run.env.empty()) line += " on environment **" + markdown_cell(run.env) + "**";
  if (!run.started_at.empty()) line += ", started " + markdown_cell(run.started_at);
  line += run.ended_at.empty() ? ", no end recorded" : ", ended " + markdown_cell(run.ended_at);
  if (!run.golive_version.empty()) line += " (golive " + markdown_cell(run.golive_version) + ")";
  line += ".\n\n";
  const std::string release = release_line(run);
  if (!release.empty()) line += "Under test: " + markdown_cell(release) + ".\n\n";
  return line;
}

std::string partial_note(const RunInfo& run) {
  if (!run.partial()) return "";
  std::string note = "> ⚠️ **Interrupted run: results are partial.** ";
  note += run.has_run_end ? "The run recorded that it was interrupted. "
                          : "The result stream has no `run_end` record. ";
  note += "Checks that had not finished are missing";
  if (run.truncated_tail) note += ", and the last result line was cut mid-write";
  return note + ".\n\n";
}

std::string verdict_line(const ReportModel& model) {
  std::string line = "Gate verdict: **" + markdown_cell(gate_summary(model)) + "**";
  if (model.run.strict) line += " (strict gate)";
  if (!model.verdict_reasons.empty()) {
    line += " (";
    for (std::size_t i = 0; i < model.verdict_reasons.size(); ++i) {
      line += (i > 0 ? "; " : "") + markdown_cell(model.verdict_reasons[i]);
    }
    line += ")";
  }
  return line + ".\n\n";
}

std::string evidence_cell(const ChecklistEntry& entry) {
  if (entry.evidence_ids.empty()) return "";
  // Failing ids first: they are what a reader needs to chase.
  std::vector<std::string> ordered = entry.failing_ids;
  for (const auto& id : entry.evidence_ids) {
    if (!std::binary_search(entry.failing_ids.begin(), entry.failing_ids.end(), id))
      ordered.push_back(id);
  }
  std::string cell;
  std::size_t shown = std::min(ordered.size(), kMarkdownEvidenceIds);
  for (std::size_t i = 0; i < shown; ++i) {
    bool failing = i < entry.failing_ids.size();
    cell += (i > 0 ? ", " : "") + std::string(failing ? "❌ " : "") + markdown_code(ordered[i]);
  }
  if (shown < ordered.size()) {
    cell += " and " + std::to_string(ordered.size() - shown) + " more (see report.json)";
  }
  return cell;
}

std::string ms(double value) {
  return present(value) ? format_number(value, 2) + " ms" : "n/a";
}

}  // namespace

std::string render_checklist_markdown(const ReportModel& model) {
  const auto& k = model.checklist_counts;
  std::string md = "# Go-live checklist\n\n" + run_line(model.run) + partial_note(model.run) +
                   verdict_line(model);
  md += "| Status | Items |\n|---|---:|\n";
  md += "| ✅ verified-pass | " + std::to_string(k.verified_pass) + " |\n";
  md += "| ❌ verified-fail | " + std::to_string(k.verified_fail) + " |\n";
  md += "| ⚠️ not-verified (no passing evidence in this run) | " +
        std::to_string(k.not_verified - k.awaiting) + " |\n";
  md += "| ⏳ not-verified, awaiting a check golive does not have yet | " +
        std::to_string(k.awaiting) + " |\n";
  md += "| ➖ not-verifiable-by-golive | " + std::to_string(k.not_verifiable) + " |\n";
  md += "| **total** | **" + std::to_string(k.total()) + "** |\n\n";
  md +=
      "An item is verified-pass when at least one check evidencing it passed and none failed, "
      "verified-fail when one failed, not-verified when this run produced no passing evidence for "
      "it (or the claim also needs a check golive does not have yet: the note names it), "
      "and not-verifiable-by-golive when it needs something golive cannot see (the reason is "
      "given). "
      "Evidence patterns live in `reports/checklist.json` and match check ids the suites declare "
      "(`run/check_registry.hpp`).\n";

  std::string current_source;
  for (const auto& entry : model.checklist) {
    if (entry.item.source != current_source) {
      current_source = entry.item.source;
      md += "\n## " + markdown_cell(current_source) + "\n\n";
      md += "| Status | Item | Requirement | Evidence (check ids) | Why |\n|---|---|---|---|---|\n";
    }
    const bool awaiting = entry.status == ChecklistStatus::kNotVerified && !entry.item.awaiting.empty();
    md += "| " + std::string(awaiting ? "⏳" : status_mark(entry.status)) + " " +
          to_string(entry.status) + " | " +
          markdown_code(entry.item.id) + " | " + markdown_cell(entry.item.text) + " | " +
          evidence_cell(entry) + " | " + markdown_cell(entry.note) + " |\n";
  }
  return md;
}

std::string render_sla_markdown(const ReportModel& model) {
  std::string md = "# SLA report\n\n" + run_line(model.run) + partial_note(model.run);
  if (model.load.empty() && !model.sla.present) {
    return md +
           "No load stage in this run: availability, error budget and latency SLOs were not "
           "measured.\n";
  }
  const auto& sla = model.sla;
  md += "## Availability\n\n";
  if (!sla.present) {
    md += "The load stage recorded no SLA summary.\n\n";
  } else {
    bool met = present(sla.availability) && present(sla.target) && sla.availability >= sla.target;
    md += "| Measure | Observed | Target | Verdict |\n|---|---:|---:|---|\n";
    md += "| Availability | " + format_ratio_percent(sla.availability) + " | " +
          format_ratio_percent(sla.target) + " | " + pass_mark(met) + " |\n";
    md +=
        "| Error budget consumed | " + format_number(sla.error_budget_consumed_pct, 1) +
        "% | 100% | " +
        pass_mark(present(sla.error_budget_consumed_pct) && sla.error_budget_consumed_pct <= 100) +
        " |\n\n";
    md += "## Latency against SLOs\n\n";
    if (sla.slos.empty()) {
      md += "No SLOs were recorded.\n\n";
    } else {
      md += "| SLO | Scenario | Objective | Observed | Verdict |\n|---|---|---:|---:|---|\n";
      for (const auto& slo : sla.slos) {
        std::string unit = slo.unit.empty() ? "" : " " + slo.unit;
        md += "| " + markdown_cell(slo.name) + " | " +
              markdown_cell(slo.scenario.empty() ? "all" : slo.scenario) + " | " +
              format_number(slo.objective, 3) + markdown_cell(unit) + " | " +
              format_number(slo.observed, 3) + markdown_cell(unit) + " | " + pass_mark(slo.pass) +
              " |\n";
      }
      md += "\n";
    }
  }
  md += "## Throughput and latency per scenario\n\n";
  if (model.load.empty()) return md + "No load scenario recorded a summary.\n";
  md +=
      "| Scenario | Requests | Errors | Error rate | Throughput (req/s) | p50 | p90 | p95 | p99 | "
      "p99.9 | max | "
      "Thresholds |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n";
  for (const auto& scenario : model.load) {
    std::size_t failed = 0;
    for (const auto& threshold : scenario.thresholds) failed += threshold.pass ? 0 : 1;
    std::string thresholds = scenario.thresholds.empty()
                                 ? "none"
                                 : std::to_string(scenario.thresholds.size() - failed) + "/" +
                                       std::to_string(scenario.thresholds.size()) + " passed";
    const auto& l = scenario.latency;
    md += "| " + markdown_code(scenario.name) + " | " +
          format_count(static_cast<double>(scenario.requests)) + " | " +
          format_count(static_cast<double>(scenario.error_total())) + " | " +
          format_ratio_percent(scenario.error_ratio()) + " | " +
          format_number(scenario.throughput_rps, 1) + " | " + ms(l.p50) + " | " + ms(l.p90) +
          " | " + ms(l.p95) + " | " + ms(l.p99) + " | " + ms(l.p99_9) + " | " + ms(l.max) + " | " +
          thresholds + " |\n";
  }
  for (const auto& scenario : model.load) {
    for (const auto& threshold : scenario.thresholds) {
      if (threshold.pass) continue;
      md += "\n- ❌ " + markdown_code(scenario.name) + ": threshold " +
            markdown_code(threshold.expression) + " failed (observed " +
            markdown_cell(scalar_text(threshold.observed)) + ")" +
            (threshold.message.empty() ? "" : ": " + markdown_cell(threshold.message));
    }
  }
  return md + "\n";
}

// "Surface coverage: API endpoints 12/40 exercised (30.0%), tables 19/19
// probed (100.0%), checklist items 31/84 verifiable verified (36.9%)."
static std::string surface_coverage_line(const ReportModel& model) {
  auto part = [](const std::string& what, const CoverageMeasure& done, const CoverageMeasure& all,
                 const std::string& verb) {
    if (!done.known && !all.known) return std::string();
    std::string text = what + " " + std::to_string(done.count) + "/" +
                       (all.known ? std::to_string(all.count) : std::string("?")) + " " + verb;
    if (all.known && all.count > 0) {
      text += " (" +
              format_ratio_percent(static_cast<double>(done.count) / static_cast<double>(all.count), 1) +
              ")";
    }
    return text + ", ";
  };
  const auto& coverage = model.coverage;
  std::string line = "Surface coverage: " +
                     part("API endpoints", coverage.endpoints_exercised, coverage.endpoints_declared,
                          "exercised") +
                     part("tables", coverage.tables_probed, coverage.tables_present, "probed");
  const auto& k = model.checklist_counts;
  const std::size_t verifiable = k.total() - k.not_verifiable;
  line += "checklist items " + std::to_string(k.verified()) + "/" + std::to_string(verifiable) +
          " verifiable verified";
  if (verifiable > 0) {
    line += " (" +
            format_ratio_percent(static_cast<double>(k.verified()) / static_cast<double>(verifiable), 1) +
            ")";
  }
  return line + ".\n\n";
}

std::string render_step_summary(const ReportModel& model) {
  bool pass = model.verdict == Verdict::kPass;
  const auto& c = model.counts;
  std::string md = std::string("### golive go-live gate: ") + (pass ? "✅ " : "❌ ") +
                   markdown_cell(gate_summary(model)) + "\n\n";
  const std::string release = release_line(model.run);
  if (!release.empty()) md += "Under test: " + markdown_cell(release) + ".\n\n";
  md += "Run " + markdown_code(model.run.id) +
        (model.run.env.empty() ? "" : " on " + markdown_code(model.run.env)) + ": " +
        std::to_string(c.total()) + " checks, " + std::to_string(c.pass) + " passed, " +
        std::to_string(c.fail) + " failed, " + std::to_string(c.error) + " errored, " +
        std::to_string(c.skip) + " skipped.\n\n";
  md += partial_note(model.run);
  if (!model.verdict_reasons.empty()) {
    md += "**Why the gate failed**\n\n";
    for (const auto& reason : model.verdict_reasons) md += "- " + markdown_cell(reason) + "\n";
    md += "\n";
  }
  auto failed = model.failed_checks();
  if (!failed.empty()) {
    md += "| Failing check | Severity | Message |\n|---|---|---|\n";
    for (std::size_t i = 0; i < failed.size() && i < kSummaryFailedChecks; ++i) {
      const auto& check = model.checks[failed[i]];
      std::string message = check.message;
      if (const WaiverUse* use = model.waiver_of(failed[i])) {
        message = (use->expired ? "waiver expired " : "waived until ") + use->waiver.expires + " (owner " +
                  use->waiver.owner + "): " + message;
      }
      md += "| " + markdown_code(check.id) + " | " + core::to_string(check.severity) + " | " +
            markdown_cell(truncate_utf8(message, 200)) + " |\n";
    }
    if (failed.size() > kSummaryFailedChecks) {
      md += "\n…and " + std::to_string(failed.size() - kSummaryFailedChecks) +
            " more in index.html.\n";
    }
    md += "\n";
  }
  const auto& k = model.checklist_counts;
  md += "Checklist: " + std::to_string(k.verified_pass) + " verified-pass, " +
        std::to_string(k.verified_fail) + " verified-fail, " + std::to_string(k.not_verified) +
        " not verified" +
        (k.awaiting > 0 ? " (" + std::to_string(k.awaiting) + " awaiting checks golive does not have yet)"
                        : std::string()) +
        ", " + std::to_string(k.not_verifiable) + " not verifiable by golive (of " +
        std::to_string(k.total()) + ").\n\n";
  md += surface_coverage_line(model);
  for (const auto& scenario : model.load) {
    md += "- Load " + markdown_code(scenario.name) + ": " +
          format_number(scenario.throughput_rps, 1) + " req/s, p95 " + ms(scenario.latency.p95) +
          ", p99 " + ms(scenario.latency.p99) + ", errors " +
          format_ratio_percent(scenario.error_ratio()) +
          (scenario.partial ? " (partial: " + format_number(scenario.measured_s, 1) + " s measured before golive stopped)"
                            : std::string()) +
          "\n";
  }
  if (!model.load.empty()) md += "\n";
  md +=
      "Full report: `index.html` (with `report.json`, `junit.xml`, `checklist.md`, `sla.md`) in "
      "the run's output "
      "directory.\n";
  return md;
}

}  // namespace golive::report
