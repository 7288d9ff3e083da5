// Catalog lints about what the exposed schemas hold beyond row policies:
// duplicate indexes, extensions installed in an API schema, policies that
// trust user-editable JWT metadata, materialized views and foreign tables the
// API serves past RLS, foreign keys onto the auth schema's unique constraints,
// and sensitive columns in tables without RLS. Each mirrors a splinter lint
// (https://github.com/supabase/splinter) and is written from its description.
#pragma once

#include "security/static_lint_runner.hpp"

namespace golive::security {

// Runs the lints above through `runner` (its transaction is rolled back by the caller).
void run_schema_lints(StaticLintRunner& runner);

// The regular expression (PostgreSQL `~*`) a column name matches when it holds
// credentials, government identifiers or payment data.
const char* sensitive_column_pattern();

}  // namespace golive::security
