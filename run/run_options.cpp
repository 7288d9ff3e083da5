#include "run/run_options.hpp"

#include <cstdlib>
#include <filesystem>

#include "core/redactor.hpp"
#include "e2e/login_workflow.hpp"

namespace golive::run {

std::string golive_home() {
  if (const char* home = std::getenv("GOLIVE_HOME")) return home;
  return GOLIVE_SOURCE_DIR;
}

std::string resolve_env_file(const CommonOptions& options) {
  if (!options.env_file.empty()) return options.env_file;
  return (std::filesystem::path(golive_home()) / "envs" / "local.json").string();
}

core::WaiverSet resolve_waivers(const CommonOptions& options, const config::Environment* env) {
  namespace fs = std::filesystem;
  if (!options.waivers_file.empty()) return core::load_waivers_file(options.waivers_file);
  if (env != nullptr) {
    auto it = env->sections.find("waivers");
    if (it != env->sections.end()) {
      if (it->second.is_string()) {
        fs::path path = it->second.get<std::string>();
        if (path.is_relative()) path = fs::path(env->source_file).parent_path() / path;
        return core::load_waivers_file(path.string());
      }
      return core::parse_waivers(it->second, env->source_file, "/waivers");
    }
  }
  if (fs::is_regular_file("golive.waivers.json")) return core::load_waivers_file("golive.waivers.json");
  return {};
}

config::Environment load_selected_environment(const CommonOptions& options) {
  config::Environment env = config::load_environment(
      resolve_env_file(options), config::process_variables(), core::Redactor::global());
  e2e::install_login_workflow(env);  // auth.kind "workflow": one login for every suite
  return env;
}

}  // namespace golive::run
