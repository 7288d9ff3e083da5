// The API access matrix on an API and a schema golive was not written for:
// tests/node/postgrest_api.js (a PostgREST-style server on node-postgres that
// verifies the caller's JWT with the project's secret and runs each request
// as the token's role with request.jwt.claims, as PostgREST does) in front of
// the public_profiles corpus schema (tests/data/rls_corpus: public profiles
// and posts, private notes owned through their post, follows), loaded into a
// database of its own. The matrix mints its users with jwt_secret (no auth
// server exists here).
//   - Correctly wired, every table agrees with the database: zero findings,
//     every table compared, no row left behind.
//   - With post_notes served as service_role (the "service key" route) the
//     matrix fails that table, naming the route and user A reading B's note,
//     and only that table.
//   - Every other corpus schema behind the same API: zero findings, no residue,
//     and a fixed count of compared tables (the rest are named seeding limits).
// Skips when node or tests/node/node_modules/pg is absent (scripts/npm-deps).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <sstream>
#include <string>
#include <vector>

#include "config/environment.hpp"
#include "core/result_stream.hpp"
#include "security/api_rls_matrix.hpp"
#include "security/api_rls_settings.hpp"
#include "tests/support/reference_env.hpp"
#include "tests/support/child_process.hpp"

namespace golive::security {
namespace {

namespace fs = std::filesystem;

const char* kJwtSecret = "foreign-api-jwt-secret-at-least-32-characters";
const char* kAnonKey = "foreign-api-anon-key";

std::string skip_reason() {
  if (std::system("command -v node >/dev/null 2>&1") != 0) return "node is not on PATH";
  if (!fs::exists(fs::path(GOLIVE_SOURCE_DIR) / "tests/node/node_modules/pg/package.json")) {
    return "tests/node/node_modules/pg is absent; run scripts/npm-deps";
  }
  return "";
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

testing::ReferenceEnv& database() {
  return testing::shared_reference_env(testing::ReferenceEnv::Options::database_only());
}

// A fresh database with the Supabase roles/auth prelude and the corpus schema.
std::string load_schema(const std::string& name) {
  const std::string database_name = "golive_foreign_api_" + name;
  {
    pqxx::connection admin(database().database_url());
    pqxx::nontransaction run(admin);
    run.exec("DROP DATABASE IF EXISTS " + run.quote_name(database_name) + " WITH (FORCE)");
    run.exec("CREATE DATABASE " + run.quote_name(database_name));
  }
  std::string url = database().database_url();
  const auto query = url.find('?');
  const std::string suffix = query == std::string::npos ? "" : url.substr(query);
  std::string base = url.substr(0, query);
  url = base.substr(0, base.rfind('/') + 1) + database_name + suffix;
  pqxx::connection connection(url);
  pqxx::nontransaction run(connection);
  run.exec(read_text(std::string(GOLIVE_SOURCE_DIR) +
                     "/fixtures/migrations/0001_supabase_roles_and_auth.up.sql"));
  run.exec(read_text(std::string(GOLIVE_TEST_DATA) + "/rls_corpus/" + name + ".sql"));
  return url;
}

// One API process on a free port of 127.0.0.1, stopped by PID.
class PostgrestStyleApi {
 public:
  // `options`: the server's flags (--privileged-table NAME, --privileged-functions, --schemas
  // LIST).
  PostgrestStyleApi(const std::string& database_url, const std::vector<std::string>& options)
      : process_(arguments(database_url, options)) {}

  int port() const { return process_.port(); }
  std::string base_url() const { return process_.base_url(); }

 private:
  static std::vector<std::string> arguments(const std::string& database_url, const std::vector<std::string>& options) {
    std::vector<std::string> argv{
        "node",           std::string(GOLIVE_SOURCE_DIR) + "/tests/node/postgrest_api.js",
        "--database-url", database_url,
        "--jwt-secret",   kJwtSecret,
        "--anon-key",     kAnonKey};
    argv.insert(argv.end(), options.begin(), options.end());
    return argv;
  }

  golive::testing::LoopbackServerProcess process_;
};

struct MatrixRun {
  std::map<std::string, core::CheckResult> checks;
  ApiRlsOutcome outcome;
};

MatrixRun run_matrix(const PostgrestStyleApi& api, const std::string& database_url,
                     const nlohmann::json& resources = nullptr,
                     const nlohmann::json& schemas = nullptr) {
  nlohmann::json env_json = {{"name", "foreign-postgrest-api"},
                             {"production", false},
                             {"base_url", api.base_url()},
                             {"anon_key", kAnonKey},
                             {"jwt_secret", kJwtSecret},
                             {"database_url", database_url},
                             {"security", {{"api_rls", {{"users", "mint"}}}}}};
  if (!resources.is_null()) env_json["security"]["authz"]["resources"] = resources;
  if (!schemas.is_null()) env_json["security"]["api_rls"]["schemas"] = schemas;
  const fs::path env_file =
      fs::temp_directory_path() / ("golive_foreign_api_" + std::to_string(getpid()) + ".json");
  std::ofstream(env_file) << env_json.dump(2);
  core::Redactor redactor;
  const config::Environment env =
      config::load_environment(env_file.string(), config::process_variables(), redactor);
  fs::remove(env_file);
  ApiRlsOptions options;
  const ApiRlsSettings settings = read_api_rls_settings(env);
  options.users = settings.users;
  options.schemas = settings.schemas;
  options.redactor = &redactor;
  core::CollectingSink sink;
  MatrixRun run;
  const auto started = std::chrono::steady_clock::now();
  run.outcome = run_api_rls_matrix(env, options, sink);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  for (const auto& check : sink.results()) run.checks[check.id] = check;
  std::cout << "[ foreign  ] " << run.outcome.tables_exposed << " tables exposed, "
            << run.outcome.tables_compared << " compared, " << run.outcome.findings
            << " finding(s), " << run.outcome.requests << " requests in "
            << static_cast<long long>(ms) << " ms\n";
  return run;
}

nlohmann::json cell(const core::CheckResult& check, const std::string& op,
                    const std::string& actor) {
  for (const auto& c : check.evidence.at("cells")) {
    if (c.at("op") == op && c.at("actor") == actor) return c;
  }
  return nullptr;
}

const char* kTables[] = {"profiles", "posts", "post_notes", "follows"};

TEST(ForeignApiMatrixTest, CorrectlyWiredApiHasZeroFindingsOnEveryTable) {
  if (const std::string why = skip_reason(); !why.empty()) GTEST_SKIP() << why;
  const std::string url = load_schema("public_profiles");
  PostgrestStyleApi api(url, {});
  ASSERT_GT(api.port(), 0) << "tests/node/postgrest_api.js did not start";
  const MatrixRun run = run_matrix(api, url);
  const auto& setup = run.checks.at("security.api_rls.setup");
  ASSERT_EQ(setup.status, core::CheckStatus::kPass) << setup.message;
  EXPECT_EQ(setup.evidence.at("users"), "minted");
  EXPECT_EQ(run.checks.at("security.api_rls.residue").status, core::CheckStatus::kPass)
      << run.checks.at("security.api_rls.residue").evidence.dump();
  EXPECT_EQ(run.outcome.findings, 0u);
  EXPECT_EQ(run.outcome.tables_exposed, 4u);
  EXPECT_EQ(run.outcome.tables_compared, 4u);
  for (const char* table : kTables) {
    const auto& check = run.checks.at(std::string("security.api_rls.public.") + table);
    EXPECT_EQ(check.status, core::CheckStatus::kPass) << table << ": " << check.message << "\n"
                                                      << check.evidence.dump();
  }
  // What the agreement rests on: a private note is A's alone in both places,
  // and A may edit its own post but not B's.
  const auto& notes = run.checks.at("security.api_rls.public.post_notes");
  const auto own_note = cell(notes, "select", "own");
  const auto cross_note = cell(notes, "select", "cross");
  ASSERT_TRUE(own_note.is_object() && cross_note.is_object()) << notes.evidence.dump();
  EXPECT_EQ(own_note.at("api"), "allowed");
  EXPECT_EQ(cross_note.at("db"), "denied");
  EXPECT_EQ(cross_note.at("api"), "denied");
  const auto& posts = run.checks.at("security.api_rls.public.posts");
  EXPECT_EQ(cell(posts, "update", "own").at("api"), "allowed");
  EXPECT_EQ(cell(posts, "update", "cross").at("api"), "denied");
}

TEST(ForeignApiMatrixTest, RouteQueryingAsServiceRoleIsTheOnlyFinding) {
  if (const std::string why = skip_reason(); !why.empty()) GTEST_SKIP() << why;
  const std::string url = load_schema("public_profiles");
  PostgrestStyleApi api(url, {"--privileged-table", "post_notes"});
  ASSERT_GT(api.port(), 0) << "tests/node/postgrest_api.js did not start";
  const MatrixRun run = run_matrix(api, url);
  EXPECT_EQ(run.checks.at("security.api_rls.setup").status, core::CheckStatus::kPass);
  EXPECT_EQ(run.checks.at("security.api_rls.residue").status, core::CheckStatus::kPass)
      << run.checks.at("security.api_rls.residue").evidence.dump();
  const auto& notes = run.checks.at("security.api_rls.public.post_notes");
  EXPECT_EQ(notes.status, core::CheckStatus::kFail);
  EXPECT_EQ(notes.severity, core::Severity::kCritical);
  EXPECT_NE(notes.message.find("GET /rest/v1/post_notes as cross (select)"), std::string::npos)
      << notes.message;
  EXPECT_NE(notes.message.find("GET /rest/v1/post_notes as anon (select)"), std::string::npos)
      << notes.message;
  const auto cross = cell(notes, "select", "cross");
  EXPECT_EQ(cross.at("db"), "denied");
  EXPECT_EQ(cross.at("api"), "allowed");
  EXPECT_EQ(cross.at("verdict"), "api_bypasses_rls");
  for (const auto& [id, check] : run.checks) {
    if (id == "security.api_rls.public.post_notes") continue;
    EXPECT_FALSE(check.failed()) << id << ": " << check.message;
  }
}

// The note functions take the id in a POST body, as purchase or redeem
// functions do: read-note and delete-note on public.post_notes.
nlohmann::json note_functions() {
  return nlohmann::json::array(
      {{{"name", "post_note"},
        {"table", "public.post_notes"},
        {"read",
         {{"method", "POST"}, {"path", "/functions/v1/read-note"}, {"body", {{"id", "{{id}}"}}}}},
        {"delete",
         {{"method", "POST"},
          {"path", "/functions/v1/delete-note"},
          {"body", {{"id", "{{id}}"}}}}}}});
}

TEST(ForeignApiMatrixTest, FunctionRoutesWithTheIdInTheBodyAgreeWhenTheyQueryAsTheCaller) {
  if (const std::string why = skip_reason(); !why.empty()) GTEST_SKIP() << why;
  const std::string url = load_schema("public_profiles");
  PostgrestStyleApi api(url, {});
  ASSERT_GT(api.port(), 0) << "tests/node/postgrest_api.js did not start";
  const MatrixRun run = run_matrix(api, url, note_functions());
  const auto& function = run.checks.at("security.api_rls.function.post_note");
  EXPECT_EQ(function.status, core::CheckStatus::kPass) << function.message << "\n"
                                                       << function.evidence.dump();
  // select as anon, own, cross; delete as anon and cross (never A's own row).
  ASSERT_EQ(function.evidence.at("cells").size(), 5u) << function.evidence.dump();
  EXPECT_EQ(cell(function, "select", "own").at("api"), "allowed");
  EXPECT_EQ(cell(function, "delete", "cross").at("verdict"), "agree");
  EXPECT_TRUE(cell(function, "delete", "own").is_null());
  EXPECT_EQ(run.outcome.findings, 0u);
  EXPECT_EQ(run.checks.at("security.api_rls.residue").status, core::CheckStatus::kPass);
  // The notes survived the refused deletes: the table cells still compare them.
  EXPECT_EQ(cell(run.checks.at("security.api_rls.public.post_notes"), "select", "own").at("api"),
            "allowed");
}

TEST(ForeignApiMatrixTest, FunctionQueryingAsServiceRoleIsCaughtByItsBodyIdRoutes) {
  if (const std::string why = skip_reason(); !why.empty()) GTEST_SKIP() << why;
  const std::string url = load_schema("public_profiles");
  PostgrestStyleApi api(url, {"--privileged-functions"});
  ASSERT_GT(api.port(), 0) << "tests/node/postgrest_api.js did not start";
  const MatrixRun run = run_matrix(api, url, note_functions());
  const auto& function = run.checks.at("security.api_rls.function.post_note");
  EXPECT_EQ(function.status, core::CheckStatus::kFail);
  EXPECT_NE(function.message.find("POST /functions/v1/read-note as cross (select)"),
            std::string::npos)
      << function.message;
  EXPECT_NE(function.message.find("POST /functions/v1/delete-note as cross (delete)"),
            std::string::npos)
      << function.message;
  // The leak is the function's: every table route still agrees, nothing is left behind.
  EXPECT_EQ(run.checks.at("security.api_rls.residue").status, core::CheckStatus::kPass)
      << run.checks.at("security.api_rls.residue").evidence.dump();
  for (const auto& [id, check] : run.checks) {
    if (id == "security.api_rls.function.post_note") continue;
    EXPECT_FALSE(check.failed()) << id << ": " << check.message;
  }
}

// post_notes moved to a schema of its own ("app"), which the API serves
// beside public: its cells carry Accept-Profile / Content-Profile: app, the
// correctly wired API agrees with the database, and serving it as
// service_role is caught on the app table.
TEST(ForeignApiMatrixTest, TableOfAnotherServedSchemaIsCalledWithItsProfile) {
  if (const std::string why = skip_reason(); !why.empty()) GTEST_SKIP() << why;
  const std::string url = load_schema("public_profiles");
  {
    pqxx::connection connection(url);
    pqxx::nontransaction run(connection);
    run.exec(
        "CREATE SCHEMA app; GRANT USAGE ON SCHEMA app TO anon, authenticated, service_role; "
        "ALTER TABLE public.post_notes SET SCHEMA app");
  }
  const nlohmann::json schemas = {"public", "app"};
  {
    PostgrestStyleApi api(url, {"--schemas", "public,app"});
    ASSERT_GT(api.port(), 0) << "tests/node/postgrest_api.js did not start";
    const MatrixRun run = run_matrix(api, url, nullptr, schemas);
    EXPECT_EQ(run.outcome.findings, 0u);
    EXPECT_EQ(run.outcome.tables_compared, 4u);
    const auto& notes = run.checks.at("security.api_rls.app.post_notes");
    EXPECT_EQ(notes.status, core::CheckStatus::kPass) << notes.message << "\n"
                                                      << notes.evidence.dump();
    const auto own = cell(notes, "select", "own");
    ASSERT_TRUE(own.is_object()) << notes.evidence.dump();
    EXPECT_EQ(own.at("route"), "GET /rest/v1/post_notes (schema app)");
    EXPECT_EQ(own.at("api"), "allowed");
    EXPECT_EQ(run.checks.at("security.api_rls.residue").status, core::CheckStatus::kPass);
  }
  PostgrestStyleApi leaky(url, {"--schemas", "public,app", "--privileged-table", "post_notes"});
  ASSERT_GT(leaky.port(), 0);
  const MatrixRun run = run_matrix(leaky, url, nullptr, schemas);
  const auto& notes = run.checks.at("security.api_rls.app.post_notes");
  EXPECT_EQ(notes.status, core::CheckStatus::kFail);
  EXPECT_NE(notes.message.find("GET /rest/v1/post_notes (schema app) as cross (select)"),
            std::string::npos)
      << notes.message;
  for (const auto& [id, check] : run.checks) {
    if (id == "security.api_rls.app.post_notes") continue;
    EXPECT_FALSE(check.failed()) << id << ": " << check.message;
  }
}

// Every corpus schema, correctly wired: zero findings and no residue. The
// tables not compared are the matrix's known seeding limits, named here:
// stripe_subscriptions.stripe_events has no primary key; a copy of
// chat_roles.role_permissions or team_accounts.account_user collides with a
// composite unique key the copy cannot vary.
struct CorpusCase {
  const char* schema;
  std::size_t exposed;
  std::size_t compared;
};

class CorpusSchemaMatrixTest : public ::testing::TestWithParam<CorpusCase> {};

TEST_P(CorpusSchemaMatrixTest, ZeroFindingsAndNoResidue) {
  if (const std::string why = skip_reason(); !why.empty()) GTEST_SKIP() << why;
  const CorpusCase& corpus = GetParam();
  const std::string url = load_schema(corpus.schema);
  PostgrestStyleApi api(url, {});
  ASSERT_GT(api.port(), 0) << "tests/node/postgrest_api.js did not start";
  const MatrixRun run = run_matrix(api, url);
  EXPECT_EQ(run.checks.at("security.api_rls.setup").status, core::CheckStatus::kPass);
  EXPECT_EQ(run.checks.at("security.api_rls.residue").status, core::CheckStatus::kPass)
      << run.checks.at("security.api_rls.residue").evidence.dump();
  EXPECT_EQ(run.outcome.findings, 0u);
  EXPECT_EQ(run.outcome.tables_exposed, corpus.exposed);
  EXPECT_EQ(run.outcome.tables_compared, corpus.compared);
  for (const auto& [id, check] : run.checks)
    EXPECT_FALSE(check.failed()) << id << ": " << check.message;
}

INSTANTIATE_TEST_SUITE_P(
    PublicStyleSchemas, CorpusSchemaMatrixTest,
    ::testing::Values(CorpusCase{"stripe_subscriptions", 6, 5}, CorpusCase{"chat_roles", 5, 4},
                      CorpusCase{"team_accounts", 6, 5}, CorpusCase{"storage_avatars", 1, 1},
                      CorpusCase{"product_catalogue", 6, 6}, CorpusCase{"lint_trips", 2, 2}),
    [](const ::testing::TestParamInfo<CorpusCase>& info) {
      return std::string(info.param.schema);
    });

}  // namespace
}  // namespace golive::security
