#include "run/run_session.hpp"

#include <iomanip>
#include <iostream>
#include <sstream>

#include "core/exit_codes.hpp"
#include "core/input_error.hpp"
#include "core/redactor.hpp"

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
                       const nlohmann::json& suites, TextLine text_line,
                       const nlohmann::json& run_start_extra)
    : run_dir_(core::RunDirectory::create(options.out_dir)),
      writer_(run_dir_.file("results.jsonl"), core::Redactor::global()),
      console_([this, quiet = options.quiet, json = options.format == "json",
                text_line = std::move(text_line)](const core::CheckResult& result) {
        ++total_;
        if (result.failed()) ++failed_;
        if (!text_line || (quiet && !result.failed())) return;
        if (json) {
          std::cout << core::Redactor::global().redact(core::to_json(result)).dump() << "\n"
                    << std::flush;
        } else {
          std::cout << text_line(result) << "\n" << std::flush;
        }
      }) {
  nlohmann::json start = {{"run_id", run_dir_.id()},
                          {"env", env_name},
                          {"started_at", core::utc_now_iso8601()},
                          {"golive_version", GOLIVE_VERSION},
                          {"suites", suites}};
  for (const auto& [key, value] : run_start_extra.items()) start[key] = value;
  writer_.record_meta("run_start", start);
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
    auto contents = core::read_result_stream(results_path());
    const report::RenderResult rendered = report::render_all(contents, render, run_dir_.path());
    report_path_ = rendered.index_html;
    return rendered;
  } catch (const std::exception& e) {
    std::cerr << "golive: warning: the reports could not be rendered ("
              << core::Redactor::global().redact(e.what()) << "); results are in " << results_path()
              << "\n";
  }
  return std::nullopt;
}

int RunSession::finish_probe(bool interrupted, bool json) {
  finish(interrupted);
  if (!json) {
    std::cout << "\n"
              << (interrupted ? "INTERRUPTED: partial results. " : "") << failed_ << " of " << total_
              << " checks failed\nresults: " << results_path() << "\nreport:  " << report_path_ << "\n";
  }
  return failed_ == 0 && total_ > 0 && !interrupted ? core::kExitPass : core::kExitGateFailed;
}

}  // namespace golive::run
