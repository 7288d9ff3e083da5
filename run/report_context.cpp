#include "run/report_context.hpp"

#include <algorithm>
#include <filesystem>

#include "repo/policy_locations.hpp"
#include "repo/repo_settings.hpp"
#include "run/check_registry.hpp"
#include "run/run_options.hpp"

namespace golive::run {

namespace {

namespace fs = std::filesystem;

bool same_file(const std::string& a, const std::string& b) {
  std::error_code error;
  return fs::equivalent(a, b, error) && !error;
}

// The embedded target's schema comes from fixtures/migrations (*.up.sql).
std::map<std::string, repo::PolicyLocation> embedded_policy_locations() {
  const fs::path root = golive_home();
  std::vector<std::string> files;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(root / "fixtures" / "migrations", error)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > 7 && name.compare(name.size() - 7, 7, ".up.sql") == 0) {
      files.push_back("fixtures/migrations/" + name);
    }
  }
  std::sort(files.begin(), files.end());
  return repo::find_policy_locations(root.string(), files);
}

}  // namespace

report::RenderOptions report_context() {
  report::RenderOptions options;
  try {
    for (const auto& registered : check_id_registry()) options.check_id_templates.push_back(registered.id_template);
  } catch (const std::exception&) {
    // Without templates each check id is its own rule; the reports still render.
  }
  return options;
}

report::RenderOptions report_context(const config::Environment& env) {
  report::RenderOptions options = report_context();
  std::map<std::string, repo::PolicyLocation> locations;
  try {
    const repo::RepoSettings settings = repo::read_repo_settings(env);
    if (!settings.path.empty()) {
      locations = repo::policy_locations_in_repo(settings);
    } else if (same_file(env.source_file, (fs::path(golive_home()) / "envs" / "local.json").string())) {
      locations = embedded_policy_locations();
    }
  } catch (const std::exception&) {
    // A repository that cannot be listed gives logical locations only.
  }
  for (const auto& [table, where] : locations) options.object_locations[table] = {where.file, where.line};
  return options;
}

}  // namespace golive::run
