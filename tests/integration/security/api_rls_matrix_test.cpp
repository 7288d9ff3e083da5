// The API access matrix against the real reference target and PostgreSQL:
// the clean target has zero findings and leaves no row behind, and with
// api-uses-service-role:admin_overrides (the table's REST calls run as the
// service role) every database-level RLS check still passes while the matrix
// fails that table, naming the routes.
#include <gtest/gtest.h>

#include <map>

#include "config/environment.hpp"
#include "core/result_stream.hpp"
#include "security/api_rls_matrix.hpp"
#include "security/rls_suite.hpp"
#include "tests/support/reference_env.hpp"

namespace golive::security {
namespace {

struct BothSuites {
  std::map<std::string, core::CheckResult> rls;     // the database-level suite
  std::map<std::string, core::CheckResult> matrix;  // security.api_rls.*
  ApiRlsOutcome outcome;
};

BothSuites run_both() {
  core::Redactor redactor;
  const config::Environment env = config::load_environment(
      testing::shared_reference_env().write_env_file(), config::process_variables(), redactor);
  BothSuites run;
  core::CollectingSink rls_sink, matrix_sink;
  run_rls_suite(env, RlsOptions{}, rls_sink);
  for (const auto& check : rls_sink.results()) run.rls[check.id] = check;
  run.outcome = run_api_rls_matrix(env, ApiRlsOptions{}, matrix_sink);
  for (const auto& check : matrix_sink.results()) run.matrix[check.id] = check;
  return run;
}

std::string failures(const std::map<std::string, core::CheckResult>& checks) {
  std::string text;
  for (const auto& [id, check] : checks) {
    if (check.failed()) text += id + ": " + check.message + "\n";
  }
  return text;
}

// The cell of `op` by `actor` in a table check's evidence.
nlohmann::json cell(const core::CheckResult& check, const std::string& op, const std::string& actor) {
  for (const auto& c : check.evidence.at("cells")) {
    if (c.at("op") == op && c.at("actor") == actor) return c;
  }
  return nullptr;
}

TEST(ApiRlsMatrixIntegrationTest, CleanTargetHasZeroFindingsAndNoResidue) {
  testing::shared_reference_env().restart_service({});
  const BothSuites run = run_both();
  EXPECT_EQ(failures(run.rls), "");
  EXPECT_EQ(failures(run.matrix), "");
  EXPECT_EQ(run.outcome.findings, 0u);
  EXPECT_EQ(run.outcome.tables_exposed, 19u);
  EXPECT_EQ(run.outcome.tables_compared, 19u);
  EXPECT_EQ(run.matrix.at("security.api_rls.residue").status, core::CheckStatus::kPass);
  // Every table is compared: no skip hides a table the matrix could not seed.
  for (const auto& [id, check] : run.matrix) {
    EXPECT_NE(check.status, core::CheckStatus::kSkip) << id << ": " << check.message;
  }
  // What the comparison rests on: A may change its own course, not B's, in both places.
  const auto& courses = run.matrix.at("security.api_rls.public.courses");
  const auto own = cell(courses, "update", "own");
  const auto cross = cell(courses, "update", "cross");
  ASSERT_TRUE(own.is_object() && cross.is_object()) << courses.evidence.dump();
  EXPECT_EQ(own.at("db"), "allowed");
  EXPECT_EQ(own.at("api"), "allowed");
  EXPECT_EQ(cross.at("db"), "denied");
  EXPECT_EQ(cross.at("api"), "denied");
  EXPECT_EQ(cross.at("route"), "PATCH /rest/v1/courses");
  // Bounded: one request per cell, at most 15 cells per table.
  EXPECT_LE(run.outcome.requests, 19u * 15u);
}

TEST(ApiRlsMatrixIntegrationTest, ServiceRoleRouteIsCaughtOnlyByTheMatrix) {
  testing::shared_reference_env().restart_service({"api-uses-service-role:admin_overrides"});
  const BothSuites run = run_both();
  testing::shared_reference_env().restart_service({});
  EXPECT_EQ(failures(run.rls), "") << "a database-level check saw the API defect";
  const auto& table = run.matrix.at("security.api_rls.public.admin_overrides");
  EXPECT_EQ(table.status, core::CheckStatus::kFail);
  EXPECT_EQ(table.severity, core::Severity::kCritical);
  EXPECT_NE(table.message.find("api_bypasses_rls"), std::string::npos) << table.message;
  EXPECT_NE(table.message.find("GET /rest/v1/admin_overrides as cross (select)"), std::string::npos)
      << table.message;
  const auto cross = cell(table, "select", "cross");
  EXPECT_EQ(cross.at("db"), "denied");
  EXPECT_EQ(cross.at("api"), "allowed");
  EXPECT_EQ(cross.at("verdict"), "api_bypasses_rls");
  // Nothing else: the other tables agree, and the rows the leaky route
  // deleted or created were the probe's own.
  for (const auto& [id, check] : run.matrix) {
    if (id == "security.api_rls.public.admin_overrides") continue;
    EXPECT_FALSE(check.failed()) << id << ": " << check.message;
  }
}

}  // namespace
}  // namespace golive::security
