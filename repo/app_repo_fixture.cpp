#include "repo/app_repo_fixture.hpp"

#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "core/input_error.hpp"
#include "core/random_id.hpp"
#include "repo/git_handles.hpp"

namespace golive::repo {

namespace fs = std::filesystem;

namespace {

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw core::InputError(path.string(), "", "cannot read the app repository fixture file");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_text(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw core::InputError(path.string(), "", "cannot write the materialised app repository");
}

// Replaces `from` by `to` in a file of the repository; a variant whose text is
// gone from the fixture is a fixture bug, reported as such.
void edit(const fs::path& root, const std::string& file, const std::string& from, const std::string& to) {
  std::string text = read_text(root / file);
  const auto at = text.find(from);
  if (at == std::string::npos) {
    throw core::InputError((root / file).string(), "", "app repository variant: the text to change is missing: " + from);
  }
  text.replace(at, from.size(), to);
  write_text(root / file, text);
}

// A value shaped like a live Stripe secret key, made now and never stored
// anywhere but the scratch repository.
std::string generated_live_key() {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const std::string bytes = core::random_bytes(32);
  std::string key = std::string("sk_") + "live_";
  for (unsigned char c : bytes) key += kAlphabet[c % (sizeof(kAlphabet) - 1)];
  return key;
}

void apply_variant(const fs::path& root, const std::string& name) {
  if (name == "deploy-tags-to-staging") {
    edit(root, ".github/workflows/deploy.yml", "    if: github.ref == 'refs/heads/main'\n",
         "    if: startsWith(github.ref, 'refs/tags/')\n");
  } else if (name == "prod-deploy-ungated") {
    edit(root, ".github/workflows/deploy.yml",
         "    if: startsWith(github.ref, 'refs/tags/v')\n    needs: [test]\n",
         "    if: startsWith(github.ref, 'refs/tags/v')\n");
  } else if (name == "env-literal-secret") {
    edit(root, ".env.production", "STRIPE_WEBHOOK_SECRET=${{ secrets.PRODUCTION_STRIPE_WEBHOOK_SECRET }}",
         "STRIPE_WEBHOOK_SECRET=" + core::random_hex(20));
  } else if (name == "env-missing-var") {
    edit(root, ".env.production", "LOVABLE_API_KEY=vault:secret/data/production/lovable#api_key\n", "");
  } else if (name == "runbook-missing-restore") {
    std::string text = read_text(root / "docs/RUNBOOKS.md");
    const auto at = text.find("## Database Restore");
    if (at == std::string::npos) throw core::InputError("docs/RUNBOOKS.md", "", "no Database Restore section to remove");
    write_text(root / "docs/RUNBOOKS.md", text.substr(0, at));
  } else if (name == "mockai-in-prod") {
    edit(root, "src/lib/ai.ts", "  if (import.meta.env.DEV && import.meta.env.VITE_USE_MOCK_AI === \"true\") {",
         "  if (import.meta.env.VITE_USE_MOCK_AI === \"true\") {");
  } else if (name == "coverage-below-80") {
    // A large module the tests never load: lines found, none hit.
    std::string record = "TN:\nSF:src/lib/calendar.ts\nFNF:12\nFNH:0\n";
    for (int line = 1; line <= 240; ++line) record += "DA:" + std::to_string(line) + ",0\n";
    record += "LF:240\nLH:0\nBRF:0\nBRH:0\nend_of_record\n";
    write_text(root / "coverage/lcov.info", read_text(root / "coverage/lcov.info") + record);
  } else if (name == "openapi-missing-route") {
    auto document = nlohmann::json::parse(read_text(root / "docs/openapi.json"));
    if (!document["paths"].contains("/functions/v1/jobs/{id}")) {
      throw core::InputError("docs/openapi.json", "/paths", "no /functions/v1/jobs/{id} operation to remove");
    }
    document["paths"].erase("/functions/v1/jobs/{id}");
    write_text(root / "docs/openapi.json", document.dump(2) + "\n");
  } else if (name == "critical-advisory") {
    auto audit = nlohmann::json::parse(read_text(root / "audit/npm-audit.json"));
    audit["vulnerabilities"]["@babel/traverse"] = {
        {"name", "@babel/traverse"}, {"severity", "critical"}, {"isDirect", false},
        {"via", {{{"source", 1096879}, {"name", "@babel/traverse"}, {"dependency", "@babel/traverse"},
                  {"title", "Babel vulnerable to arbitrary code execution when compiling specifically crafted malicious code"},
                  {"url", "https://github.com/advisories/GHSA-67hx-6x53-jw92"}, {"severity", "critical"},
                  {"cwe", {"CWE-184", "CWE-697"}}, {"cvss", {{"score", 9.3}, {"vectorString", "CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H"}}},
                  {"range", "<7.23.2"}}}},
        {"effects", nlohmann::json::array()}, {"range", "<7.23.2"},
        {"nodes", {"node_modules/@babel/traverse"}}, {"fixAvailable", true}};
    audit["metadata"]["vulnerabilities"]["critical"] = 1;
    audit["metadata"]["vulnerabilities"]["total"] = audit["metadata"]["vulnerabilities"]["total"].get<int>() + 1;
    write_text(root / "audit/npm-audit.json", audit.dump(2) + "\n");
  } else if (name == "migration-edited-after-apply") {
    // An applied migration changed in place instead of a new migration.
    const fs::path file = root / "supabase/migrations/0003_indexes.sql";
    write_text(file, read_text(file) + "\nCREATE INDEX IF NOT EXISTS topics_title_idx ON public.topics (title);\n");
  } else if (name == "prisma-drift") {
    // The Prisma schema gains a field no migration created.
    edit(root, "prisma/schema.prisma", "model Topic {\n", "model Topic {\n  summary            String?\n");
  } else if (name == "secret-in-history") {
    // Handled while committing: a later commit adds a key, the next removes it.
  } else {
    throw core::InputError("--defect", "", "unknown app repository variant \"" + name + "\"");
  }
}

// Commits the work tree as it is now (additions, changes and deletions).
class Committer {
 public:
  explicit Committer(const fs::path& root) {
    git_repository_init_options options = GIT_REPOSITORY_INIT_OPTIONS_INIT;
    options.flags = GIT_REPOSITORY_INIT_MKPATH;
    options.initial_head = "main";
    git_repository* raw = nullptr;
    if (git_repository_init_ext(&raw, root.c_str(), &options) != 0) fail(root.string());
    repo_.reset(raw);
  }

