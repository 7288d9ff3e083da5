// sarif.json: the security and repository findings of a run as SARIF 2.1.0
// (OASIS), the format GitHub code scanning and other dashboards ingest.
//
// - One result per failed or errored check of the `security` and `repo`
//   suites (RLS, HTTP probes, secrets, the repository audit). A passing run
//   renders an empty results array, which closes earlier alerts.
// - Rule ids are stable: the most specific check-id template the check is an
//   instance of (RenderOptions::check_id_templates), its trailing
//   placeholders dropped ("security.rls.cross_user_update" for
//   "security.rls.cross_user_update.public.topics"); the check id itself when
//   no template is known.
// - Levels from severity: critical and high "error", medium "warning", low
//   and info "note"; `security-severity` (core::security_severity_score) on
//   the rule gives GitHub its critical/high/medium/low band.
// - Locations: the file and line where the object is defined when the
//   repository is known (RenderOptions::object_locations for tables, the
//   evidence's file and line for repository findings), and always a logical
//   location (schema.table, the URL, the instance part of the id).
// - A failure a live waiver covers carries an accepted external suppression
//   with the waiver's reason, owner and expiry (core/waivers.hpp).
// - partialFingerprints carry the check id, so an alert keeps its identity
//   across runs.
// Validated against the official schema (tests/data/sarif/) in
// tests/unit/reports/sarif_reporter_test.cpp.
#pragma once

#include <string>

#include "reports/report_model.hpp"

namespace golive::report {

inline constexpr const char* kSarifSchemaUri =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

// True when the check's suite is one SARIF reports (security, repo).
bool sarif_reports_suite(const std::string& suite);
// True when the run has any check SARIF reports: then render_all writes sarif.json.
bool has_sarif_findings_scope(const ReportModel& model);

// The SARIF rule of a check id (see above).
std::string sarif_rule_id(const std::string& check_id, const std::vector<std::string>& templates);

std::string render_sarif(const ReportModel& model, const RenderOptions& options);

}  // namespace golive::report
