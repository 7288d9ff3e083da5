// The repository checks that need the database the migrations were applied
// to, on the real reference database: on the clean embedded app repository
// every migration is applied unchanged (the SHA-256 that reference-env
// recorded) and schema.prisma matches the live schema;
// migration-edited-after-apply fails repo.migrations.applied and prisma-drift
// fails repo.prisma.drift, each naming the file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "repo/app_repo_fixture.hpp"
#include "tests/support/golive_cli_harness.hpp"
#include "tests/support/reference_env.hpp"

namespace golive::repo {
namespace {

namespace cli = golive::testing::cli;
using golive::testing::ReferenceEnv;
using golive::testing::shared_reference_env;

struct AuditRun {
  cli::GoliveExit exit;
  std::map<std::string, nlohmann::json> by_id;
};

AuditRun audit_with_database(const std::string& name, const std::vector<std::string>& variants) {
  ReferenceEnv& reference = shared_reference_env(ReferenceEnv::Options::database_only());
  const std::string dir = cli::scratch_dir("repo_db_" + name);
  // An environment with only what the audit reads: the database (no service runs).
  const std::string env = dir + "/env.json";
  std::ofstream(env) << nlohmann::json{{"name", "repo-database"},
                                       {"base_url", "http://127.0.0.1:9"},
                                       {"anon_key", "anon-key-for-tests"},
                                       {"database_url", reference.database_url()}}.dump(2);
  std::vector<std::string> argv = {"audit", "repo", "--env", env, "--out", dir + "/out", "--quiet"};
  for (const auto& variant : variants) argv.insert(argv.end(), {"--defect", variant});
  AuditRun run;
  run.exit = cli::wait_golive(cli::start_golive(argv, dir), std::chrono::seconds(120));
  for (const auto& record : cli::read_results(cli::latest_run(dir + "/out") + "/results.jsonl")) {
    if (record.contains("id")) run.by_id[record["id"]] = record;
  }
  return run;
}

TEST(RepoDatabase, CleanRepositoryIsAppliedUnchangedAndMatchesPrisma) {
  const AuditRun run = audit_with_database("clean", {});
  EXPECT_EQ(run.exit.exit_code, 0) << run.exit.stdout_text << run.exit.stderr_text;
  ASSERT_TRUE(run.by_id.count("repo.migrations.applied"));
  EXPECT_EQ(run.by_id.at("repo.migrations.applied")["status"], "pass");
  // Every reference migration (fixtures/migrations/*.up.sql) is in the record.
  int migrations = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(GOLIVE_SOURCE_DIR) + "/fixtures/migrations")) {
    const std::string name = entry.path().filename().string();
    if (name.size() > 7 && name.compare(name.size() - 7, 7, ".up.sql") == 0) ++migrations;
  }
  EXPECT_EQ(run.by_id.at("repo.migrations.applied")["evidence"]["compared_with_record"], migrations);
  ASSERT_TRUE(run.by_id.count("repo.prisma.drift"));
  EXPECT_EQ(run.by_id.at("repo.prisma.drift")["status"], "pass") << run.by_id.at("repo.prisma.drift")["message"];
}

TEST(RepoDatabase, EachDatabaseVariantFailsItsCheck) {
  for (const auto& variant : app_repo_variants()) {
    if (!variant.needs_database) continue;
    const AuditRun run = audit_with_database(variant.name, {variant.name});
    EXPECT_EQ(run.exit.exit_code, 1) << variant.name << run.exit.stderr_text;
    ASSERT_TRUE(run.by_id.count(variant.catching_check)) << variant.name;
    const auto& result = run.by_id.at(variant.catching_check);
    EXPECT_EQ(result["status"], "fail") << variant.name;
    ASSERT_FALSE(result["evidence"]["findings"].empty()) << variant.name;
    EXPECT_FALSE(result["evidence"]["findings"][0]["file"].get<std::string>().empty());
  }
}

}  // namespace
}  // namespace golive::repo
