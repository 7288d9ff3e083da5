// The embedded app repository: fixtures/app-repo/ (the reference app's
// workflows, env files, docs, frontend source, test and audit reports) plus
// the reference migrations in Supabase layout, materialised as a real git
// repository so the history checks have commits to read. A variant switches
// on one named repository mistake (fixtures/DEFECTS.md, "Repository
// variants"); key-shaped values a variant needs are generated here, never
// committed to golive itself.
#pragma once

#include <string>
#include <vector>

namespace golive::repo {

struct AppRepoVariant {
  std::string name;
  std::string breaks;         // what it breaks, one line
  std::string catching_check;  // the repo check id that fails
  bool needs_database = false;  // caught only with a database_url (the applied migrations)
  bool needs_routes = false;    // caught only when the target's declared routes are known
};

// Every variant the materialiser knows, in the order of fixtures/DEFECTS.md.
const std::vector<AppRepoVariant>& app_repo_variants();
bool is_app_repo_variant(const std::string& name);

struct AppRepoSources {
  std::string fixture_dir;     // fixtures/app-repo
  std::string migrations_dir;  // fixtures/migrations (NNNN_name.up.sql)
};
AppRepoSources default_app_repo_sources(const std::string& home);

// Writes the repository into `destination` (created; must not exist or be
// empty) and commits its history. Throws core::InputError for an unknown
// variant or unreadable sources. Returns the number of commits.
int materialise_app_repo(const AppRepoSources& sources, const std::string& destination,
                         const std::vector<std::string>& variants);

// A materialised repository in a fresh temporary folder, removed again by
// the destructor.
class ScratchAppRepo {
 public:
  ScratchAppRepo(const AppRepoSources& sources, const std::vector<std::string>& variants);
  ~ScratchAppRepo();
  ScratchAppRepo(const ScratchAppRepo&) = delete;
  ScratchAppRepo& operator=(const ScratchAppRepo&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace golive::repo
