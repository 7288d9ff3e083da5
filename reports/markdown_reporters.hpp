// The Markdown reports: checklist.md (every go-live item with its status and
// evidence), sla.md (availability, error budget, latency against the SLOs,
// per-scenario throughput) and the short summary CI appends to
// $GITHUB_STEP_SUMMARY. All three state when the run was partial.
#pragma once

#include <string>

#include "reports/report_model.hpp"

namespace golive::report {

std::string render_checklist_markdown(const ReportModel& model);
std::string render_sla_markdown(const ReportModel& model);
// At most a screenful: verdict, counts, failing checks (up to 10), checklist counts.
std::string render_step_summary(const ReportModel& model);

}  // namespace golive::report
