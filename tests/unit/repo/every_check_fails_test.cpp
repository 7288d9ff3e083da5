// Every repository check can fail: on the materialised clean app repository,
// one realistic edit per check (beyond the named variants) makes exactly that
// check fail, with a finding that names the file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "repo/app_repo_fixture.hpp"
#include "repo/repo_suite.hpp"

namespace golive::repo {
namespace {

namespace fs = std::filesystem;

class CollectingSink : public core::ResultSink {
 public:
  void record(const core::CheckResult& result) override { results.push_back(result); }
  std::vector<core::CheckResult> results;
};

std::string read(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void replace(const fs::path& path, const std::string& from, const std::string& to) {
  std::string text = read(path);
  const auto at = text.find(from);
  ASSERT_NE(at, std::string::npos) << path << " lacks: " << from;
  text.replace(at, from.size(), to);
  std::ofstream(path, std::ios::trunc) << text;
}

struct Breakage {
  std::string check;
  std::function<void(const fs::path&)> edit;
};

TEST(EveryRepoCheck, FailsOnItsOwnMistake) {
  const std::vector<Breakage> breakages = {
      {"repo.pipeline.production_on_tags",
       [](const fs::path& r) {
         replace(r / ".github/workflows/deploy.yml", "    if: startsWith(github.ref, 'refs/tags/v')\n",
                 "    if: github.ref == 'refs/heads/main'\n");
       }},
      {"repo.pipeline.migrations_by_pipeline",
       [](const fs::path& r) {
         replace(r / ".github/workflows/deploy.yml", "      - run: supabase db push\n", "");
         replace(r / ".github/workflows/deploy.yml", "      - run: supabase db push\n", "");
       }},
      {"repo.pipeline.no_literal_secrets",
       [](const fs::path& r) {
         replace(r / ".github/workflows/deploy.yml", "VERCEL_TOKEN: ${{ secrets.VERCEL_TOKEN }}", "VERCEL_TOKEN: q8Zk2mXw7RtY");
       }},
      {"repo.pipeline.dependency_audit_step",
       [](const fs::path& r) {
         replace(r / ".github/workflows/ci.yml", "npm audit --audit-level=high --json > audit/npm-audit.json", "npm ls");
       }},
      {"repo.env.stripe_key_mode",
       [](const fs::path& r) {
         std::ofstream(r / ".env.staging", std::ios::app) << "VITE_STRIPE_PUBLISHABLE_KEY=pk_" << "live_" << std::string(24, 'x') << "\n";
       }},
      {"repo.env.production_domain",
       [](const fs::path& r) {
         replace(r / ".env.production", "https://www.studyplan.example/auth/callback", "http://localhost:5173/auth/callback");
       }},
      {"repo.docs.onboarding_guide", [](const fs::path& r) { fs::remove(r / "docs/ONBOARDING.md"); }},
      {"repo.docs.runbook_commands",
       [](const fs::path& r) {
         replace(r / "docs/RUNBOOKS.md", "scripts/restore-db.sh backups", "scripts/restore-database.sh backups");
       }},
      {"repo.frontend.sentry_init",
       [](const fs::path& r) {
         replace(r / "src/main.tsx", "dsn: import.meta.env.VITE_SENTRY_DSN,", "dsn: \"https://public@o0.ingest.sentry.io/0\",");
       }},
      {"repo.frontend.legal_routes",
       [](const fs::path& r) { replace(r / "src/App.tsx", "      <Route path=\"/privacy\" element={<Privacy />} />\n", ""); }},
      {"repo.backend.structured_logger",
       [](const fs::path& r) {
         std::ofstream(r / "supabase/functions/_shared/logger.ts", std::ios::trunc) << "export const logger = console;\n";
       }},
      {"repo.tests.results",
       [](const fs::path& r) {
         replace(r / "test-results/junit.xml", "time=\"1.118\">\n</testcase>",
                 "time=\"1.118\">\n<failure message=\"expected the portal URL\">Error: timeout</failure>\n</testcase>");
       }},
      {"repo.migrations.storage_documented",
       [](const fs::path& r) {
         std::string text = read(r / "supabase/migrations/0005_storage.sql");
         std::string kept;
         for (std::size_t at = 0; at < text.size();) {
           const auto end = text.find('\n', at);
           const std::string line = text.substr(at, end == std::string::npos ? std::string::npos : end - at + 1);
           const auto comment = line.find("--");
           kept += comment == std::string::npos ? line : line.substr(0, comment) + "\n";
           at = end == std::string::npos ? text.size() : end + 1;
         }
         std::ofstream(r / "supabase/migrations/0005_storage.sql", std::ios::trunc) << kept;
       }},
      {"repo.migrations.versioned",
       [](const fs::path& r) {
         std::ofstream(r / "supabase/migrations/0003_more_indexes.sql") << "CREATE INDEX x ON public.topics (title);\n";
       }},
  };
  for (const auto& breakage : breakages) {
    SCOPED_TRACE(breakage.check);
    ScratchAppRepo scratch(default_app_repo_sources(GOLIVE_SOURCE_DIR), {});
    breakage.edit(scratch.path());
    CollectingSink sink;
    run_repo_suite(settings_for_path(scratch.path()), sink);
    for (const auto& result : sink.results) {
      if (result.id == breakage.check) {
        EXPECT_EQ(result.status, core::CheckStatus::kFail) << result.message;
        ASSERT_FALSE(result.evidence["findings"].empty());
        EXPECT_FALSE(result.evidence["findings"][0]["file"].get<std::string>().empty());
      } else {
        EXPECT_NE(result.status, core::CheckStatus::kFail) << result.id << ": " << result.message;
      }
    }
  }
}

}  // namespace
}  // namespace golive::repo
