// Severity as a 0..10 score, in the CVSS bands SARIF's `security-severity`
// property and GitHub code scanning use: critical >= 9, high >= 7, medium
// >= 4, low > 0, info 0. One mapping for both directions: the SARIF golive
// writes (reports/sarif_reporter.cpp) and the advisories it reads
// (repo/dependency_audit.cpp).
#pragma once

#include "core/check_result.hpp"

namespace golive::core {

double security_severity_score(Severity severity);
Severity severity_from_score(double score);

}  // namespace golive::core
