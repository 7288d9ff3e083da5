#include "security/schema_lints.hpp"

namespace golive::security {

const char* sensitive_column_pattern() {
  // Whole name parts only (`_` or the name's ends around them), so `passport_photo_url`
  // matches `passport` but `compassion` does not.
  return "(^|_)(password|passwd|password_hash|secret|client_secret|api_?key|access_token|refresh_token|"
         "private_key|ssn|social_security(_number)?|tax_id|national_id|passport(_number)?|credit_card|"
         "card_number|cc_number|cvv|cvc|iban|bank_account|account_number|routing_number|date_of_birth|dob)(_|$)";
}

void run_schema_lints(StaticLintRunner& runner) {
  pqxx::work& txn = runner.transaction();
  const std::string& in_schemas = runner.in_exposed_schemas();

  // Same table, access method, columns or expressions, operator classes,
  // collations and predicate: every write maintains both, the planner uses one.
  runner.run({"duplicate_index", "0009_duplicate_index", "No table in an exposed schema has identical indexes",
              core::Severity::kLow},
             [&] {
               return runner.findings(
                   "SELECT n.nspname, c.relname, string_agg(ic.relname, ', ' ORDER BY ic.relname), 'Indexes ' || "
                   "string_agg(ic.relname, ', ' ORDER BY ic.relname) || ' on ' || n.nspname || '.' || c.relname || "
                   "' are identical: every write maintains each of them; keep one' FROM pg_index i "
                   "JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class c ON c.oid = i.indrelid "
                   "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE " + in_schemas +
                   " GROUP BY n.nspname, c.relname, ic.relam, i.indkey::text, i.indclass::text, "
                   "i.indcollation::text, COALESCE(pg_get_expr(i.indexprs, i.indrelid), ''), "
                   "COALESCE(pg_get_expr(i.indpred, i.indrelid), '') HAVING count(*) > 1 ORDER BY 1, 2, 3");
             });

  // An extension's functions, types and tables in an exposed schema become API surface.
  runner.run({"extension_in_public", "0014_extension_in_public",
              "No extension is installed in an exposed schema", core::Severity::kLow},
             [&] {
               return runner.findings(
                   "SELECT n.nspname, e.extname, e.extname, 'Extension ' || e.extname || ' is installed in the "
                   "exposed schema ' || n.nspname || ': its functions and tables are part of the API; install it "
                   "in a schema of its own (extensions)' FROM pg_extension e JOIN pg_namespace n "
                   "ON n.oid = e.extnamespace WHERE e.extname <> 'plpgsql' AND " + in_schemas + " ORDER BY 1, 2");
             });

  // user_metadata is written by the user (GoTrue's updateUser), so a policy
  // that trusts it lets every user grant themselves what it checks.
  runner.run({"rls_references_user_metadata", "0015_rls_references_user_metadata",
              "No policy trusts the user-editable user_metadata of the JWT", core::Severity::kHigh},
             [&] {
               return runner.findings(
                   "SELECT n.nspname, c.relname, p.polname, 'Policy ' || p.polname || ' on ' || n.nspname || '.' || "
                   "c.relname || ' reads user_metadata, which every user edits for themselves: a caller sets the "
                   "value it checks; use app_metadata or a table the user cannot write' FROM pg_policy p "
                   "JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
                   "CROSS JOIN LATERAL (SELECT COALESCE(pg_get_expr(p.polqual, p.polrelid), '') || ' ' || "
                   "COALESCE(pg_get_expr(p.polwithcheck, p.polrelid), '') AS expr) e "
                   "WHERE e.expr ~* '(user_metadata|raw_user_meta_data)' AND " + in_schemas + " ORDER BY 1, 2, 3");
             });

  // Materialized views and foreign tables cannot have row level security:
  // whatever an API role may select, every caller reads in full.
  runner.run({"materialized_view_in_api", "0016_materialized_view_in_api",
              "No materialized view in an exposed schema is readable by API roles", core::Severity::kMedium},
             [&] {
               return runner.findings(
                   "SELECT n.nspname, c.relname, c.relname, 'Materialized view ' || n.nspname || '.' || c.relname || "
                   "' is readable by API roles and cannot have RLS: every caller reads every row it holds' "
                   "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'm' AND " +
                   in_schemas + " AND " + runner.reachable_by_api_sql("c.oid") + " ORDER BY 1, 2");
             });
  runner.run({"foreign_table_in_api", "0017_foreign_table_in_api",
              "No foreign table in an exposed schema is reachable by API roles", core::Severity::kHigh},
             [&] {
               return runner.findings(
                   "SELECT n.nspname, c.relname, s.srvname, 'Foreign table ' || n.nspname || '.' || c.relname || "
                   "' (server ' || s.srvname || ') is reachable by API roles and cannot have RLS: every caller "
                   "reaches every remote row' FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                   "JOIN pg_foreign_table ft ON ft.ftrelid = c.oid JOIN pg_foreign_server s ON s.oid = ft.ftserver "
                   "WHERE c.relkind = 'f' AND " + in_schemas + " AND " + runner.reachable_by_api_sql("c.oid") +
                   " ORDER BY 1, 2");
             });

  // The auth schema belongs to the platform: its primary keys are the stable
  // interface; a unique constraint (email, phone) can be dropped by an upgrade.
  runner.run({"fkey_to_auth_unique", "0021_fkey_to_auth_unique",
              "Foreign keys into the auth schema reference its primary keys, not other unique constraints",
              core::Severity::kMedium},
             [&] {
               return runner.findings(
                   "SELECT n.nspname, c.relname, k.conname, 'Foreign key ' || k.conname || ' on ' || n.nspname || "
                   "'.' || c.relname || ' references ' || k.confrelid::regclass::text || ' through its unique index "
                   "' || k.conindid::regclass::text || ', not its primary key: an auth upgrade that drops it breaks "
                   "the table' FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n "
                   "ON n.oid = c.relnamespace JOIN pg_class rc ON rc.oid = k.confrelid JOIN pg_namespace rn "
                   "ON rn.oid = rc.relnamespace JOIN pg_index ri ON ri.indexrelid = k.conindid "
                   "WHERE k.contype = 'f' AND rn.nspname = 'auth' AND NOT ri.indisprimary AND " + in_schemas +
                   " ORDER BY 1, 2, 3");
             });

  // The same RLS gap as rls_enabled, named by what leaks: columns whose names
  // say they hold credentials, identity documents or payment data.
  runner.run({"sensitive_columns_exposed", "0023_sensitive_columns_exposed",
              "No table without RLS that API roles can read holds credential, identity or payment columns",
              core::Severity::kCritical},
             [&] {
               return runner.findings(
                   "SELECT n.nspname, c.relname, string_agg(a.attname, ', ' ORDER BY a.attnum), n.nspname || '.' || "
                   "c.relname || ' has RLS off and API roles can read it, and its columns ' || "
                   "string_agg(a.attname, ', ' ORDER BY a.attnum) || ' look like credentials, identity documents "
                   "or payment data: every caller reads them for every row' FROM pg_class c JOIN pg_namespace n "
                   "ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid WHERE a.attnum > 0 AND "
                   "NOT a.attisdropped AND c.relkind IN ('r','p') AND NOT c.relrowsecurity AND a.attname ~* " +
                   txn.quote(sensitive_column_pattern()) + " AND " + in_schemas + " AND " +
                   runner.reachable_by_api_sql("c.oid") + " GROUP BY n.nspname, c.relname ORDER BY 1, 2");
             });
}

}  // namespace golive::security