  void commit(const std::string& message, std::int64_t when) {
    git_index* raw_index = nullptr;
    if (git_repository_index(&raw_index, repo_.get()) != 0) fail("index");
    GitIndex index(raw_index);
    if (git_index_add_all(index.get(), nullptr, GIT_INDEX_ADD_DEFAULT, nullptr, nullptr) != 0 ||
        git_index_update_all(index.get(), nullptr, nullptr, nullptr) != 0 || git_index_write(index.get()) != 0) {
      fail("index");
    }
    git_oid tree_id;
    if (git_index_write_tree(&tree_id, index.get()) != 0) fail("tree");
    git_tree* raw_tree = nullptr;
    if (git_tree_lookup(&raw_tree, repo_.get(), &tree_id) != 0) fail("tree");
    GitTree tree(raw_tree);
    git_signature* raw_sig = nullptr;
    if (git_signature_new(&raw_sig, "StudyPlan Team", "team@studyplan.example", when, 0) != 0) fail("signature");
    GitSignature signature(raw_sig);
    const git_commit* parents[1] = {parent_.get()};
    git_oid commit_id;
    if (git_commit_create(&commit_id, repo_.get(), "HEAD", signature.get(), signature.get(), nullptr,
                          message.c_str(), tree.get(), parent_ ? 1 : 0, parents) != 0) {
      fail("commit");
    }
    git_commit* raw_commit = nullptr;
    if (git_commit_lookup(&raw_commit, repo_.get(), &commit_id) != 0) fail("commit");
    parent_.reset(raw_commit);
    ++commits_;
  }

  int commits() const { return commits_; }

 private:
  [[noreturn]] static void fail(const std::string& what) {
    throw core::InputError(what, "", "cannot write the app repository: " + git_error_text());
  }

