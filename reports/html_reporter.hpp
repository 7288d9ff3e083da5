// index.html: the report a release manager opens. One self-contained file:
// inline CSS and inline SVG charts, no script, no network. Collapsing uses
// <details>. Every piece of stream text is HTML-escaped.
//
// Reading order: the verdict (big), the interruption banner when partial,
// the counts, failed checks with evidence, the go-live checklist, load
// scenarios with charts, SLA, surface coverage, then every check by suite.
#pragma once

#include <string>

#include "reports/report_model.hpp"

namespace golive::report {

std::string render_html(const ReportModel& model, const RenderOptions& options);

}  // namespace golive::report
