// Dependency audit reports (seed 001 R4.1, success criterion "zero critical
// vulnerabilities"): `npm audit --json` output (auditReportVersion 2, and the
// older "advisories" form), OSV-Scanner's JSON and SARIF (security-severity
// of the rule). The gate is on critical and high advisories; their ids are the
// evidence. With no report and a package-lock.json, `npm audit --json` is run
// (bounded by npm_audit_timeout_s); a registry that refuses or cannot be
// reached is an error with npm's reason, never a pass.
//   repo.dependencies.audit   no critical or high advisory in any report
#pragma once

#include <string>
#include <vector>

#include "core/result_stream.hpp"
#include "repo/repo_files.hpp"

namespace golive::repo {

struct Advisory {
  std::string id;        // GHSA-..., CVE-..., or the npm advisory number
  std::string package;
  std::string severity;  // critical, high, moderate, low, info
  std::string title;
};

struct AuditReport {
  std::string file;
  std::string format;  // "npm-audit-v2", "npm-audit-v1", "osv-scanner", "sarif"
  std::vector<Advisory> advisories;
};

struct AuditReports {
  std::vector<AuditReport> reports;
  bool ran_npm_audit = false;    // no report was given; npm audit ran on the lockfile
  std::string npm_audit_error;   // why that run gave no report; "" when it did
};

// Throws core::InputError naming `origin` when the JSON is none of the formats.
AuditReport parse_audit_report(const std::string& origin, const std::string& text);

// The configured reports, else audit/*.json, npm-audit.json, osv-scanner.json.
AuditReports load_audit_reports(const RepoSettings& settings);

void check_dependency_audit(const RepoSettings& settings, const AuditReports& audits, core::ResultSink& sink);

}  // namespace golive::repo
