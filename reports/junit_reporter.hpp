// junit.xml: one <testsuite> per golive suite and one <testcase> per check,
// in the dialect GitHub Actions (test-reporter actions), GitLab and Jenkins
// all read: times in seconds, <failure>/<error> with a message attribute and
// the redacted evidence as body text, <skipped/> for skipped checks.
// A partial run adds a suite "golive" with an errored case
// "golive.run.complete", so CI shows the interruption as a red test.
#pragma once

#include <string>

#include "reports/report_model.hpp"

namespace golive::report {

std::string render_junit_xml(const ReportModel& model, const RenderOptions& options);

}  // namespace golive::report
