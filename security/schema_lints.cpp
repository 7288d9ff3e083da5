#include "security/schema_lints.hpp"

#include <regex>

namespace golive::security {

namespace {

std::string trim(const std::string& text) {
  auto begin = text.find_first_not_of(' ');
  auto end = text.find_last_not_of(' ');
  return begin == std::string::npos ? "" : text.substr(begin, end - begin + 1);
}

// Whether the parenthesis at `open` closes at the text's last character.
bool wraps_whole(const std::string& text) {
  if (text.size() < 2 || text.front() != '(' || text.back() != ')') return false;
  int depth = 0;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\'') quoted = !quoted;
    if (quoted) continue;
    depth += c == '(' ? 1 : c == ')' ? -1 : 0;
    if (depth == 0 && i + 1 < text.size()) return false;
  }
  return true;
}

std::string unwrap(std::string text) {
  text = trim(text);
  while (wraps_whole(text)) text = trim(text.substr(1, text.size() - 2));
  return text;
}

}  // namespace

std::vector<std::string> top_level_disjuncts(const std::string& expr) {
  const std::string text = unwrap(expr);
  std::vector<std::string> parts;
  int depth = 0;
  bool quoted = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\'') quoted = !quoted;
    if (quoted) continue;
    depth += c == '(' ? 1 : c == ')' ? -1 : 0;
    if (depth == 0 && text.compare(i, 4, " OR ") == 0) {
      parts.push_back(unwrap(text.substr(start, i - start)));
      start = i + 4;
      i += 3;
    }
  }
  parts.push_back(unwrap(text.substr(start)));
  return parts;
}

bool is_null_auth_test(const std::string& disjunct) {
  static const std::regex kNullAuth(
      R"(^(auth\.(uid|jwt|role|email)\(\)|\( ?SELECT auth\.(uid|jwt|role|email)\(\)( AS \w+)?\)|)"
      R"(current_setting\('[^']*'(::text)?, true\)(::\w+)?) IS NULL$)",
      std::regex::icase);
  return std::regex_search(unwrap(disjunct), kNullAuth);
}

const char* sensitive_column_pattern() {
  // Whole name parts only (`_` or the name's ends around them), so `passport_photo_url`
  // matches `passport` but `compassion` does not.
  return "(^|_)(password|passwd|password_hash|secret|client_secret|api_?key|access_token|refresh_token|"
         "private_key|ssn|social_security(_number)?|tax_id|national_id|passport(_number)?|credit_card|"
         "card_number|cc_number|cvv|cvc|iban|bank_account|account_number|routing_number|date_of_birth|dob)(_|$)";
}

