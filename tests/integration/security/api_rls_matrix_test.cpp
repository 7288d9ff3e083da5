// The API access matrix against the real reference target and PostgreSQL:
// the clean target has zero findings and leaves no row behind, and with
// api-uses-service-role:admin_overrides (the table's REST calls run as the
// service role) every database-level RLS check still passes while the matrix
// fails that table, naming the routes.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <string_view>
#include <thread>

#include "config/environment.hpp"
#include "core/random_id.hpp"
#include "core/result_stream.hpp"
#include "reports/render_all.hpp"
#include "security/api_rls_matrix.hpp"
#include "security/rls_suite.hpp"
#include "target/postgres.hpp"
#include "tests/support/curl_reproduction.hpp"
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
  EXPECT_EQ(run.matrix.at("security.api_rls.setup").evidence.at("users"), "auth");
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
  const std::string base_url = testing::shared_reference_env().base_url();
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
  // The failing cell carries its request as curl, user A's token and the anon
  // key as variables; the check carries its first failing cell's.
  auto& target = testing::shared_reference_env();
  std::string problems;
  const auto curl = testing::parse_curl_reproduction(
      cross, "GET", base_url + "/rest/v1/admin_overrides?",
      testing::reference_secret_values(target), &problems);
  EXPECT_EQ(problems, "");
  ASSERT_TRUE(curl);
  EXPECT_EQ(curl->header("Authorization"), "Bearer ${GOLIVE_TOKEN}");
  EXPECT_EQ(curl->header("apikey"), "${GOLIVE_REF_ANON_KEY}");
  ASSERT_TRUE(table.evidence.contains("reproduction")) << table.evidence.dump();
  bool first_bypass_reproduced = false;
  for (const auto& c : table.evidence.at("cells")) {
    if (c.at("verdict") != "api_bypasses_rls") continue;
    EXPECT_EQ(c.at("reproduction"), table.evidence.at("reproduction"));
    first_bypass_reproduced = true;
    break;
  }
  EXPECT_TRUE(first_bypass_reproduced);
  EXPECT_FALSE(cell(table, "select", "own").contains("reproduction"));
  // Nothing else: the other tables agree, and the rows the leaky route
  // deleted or created were the probe's own.
  for (const auto& [id, check] : run.matrix) {
    if (id == "security.api_rls.public.admin_overrides") continue;
    EXPECT_FALSE(check.failed()) << id << ": " << check.message;
  }
}

// The reference environment with the course print function declared as a
// resource of public.courses (no "create": the matrix uses its own rows).
std::string env_with_print_function() {
  const std::string path = testing::shared_reference_env().write_env_file();
  nlohmann::json env = nlohmann::json::parse(std::ifstream(path));
  env["security"]["authz"]["resources"] = nlohmann::json::array(
      {{{"name", "course_print"}, {"table", "public.courses"}, {"read", "/functions/v1/courses/{{id}}/print"}}});
  const std::string out = path + ".functions.json";
  std::ofstream(out) << env.dump(2);
  return out;
}

BothSuites run_both_with_functions() {
  core::Redactor redactor;
  const config::Environment env =
      config::load_environment(env_with_print_function(), config::process_variables(), redactor);
  BothSuites run;
  core::CollectingSink rls_sink, matrix_sink;
  run_rls_suite(env, RlsOptions{}, rls_sink);
  for (const auto& check : rls_sink.results()) run.rls[check.id] = check;
  run.outcome = run_api_rls_matrix(env, ApiRlsOptions{}, matrix_sink);
  for (const auto& check : matrix_sink.results()) run.matrix[check.id] = check;
  return run;
}

