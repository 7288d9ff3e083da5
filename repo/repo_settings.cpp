#include "repo/repo_settings.hpp"

#include <filesystem>

#include "core/input_error.hpp"

namespace golive::repo {

namespace {

std::vector<std::string> string_list(const core::JsonReader& list) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < list.as_array().size(); ++i) {
    std::string value = list.at(i).as_string();
    if (value.empty()) list.at(i).fail("must not be empty");
    out.push_back(std::move(value));
  }
  return out;
}

// A path inside the repository: relative, and never climbing out of it.
std::string inside_path(const core::JsonReader& value) {
  std::string text = value.as_string();
  std::filesystem::path path(text);
  if (text.empty() || path.is_absolute()) value.fail("must be a relative path inside the repository");
  for (const auto& part : path) {
    if (part == "..") value.fail("must not leave the repository (\"..\")");
  }
  return text;
}

std::vector<std::string> inside_paths(const core::JsonReader& list) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < list.as_array().size(); ++i) out.push_back(inside_path(list.at(i)));
  return out;
}

}  // namespace

RepoSettings settings_for_path(const std::string& path) {
  RepoSettings settings;
  settings.path = path;
  settings.origin = path;
  return settings;
}

std::string repo_file(const RepoSettings& settings, const std::string& relative) {
  return (std::filesystem::path(settings.path) / relative).lexically_normal().string();
}

RepoSettings read_repo_settings(const config::Environment& env) {
  RepoSettings settings;
  settings.origin = env.source_file;
  settings.database_url = env.database_url;
  auto section = env.sections.find("repo");
  if (section == env.sections.end()) return settings;
  core::JsonReader repo(section->second, env.source_file, "/repo");
  repo.as_object();
  repo.reject_unknown_keys({"path", "env_files", "env_example", "required_vars", "production_domain",
                            "runbooks", "runbook_sections", "guides", "openapi", "frontend_entry",
                            "frontend_dir", "dev_only_names", "legal_routes", "test_reports",
                            "coverage", "coverage_min_percent", "dependency_audit", "npm_audit_timeout_s",
                            "history"});
  settings.path = repo.at("path").as_string();
  if (!settings.path.empty()) {
    std::filesystem::path path(settings.path);
    if (path.is_relative()) path = std::filesystem::path(env.source_file).parent_path() / path;
    settings.path = path.lexically_normal().string();
    std::error_code ec;
    if (!std::filesystem::is_directory(settings.path, ec)) {
      repo.at("path").fail("\"" + settings.path + "\" is not a directory (the app's repository checkout)");
    }
  }
  if (repo.has("env_files")) {
    auto files = repo.at("env_files");
    files.reject_unknown_keys({"staging", "production"});
    if (files.has("staging")) settings.staging_env = inside_path(files.at("staging"));
    if (files.has("production")) settings.production_env = inside_path(files.at("production"));
  }
  if (repo.has("env_example")) settings.env_example = inside_path(repo.at("env_example"));
  if (repo.has("required_vars")) settings.required_vars = string_list(repo.at("required_vars"));
  settings.production_domain = repo.string_or("production_domain", "");
  if (repo.has("runbooks")) settings.runbooks = inside_path(repo.at("runbooks"));
  if (repo.has("runbook_sections")) {
    settings.runbook_sections = string_list(repo.at("runbook_sections"));
  }
  if (repo.has("guides")) {
    auto guides = repo.at("guides");
    guides.reject_unknown_keys({"deployment", "troubleshooting", "onboarding"});
    for (const auto& [name, unused] : guides.as_object().items()) {
      settings.guides[name] = inside_path(guides.at(name));
    }
  }
  if (repo.has("openapi")) settings.openapi = inside_path(repo.at("openapi"));
  if (repo.has("frontend_entry")) settings.frontend_entry = inside_path(repo.at("frontend_entry"));
  if (repo.has("frontend_dir")) settings.frontend_dir = inside_path(repo.at("frontend_dir"));
  if (repo.has("dev_only_names")) settings.dev_only_names = string_list(repo.at("dev_only_names"));
  if (repo.has("legal_routes")) settings.legal_routes = string_list(repo.at("legal_routes"));
  if (repo.has("test_reports")) settings.test_reports = inside_paths(repo.at("test_reports"));
  if (repo.has("coverage")) settings.coverage = inside_paths(repo.at("coverage"));
  if (repo.has("coverage_min_percent")) {
    double min = repo.at("coverage_min_percent").as_number();
    if (min < 0 || min > 100) repo.at("coverage_min_percent").fail("must be 0 to 100 (percent of lines)");
    settings.coverage_min_percent = min;
  }
  if (repo.has("dependency_audit")) settings.dependency_audit = inside_paths(repo.at("dependency_audit"));
  if (repo.has("npm_audit_timeout_s")) {
    const auto timeout = repo.at("npm_audit_timeout_s").as_integer();
    if (timeout < 1 || timeout > 3600) repo.at("npm_audit_timeout_s").fail("must be 1 to 3600 seconds");
    settings.npm_audit_timeout_s = static_cast<int>(timeout);
  }
  settings.history = repo.bool_or("history", true);
  return settings;
}

}  // namespace golive::repo
