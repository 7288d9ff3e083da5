// The embedded app repository: every variant is documented in
// fixtures/DEFECTS.md and none shares a name with a service defect; the
// materialiser writes a real git repository (the migrations in Supabase's
// layout, a history to scan); the whole suite passes on it in-process, and
// the history scan finds the secret-in-history key by commit, path and line
// while never printing it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/input_error.hpp"
#include "repo/app_repo_fixture.hpp"
#include "repo/git_history.hpp"
#include "repo/repo_suite.hpp"

namespace golive::repo {
namespace {

class CollectingSink : public core::ResultSink {
 public:
  void record(const core::CheckResult& result) override { results.push_back(result); }
  std::vector<core::CheckResult> results;
};

AppRepoSources sources() { return default_app_repo_sources(GOLIVE_SOURCE_DIR); }

TEST(AppRepoVariants, EveryVariantIsDocumented) {
  std::ifstream in(GOLIVE_SOURCE_DIR "/fixtures/DEFECTS.md");
  std::stringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  const auto section = doc.find("## Repository variants");
  ASSERT_NE(section, std::string::npos);
  for (const auto& variant : app_repo_variants()) {
    const std::string row = "| `" + variant.name + "` |";
    const auto at = doc.find(row, section);
    ASSERT_NE(at, std::string::npos) << "DEFECTS.md has no row " << row;
    const std::string line = doc.substr(at, doc.find('\n', at) - at);
    EXPECT_NE(line.find("`" + variant.catching_check + "`"), std::string::npos) << line;
    EXPECT_EQ(doc.find(row), at) << variant.name << " is also a service defect's row";
  }
  EXPECT_EQ(app_repo_variants().size(), 12u);
  EXPECT_FALSE(is_app_repo_variant("rls-disabled"));
}

TEST(AppRepo, CleanRepositoryPassesEveryCheck) {
  ScratchAppRepo scratch(sources(), {});
  EXPECT_TRUE(std::filesystem::exists(scratch.path() + "/supabase/migrations/0002_app_schema.sql"));
  CollectingSink sink;
  const std::size_t failed = run_repo_suite(settings_for_path(scratch.path()), sink);
  EXPECT_EQ(failed, 0u);
  EXPECT_GE(sink.results.size(), 20u);
  for (const auto& result : sink.results) {
    // Without a database_url the applied-migrations and Prisma checks cannot
    // decide, nor the OpenAPI coverage without the target's declared routes.
    const bool needs_db = result.id == "repo.migrations.applied" || result.id == "repo.prisma.drift" ||
                          result.id == "repo.docs.openapi_covers_routes";
    const auto expected = needs_db ? core::CheckStatus::kSkip : core::CheckStatus::kPass;
    EXPECT_EQ(result.status, expected) << result.id << ": " << result.message;
    EXPECT_EQ(result.suite, "repo");
    EXPECT_FALSE(result.checklist.empty()) << result.id;
  }
}

TEST(AppRepo, SecretInHistoryIsFoundByCommitPathAndLine) {
  ScratchAppRepo scratch(sources(), {"secret-in-history"});
  EXPECT_FALSE(std::filesystem::exists(scratch.path() + "/supabase/functions/_shared/stripe.ts"))
      << "the key is only in the history, not in the work tree";
  const HistoryScan scan = scan_git_history(scratch.path());
  EXPECT_EQ(scan.commits, 4u);
  ASSERT_EQ(scan.findings.size(), 1u);
  EXPECT_EQ(scan.findings[0].file, "supabase/functions/_shared/stripe.ts");
  EXPECT_EQ(scan.findings[0].line, 2);
  EXPECT_NE(scan.findings[0].problem.find("commit "), std::string::npos);
  EXPECT_NE(scan.findings[0].problem.find("sk_live_\u2026, 40 characters"), std::string::npos) << scan.findings[0].problem;
}

TEST(AppRepo, UnknownVariantAndPlainFolderAreBadInput) {
  EXPECT_THROW(ScratchAppRepo(sources(), {"no-such-variant"}), core::InputError);
  const std::string plain = ::testing::TempDir() + "/golive_not_a_repo";
  std::filesystem::create_directories(plain);
  try {
    require_git_repository(plain);
    FAIL() << "a plain folder was accepted";
  } catch (const core::InputError& e) {
    EXPECT_EQ(e.file(), plain);
    EXPECT_NE(e.problem().find("not a git repository"), std::string::npos);
  }
}

}  // namespace
}  // namespace golive::repo
