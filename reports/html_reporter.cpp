#include "reports/html_reporter.hpp"

#include <algorithm>

#include "reports/escaping.hpp"
#include "reports/load_charts.hpp"
#include "reports/svg_chart.hpp"
#include "reports/text_format.hpp"

namespace golive::report {

namespace {

// Evidence ids shown inline per checklist row before the rest fold away.
constexpr std::size_t kInlineEvidenceIds = 6;

constexpr const char* kStyle = R"css(
:root{--pass:#1a7f37;--fail:#cf222e;--error:#a40e26;--skip:#6e7781;--warn:#9a6700;--line:#d0d7de;--muted:#57606a}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#1f2328;background:#f6f8fa}
main{max-width:1180px;margin:0 auto;padding:0 20px 40px}
h2{margin:32px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--line);font-size:20px}
h3{margin:18px 0 8px;font-size:16px}
code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre{background:#fff;border:1px solid var(--line);border-radius:6px;padding:8px 10px;overflow-x:auto;white-space:pre-wrap;word-break:break-word;max-height:420px}
table{border-collapse:collapse;width:100%;background:#fff;margin:6px 0 12px}
table.checklist{table-layout:fixed}table.checklist td{overflow-wrap:anywhere}
table.checklist col.status{width:205px}table.checklist col.item{width:20%}table.checklist col.evidence{width:27%}
td code{overflow-wrap:anywhere}
.shots{display:flex;flex-wrap:wrap;gap:12px}.shots figure{margin:0;background:#fff;border:1px solid var(--line);border-radius:6px;padding:6px}.shots figcaption{font-size:12px;max-width:240px;overflow-wrap:anywhere}img.shot{width:240px;height:auto;display:block;border:1px solid var(--line)}
th,td{border:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top}
th{background:#f0f3f6;font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.verdict{color:#fff;padding:22px 20px 18px}
.verdict.pass{background:var(--pass)}.verdict.fail{background:var(--fail)}
.verdict .inner{max-width:1180px;margin:0 auto}
.verdict-word{font-size:44px;font-weight:800;letter-spacing:.04em;line-height:1}
.verdict-sub{font-size:16px;margin-top:6px}
.verdict ul{margin:8px 0 0;padding-left:20px}
.run-meta{margin-top:10px;font-size:13px;opacity:.92}
.banner{margin:16px 0 0;padding:12px 14px;border-radius:6px;background:#fff8c5;border:1px solid #d4a72c;color:#4d2d00;font-weight:600}
.tiles{display:flex;flex-wrap:wrap;gap:10px;margin-top:16px}
.tile{background:#fff;border:1px solid var(--line);border-radius:6px;padding:8px 14px;min-width:110px}
.tile b{display:block;font-size:24px}
.tile.pass b{color:var(--pass)}.tile.fail b{color:var(--fail)}.tile.error b{color:var(--error)}.tile.skip b{color:var(--skip)}
nav{margin-top:14px;font-size:13px}nav a{margin-right:14px}
.badge{display:inline-block;padding:1px 7px;border-radius:10px;font-size:12px;font-weight:600;color:#fff;white-space:nowrap}
.badge.pass,.badge.verified-pass{background:var(--pass)}
.badge.fail,.badge.verified-fail{background:var(--fail)}
.badge.error{background:var(--error)}
.badge.skip,.badge.not-verifiable-by-golive,.badge.waived{background:var(--skip)}
.badge.not-verified{background:var(--warn)}
.check{background:#fff;border:1px solid var(--line);border-left:4px solid var(--fail);border-radius:6px;padding:8px 12px;margin:10px 0}
.check.error{border-left-color:var(--error)}
.check h3{margin:2px 0 4px;font-size:14px}
.muted{color:var(--muted)}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(480px,1fr));gap:12px}
.charts svg{width:100%;height:auto;border:1px solid var(--line);border-radius:6px;background:#fff}
details>summary{cursor:pointer}
details.suite{background:#fff;border:1px solid var(--line);border-radius:6px;padding:6px 10px;margin:8px 0}
details.suite>summary{font-weight:600}
footer{margin-top:36px;color:var(--muted);font-size:12px}
)css";

std::string esc(const std::string& text) {
  return html_escape(text);
}

std::string badge(const std::string& status) {
  return "<span class=\"badge " + esc(status) + "\">" + esc(status) + "</span>";
}

std::string run_meta_line(const RunInfo& run) {
  std::string line = "run <code>" + esc(run.id) + "</code>";
  if (!run.env.empty()) line += " · environment <b>" + esc(run.env) + "</b>";
  if (!run.started_at.empty()) line += " · started " + esc(run.started_at);
  line += run.ended_at.empty() ? " · <b>no end recorded</b>" : " · ended " + esc(run.ended_at);
  if (!run.golive_version.empty()) line += " · golive " + esc(run.golive_version);
  return line;
}

std::string verdict_header(const ReportModel& model) {
  bool pass = model.verdict == Verdict::kPass;
  std::string html = "<header class=\"verdict " + std::string(to_string(model.verdict)) +
                     "\"><div class=\"inner\">\n";
  html += "<div class=\"verdict-word\">" +
          std::string(pass ? "GO-LIVE GATE: PASS" : "GO-LIVE GATE: FAIL") + "</div>\n";
  html += "<div class=\"verdict-sub\"><b>" + esc(gate_summary(model)) + "</b>" +
          (model.run.strict ? " · strict gate" : "") + "</div>\n";
  const std::string release = release_line(model.run);
  if (!release.empty()) html += "<div class=\"verdict-sub\">Under test: " + esc(release) + "</div>\n";
  html += "<div class=\"verdict-sub\">" +
          std::string(
              pass ? "No check failed, every load threshold and SLO held, and the run completed."
                   : "The gate failed. Do not release until these are resolved:") +
          "</div>\n";
  if (!model.verdict_reasons.empty()) {
    html += "<ul>";
    for (const auto& reason : model.verdict_reasons) html += "<li>" + esc(reason) + "</li>";
    html += "</ul>\n";
  }
  html += "<div class=\"run-meta\">" + run_meta_line(model.run) + "</div>\n</div></header>\n";
  return html;
}

std::string partial_banner(const RunInfo& run) {
  if (!run.partial()) return "";
  std::string text = run.has_run_end
                         ? "This run was interrupted (run_end reports interrupted). "
                         : "This run was interrupted: the result stream has no run_end record. ";
  text +=
      "The results below are partial: checks that had not finished are missing, and the checklist "
      "may show items as not verified for that reason.";
  if (run.truncated_tail) text += " The last result line was cut mid-write and was ignored.";
  return "<div class=\"banner\" role=\"alert\">&#9888; " + esc(text) + "</div>\n";
}

std::string tile(const char* css, const std::string& label, std::size_t value) {
  return "<div class=\"tile " + std::string(css) + "\"><b>" + std::to_string(value) + "</b>" +
         esc(label) + "</div>";
}

std::string counts_tiles(const ReportModel& model) {
  const auto& c = model.counts;
  const auto& k = model.checklist_counts;
  std::string html = "<div class=\"tiles\">";
  html += tile("", "checks", c.total()) + tile("pass", "passed", c.pass) +
          tile("fail", "failed", c.fail) + tile("error", "errored", c.error) +
          tile("skip", "skipped", c.skip);
  if (c.waived > 0) html += tile("skip", "waived", c.waived);
  html += tile("pass", "checklist verified-pass", k.verified_pass) +
          tile("fail", "checklist verified-fail", k.verified_fail) +
          tile("skip", "checklist not verified", k.not_verified) +
          tile("skip", "not verifiable by golive", k.not_verifiable);
  html += "</div>\n";
  html +=
      "<nav><a href=\"#failed\">Failed checks</a><a href=\"#checklist\">Checklist</a><a "
      "href=\"#load\">Load</a>"
      "<a href=\"#sla\">SLA</a><a href=\"#coverage\">Coverage</a><a href=\"#checks\">All "
      "checks</a></nav>\n";
  return html;
}

std::string evidence_block(const core::CheckResult& check, std::size_t max_bytes) {
  std::string text = evidence_text(check.evidence, max_bytes);
  std::string reproduce = reproduction_text(check.evidence);
  return (reproduce.empty() ? "" : "<p>Reproduce:</p><pre class=\"reproduction\">" + esc(reproduce) + "</pre>") +
         (text.empty() ? "" : "<pre>" + esc(text) + "</pre>");
}

// A screenshot a browser check wrote into the run directory
// (evidence.screenshot, a bare file name such as "browser-landing.png"), or
// "" when the check has none or the name is not a plain .png file name.
std::string screenshot_of(const core::CheckResult& check) {
  const auto found = check.evidence.find("screenshot");
  if (found == check.evidence.end() || !found->is_string()) return "";
  const std::string name = found->get<std::string>();
  if (name.size() < 5 || name.compare(name.size() - 4, 4, ".png") != 0) return "";
  for (char c : name) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '-' || c == '_' || c == '.';
    if (!plain) return "";
  }
  return name;
}

std::string thumbnail(const std::string& file, const std::string& caption) {
  return "<figure><a href=\"" + esc(file) + "\"><img class=\"shot\" loading=\"lazy\" src=\"" + esc(file) +
         "\" alt=\"" + esc(caption) + "\"></a><figcaption>" + esc(caption) + "</figcaption></figure>";
}

// Every page the browser checks visited, one thumbnail each (linked to the
// full-size PNG); nothing when no check carries a screenshot.
std::string screenshots_section(const ReportModel& model) {
  std::vector<std::string> seen;
  std::string figures;
  for (const auto& check : model.checks) {
    const std::string file = screenshot_of(check);
    if (file.empty() || std::find(seen.begin(), seen.end(), file) != seen.end()) continue;
    seen.push_back(file);
    figures += thumbnail(file, check.evidence.value("url", file));
  }
  if (figures.empty()) return "";
  return "<h2 id=\"screenshots\">Screenshots (" + std::to_string(seen.size()) +
         ")</h2>\n<div class=\"shots\">" + figures + "</div>\n";
}

// "waived until 2026-12-31 by alice: reason" or "waiver EXPIRED on ...".
std::string waiver_line(const WaiverUse& use) {
  return std::string(use.expired ? "<p class=\"waiver\"><b>Waiver expired</b> on " : "<p class=\"waiver\"><b>Waived</b> until ") +
         esc(use.waiver.expires) + " (owner " + esc(use.waiver.owner) + ", " + esc(use.waiver.subject()) + "): " +
         esc(use.waiver.reason) + "</p>\n";
}

std::string failed_section(const ReportModel& model, const RenderOptions& options) {
  auto failed = model.failed_checks();
  std::string html =
      "<h2 id=\"failed\">Failed checks (" + std::to_string(failed.size()) + ")</h2>\n";
  if (failed.empty()) return html + "<p>No check failed or errored.</p>\n";
  for (std::size_t index : failed) {
    const auto& check = model.checks[index];
    std::string status = model.is_waived(index) ? "waived" : core::to_string(check.status);
    html += "<article class=\"check " + status + "\">\n<h3>" + badge(status) + " <code>" +
            esc(check.id) + "</code> <span class=\"muted\">" + esc(check.suite) + " · severity " +
            core::to_string(check.severity) + "</span></h3>\n";
    html += "<div>" + esc(check.title) + "</div>\n";
    if (!check.message.empty()) html += "<p><b>" + esc(check.message) + "</b></p>\n";
    if (const std::string file = screenshot_of(check); !file.empty()) {
      html += "<div class=\"shots\">" + thumbnail(file, file) + "</div>\n";
    }
    if (const WaiverUse* use = model.waiver_of(index)) html += waiver_line(*use);
    html += evidence_block(check, options.evidence_max_bytes) + "\n</article>\n";
  }
  return html;
}

std::string evidence_ids_cell(const ChecklistEntry& entry) {
  if (entry.evidence_ids.empty()) return "";
  auto code_list = [&](std::size_t from, std::size_t to) {
    std::string out;
    for (std::size_t i = from; i < to; ++i) {
      const auto& id = entry.evidence_ids[i];
      bool failing = std::binary_search(entry.failing_ids.begin(), entry.failing_ids.end(), id);
      out += (i == from ? "" : " ") +
             std::string(failing ? "<code style=\"color:var(--fail)\">" : "<code>") + esc(id) +
             "</code>";
    }
    return out;
  };
  std::size_t shown = std::min(entry.evidence_ids.size(), kInlineEvidenceIds);
  std::string html = code_list(0, shown);
  if (shown < entry.evidence_ids.size()) {
    html += "<details><summary>" + std::to_string(entry.evidence_ids.size() - shown) +
            " more</summary>" + code_list(shown, entry.evidence_ids.size()) + "</details>";
  }
  return html;
}

std::string checklist_section(const ReportModel& model) {
  const auto& k = model.checklist_counts;
  std::string html = "<h2 id=\"checklist\">Go-live checklist</h2>\n<p>" +
                     std::to_string(k.verified_pass) + " verified-pass · " +
                     std::to_string(k.verified_fail) + " verified-fail · " +
                     std::to_string(k.not_verified) + " not verified in this run" +
                     (k.awaiting > 0 ? " (" + std::to_string(k.awaiting) +
                                           " awaiting checks golive does not have yet)"
                                     : std::string()) +
                     " · " + std::to_string(k.not_verifiable) + " not verifiable by golive · " +
                     std::to_string(k.total()) + " items.</p>\n";
  std::string current_source;
  bool open = false;
  for (const auto& entry : model.checklist) {
    if (entry.item.source != current_source) {
      if (open) html += "</tbody></table>\n";
      current_source = entry.item.source;
      html += "<h3>" + esc(current_source) +
              "</h3>\n<table class=\"checklist\"><colgroup><col class=\"status\">"
              "<col class=\"item\"><col><col "
              "class=\"evidence\"><col></colgroup><thead><tr><th>Status</th><th>Item</th>"
              "<th>Requirement</th><th>Evidence (check ids)</th><th>Why</th></tr></thead><tbody>\n";
      open = true;
    }
    html += "<tr><td>" + badge(to_string(entry.status)) + "</td><td><code>" + esc(entry.item.id) +
            "</code></td><td>" + esc(entry.item.text) + "</td><td>" + evidence_ids_cell(entry) +
            "</td><td>" + esc(entry.note) + "</td></tr>\n";
  }
  if (open) html += "</tbody></table>\n";
  return html;
}

std::string ms_cell(double value) {
  return "<td class=\"num\">" + esc(format_number(value, 2)) + "</td>";
}

std::string scenario_block(const LoadScenario& scenario, const SlaReport& sla) {
  std::string html = "<h3>Scenario <code>" + esc(scenario.name) + "</code></h3>\n";
  if (scenario.partial) {
    html += "<p class=\"warn\"><strong>Partial:</strong> golive was stopped before the load test "
            "finished; these are the figures of its last checkpoint (" +
            esc(format_number(scenario.measured_s, 1)) +
            " s measured), thresholds evaluated on what was measured.</p>\n";
  }
  html +=
      "<table><thead><tr><th class=\"num\">requests</th><th class=\"num\">errors</th><th "
      "class=\"num\">error rate</th>"
      "<th class=\"num\">throughput (req/s)</th><th class=\"num\">p50 ms</th><th class=\"num\">p90 "
      "ms</th>"
      "<th class=\"num\">p95 ms</th><th class=\"num\">p99 ms</th><th class=\"num\">p99.9 ms</th>"
      "<th class=\"num\">max ms</th></tr></thead><tbody><tr>";
  html += "<td class=\"num\">" + format_count(static_cast<double>(scenario.requests)) + "</td>";
  html +=
      "<td class=\"num\">" + format_count(static_cast<double>(scenario.error_total())) + "</td>";
  html += "<td class=\"num\">" + format_ratio_percent(scenario.error_ratio(), 3) + "</td>";
  html += "<td class=\"num\">" + format_number(scenario.throughput_rps, 1) + "</td>";
  const auto& l = scenario.latency;
  html += ms_cell(l.p50) + ms_cell(l.p90) + ms_cell(l.p95) + ms_cell(l.p99) + ms_cell(l.p99_9) +
          ms_cell(l.max);
  html += "</tr></tbody></table>\n";
  if (!scenario.steps.empty()) {
    html +=
        "<table><thead><tr><th>Step</th><th class=\"num\">requests</th><th class=\"num\">errors</th>"
        "<th class=\"num\">p50 ms</th><th class=\"num\">p90 ms</th><th class=\"num\">p95 ms</th>"
        "<th class=\"num\">p99 ms</th><th class=\"num\">max ms</th></tr></thead><tbody>\n";
    for (const auto& step : scenario.steps) {
      const auto& s = step.latency;
      html += "<tr><td><code>" + esc(step.name) + "</code></td><td class=\"num\">" +
              format_count(static_cast<double>(step.requests)) + "</td><td class=\"num\">" +
              format_count(static_cast<double>(step.errors)) + "</td>" + ms_cell(s.p50) + ms_cell(s.p90) +
              ms_cell(s.p95) + ms_cell(s.p99) + ms_cell(s.max) + "</tr>\n";
    }
    html += "</tbody></table>\n";
  }
  if (scenario.capacity.is_object() && scenario.capacity.contains("steps")) {
    html += "<p><strong>" + esc(scenario.capacity.value("result", std::string())) + "</strong></p>\n"
            "<table><thead><tr><th class=\"num\">rate (req/s)</th><th class=\"num\">requests</th>"
            "<th class=\"num\">throughput (req/s)</th><th class=\"num\">p95 ms</th>"
            "<th class=\"num\">p99 ms</th><th class=\"num\">dropped</th><th>Verdict</th><th>Broken</th>"
            "</tr></thead><tbody>\n";
    for (const auto& step : scenario.capacity["steps"]) {
      auto number = [&](const char* key) {
        return step.contains(key) && step[key].is_number() ? step[key].get<double>() : kMissing;
      };
      std::string broken;
      if (step.contains("broken") && step["broken"].is_array()) {
        for (const auto& item : step["broken"]) broken += (broken.empty() ? "" : "; ") + item.get<std::string>();
      }
      html += "<tr><td class=\"num\">" + format_number(number("rate_rps"), 1) + "</td><td class=\"num\">" +
              format_count(number("requests")) + "</td><td class=\"num\">" +
              format_number(number("throughput_rps"), 1) + "</td>" + ms_cell(number("p95_ms")) +
              ms_cell(number("p99_ms")) + "<td class=\"num\">" + format_count(number("dropped")) + "</td><td>" +
              badge(step.value("held", false) ? "pass" : "fail") + "</td><td>" + esc(broken) + "</td></tr>\n";
    }
    html += "</tbody></table>\n";
  }
  if (!scenario.slowest.empty()) {
    html += "<details><summary>Slowest " + std::to_string(scenario.slowest.size()) +
            " requests (find them in the target's logs by X-Request-Id or trace id)</summary>\n"
            "<table><thead><tr><th class=\"num\">latency ms</th><th>request</th><th>status</th>"
            "<th>X-Request-Id</th><th>trace id</th><th class=\"num\">connect ms</th>"
            "<th class=\"num\">TLS ms</th><th class=\"num\">first byte ms</th>"
            "<th class=\"num\">total ms</th></tr></thead><tbody>\n";
    for (const auto& row : scenario.slowest) {
      const std::string status = row.error.empty() ? std::to_string(row.status)
                                 : row.status > 0 ? std::to_string(row.status) + " " + row.error
                                                  : row.error;
      html += "<tr>" + ms_cell(row.latency_ms) + "<td><code>" + esc(row.method + " " + row.url) +
              "</code><br><small>" + esc(row.step) + "</small></td><td>" + esc(status) +
              "</td><td><code>" + esc(row.request_id) + "</code></td><td><code>" + esc(row.trace_id) +
              "</code></td>" + ms_cell(row.connect_ms) + ms_cell(row.tls_handshake_ms) +
              ms_cell(row.first_byte_ms) + ms_cell(row.total_ms) + "</tr>\n";
    }
    html += "</tbody></table></details>\n";
  }
  if (!scenario.errors.empty()) {
    html += "<p>Errors by category: ";
    bool first = true;
    for (const auto& [category, count] : scenario.errors) {
      html += (first ? "" : " · ") + esc(category) + " " + format_count(static_cast<double>(count));
      first = false;
    }
    html += "</p>\n";
  }
  if (!scenario.thresholds.empty()) {
    html +=
        "<table><thead><tr><th>Threshold</th><th>Scope</th><th>Observed</th><th>Verdict</"
        "th><th>Message</th>"
        "</tr></thead><tbody>\n";
    for (const auto& threshold : scenario.thresholds) {
      html += "<tr><td><code>" + esc(threshold.expression) + "</code></td><td>" +
              esc(threshold.scope) + "</td><td class=\"num\">" +
              esc(scalar_text(threshold.observed)) + "</td><td>" +
              badge(threshold.pass ? "pass" : "fail") + "</td><td>" + esc(threshold.message) +
              "</td></tr>\n";
    }
    html += "</tbody></table>\n";
  }
  html += "<div class=\"charts\">\n" + render_line_chart(latency_over_time_chart(scenario, sla)) +
          render_line_chart(throughput_over_time_chart(scenario)) +
          render_bar_chart(latency_histogram_chart(scenario)) + "</div>\n";
  return html;
}

std::string load_section(const ReportModel& model) {
  std::string html = "<h2 id=\"load\">Load</h2>\n";
  if (model.load.empty()) return html + "<p>No load stage in this run.</p>\n";
  for (const auto& scenario : model.load) html += scenario_block(scenario, model.sla);
  return html;
}

std::string sla_section(const ReportModel& model) {
  std::string html = "<h2 id=\"sla\">SLA</h2>\n";
  const auto& sla = model.sla;
  if (!sla.present) {
    return html + (model.load.empty() ? "<p>No load stage in this run.</p>\n"
                                      : "<p>The load stage recorded no SLA summary.</p>\n");
  }
  bool availability_met =
      present(sla.availability) && present(sla.target) && sla.availability >= sla.target;
  html += "<table><tbody><tr><th>Availability</th><td class=\"num\">" +
          format_ratio_percent(sla.availability) + "</td><td>target " +
          format_ratio_percent(sla.target) + "</td><td>" +
          badge(availability_met ? "pass" : "fail") + "</td></tr>\n";
  html += "<tr><th>Error budget consumed</th><td class=\"num\">" +
          format_number(sla.error_budget_consumed_pct, 1) + "%</td><td colspan=\"2\">of the " +
          format_ratio_percent(present(sla.target) ? 1 - sla.target : kMissing) +
          " failures the target allows</td></tr></tbody></table>\n";
  if (!sla.slos.empty()) {
    html +=
        "<table><thead><tr><th>SLO</th><th>Scenario</th><th class=\"num\">Objective</th>"
        "<th class=\"num\">Observed</th><th>Verdict</th></tr></thead><tbody>\n";
    for (const auto& slo : sla.slos) {
      std::string unit = slo.unit.empty() ? "" : " " + slo.unit;
      html += "<tr><td>" + esc(slo.name) + "</td><td>" +
              esc(slo.scenario.empty() ? "all" : slo.scenario) + "</td><td class=\"num\">" +
              esc(format_number(slo.objective, 3) + unit) + "</td><td class=\"num\">" +
              esc(format_number(slo.observed, 3) + unit) + "</td><td>" +
              badge(slo.pass ? "pass" : "fail") + "</td></tr>\n";
    }
    html += "</tbody></table>\n";
  }
  return html;
}

std::string coverage_row(const std::string& label, const CoverageMeasure& done,
                         const CoverageMeasure& all) {
  if (!done.known && !all.known) return "";
  std::string ratio = all.known && all.count > 0
                          ? format_ratio_percent(
                                static_cast<double>(done.count) / static_cast<double>(all.count), 1)
                          : "n/a";
  std::string html = "<tr><th>" + esc(label) + "</th><td class=\"num\">" +
                     std::to_string(done.count) + "</td><td class=\"num\">" +
                     (all.known ? std::to_string(all.count) : "unknown") +
                     "</td><td class=\"num\">" + ratio + "</td><td>";
  if (auto missing = uncovered_names(done, all)) {
    std::string codes;
    for (const auto& name : *missing) {
      codes += (codes.empty() ? "<code>" : " <code>") + esc(name) + "</code>";
    }
    html += codes.empty() ? "none" : codes;
  }
  return html + "</td></tr>\n";
}

std::string coverage_section(const ReportModel& model) {
  std::string html =
      "<h2 id=\"coverage\">Surface coverage</h2>\n<table><thead><tr><th>Surface</th>"
      "<th class=\"num\">Covered</th><th class=\"num\">Total</th><th class=\"num\">Ratio</th>"
      "<th>Not covered</th></tr></thead><tbody>\n";
  const auto& coverage = model.coverage;
  html += coverage_row("API endpoints exercised / declared", coverage.endpoints_exercised,
                       coverage.endpoints_declared);
  html += coverage_row("Tables probed / present", coverage.tables_probed, coverage.tables_present);
  const auto& k = model.checklist_counts;
  std::size_t verifiable = k.total() - k.not_verifiable;
  html +=
      "<tr><th>Checklist items verified / verifiable</th><td class=\"num\">" +
      std::to_string(k.verified()) + "</td><td class=\"num\">" + std::to_string(verifiable) +
      "</td><td class=\"num\">" +
      (verifiable > 0 ? format_ratio_percent(
                            static_cast<double>(k.verified()) / static_cast<double>(verifiable), 1)
                      : std::string("n/a")) +
      "</td><td>" + std::to_string(k.total()) + " items in all, " +
      std::to_string(k.not_verifiable) + " not verifiable by golive</td></tr>\n";
  html += "</tbody></table>\n";
  if (!coverage.present) html += "<p class=\"muted\">No surface_coverage record in this run.</p>\n";
  if (!coverage.not_exercised.empty()) {
    html += "<h3>API endpoints not exercised, by table and method</h3>\n<table><thead><tr><th>Table or API</th>"
            "<th>Method</th><th>Endpoint</th><th>Why</th></tr></thead><tbody>\n";
    std::string previous_group;
    for (const auto& endpoint : coverage.not_exercised) {
      const bool first_of_group = endpoint.group != previous_group;
      previous_group = endpoint.group;
      html += "<tr><td>" + (first_of_group ? esc(endpoint.group) : std::string()) + "</td><td>" + esc(endpoint.method) +
              "</td><td><code>" + esc(endpoint.endpoint) + "</code></td><td>" + esc(endpoint.why) + "</td></tr>\n";
    }
    html += "</tbody></table>\n";
  }
  return html;
}

std::string checks_section(const ReportModel& model, const RenderOptions& options) {
  std::string html = "<h2 id=\"checks\">All checks by suite</h2>\n";
  for (const auto& suite : model.suites) {
    const auto& c = suite.counts;
    bool has_failures = c.fail + c.error > 0;
    html += "<details class=\"suite\"" + std::string(has_failures ? " open" : "") + "><summary>" +
            esc(suite.name) + " — " + std::to_string(c.total()) +
            " checks: " + std::to_string(c.pass) + " pass, " + std::to_string(c.fail) + " fail, " +
            std::to_string(c.error) + " error, " + std::to_string(c.skip) + " skip" +
            (suite.checks.empty() && suite.planned ? " (planned, no results)" : "") +
            "</summary>\n";
    if (suite.checks.empty()) {
      html += "<p class=\"muted\">No results were recorded for this suite.</p></details>\n";
      continue;
    }
    html +=
        "<table><thead><tr><th>Status</th><th>Check</th><th>Severity</th><th class=\"num\">ms</th>"
        "<th>Message</th></tr></thead><tbody>\n";
    for (std::size_t index : suite.checks) {
      const auto& check = model.checks[index];
      html += "<tr><td>" + badge(model.is_waived(index) ? "waived" : core::to_string(check.status)) + "</td><td><code>" +
              esc(check.id) + "</code><br>" + esc(check.title) + "</td><td>" +
              core::to_string(check.severity) + "</td><td class=\"num\">" +
              format_number(check.duration_ms, 1) + "</td><td>" + esc(check.message);
      std::string evidence = evidence_block(check, options.evidence_max_bytes);
      if (!evidence.empty())
        html += "<details><summary>evidence</summary>" + evidence + "</details>";
      html += "</td></tr>\n";
    }
    html += "</tbody></table>\n</details>\n";
  }
  if (model.suites.empty()) html += "<p>No check ran.</p>\n";
  return html;
}

}  // namespace

std::string render_html(const ReportModel& model, const RenderOptions& options) {
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  html += "<title>golive " + std::string(to_string(model.verdict)) + " · " + esc(model.run.id) +
          (model.run.env.empty() ? "" : " · " + esc(model.run.env)) + "</title>\n";
  html += "<style>" + std::string(kStyle) + "</style>\n</head>\n<body>\n";
  html += verdict_header(model);
  html += "<main>\n" + partial_banner(model.run) + counts_tiles(model);
  html += failed_section(model, options);
  html += checklist_section(model);
  html += load_section(model);
  html += sla_section(model);
  html += coverage_section(model);
  html += screenshots_section(model);
  html += checks_section(model, options);
  html +=
      "<footer>Rendered by golive from the run's result stream (results.jsonl). Machine-readable: "
      "report.json, "
      "junit.xml. Checklist: checklist.md. SLA: sla.md.</footer>\n</main>\n</body>\n</html>\n";
  return html;
}

}  // namespace golive::report