TEST(ApiRlsMatrixIntegrationTest, FunctionRouteAsServiceRoleIsCaughtOnlyByTheMatrix) {
  testing::shared_reference_env().restart_service({});
  const BothSuites clean = run_both_with_functions();
  EXPECT_EQ(failures(clean.matrix), "");
  EXPECT_EQ(clean.outcome.findings, 0u);
  const auto& print = clean.matrix.at("security.api_rls.function.course_print");
  EXPECT_EQ(print.status, core::CheckStatus::kPass) << print.message << print.evidence.dump();
  const auto own = cell(print, "select", "own");
  const auto cross = cell(print, "select", "cross");
  ASSERT_TRUE(own.is_object() && cross.is_object()) << print.evidence.dump();
  EXPECT_EQ(own.at("db"), "allowed");
  EXPECT_EQ(own.at("api"), "allowed");
  EXPECT_EQ(cross.at("db"), "denied");
  EXPECT_EQ(cross.at("api"), "denied");

  testing::shared_reference_env().restart_service({"function-uses-service-role"});
  const BothSuites leaky = run_both_with_functions();
  const std::string base_url = testing::shared_reference_env().base_url();
  testing::shared_reference_env().restart_service({});
  EXPECT_EQ(failures(leaky.rls), "") << "a database-level check saw the function defect";
  const auto& caught = leaky.matrix.at("security.api_rls.function.course_print");
  EXPECT_EQ(caught.status, core::CheckStatus::kFail);
  EXPECT_EQ(caught.severity, core::Severity::kCritical);
  EXPECT_NE(caught.message.find("GET /functions/v1/courses/{id}/print as cross (select)"), std::string::npos)
      << caught.message;
  EXPECT_EQ(cell(caught, "select", "cross").at("verdict"), "api_bypasses_rls");
  std::string problems;
  const auto curl = testing::parse_curl_reproduction(
      caught.evidence, "GET", base_url + "/functions/v1/courses/",
      testing::reference_secret_values(testing::shared_reference_env()), &problems);
  EXPECT_EQ(problems, "");
  ASSERT_TRUE(curl);
  EXPECT_NE(curl->url.find("/print"), std::string::npos) << curl->url;
  EXPECT_EQ(curl->header("Authorization"), "Bearer ${GOLIVE_TOKEN}");
  // The table cells do not see it: the REST routes still apply the policies.
  for (const auto& [id, check] : leaky.matrix) {
    if (id == "security.api_rls.function.course_print") continue;
    EXPECT_FALSE(check.failed()) << id << ": " << check.message;
  }
}

TEST(ApiRlsMatrixIntegrationTest, UsersMintedWithTheJwtSecretGiveTheSameCleanMatrix) {
  testing::shared_reference_env().restart_service({});
  core::Redactor redactor;
  const config::Environment env = config::load_environment(
      testing::shared_reference_env().write_env_file(), config::process_variables(), redactor);
  ASSERT_FALSE(env.jwt_secret.empty()) << "the reference environment declares jwt_secret";
  ApiRlsOptions options;
  options.users = MatrixUsers::kMint;
  core::Redactor minted_tokens;
  options.redactor = &minted_tokens;
  core::CollectingSink sink;
  const ApiRlsOutcome outcome = run_api_rls_matrix(env, options, sink);
  // Both users' tokens were registered as secrets before they were used.
  EXPECT_EQ(minted_tokens.secret_count(), 2u);
  std::map<std::string, core::CheckResult> checks;
  for (const auto& check : sink.results()) checks[check.id] = check;
  EXPECT_EQ(failures(checks), "");
  EXPECT_EQ(outcome.findings, 0u);
  EXPECT_EQ(outcome.tables_compared, 19u);
  const auto& setup = checks.at("security.api_rls.setup");
  EXPECT_EQ(setup.status, core::CheckStatus::kPass) << setup.message;
  EXPECT_EQ(setup.evidence.at("users"), "minted");
  EXPECT_EQ(checks.at("security.api_rls.residue").status, core::CheckStatus::kPass);
  // The comparison rests on the minted tokens being accepted: A's own course is allowed.
  const auto own = cell(checks.at("security.api_rls.public.courses"), "update", "own");
  ASSERT_TRUE(own.is_object());
  EXPECT_EQ(own.at("api"), "allowed");
}

