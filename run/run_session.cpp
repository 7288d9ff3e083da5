#include "run/run_session.hpp"

#include <iomanip>
#include <iostream>
#include <sstream>

#include "core/exit_codes.hpp"
#include "core/input_error.hpp"
#include "core/redactor.hpp"
#include "reports/sarif_reporter.hpp"
#include "run/report_context.hpp"

namespace golive::run {

const char* status_tag(core::CheckStatus status) {
  switch (status) {
    case core::CheckStatus::kPass: return "[pass] ";
    case core::CheckStatus::kFail: return "[FAIL] ";
    case core::CheckStatus::kError: return "[ERR]  ";
    case core::CheckStatus::kSkip: return "[skip] ";
  }
  return "";
}

std::string probe_check_line(const core::CheckResult& result) {
  std::ostringstream line;
  line << "[" << core::to_string(result.status) << "] " << result.id << " (" << std::fixed
       << std::setprecision(1) << result.duration_ms << " ms)";
  if (result.status != core::CheckStatus::kPass || result.severity == core::Severity::kInfo) {
    line << "  " << result.message;
  }
  return core::Redactor::global().redact(line.str());
}

RunSession::RunSession(const CommonOptions& options, const std::string& env_name,
                       const config::Environment* env, const nlohmann::json& suites,
                       TextLine text_line, const nlohmann::json& run_start_extra)
    : waivers_(resolve_waivers(options, env)),
      notify_(env != nullptr ? read_notify_settings(*env) : NotifySettings{}),
      env_(env),
      today_(core::utc_now_iso8601().substr(0, 10)),
      run_dir_(core::RunDirectory::create(options.out_dir)),
      writer_(run_dir_.file("results.jsonl"), core::Redactor::global()),
      format_(options.format),
      report_context_(env != nullptr ? report_context(*env) : report_context()),
      console_([this, quiet = options.quiet, json = options.format == "json",
                sarif = options.format == "sarif",
                text_line = std::move(text_line)](const core::CheckResult& result) {
        ++total_;
        const core::Waiver* waiver = result.failed() ? waivers_.find(result) : nullptr;
        const bool waived = waiver != nullptr && !waiver->expired_on(today_);
        if (result.failed() && !waived) ++failed_;
        if (!text_line || sarif || (quiet && !result.failed())) return;
        if (json) {
          nlohmann::json line = core::to_json(result);
          if (waiver != nullptr) {
            line["waiver"] = {{"reason", waiver->reason}, {"owner", waiver->owner},
                              {"expires", waiver->expires}, {"expired", !waived}};
          }
          std::cout << core::Redactor::global().redact(line).dump() << "\n" << std::flush;
        } else {
          std::string text = text_line(result);
          if (waived) {
            text += "  [waived until " + waiver->expires + ", owner " + waiver->owner + ": " + waiver->reason + "]";
          } else if (waiver != nullptr) {
            text += "  [waiver EXPIRED on " + waiver->expires + ", owner " + waiver->owner + "]";
          }
          std::cout << core::Redactor::global().redact(text) << "\n" << std::flush;
        }
      }) {
  nlohmann::json start = {{"run_id", run_dir_.id()},
                          {"env", env_name},
                          {"started_at", core::utc_now_iso8601()},
                          {"golive_version", GOLIVE_VERSION},
                          {"suites", suites}};
  for (const auto& [key, value] : run_start_extra.items()) start[key] = value;
  if (!options.fail_on.empty()) start["gate"]["fail_on"] = options.fail_on;
  writer_.record_meta("run_start", start);
  if (!waivers_.empty()) writer_.record_meta("waivers", core::waivers_record(waivers_));
  if (!report_context_.object_locations.empty()) {
    nlohmann::json tables = nlohmann::json::object();
    for (const auto& [table, where] : report_context_.object_locations) {
      tables[table] = {{"file", where.file}, {"line", where.line}};
    }
    writer_.record_meta("source_locations", {{"tables", tables}});
  }
  sink_.add(&writer_);
  sink_.add(&console_);
}

std::optional<report::Verdict> RunSession::finish(bool interrupted,
                                                  const report::RenderOptions& render) {
  auto rendered = finish_rendered(interrupted, render);
  if (!rendered) return std::nullopt;
  return rendered->verdict;
}

std::optional<report::RenderResult> RunSession::finish_rendered(
    bool interrupted, const report::RenderOptions& render) {
  writer_.record_meta("run_end",
                      {{"ended_at", core::utc_now_iso8601()}, {"interrupted", interrupted}});
  try {
    report::RenderOptions options = render;
    if (options.check_id_templates.empty()) options.check_id_templates = report_context_.check_id_templates;
    auto contents = core::read_result_stream(results_path());
    const report::ReportModel model = report::build_report_model(contents, options);
    const report::RenderResult rendered = report::render_all(model, options, run_dir_.path());
    report_path_ = rendered.index_html;
    // --format sarif: the SARIF log is the command's output (stdout), for piping.
    if (format_ == "sarif") std::cout << report::render_sarif(model, options) << std::flush;
    if (notify_.any() && env_ != nullptr) {
      const std::string report = notify_.report_url.empty() ? rendered.index_html : notify_.report_url;
      for (const auto& problem : send_notifications(notify_, *env_, notification_payload(run_dir_.id(), model.run.env,
                                                                                         rendered, report))) {
        std::cerr << "golive: warning: notification not delivered: " << core::Redactor::global().redact(problem) << "\n";
      }
    }
    return rendered;
  } catch (const std::exception& e) {
    std::cerr << "golive: warning: the reports could not be rendered ("
              << core::Redactor::global().redact(e.what()) << "); results are in " << results_path()
              << "\n";
  }
  return std::nullopt;
}

int RunSession::finish_probe(bool interrupted, bool json) {
  const auto rendered = finish_rendered(interrupted);
  if (!json && format_ != "sarif") {
    std::cout << "\n"
              << (interrupted ? "INTERRUPTED: partial results. " : "") << failed_ << " of " << total_
              << " checks failed" << (waivers_.empty() ? "" : " (waived failures not counted)")
              << "\nresults: " << results_path() << "\nreport:  " << report_path_ << "\n";
  }
  // The rendered gate decides (waivers, --fail-on); the console's count when rendering failed.
  if (rendered) return rendered->verdict == report::Verdict::kPass && !rendered->partial ? core::kExitPass
                                                                                         : core::kExitGateFailed;
  return failed_ == 0 && total_ > 0 && !interrupted ? core::kExitPass : core::kExitGateFailed;
}

}  // namespace golive::run