void run_schema_lints(StaticLintRunner& runner, const std::map<std::string, std::vector<PolicyInfo>>& policies) {
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

  // splinter 0030 (null auth disjunct): `auth.uid() IS NULL OR owner = auth.uid()`
  // reads as "mine" and admits every row to a caller without identity.
  runner.run({"rls_policy_null_auth_disjunct", "0030_rls_policy_null_auth_disjunct",
              "No read policy admits every row when the caller's identity is NULL", core::Severity::kHigh},
             [&] {
               std::vector<StaticFinding> found;
               for (const auto& [table, table_policies] : policies) {
                 auto dot = table.find('.');
                 for (const auto& policy : table_policies) {
                   if (!policy.api_facing || !policy.permissive || !policy.reads()) continue;
                   for (const auto& branch : top_level_disjuncts(policy.using_expr)) {
                     if (!is_null_auth_test(branch)) continue;
                     found.push_back({table.substr(0, dot), table.substr(dot + 1), policy.name,
                                      "Policy " + policy.name + " on " + table + " is OR-ed with `" + branch +
                                          "`: every caller without an identity (anon, a token without sub) "
                                          "reads every row"});
                     break;
                   }
                 }
               }
               return found;
             });

  // pg_upgrade cannot carry columns of reg* types naming objects by OID
  // (regclass, regtype and regrole are the exceptions).
  runner.run({"unsupported_reg_types", "0018_unsupported_reg_types",
              "No column in an exposed schema uses a reg* type pg_upgrade cannot carry", core::Severity::kLow},
             [&] {
               return runner.findings(
                   "SELECT n.nspname, c.relname, a.attname, 'Column ' || a.attname || ' of ' || n.nspname || '.' || "
                   "c.relname || ' has type ' || format_type(a.atttypid, a.atttypmod) || ', which pg_upgrade "
                   "cannot carry: a major-version upgrade of the database stops on it' FROM pg_attribute a "
                   "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
                   "WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r','p','m') AND a.atttypid IN "
                   "('regcollation'::regtype, 'regconfig'::regtype, 'regdictionary'::regtype, "
                   "'regnamespace'::regtype, 'regoper'::regtype, 'regoperator'::regtype, 'regproc'::regtype, "
                   "'regprocedure'::regtype) AND " + in_schemas + " ORDER BY 1, 2, 3");
             });

  // Every installed extension, wherever it lives: a version behind the one
  // the server ships misses its fixes (ALTER EXTENSION ... UPDATE).
  runner.run({"extension_versions_outdated", "0022_extension_versions_outdated",
              "Every installed extension runs the version the server ships", core::Severity::kLow},
             [&] {
               return runner.findings(
                   "SELECT n.nspname, e.extname, e.extversion, 'Extension ' || e.extname || ' is at version ' || "
                   "e.extversion || ' while the server ships ' || a.default_version || ': run ALTER EXTENSION ' || "
                   "e.extname || ' UPDATE' FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                   "JOIN pg_available_extensions a ON a.name = e.extname WHERE a.default_version IS NOT NULL AND "
                   "e.extversion <> a.default_version ORDER BY 1, 2");
             });

  // autovacuum off: dead rows and transaction-id age pile up until a
  // wraparound shutdown; dead rows awaiting vacuum are what bloat grows from.
  runner.run({"autovacuum_disabled", "0030_autovacuum_disabled",
              "No table in an exposed schema has autovacuum turned off", core::Severity::kLow},
             [&] {
               return runner.findings(
                   "SELECT n.nspname, c.relname, c.relname, n.nspname || '.' || c.relname || ' has autovacuum "
                   "turned off (autovacuum_enabled = false): dead rows are never reclaimed and its transaction ids "
                   "age towards wraparound' FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                   "WHERE c.relkind IN ('r','p','m') AND c.reloptions @> ARRAY['autovacuum_enabled=false'] AND " +
                   in_schemas + " ORDER BY 1, 2");
             });
  runner.run({"table_bloat", "0020_table_bloat",
              "No table in an exposed schema holds more dead rows than a fifth of its rows (at least 1000)",
              core::Severity::kLow},
             [&] {
               return runner.findings(
                   "SELECT s.schemaname, s.relname, s.relname, s.schemaname || '.' || s.relname || ' holds ' || "
                   "s.n_dead_tup || ' dead rows beside ' || s.n_live_tup || ' live ones: its pages are mostly "
                   "garbage until VACUUM reclaims them' FROM pg_stat_user_tables s WHERE s.n_dead_tup >= 1000 AND "
                   "s.n_dead_tup * 5 >= s.n_live_tup + s.n_dead_tup AND s.schemaname = ANY(" +
                   runner.schema_array() + ") ORDER BY 1, 2");
             });

  // An index a failed CREATE INDEX CONCURRENTLY left behind: writes maintain
  // it, no query uses it, and a unique one still rejects rows.
  runner.run({"invalid_index", "0030_invalid_index", "No index in an exposed schema is invalid", core::Severity::kLow},
             [&] {
               return runner.findings(
                   "SELECT n.nspname, c.relname, ic.relname, 'Index ' || ic.relname || ' on ' || n.nspname || '.' || "
                   "c.relname || ' is invalid (a failed CREATE INDEX CONCURRENTLY): every write maintains it and "
                   "no query uses it; drop it and build it again' FROM pg_index i JOIN pg_class ic ON "
                   "ic.oid = i.indexrelid JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n "
                   "ON n.oid = c.relnamespace WHERE NOT i.indisvalid AND " + in_schemas + " ORDER BY 1, 2, 3");
             });

  // A public bucket serves its files by URL without any policy; a broad
  // SELECT policy on storage.objects adds listing of every file in it.
  runner.run({"public_bucket_allows_listing", "0025_public_bucket_allows_listing",
              "No public storage bucket lets API roles list its files", core::Severity::kMedium},
             [&] {
               if (runner.exec("SELECT to_regclass('storage.buckets') IS NOT NULL AND "
                               "to_regclass('storage.objects') IS NOT NULL")[0][0]
                       .as<bool>() == false) {
                 return std::vector<StaticFinding>{};
               }
               std::vector<StaticFinding> found;
               auto public_buckets = runner.exec("SELECT id::text FROM storage.buckets WHERE public ORDER BY 1");
               auto object_policies = policies.find("storage.objects");
               if (object_policies == policies.end()) return found;
               for (const auto& bucket : public_buckets) {
                 const std::string id = bucket[0].as<std::string>();
                 const std::string bucket_only = "bucket_id = '" + id + "'::text";
                 for (const auto& policy : object_policies->second) {
                   if (!policy.api_facing || !policy.permissive || !policy.reads()) continue;
                   const std::string expr = unwrap(policy.using_expr);
                   if (expr != "true" && expr != bucket_only && expr != "1 = 1") continue;
                   found.push_back({"storage", "objects", policy.name + " (bucket " + id + ")",
                                    "Bucket " + id + " is public, so its files are served by URL already, and "
                                    "policy " + policy.name + " (" + (expr.empty() ? "true" : expr) +
                                        ") lets API roles list every file in it"});
                 }
               }
               return found;
             });

  // A replication slot nobody consumes holds back WAL (and, for a logical
  // slot, vacuum) until the disk fills. Cluster-wide: reported under "cluster".
  runner.run({"unused_replication_slot", "0031_unused_replication_slot",
              "Every replication slot has a consumer", core::Severity::kLow},
             [&] {
               return runner.findings(
                   "SELECT 'cluster', slot_name::text, slot_type, 'Replication slot ' || slot_name || ' (' || "
                   "slot_type || ') has no consumer: the server keeps every WAL segment since ' || "
                   "COALESCE(restart_lsn::text, 'its creation') || ' until it is used or dropped' "
                   "FROM pg_replication_slots WHERE NOT active ORDER BY 2");
             });
}

}  // namespace golive::security
