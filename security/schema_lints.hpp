// Catalog lints about what the exposed schemas hold beyond owner scoping:
// duplicate and invalid indexes, extensions installed in an API schema or
// behind their packaged version, policies that trust user-editable JWT
// metadata or admit every row when the caller is unknown, materialized views
// and foreign tables the API serves past RLS, foreign keys onto the auth
// schema's unique constraints, sensitive columns in tables without RLS, reg*
// columns that block pg_upgrade, tables with autovacuum off or full of dead
// rows, and public buckets whose objects can be listed. Each mirrors a
// splinter lint (https://github.com/supabase/splinter) and is written from
// its description.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "security/rls_access_model.hpp"
#include "security/static_lint_runner.hpp"

namespace golive::security {

// Runs the lints above through `runner` (its transaction is rolled back by
// the caller); `policies` as load_policies returned them.
void run_schema_lints(StaticLintRunner& runner, const std::map<std::string, std::vector<PolicyInfo>>& policies);

// The top-level OR branches of a pg_get_expr text, outer parentheses removed:
// "((auth.uid() IS NULL) OR (owner = auth.uid()))" -> {"auth.uid() IS NULL", "owner = auth.uid()"}.
std::vector<std::string> top_level_disjuncts(const std::string& expr);

// True for a test that a caller-identity function is NULL (auth.uid(),
// auth.jwt(), auth.role(), current_setting(name, true)): such a branch of a
// top-level OR admits every row whenever the caller is unknown.
bool is_null_auth_test(const std::string& disjunct);

// The regular expression (PostgreSQL `~*`) a column name matches when it holds
// credentials, government identifiers or payment data.
const char* sensitive_column_pattern();

}  // namespace golive::security
