// The RLS part of the security suite against the real reference target
// (PostgreSQL 15 + the reference service, which applies database defects at
// start-up): the clean schema yields zero findings and full coverage, each
// seeded RLS defect is caught by its intended check, and the probes leave
// every table's row count unchanged.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <iostream>
#include <map>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <vector>

#include "config/environment.hpp"
#include "core/input_error.hpp"
#include "core/result_stream.hpp"
#include "security/rls_suite.hpp"
#include "tests/support/reference_env.hpp"

namespace {

using namespace golive;

golive::testing::ReferenceEnv& target() { return golive::testing::shared_reference_env(); }

config::Environment load_target_environment() {
  static core::Redactor redactor;
  return config::load_environment(target().write_env_file(), config::process_variables(), redactor);
}

struct SuiteRun {
  security::RlsSuiteOutcome outcome;
  std::vector<core::CheckResult> checks;

  std::set<std::string> failing_ids() const {
    std::set<std::string> ids;
    for (const auto& check : checks) {
      if (check.failed()) ids.insert(check.id);
    }
    return ids;
  }
  const core::CheckResult* find(const std::string& id) const {
    for (const auto& check : checks) {
      if (check.id == id) return &check;
    }
    return nullptr;
  }
};

SuiteRun run_suite(const std::vector<std::string>& defects, bool static_only = false) {
  target().restart_service(defects);
  core::CollectingSink sink;
  security::RlsOptions options;
  options.static_only = static_only;
  SuiteRun run;
  run.outcome = security::run_rls_suite(load_target_environment(), options, sink);
  run.checks = sink.results();
  return run;
}

// Row count of every public and storage table, as the database owner.
std::map<std::string, long long> count_all_rows() {
  pqxx::connection connection(target().database_url());
  pqxx::work txn(connection);
  std::map<std::string, long long> counts;
  for (const auto& row : txn.exec("SELECT schemaname || '.' || tablename FROM pg_tables WHERE schemaname IN "
                                  "('public', 'storage', 'auth') ORDER BY 1")) {
    auto name = row[0].as<std::string>();
    counts[name] = txn.exec("SELECT count(*) FROM " + name)[0][0].as<long long>();
  }
  return counts;
}

std::string describe_failures(const SuiteRun& run) {
  std::string text;
  for (const auto& check : run.checks) {
    if (check.failed()) text += "\n  " + check.id + ": " + check.message;
  }
  return text;
}

TEST(RlsProbe, CleanReferenceSchemaHasZeroFindingsAndFullCoverage) {
  auto before = count_all_rows();
  auto run = run_suite({});
  auto after = count_all_rows();

  EXPECT_TRUE(run.failing_ids().empty()) << describe_failures(run);
  EXPECT_EQ(before, after) << "the probes left rows behind";
  std::set<std::string> skipped;
  std::size_t dynamic = 0;
  for (const auto& check : run.checks) {
    if (check.status == core::CheckStatus::kSkip) skipped.insert(check.id);
    dynamic += check.id.rfind("security.rls.static.", 0) != 0;
  }
  // The only skip: the seed has no inactive catalog course to hide.
  EXPECT_EQ(skipped, std::set<std::string>{"security.rls.anon_select_inactive.public.catalog_courses"});
  EXPECT_GT(dynamic, 100u) << "every table should get several probes";
  // One passing check per clean lint, so the static audit is evidence too.
  for (const char* lint : {"rls_enabled", "policy_exists_rls_disabled", "rls_enabled_no_policy", "select_policy_owner",
                           "update_policy_owner", "multiple_permissive_policies", "auth_rls_initplan",
                           "auth_users_exposed", "security_definer_view", "function_search_path_mutable",
                           "unindexed_foreign_keys", "rls_policy_always_true", "shadowed_policy", "no_primary_key",
                           "anon_security_definer_function_executable",
                           "authenticated_security_definer_function_executable",
                           "security_definer_search_path_mutable", "duplicate_index", "extension_in_public",
                           "rls_references_user_metadata", "materialized_view_in_api", "foreign_table_in_api",
                           "fkey_to_auth_unique", "sensitive_columns_exposed", "rls_policy_null_auth_disjunct",
                           "unsupported_reg_types", "extension_versions_outdated", "autovacuum_disabled",
                           "table_bloat", "invalid_index", "public_bucket_allows_listing",
                           "unused_replication_slot"}) {
    const auto* check = run.find(std::string("security.rls.static.") + lint);
    ASSERT_NE(check, nullptr) << lint;
    EXPECT_EQ(check->status, core::CheckStatus::kPass) << lint;
  }
  ASSERT_TRUE(run.outcome.surface_coverage.is_object());
  EXPECT_EQ(run.outcome.surface_coverage["tables_probed"].size(), 19u);
  EXPECT_EQ(run.outcome.surface_coverage["tables_probed"], run.outcome.surface_coverage["tables_present"]);
  const auto* residue = run.find("security.rls.residue");
  ASSERT_NE(residue, nullptr);
  EXPECT_EQ(residue->status, core::CheckStatus::kPass);
  // Ownership chains are inferred: topics belong to the owner of their course.
  const auto* topics = run.find("security.rls.cross_user_select.public.topics");
  ASSERT_NE(topics, nullptr);
  EXPECT_EQ(topics->evidence["ownership"], "chain course_id -> public.courses.user_id");
  std::cout << "[ measure  ] static audit " << run.outcome.static_audit_ms << " ms, dynamic probes "
            << run.outcome.dynamic_probe_ms << " ms for " << dynamic << " checks\n";
  EXPECT_LT(run.outcome.dynamic_probe_ms, 5000.0);
}

struct DefectCase {
  std::string defect;
  std::vector<std::string> must_fail;  // the intended catching checks
};

class RlsDefect : public ::testing::TestWithParam<DefectCase> {};

TEST_P(RlsDefect, IsCaughtByItsIntendedChecksAndLeavesNoResidue) {
  const auto& param = GetParam();
  auto before = count_all_rows();
  auto run = run_suite({param.defect});
  auto after = count_all_rows();
  auto failing = run.failing_ids();
  for (const auto& id : param.must_fail) {
    EXPECT_TRUE(failing.count(id)) << param.defect << " not caught by " << id << "; failures:" << describe_failures(run);
  }
  for (const auto& check : run.checks) {
    EXPECT_NE(check.status, core::CheckStatus::kError) << check.id << ": " << check.message;
  }
  EXPECT_EQ(before, after) << "the probes left rows behind";
}

INSTANTIATE_TEST_SUITE_P(
    SeededDefects, RlsDefect,
    ::testing::Values(
        DefectCase{"rls-disabled:topics",
                   {"security.rls.static.rls_enabled.public.topics",
                    "security.rls.static.policy_exists_rls_disabled.public.topics",
                    "security.rls.cross_user_select.public.topics", "security.rls.anon_select.public.topics",
                    "security.rls.cross_user_update.public.topics"}},
        DefectCase{"policy-always-true:admin_overrides",
                   {"security.rls.static.select_policy_owner.public.admin_overrides",
                    "security.rls.cross_user_select.public.admin_overrides"}},
        DefectCase{"update-without-check",
                   {"security.rls.static.update_policy_owner.public.courses",
                    "security.rls.ownership_transfer_update.public.courses",
                    "security.rls.static.rls_policy_always_true.public.courses"}},
        DefectCase{"definer-rpc-open",
                   {"security.rls.static.anon_security_definer_function_executable.public.grant_admin_override",
                    "security.rls.static.authenticated_security_definer_function_executable.public."
                    "grant_admin_override",
                    // Called as anon with user B's id and an existing tier (the text argument is
                    // derived from the key admin_overrides.tier_id references).
                    "security.rls.definer_call.public.grant_admin_override"}},
        DefectCase{"select-policy-shadowed",
                   {"security.rls.static.shadowed_policy.public.courses",
                    "security.rls.cross_user_select.public.courses"}},
        DefectCase{"subscription-self-write",
                   {"security.rls.service_only_insert.public.subscriptions",
                    "security.rls.service_only_update.public.subscriptions"}},
        DefectCase{"inactive-plans-visible",
                   {"security.rls.anon_select_inactive.public.plans",
                    "security.rls.user_select_inactive.public.plans"}},
        DefectCase{"missing-index:course_id",
                   {"security.rls.static.unindexed_foreign_keys.public.topics"}}),
    [](const auto& info) {
      std::string name;
      for (char c : info.param.defect) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
      return name;
    });

TEST(RlsProbe, StaticOnlyRunsNoImpersonatedStatements) {
  auto run = run_suite({}, /*static_only=*/true);
  ASSERT_FALSE(run.checks.empty());
  for (const auto& check : run.checks) EXPECT_EQ(check.id.rfind("security.rls.static.", 0), 0u) << check.id;
  EXPECT_TRUE(run.outcome.surface_coverage.is_null());
}

TEST(RlsProbe, MissingDatabaseUrlIsBadInputNamingTheKey) {
  auto env = load_target_environment();
  env.database_url.clear();
  core::CollectingSink sink;
  try {
    security::run_rls_suite(env, {}, sink);
    FAIL() << "expected an InputError";
  } catch (const core::InputError& e) {
    EXPECT_EQ(e.location(), "/database_url");
  }
  EXPECT_TRUE(sink.results().empty());
}

TEST(RlsProbe, UnknownExpectationIsBadInputNamingThePointer) {
  auto env = load_target_environment();
  env.sections["security"] = {{"rls_expectations", {{"plans", "everyone_everything"}}}};
  try {
    security::read_rls_settings(env, {});
    FAIL() << "expected an InputError";
  } catch (const core::InputError& e) {
    EXPECT_EQ(e.location(), "/security/rls_expectations/plans");
  }
}

TEST(RlsProbe, UnreachableDatabaseIsAnErrorCheckNotACrash) {
  auto env = load_target_environment();
  env.database_url = "postgresql://nobody@127.0.0.1:1/none";
  core::CollectingSink sink;
  auto outcome = security::run_rls_suite(env, {}, sink);
  EXPECT_FALSE(outcome.database_reachable);
  ASSERT_EQ(sink.results().size(), 1u);
  EXPECT_EQ(sink.results().front().id, "security.rls.database");
  EXPECT_EQ(sink.results().front().status, core::CheckStatus::kError);
}

}  // namespace
