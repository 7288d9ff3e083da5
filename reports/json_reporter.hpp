// report.json: the machine-readable report (contract in ARCHITECTURE.md).
// Top level: format_version, run, summary, checks, load, sla,
// surface_coverage, checklist. Keys are sorted; numbers print in
// nlohmann's shortest round-trip form, missing measurements as null.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "reports/report_model.hpp"

namespace golive::report {

inline constexpr int kReportFormatVersion = 1;

nlohmann::json report_json(const ReportModel& model);
// The document as written to disk: two-space indentation and a final newline.
std::string render_report_json(const ReportModel& model);

}  // namespace golive::report