// A minted token is a secret: whatever carries it (a check's message or
// evidence, the console line, every report file) shows the mask instead.
TEST(ApiRlsMatrixIntegrationTest, MintedTokenIsRedactedInResultsConsoleAndReports) {
  core::Redactor env_redactor;
  const config::Environment env = config::load_environment(
      testing::shared_reference_env().write_env_file(), config::process_variables(), env_redactor);
  auto connected = target::connect_database(env.database_url);
  ASSERT_TRUE(connected.ok()) << connected.error;
  // The global redactor: the one a run's writer, console and reports use.
  core::Redactor& redactor = core::Redactor::global();
  std::string why;
  const auto user = mint_probe_user(*connected.connection, env, redactor, &why);
  ASSERT_TRUE(user.has_value()) << why;
  const std::string token = user->access_token;
  ASSERT_GT(token.size(), 40u);
  EXPECT_EQ(redactor.redact("Bearer " + token), std::string("Bearer ") + core::Redactor::kMask);

  core::CheckResult leaky;
  leaky.id = "security.api_rls.public.courses";
  leaky.suite = "security";
  leaky.title = "A check whose evidence carries the token";
  leaky.status = core::CheckStatus::kFail;
  leaky.severity = core::Severity::kCritical;
  leaky.message = "the API echoed Authorization: Bearer " + token;
  leaky.evidence = {{"request", {{"headers", {{"authorization", "Bearer " + token}}}}}, {"token", token}};

  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("golive_minted_" + core::random_hex(6));
  std::filesystem::create_directories(dir);
  {
    core::JsonlResultWriter writer((dir / "results.jsonl").string(), redactor);
    writer.record_meta("run_start", {{"run_id", "minted"}, {"env", env.name}, {"suites", {"security"}}});
    writer.record(leaky);
    writer.record_meta("run_end", {{"run_id", "minted"}});
  }
  // The console line of `golive run` redacts the message the same way.
  const std::string console = redactor.redact("[fail] " + leaky.id + ": " + leaky.message);
  EXPECT_EQ(console.find(token), std::string::npos) << console;
  EXPECT_NE(console.find(core::Redactor::kMask), std::string::npos);
  // Reports rendered from a stream that still carried the raw token (a
  // writer that missed it): the reporters' own pass masks it too.
  core::ResultStreamContents raw = core::read_result_stream((dir / "results.jsonl").string());
  ASSERT_EQ(raw.checks.size(), 1u);
  raw.checks[0].message = leaky.message;
  raw.checks[0].evidence = leaky.evidence;
  report::RenderOptions render;
  render.redactor = &redactor;
  const report::RenderResult rendered = report::render_all(raw, render, (dir / "reports").string());
  std::vector<std::string> files = rendered.files_written;
  files.push_back((dir / "results.jsonl").string());
  ASSERT_GE(files.size(), 3u);
  std::size_t masked = 0;
  for (const std::string& file : files) {
    std::ifstream in(file, std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(text.find(token), std::string::npos) << file << " shows the minted token";
    if (text.find(core::Redactor::kMask) != std::string::npos) ++masked;
  }
  EXPECT_GE(masked, 2u) << "results.jsonl and report.json carry the masked evidence";
  EXPECT_TRUE(release_minted_user(*connected.connection, *user));
  std::filesystem::remove_all(dir);
}

// Holds up the first table request long enough to spend the matrix's budget.
class SlowFirstTableRequest final : public http::RequestObserver {
 public:
  explicit SlowFirstTableRequest(std::chrono::milliseconds delay) : delay_(delay) {}
  void on_request(std::string_view, std::string_view url) override {
    if (url.find("/rest/v1/") == std::string_view::npos) return;
    if (!held_.exchange(true)) std::this_thread::sleep_for(delay_);
  }

 private:
  std::chrono::milliseconds delay_;
  std::atomic<bool> held_{false};
};

TEST(ApiRlsMatrixIntegrationTest, BudgetSpentInsideATableLeavesItsRemainingCellsNotTried) {
  testing::shared_reference_env().restart_service({});
  core::Redactor redactor;
  const config::Environment env = config::load_environment(
      testing::shared_reference_env().write_env_file(), config::process_variables(), redactor);
  SlowFirstTableRequest slow(std::chrono::milliseconds(3500));
  ApiRlsOptions options;
  options.budget = std::chrono::milliseconds(3000);
  options.request_observer = &slow;
  core::CollectingSink sink;
  const ApiRlsOutcome outcome = run_api_rls_matrix(env, options, sink);
  std::size_t partly = 0, unstarted = 0;
  for (const auto& check : sink.results()) {
    if (check.id == "security.api_rls.setup" || check.id == "security.api_rls.residue") {
      EXPECT_EQ(check.status, core::CheckStatus::kPass) << check.id << ": " << check.message;
      continue;
    }
    // Declared function routes run first, before the budget is spent.
    if (check.id.rfind("security.api_rls.function.", 0) == 0) continue;
    EXPECT_EQ(check.status, core::CheckStatus::kSkip) << check.id << ": " << check.message;
    if (!check.evidence.contains("cells")) {
      ++unstarted;
      continue;
    }
    // The started table: its first cell was sent, every later one was not.
    ++partly;
    const auto& cells = check.evidence.at("cells");
    ASSERT_GE(cells.size(), 2u);
    EXPECT_NE(cells.front().at("verdict"), "not_tried");
    for (std::size_t i = 1; i < cells.size(); ++i) EXPECT_EQ(cells[i].at("verdict"), "not_tried") << cells[i].dump();
    EXPECT_EQ(check.evidence.at("not_tried"), cells.size() - 1);
    EXPECT_NE(check.message.find("not tried"), std::string::npos) << check.message;
    EXPECT_EQ(outcome.cells_not_tried, cells.size() - 1);
  }
  EXPECT_EQ(partly, 1u);
  EXPECT_EQ(unstarted, 18u);
  EXPECT_EQ(outcome.findings, 0u);
  EXPECT_FALSE(outcome.not_sent.empty());
}

}  // namespace
}  // namespace golive::security
