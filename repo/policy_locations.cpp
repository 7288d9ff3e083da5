#include "repo/policy_locations.hpp"

#include <filesystem>
#include <fstream>
#include <regex>

#include "core/ascii_case.hpp"
#include "repo/migration_files.hpp"

namespace golive::repo {

namespace {

std::string unquote(const std::string& name) {
  if (name.size() >= 2 && name.front() == '"' && name.back() == '"') return name.substr(1, name.size() - 2);
  return core::ascii_lower(name);  // unquoted identifiers fold to lower case
}

}  // namespace

std::map<std::string, PolicyLocation> find_policy_locations(const std::string& root,
                                                            const std::vector<std::string>& files) {
  static const std::regex kPolicy(
      R"re(create\s+policy\s+(?:"[^"]+"|\w+)\s+on\s+(?:(?:only\s+)?("[^"]+"|\w+)\s*\.\s*)?("[^"]+"|\w+))re",
      std::regex::icase);
  std::map<std::string, PolicyLocation> locations;
  for (const auto& file : files) {
    std::ifstream in(std::filesystem::path(root) / file);
    if (!in) continue;
    std::string line;
    int number = 0;
    std::smatch match;
    while (std::getline(in, line)) {
      ++number;
      if (!std::regex_search(line, match, kPolicy)) continue;
      const std::string schema = match[1].matched ? unquote(match[1].str()) : "public";
      locations.emplace(schema + "." + unquote(match[2].str()), PolicyLocation{file, number});
    }
  }
  return locations;
}

std::map<std::string, PolicyLocation> policy_locations_in_repo(const RepoSettings& settings) {
  std::vector<Finding> unversioned;
  std::vector<std::string> files;
  for (const auto& migration : list_migrations(settings, unversioned)) files.push_back(migration.file);
  return find_policy_locations(settings.path, files);
}

}  // namespace golive::repo
