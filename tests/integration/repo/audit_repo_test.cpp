// `golive audit repo` run for real: on the materialised embedded app
// repository every repo check passes (exit 0); each repository variant makes
// its catching check fail (exit 1); bad input (a workflow that is not YAML,
// a folder that is not a git repository, a coverage file of an unknown
// format) is exit 2 with a message naming the file. No reference target is
// needed: the audit reads files and git history only.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/support/golive_cli_harness.hpp"
#include "repo/app_repo_fixture.hpp"

namespace golive::repo {
namespace {

namespace cli = golive::testing::cli;

struct AuditRun {
  cli::GoliveExit exit;
  std::map<std::string, std::string> status_by_id;
};

// Checks that skip in an audit without a database (the migrations) or without
// the target's declared routes (the OpenAPI coverage).
bool needs_database(const std::string& id) {
  return id == "repo.migrations.applied" || id == "repo.prisma.drift" || id == "repo.docs.openapi_covers_routes";
}

AuditRun audit(const std::string& name, std::vector<std::string> args) {
  const std::string dir = cli::scratch_dir("audit_" + name);
  std::vector<std::string> argv = {"audit", "repo"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.insert(argv.end(), {"--out", dir + "/out", "--quiet"});
  AuditRun run;
  run.exit = cli::wait_golive(cli::start_golive(argv, dir), std::chrono::seconds(120));
  const std::string results = cli::latest_run(dir + "/out") + "/results.jsonl";
  if (std::filesystem::exists(results)) {
    for (const auto& record : cli::read_results(results)) {
      if (record.contains("id")) run.status_by_id[record["id"]] = record["status"];
    }
  }
  return run;
}

TEST(AuditRepo, CleanEmbeddedRepositoryPassesEveryCheck) {
  const AuditRun run = audit("clean", {});
  EXPECT_EQ(run.exit.exit_code, 0) << run.exit.stdout_text << run.exit.stderr_text;
  EXPECT_GE(run.status_by_id.size(), 20u);
  for (const auto& [id, status] : run.status_by_id) {
    EXPECT_EQ(status, needs_database(id) ? "skip" : "pass") << id;  // no database_url here
  }
}

TEST(AuditRepo, EachVariantFailsItsCatchingCheck) {
  for (const auto& variant : app_repo_variants()) {
    if (variant.needs_database) continue;  // run_stage tests: golive run --defect with the reference database
    if (variant.needs_routes) continue;    // WithDeclaredRoutes below
    const AuditRun run = audit(variant.name, {"--defect", variant.name});
    EXPECT_EQ(run.exit.exit_code, 1) << variant.name << "\n" << run.exit.stderr_text;
    ASSERT_TRUE(run.status_by_id.count(variant.catching_check)) << variant.name;
    EXPECT_EQ(run.status_by_id.at(variant.catching_check), "fail") << variant.name;
    // A variant breaks one thing: every other check still passes.
    for (const auto& [id, status] : run.status_by_id) {
      if (id != variant.catching_check) {
        EXPECT_EQ(status, needs_database(id) ? "skip" : "pass") << variant.name << ": " << id;
      }
    }
    EXPECT_EQ(run.exit.stdout_text.find("sk_live_" + std::string("A")), std::string::npos);
  }
}

// With an environment, the declared routes come from the target or, as here
// (nothing listens on base_url), from its contract.openapi: the reference
// target's route list (tests/data/repo/reference_routes.json) as an OpenAPI
// paths object, without golive's own routes (/_golive/, /_mock/), as the
// route list leaves them out. The clean document covers it;
// openapi-missing-route does not.
std::string write_routes_env(const std::string& name) {
  const std::string dir = cli::scratch_dir("routes_env_" + name);
  std::ifstream in(GOLIVE_SOURCE_DIR "/tests/data/repo/reference_routes.json");
  const nlohmann::json body = nlohmann::json::parse(in);
  nlohmann::json paths = nlohmann::json::object();
  for (const auto& route : body["routes"]) {
    const std::string pattern = route["pattern"].get<std::string>();
    if (pattern.rfind("/_golive/", 0) == 0 || pattern.rfind("/_mock/", 0) == 0) continue;  // golive's own
    std::string method = route["method"].get<std::string>();
    for (auto& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    paths[pattern][method] = nlohmann::json::object();
  }
  std::ofstream(dir + "/declared.json") << nlohmann::json{{"openapi", "3.0.3"}, {"paths", paths}}.dump(2);
  std::ofstream(dir + "/env.json") << nlohmann::json{{"name", "routes-from-contract"},
                                                     {"base_url", "http://127.0.0.1:9"},
                                                     {"anon_key", "anon-key-for-tests"},
                                                     {"contract", {{"openapi", "declared.json"}}}}
                                          .dump(2);
  return dir + "/env.json";
}

TEST(AuditRepo, WithDeclaredRoutesTheOpenApiDocumentIsCompared) {
  const AuditRun clean = audit("routes_clean", {"--env", write_routes_env("clean")});
  ASSERT_TRUE(clean.status_by_id.count("repo.docs.openapi_covers_routes")) << clean.exit.stderr_text;
  EXPECT_EQ(clean.status_by_id.at("repo.docs.openapi_covers_routes"), "pass");
  for (const auto& variant : app_repo_variants()) {
    if (!variant.needs_routes) continue;
    const AuditRun run = audit(variant.name, {"--env", write_routes_env(variant.name), "--defect", variant.name});
    EXPECT_EQ(run.exit.exit_code, 1) << variant.name << "\n" << run.exit.stderr_text;
    ASSERT_TRUE(run.status_by_id.count(variant.catching_check)) << variant.name;
    EXPECT_EQ(run.status_by_id.at(variant.catching_check), "fail") << variant.name;
    for (const auto& [id, status] : run.status_by_id) {
      if (id != variant.catching_check) EXPECT_EQ(status, clean.status_by_id.at(id)) << variant.name << ": " << id;
    }
  }
}

class BadRepository : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = cli::scratch_dir("bad_repo") + "/app";
    materialise_app_repo(default_app_repo_sources(GOLIVE_SOURCE_DIR), path_, {});
  }
  std::string path_;
};

TEST_F(BadRepository, AWorkflowThatIsNotYamlIsExit2NamingTheFile) {
  std::ofstream(path_ + "/.github/workflows/deploy.yml") << "on: push\njobs:\n  deploy: [unclosed\n";
  const AuditRun run = audit("bad_yaml", {path_});
  EXPECT_EQ(run.exit.exit_code, 2);
  EXPECT_NE(run.exit.stderr_text.find(".github/workflows/deploy.yml"), std::string::npos) << run.exit.stderr_text;
  EXPECT_NE(run.exit.stderr_text.find("line"), std::string::npos) << run.exit.stderr_text;
}

TEST_F(BadRepository, ACoverageFileOfAnUnknownFormatIsExit2NamingTheFile) {
  std::ofstream(path_ + "/coverage/lcov.info", std::ios::trunc) << "All files | 81.2 | 70.1 | 77 | 81.2\n";
  const AuditRun run = audit("bad_coverage", {path_});
  EXPECT_EQ(run.exit.exit_code, 2);
  EXPECT_NE(run.exit.stderr_text.find("coverage/lcov.info"), std::string::npos) << run.exit.stderr_text;
  EXPECT_NE(run.exit.stderr_text.find("unknown coverage format"), std::string::npos) << run.exit.stderr_text;
}

TEST(AuditRepo, AFolderThatIsNotAGitRepositoryIsExit2) {
  const std::string plain = cli::scratch_dir("plain_folder");
  const AuditRun run = audit("not_git", {plain});
  EXPECT_EQ(run.exit.exit_code, 2);
  EXPECT_NE(run.exit.stderr_text.find(plain), std::string::npos) << run.exit.stderr_text;
  EXPECT_NE(run.exit.stderr_text.find("not a git repository"), std::string::npos) << run.exit.stderr_text;
}

}  // namespace
}  // namespace golive::repo
