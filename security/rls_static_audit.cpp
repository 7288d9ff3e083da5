#include "security/rls_static_audit.hpp"
#include "security/rls_access_model.hpp"
#include "security/schema_lints.hpp"
#include "security/static_lint_runner.hpp"

#include <chrono>
#include <functional>
#include <map>

namespace golive::security {

namespace {

using Clock = std::chrono::steady_clock;

const char* kPolicyCommandCase =
    "CASE p.polcmd WHEN 'r' THEN 'select' WHEN 'a' THEN 'insert' WHEN 'w' THEN 'update' "
    "WHEN 'd' THEN 'delete' ELSE 'all' END";

}  // namespace

std::vector<core::CheckResult> run_rls_static_audit(pqxx::work& txn, const std::vector<TableInfo>& tables,
                                                    const std::vector<std::string>& schemas) {
  std::vector<std::string> inspected;
  for (const auto& table : tables) inspected.push_back(table.qualified());
  StaticLintRunner runner(txn, inspected, schemas);
  const std::string& schema_array = runner.schema_array();
  const std::string& in_schemas = runner.in_exposed_schemas();
  const auto& roles = runner.api_roles();
  auto timed = [&](const StaticLint& lint, const std::function<std::vector<StaticFinding>()>& query) {
    runner.run(lint, query);
  };
  auto run_sql = [&](const std::string& sql) { return runner.findings(sql); };
  const auto policies = load_policies(txn, schema_array);
  auto table_named = [&](const std::string& schema, const std::string& name) -> const TableInfo* {
    for (const auto& t : tables) {
      if (t.schema == schema && t.name == name) return &t;
    }
    return nullptr;
  };

  timed({"rls_enabled", "0013_rls_disabled_in_public", "Row level security is enabled on every reachable table",
         core::Severity::kCritical},
        [&] {
          return run_sql(
              "SELECT n.nspname, c.relname, c.relname, 'RLS is disabled on ' || n.nspname || '.' || "
              "c.relname || ', which API roles (' || " + txn.quote(pqxx::separated_list(", ", roles.begin(), roles.end())) +
              " || ') can reach: every caller reads and writes every row' FROM pg_class c JOIN pg_namespace n "
              "ON n.oid = c.relnamespace WHERE c.relkind IN ('r','p') AND NOT c.relrowsecurity AND " +
              in_schemas + " AND " + runner.reachable_by_api_sql("c.oid") + " ORDER BY 1, 2");
        });

  timed({"policy_exists_rls_disabled", "0007_policy_exists_rls_disabled",
         "No table has policies while row level security is off", core::Severity::kHigh},
        [&] {
          return run_sql(
              "SELECT n.nspname, c.relname, p.polname, 'Policy ' || p.polname || ' exists but RLS is "
              "disabled on ' || n.nspname || '.' || c.relname || ', so it is not enforced' FROM pg_policy p "
              "JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
              "WHERE NOT c.relrowsecurity AND " + in_schemas + " ORDER BY 1, 2, 3");
        });

  // RLS on without a policy is correct for service-only tables (default deny);
  // elsewhere it usually means a forgotten policy.
  timed({"rls_enabled_no_policy", "0008_rls_enabled_no_policy",
         "Tables with RLS on and no policy are declared service-only", core::Severity::kLow},
        [&] {
          std::vector<StaticFinding> findings;
          for (const auto& f : run_sql(
                   "SELECT n.nspname, c.relname, c.relname, 'RLS is enabled on ' || n.nspname || '.' || "
                   "c.relname || ' with no policy: API roles are denied everything' FROM pg_class c "
                   "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r','p') AND "
                   "c.relrowsecurity AND NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid) AND " +
                   in_schemas + " ORDER BY 1, 2")) {
            bool declared_service_only = false;
            for (const auto& table : tables) {
              if (table.schema == f.schema && table.name == f.table) {
                declared_service_only =
                    table.expectation_declared && table.expectation == AccessExpectation::kServiceOnly;
              }
            }
            if (!declared_service_only) {
              findings.push_back({f.schema, f.table, f.object,
                                  f.detail + ", and it is not declared service_only in rls_expectations"});
            }
          }
          return findings;
        });

  // Always-true policies on user-owned tables, one lint per command.
  {
    auto start = Clock::now();
    auto rows = txn.exec(
        "SELECT n.nspname, c.relname, p.polname, " + std::string(kPolicyCommandCase) +
        ", COALESCE(pg_get_expr(p.polqual, p.polrelid), ''), "
        "COALESCE(pg_get_expr(p.polwithcheck, p.polrelid), '') FROM pg_policy p "
        "JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE p.polpermissive AND (p.polroles = '{0}' OR p.polroles && ARRAY(SELECT oid FROM pg_roles WHERE "
        "rolname IN ('anon', 'authenticated'))) AND " + in_schemas + " ORDER BY 1, 2, 3");
    double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    std::map<std::string, std::vector<StaticFinding>> by_command;
    for (const auto& row : rows) {
      std::string schema = row[0].as<std::string>(), table = row[1].as<std::string>();
      std::string policy = row[2].as<std::string>(), command = row[3].as<std::string>();
      // Rows readable by everyone by design (a public profile, a catalogue)
      // are not a finding of the select lint; writes still are.
      const TableInfo* info = table_named(schema, table);
      bool user_owned = info && info->ownership.has_value() &&
                        info->expectation != AccessExpectation::kPublicRead &&
                        info->expectation != AccessExpectation::kPublicReadActive &&
                        !(info->expectation == AccessExpectation::kPublicReadOwnerWrite &&
                          (command == "select" || command == "all"));
      if (!user_owned) continue;
      std::string using_expr = row[4].as<std::string>(), check_expr = row[5].as<std::string>();
      std::string clause = using_expr == "true" ? "USING (true)" : check_expr == "true" ? "WITH CHECK (true)" : "";
      if (clause.empty()) continue;
      by_command[command].push_back(
          {schema, table, policy,
           "Policy " + policy + " on user-owned " + schema + "." + table + " has " + clause +
               ": it does not restrict rows to their owner"});
    }
    for (const char* command : {"select", "insert", "update", "delete", "all"}) {
      runner.emit({std::string(command) + "_policy_owner", "",
                 std::string("Every ") + command + " policy on user-owned tables restricts rows to their owner",
                 std::string(command) == "select" || std::string(command) == "all" ? core::Severity::kCritical
                                                                                   : core::Severity::kHigh},
                by_command[command], ms / 5);
    }
  }

  timed({"multiple_permissive_policies", "0006_multiple_permissive_policies",
         "At most one permissive policy per table, role and command", core::Severity::kLow},
        [&] {
          return run_sql(
              "SELECT n.nspname, c.relname, string_agg(p.polname, ', ' ORDER BY p.polname), "
              "'Role ' || r.name || ' has ' || count(*) || ' permissive ' || cmd.name || ' policies on ' || "
              "n.nspname || '.' || c.relname || ' (' || string_agg(p.polname, ', ' ORDER BY p.polname) || "
              "'): each is evaluated for every row' FROM pg_policy p "
              "JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
              "CROSS JOIN LATERAL unnest(CASE WHEN p.polroles = '{0}' THEN ARRAY['public'] ELSE "
              "ARRAY(SELECT rolname::text FROM pg_roles WHERE oid = ANY(p.polroles)) END) AS r(name) "
              "CROSS JOIN LATERAL unnest(CASE p.polcmd WHEN 'r' THEN ARRAY['SELECT'] WHEN 'a' THEN "
              "ARRAY['INSERT'] WHEN 'w' THEN ARRAY['UPDATE'] WHEN 'd' THEN ARRAY['DELETE'] ELSE "
              "ARRAY['SELECT','INSERT','UPDATE','DELETE'] END) AS cmd(name) "
              "WHERE p.polpermissive AND " + in_schemas +
              " GROUP BY n.nspname, c.relname, r.name, cmd.name HAVING count(*) > 1 ORDER BY 1, 2, 3");
        });

  timed({"auth_rls_initplan", "0003_auth_rls_initplan",
         "Policies call auth.uid()/auth.jwt()/auth.role() through a sub-select (evaluated once per query)",
         core::Severity::kLow},
        [&] {
          return run_sql(
              "SELECT n.nspname, c.relname, p.polname, 'Policy ' || p.polname || ' on ' || n.nspname || "
              "'.' || c.relname || ' calls ' || substring(e.expr from 'auth\\.(?:uid|jwt|role)\\(\\)') || "
              "' per row; wrap it as (select auth.uid())' FROM pg_policy p JOIN pg_class c ON c.oid = "
              "p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace CROSS JOIN LATERAL (SELECT "
              "COALESCE(pg_get_expr(p.polqual, p.polrelid), '') || ' ' || "
              "COALESCE(pg_get_expr(p.polwithcheck, p.polrelid), '') AS expr) e "
              "WHERE e.expr ~ 'auth\\.(uid|jwt|role)\\(\\)' AND e.expr !~* "
              "'select\\s+auth\\.(uid|jwt|role)\\(\\)' AND " + in_schemas + " ORDER BY 1, 2, 3");
        });

  timed({"auth_users_exposed", "0002_auth_users_exposed",
         "No view over auth.users is readable by anon or authenticated", core::Severity::kCritical},
        [&] {
          return run_sql(
              "SELECT DISTINCT n.nspname, v.relname, v.relname, 'View ' || n.nspname || '.' || v.relname || "
              "' selects from auth.users and API roles can read it: user emails and metadata leak' "
              "FROM pg_class v JOIN pg_namespace n ON n.oid = v.relnamespace "
              "JOIN pg_rewrite rw ON rw.ev_class = v.oid JOIN pg_depend d ON d.objid = rw.oid "
              "AND d.refobjid = to_regclass('auth.users') WHERE v.relkind IN ('v','m') AND " + in_schemas +
              " AND " + runner.reachable_by_api_sql("v.oid") + " ORDER BY 1, 2");
        });

  // splinter 0010 flags every such view; golive flags those through which a
  // caller reads rows it could not read itself: a base table whose RLS
  // restricts rows (not a table every caller reads in full by design) or one
  // the API roles have no privilege on. A view over a public catalogue or
  // over a table without RLS hides nothing, so it is listed, not failed.
  timed({"security_definer_view", "0010_security_definer_view",
         "Views readable by API roles run with the caller's rights (security_invoker) when they read "
         "row-restricted tables",
         core::Severity::kHigh},
        [&] {
          std::vector<StaticFinding> findings;
          auto rows = runner.exec(
              "SELECT DISTINCT n.nspname, v.relname, bn.nspname, b.relname, b.relrowsecurity, " +
              runner.reachable_by_api_sql("b.oid") +
              " FROM pg_class v JOIN pg_namespace n ON n.oid = v.relnamespace "
              "JOIN pg_rewrite rw ON rw.ev_class = v.oid JOIN pg_depend d ON d.objid = rw.oid AND "
              "d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass AND d.refobjid <> v.oid "
              "JOIN pg_class b ON b.oid = d.refobjid AND b.relkind IN ('r','p','f','m','v') "
              "JOIN pg_namespace bn ON bn.oid = b.relnamespace WHERE v.relkind = 'v' AND "
              "NOT COALESCE(v.reloptions @> ARRAY['security_invoker=true'] OR v.reloptions @> "
              "ARRAY['security_invoker=on'], false) AND " + in_schemas + " AND " +
              runner.reachable_by_api_sql("v.oid") + " ORDER BY 1, 2, 3, 4");
          std::map<std::pair<std::string, std::string>, std::vector<std::string>> widened;
          for (const auto& row : rows) {
            std::string schema = row[0].as<std::string>(), view = row[1].as<std::string>();
            std::string base = row[2].as<std::string>() + "." + row[3].as<std::string>();
            bool base_rls = row[4].as<bool>(), base_reachable = row[5].as<bool>();
            const TableInfo* info = table_named(row[2].as<std::string>(), row[3].as<std::string>());
            bool read_in_full = info && info->expectation == AccessExpectation::kPublicRead &&
                                (info->shared_read_filter.empty() || info->shared_read_filter == "true");
            if ((base_rls && !read_in_full) || !base_reachable) {
              widened[{schema, view}].push_back(base + (base_reachable ? " (row level security)" : " (no API grant)"));
            }
          }
          for (const auto& [view, bases] : widened) {
            std::string listed;
            for (const auto& base : bases) listed += (listed.empty() ? "" : ", ") + base;
            findings.push_back({view.first, view.second, view.second,
                                "View " + view.first + "." + view.second +
                                    " runs with its owner's rights (no security_invoker) over " + listed +
                                    ", so every caller reads rows the caller could not read itself"});
          }
          return findings;
        });

  // splinter 0011 over every function of the exposed schemas (hygiene, low),
  // and, at high severity, the SECURITY DEFINER ones API roles can call: a
  // caller who controls search_path makes those run their objects as owner.
  const std::string no_pinned_search_path =
      "NOT EXISTS (SELECT 1 FROM unnest(COALESCE(f.proconfig, '{}')) s WHERE s LIKE 'search_path=%') "
      "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = f.oid AND d.deptype = 'e') AND f.prokind = 'f' AND ";
  timed({"function_search_path_mutable", "0011_function_search_path_mutable",
         "Every function in an exposed schema pins its search_path", core::Severity::kLow},
        [&] {
          return run_sql(
              "SELECT n.nspname, f.proname, f.oid::regprocedure::text, 'Function ' || f.oid::regprocedure::text || "
              "' has a mutable search_path (pin it: SET search_path = '''')' "
              "FROM pg_proc f JOIN pg_namespace n ON n.oid = f.pronamespace WHERE " + no_pinned_search_path +
              in_schemas + " ORDER BY 1, 2, 3");
        });
  timed({"security_definer_search_path_mutable", "0011_function_search_path_mutable",
         "SECURITY DEFINER functions callable by API roles pin their search_path", core::Severity::kHigh},
        [&] {
          const std::string executable = runner.executable_by_api_sql("f.oid");
          return run_sql(
              "SELECT n.nspname, f.proname, f.oid::regprocedure::text, 'SECURITY DEFINER function ' || "
              "f.oid::regprocedure::text || ' is executable by API roles and has a mutable search_path' "
              "FROM pg_proc f JOIN pg_namespace n ON n.oid = f.pronamespace WHERE f.prosecdef AND " +
              no_pinned_search_path + in_schemas + " AND " + executable + " ORDER BY 1, 2, 3");
        });

  timed({"unindexed_foreign_keys", "0001_unindexed_foreign_keys",
         "Every foreign key is covered by an index leading with its columns", core::Severity::kLow},
        [&] {
          return run_sql(
              "SELECT n.nspname, c.relname, k.conname, 'Foreign key ' || k.conname || ' (' || "
              "(SELECT string_agg(a.attname, ', ') FROM pg_attribute a WHERE a.attrelid = k.conrelid AND "
              "a.attnum = ANY(k.conkey)) || ') on ' || n.nspname || '.' || c.relname || ' has no covering "
              "index' FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n "
              "ON n.oid = c.relnamespace WHERE k.contype = 'f' AND " + in_schemas +
              " AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = k.conrelid AND "
              "(string_to_array(i.indkey::text, ' ')::smallint[])[1:array_length(k.conkey, 1)] @> k.conkey) "
              "ORDER BY 1, 2, 3");
        });

  // splinter 0005, narrowed so a fresh database is not all findings: an
  // index counts as unused when its table holds enough rows for the planner
  // to prefer an index (>= 1000 live rows), has been read since the
  // statistics were reset, and the index itself was never scanned. Unique,
  // primary-key and constraint indexes enforce something and are kept.
  timed({"unused_index", "0005_unused_index",
         "Every non-unique index on a sizeable table has been used since the statistics were reset",
         core::Severity::kLow},
        [&] {
          return run_sql(
              "SELECT s.schemaname, s.relname, s.indexrelname, 'Index ' || s.indexrelname || ' on ' || "
              "s.schemaname || '.' || s.relname || ' was never scanned while the table (' || t.n_live_tup || "
              "' rows) was read ' || (COALESCE(t.seq_scan, 0) + COALESCE(t.idx_scan, 0)) || ' times' "
              "FROM pg_stat_user_indexes s JOIN pg_stat_user_tables t ON t.relid = s.relid "
              "JOIN pg_index i ON i.indexrelid = s.indexrelid "
              "WHERE s.idx_scan = 0 AND NOT i.indisunique AND NOT i.indisprimary AND t.n_live_tup >= 1000 "
              "AND COALESCE(t.seq_scan, 0) + COALESCE(t.idx_scan, 0) > 0 "
              "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = s.indexrelid) "
              "AND s.schemaname = ANY(" + schema_array + ") ORDER BY 1, 2, 3");
        });

  // Write policies that admit every row for an API role (splinter 0024).
  timed({"rls_policy_always_true", "0024_rls_policy_always_true",
         "No INSERT, UPDATE or DELETE policy for anon or authenticated is always true", core::Severity::kHigh},
        [&] {
          std::vector<StaticFinding> findings;
          for (const auto& [table, table_policies] : policies) {
            auto dot = table.find('.');
            for (const auto& p : table_policies) {
              if (!p.api_facing || !p.permissive || !p.writes()) continue;
              bool open_using = p.command != "insert" && p.using_expr == "true";
              bool open_check = p.command != "delete" && p.check_expr == "true";
              if (!open_using && !open_check) continue;
              findings.push_back({table.substr(0, dot), table.substr(dot + 1), p.name,
                                  "Policy " + p.name + " (" + p.command + ") on " + table + " has " +
                                      (open_check ? "WITH CHECK (true)" : "USING (true)") +
                                      ": every caller it applies to writes any row"});
            }
          }
          return findings;
        });

  // A permissive policy that admits every row voids the scoped ones for the
  // same command and roles: permissive policies are OR-ed.
  timed({"shadowed_policy", "", "No always-true permissive policy voids a caller-scoped one", core::Severity::kHigh},
        [&] {
          std::vector<StaticFinding> findings;
          auto overlap = [](const PolicyInfo& x, const PolicyInfo& y) {
            for (const auto& r : x.roles) {
              if (r == "public") return true;
              for (const auto& q : y.roles) {
                if (q == "public" || q == r) return true;
              }
            }
            return false;
          };
          for (const auto& [table, table_policies] : policies) {
            auto dot = table.find('.');
            for (const char* command : {"select", "update", "delete"}) {
              for (const auto& open : table_policies) {
                if (!open.api_facing || !open.permissive || (open.command != command && open.command != "all") ||
                    open.using_expr != "true") {
                  continue;
                }
                for (const auto& scoped : table_policies) {
                  if (&scoped == &open || !scoped.permissive || !scoped.api_facing ||
                      (scoped.command != command && scoped.command != "all") || !overlap(open, scoped) ||
                      scoped.using_expr == "true" ||
                      (scoped.using_expr.find("auth.uid()") == std::string::npos &&
                       scoped.using_expr.find("SELECT ") == std::string::npos)) {
                    continue;
                  }
                  findings.push_back({table.substr(0, dot), table.substr(dot + 1), open.name + " / " + scoped.name,
                                      "Policy " + open.name + " (USING true) makes the " + std::string(command) +
                                          " condition of " + scoped.name + " on " + table +
                                          " dead: permissive policies are OR-ed, so every caller it applies to "
                                          "reaches every row"});
                }
              }
            }
          }
          return findings;
        });

  // SECURITY DEFINER functions an API role may call as RPCs that write tables
  // or touch auth.users (splinter 0028/0029 flag every such function; golive
  // fails those that act beyond the caller's rows and lists the others).
  for (const char* role : {"anon", "authenticated"}) {
    bool exists = false;
    for (const auto& r : roles) exists = exists || r == role;
    timed({std::string(role) + "_security_definer_function_executable",
           std::string(role) == "anon" ? "0028_anon_security_definer_function_executable"
                                       : "0029_authenticated_security_definer_function_executable",
           std::string("No SECURITY DEFINER function that writes tables or touches auth.users is executable by ") +
               role,
           core::Severity::kCritical},
          [&] {
            if (!exists) return std::vector<StaticFinding>{};
            return run_sql(
                "SELECT n.nspname, f.proname, f.oid::regprocedure::text, 'SECURITY DEFINER function ' || "
                "f.oid::regprocedure::text || ' is executable by " + std::string(role) + " and ' || CASE WHEN "
                "f.prosrc ~* 'auth\\.users' THEN 'touches auth.users' ELSE 'writes tables' END || "
                "': it runs with its owner''s rights, past every RLS policy' FROM pg_proc f JOIN pg_namespace n "
                "ON n.oid = f.pronamespace WHERE f.prosecdef AND f.prorettype <> 'trigger'::regtype AND " +
                in_schemas + " AND has_function_privilege('" + role + "', f.oid, 'EXECUTE') AND NOT EXISTS "
                "(SELECT 1 FROM pg_depend d WHERE d.objid = f.oid AND d.deptype = 'e') AND (f.prosrc ~* "
                "'\\m(insert\\s+into|update\\s+[a-z_.\"]+\\s+set|delete\\s+from|truncate)\\M' OR f.prosrc ~* "
                "'auth\\.users') ORDER BY 1, 2, 3");
          });
  }

  timed({"no_primary_key", "0004_no_primary_key", "Every table API roles can reach has a primary key",
         core::Severity::kLow},
        [&] {
          return run_sql(
              "SELECT n.nspname, c.relname, c.relname, n.nspname || '.' || c.relname || ' has no primary key: "
              "rows are addressed by ctid, and replication and row updates are fragile' FROM pg_class c "
              "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r','p') AND " + in_schemas +
              " AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary) AND " +
              runner.reachable_by_api_sql("c.oid") + " ORDER BY 1, 2");
        });

  run_schema_lints(runner, policies);
  // The user_id / course_id index audit of seed 000 §5 belongs to the
  // database suite (db.schema.index_*): one suite owns one check.
  return runner.take_checks();
}

}  // namespace golive::security
