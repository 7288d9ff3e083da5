// render_all: builds the ReportModel once from a result stream and writes
// every report into one directory. This is what `golive run` and
// `golive report render` call; the CLI only decides the directory and maps
// the verdict to an exit code.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "core/result_stream.hpp"
#include "reports/report_model.hpp"

namespace golive::report {

// File names inside the output directory.
inline constexpr const char* kReportJsonFile = "report.json";
inline constexpr const char* kJunitFile = "junit.xml";
inline constexpr const char* kHtmlFile = "index.html";
inline constexpr const char* kChecklistFile = "checklist.md";
inline constexpr const char* kSlaFile = "sla.md";
// Only for a run with security or repository checks (reports/sarif_reporter.hpp).
inline constexpr const char* kSarifFile = "sarif.json";

// A report file could not be written (disk full, permissions). Names the path.
class ReportWriteError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RenderResult {
  Verdict verdict = Verdict::kFail;
  bool partial = true;                     // the run was interrupted
  std::vector<std::string> files_written;  // full paths, in writing order
  std::string index_html;                  // full path of index.html
  std::string gate_summary;                // "PASS: 58 of 104 items verified, ..."
  std::string release_line;                // what was verified; "" when unrecorded
  ChecklistCounts checklist;               // the checklist's verified counts
};

// Creates out_dir if needed and (re)writes every report. Each file is
// written to a temporary name and renamed, so a reader never sees half a
// report. Appends the step summary when options.github_step_summary_path is
// set. Throws core::InputError for a malformed stream or checklist file,
// ReportWriteError when a file cannot be written.
RenderResult render_all(const core::ResultStreamContents& stream, const RenderOptions& options,
                        const std::string& out_dir);
RenderResult render_all(const ReportModel& model, const RenderOptions& options,
                        const std::string& out_dir);

}  // namespace golive::report
