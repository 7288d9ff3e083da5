// The static RLS audit: read-only catalog queries over the exposed schemas,
// one lint per family, each named after the splinter lint it mirrors
// (https://github.com/supabase/splinter). Every finding is a failing
// CheckResult `security.rls.static.<lint>.<schema>.<table>`; a lint with no
// finding yields one passing `security.rls.static.<lint>` whose evidence lists
// every table it inspected (`tables_inspected`), so a clean target produces
// evidence, not silence.
#pragma once

#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "core/check_result.hpp"
#include "security/rls_table_model.hpp"
#include "security/static_lint_runner.hpp"

namespace golive::security {

// Runs every lint inside `txn` (the caller rolls it back) and returns the
// checks: one failing check per (lint, table), or one passing per clean lint.
std::vector<core::CheckResult> run_rls_static_audit(pqxx::work& txn,
                                                    const std::vector<TableInfo>& tables,
                                                    const std::vector<std::string>& schemas);

}  // namespace golive::security