  GitLibrary library_;
  GitRepository repo_;
  GitCommit parent_;
  int commits_ = 0;
};

}  // namespace

const std::vector<AppRepoVariant>& app_repo_variants() {
  static const std::vector<AppRepoVariant> variants = {
      {"deploy-tags-to-staging", "the staging deploy job runs on release tags instead of pushes to main",
       "repo.pipeline.staging_on_main"},
      {"prod-deploy-ungated", "the production deploy job loses `needs: [test]`", "repo.pipeline.production_gated"},
      {"env-literal-secret", "`.env.production` holds a literal Stripe webhook secret", "repo.env.secrets_are_references"},
      {"env-missing-var", "`.env.production` lacks `LOVABLE_API_KEY`", "repo.env.required_vars"},
      {"runbook-missing-restore", "`docs/RUNBOOKS.md` has no Database Restore section", "repo.docs.runbooks"},
      {"openapi-missing-route", "`docs/openapi.json` loses the `GET /functions/v1/jobs/{id}` operation",
       "repo.docs.openapi_covers_routes", /*needs_database=*/false, /*needs_routes=*/true},
      {"mockai-in-prod", "`mockAI` is reachable in a production build (a runtime flag instead of import.meta.env.DEV)",
       "repo.frontend.dev_only_code"},
      {"coverage-below-80", "the lcov report gains an untested module: line coverage falls below 80%",
       "repo.tests.coverage"},
      {"critical-advisory", "the npm audit report lists a critical advisory", "repo.dependencies.audit"},
      {"secret-in-history", "a commit adds a live Stripe key, the next removes it", "repo.history.secrets"},
      {"migration-edited-after-apply", "`supabase/migrations/0003_indexes.sql` gains a statement after the database applied it",
       "repo.migrations.applied", /*needs_database=*/true},
      {"prisma-drift", "`prisma/schema.prisma` declares a column (`topics.summary`) that no migration created",
       "repo.prisma.drift", /*needs_database=*/true},
  };
  return variants;
}

bool is_app_repo_variant(const std::string& name) {
  const auto& all = app_repo_variants();
  return std::any_of(all.begin(), all.end(), [&](const AppRepoVariant& v) { return v.name == name; });
}

AppRepoSources default_app_repo_sources(const std::string& home) {
  return {(fs::path(home) / "fixtures/app-repo").string(), (fs::path(home) / "fixtures/migrations").string()};
}

int materialise_app_repo(const AppRepoSources& sources, const std::string& destination,
                         const std::vector<std::string>& variants) {
  for (const auto& name : variants) {
    if (!is_app_repo_variant(name)) {
      throw core::InputError("--defect", "", "unknown app repository variant \"" + name + "\"");
    }
  }
  const fs::path root(destination);
  std::error_code ec;
  if (!fs::is_directory(sources.fixture_dir, ec)) {
    throw core::InputError(sources.fixture_dir, "", "the app repository fixture is missing");
  }
  fs::create_directories(root);
  fs::copy(sources.fixture_dir, root, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  // The reference migrations in Supabase's layout: <version>_<name>.sql.
  std::vector<fs::path> ups;
  for (const auto& entry : fs::directory_iterator(sources.migrations_dir)) {
    const std::string file = entry.path().filename().string();
    if (file.size() > 7 && file.compare(file.size() - 7, 7, ".up.sql") == 0) ups.push_back(entry.path());
  }
  std::sort(ups.begin(), ups.end());
  for (const auto& up : ups) {
    const std::string file = up.filename().string();  // 0002_app_schema.up.sql
    const std::string number = file.substr(0, file.find('_'));
    const std::string name = file.substr(number.size() + 1, file.size() - number.size() - 1 - 7);
    // The reference database records these versions (scripts/reference-env).
    write_text(root / "supabase/migrations" / (number + "_" + name + ".sql"), read_text(up));
  }
  for (const auto& name : variants) apply_variant(root, name);

  // History: the app as it is, then (secret-in-history) a key committed and
  // removed again, as happens when someone pastes a key and "fixes" it.
  Committer committer(root);
  std::int64_t when = 1767600000;  // 2026-01-05
  committer.commit("StudyPlan 1.4: app, pipeline, environment files, runbooks\n", when);
  if (std::find(variants.begin(), variants.end(), "secret-in-history") != variants.end()) {
    const fs::path config = root / "supabase/functions/_shared/stripe.ts";
    write_text(config, "// Stripe client for the edge functions.\nexport const STRIPE_KEY = \"" +
                           generated_live_key() + "\";\n");
    committer.commit("Stripe client for the webhook function\n", when += 3600);
    fs::remove(config);
    committer.commit("Read the Stripe key from the environment\n", when += 3600);
  }
  committer.commit("Runbooks: review before the 1.4 release\n", when += 3600);
  return committer.commits();
}

ScratchAppRepo::ScratchAppRepo(const AppRepoSources& sources, const std::vector<std::string>& variants) {
  std::string pattern = (fs::temp_directory_path() / "golive-app-repo-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw core::InputError(pattern, "", "cannot create a scratch folder");
  path_ = pattern;
  try {
    materialise_app_repo(sources, path_, variants);
  } catch (...) {
    std::error_code ec;
    fs::remove_all(path_, ec);
    throw;
  }
}

ScratchAppRepo::~ScratchAppRepo() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

}  // namespace golive::repo
