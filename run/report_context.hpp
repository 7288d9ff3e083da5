// What a run's reports need to know from above reports/ (which reads no
// files): every suite's check-id templates, so SARIF rule ids are stable,
// and where each table's RLS policy is defined in the app's repository
// (the environment's repo.path migrations; for the embedded reference target,
// fixtures/migrations), so an RLS finding points at a file and line.
#pragma once

#include "config/environment.hpp"
#include "reports/report_model.hpp"

namespace golive::run {

// Check-id templates only (no environment): what `golive report render` has.
report::RenderOptions report_context();
// Templates and the policy locations the environment's repository gives.
// Never throws for an unreadable repository: locations are then absent.
report::RenderOptions report_context(const config::Environment& env);

}  // namespace golive::run
