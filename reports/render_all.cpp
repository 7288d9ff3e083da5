#include "reports/render_all.hpp"

#include <filesystem>
#include <fstream>

#include "reports/html_reporter.hpp"
#include "reports/json_reporter.hpp"
#include "reports/junit_reporter.hpp"
#include "reports/markdown_reporters.hpp"
#include "reports/sarif_reporter.hpp"

namespace golive::report {

namespace {

namespace fs = std::filesystem;

void write_file_atomically(const fs::path& path, const std::string& content) {
  fs::path temporary = path;
  temporary += ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) throw ReportWriteError(temporary.string() + ": cannot open for writing");
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    if (!out) throw ReportWriteError(temporary.string() + ": write failed");
  }
  std::error_code error;
  fs::rename(temporary, path, error);
  if (error)
    throw ReportWriteError(path.string() + ": cannot rename into place: " + error.message());
}

void append_file(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  if (!out) throw ReportWriteError(path + ": cannot open for appending");
  out << content << "\n";
  if (!out) throw ReportWriteError(path + ": append failed");
}

}  // namespace

RenderResult render_all(const ReportModel& model, const RenderOptions& options,
                        const std::string& out_dir) {
  std::error_code error;
  fs::create_directories(out_dir, error);
  if (error) throw ReportWriteError(out_dir + ": cannot create directory: " + error.message());

  RenderResult result;
  result.verdict = model.verdict;
  result.gate_summary = gate_summary(model);
  result.release_line = release_line(model.run);
  result.partial = model.run.partial();
  result.checklist = model.checklist_counts;
  auto write = [&](const char* name, const std::string& content) {
    fs::path path = fs::path(out_dir) / name;
    write_file_atomically(path, content);
    result.files_written.push_back(path.string());
  };
  write(kReportJsonFile, render_report_json(model));
  write(kJunitFile, render_junit_xml(model, options));
  write(kChecklistFile, render_checklist_markdown(model));
  write(kSlaFile, render_sla_markdown(model));
  if (has_sarif_findings_scope(model)) write(kSarifFile, render_sarif(model, options));
  write(kHtmlFile, render_html(model, options));
  result.index_html = (fs::path(out_dir) / kHtmlFile).string();
  if (!options.github_step_summary_path.empty()) {
    append_file(options.github_step_summary_path, render_step_summary(model));
  }
  return result;
}

RenderResult render_all(const core::ResultStreamContents& stream, const RenderOptions& options,
                        const std::string& out_dir) {
  return render_all(build_report_model(stream, options), options, out_dir);
}

}  // namespace golive::report
