// junit.xml: one <testsuite> per golive suite and one <testcase> per check,
// in the dialect GitHub Actions (test-reporter actions), GitLab and Jenkins
// all read: times in seconds, <failure>/<error> with a message attribute and
// the redacted evidence as body text (a failed HTTP check's curl command
// first), <skipped>reason</skipped> for skipped and waived checks.
// A partial run adds a suite "golive" with an errored case
// "golive.run.complete", so CI shows the interruption as a red test.
//
// The file validates against Jenkins' stock junit-4.xsd, unmodified
// (tests/data/junit/). No stock JUnit schema accepts per-case <properties>
// (neither junit-4.xsd nor the xUnit plugin's junit-10.xsd, which does
// accept <skipped message>), so each case's severity, checklist item ids
// and waiver owner/expiry are `key=value` lines in its <system-out>, which
// every reader shows with the case; the skip or waiver reason is the text of
// <skipped>, and the skipped total is on each <testsuite> only.
#pragma once

#include <string>

#include "reports/report_model.hpp"

namespace golive::report {

std::string render_junit_xml(const ReportModel& model, const RenderOptions& options);

}  // namespace golive::report
