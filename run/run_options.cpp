#include "run/run_options.hpp"

#include <cstdlib>
#include <filesystem>

#include "core/redactor.hpp"

namespace golive::run {

std::string golive_home() {
  if (const char* home = std::getenv("GOLIVE_HOME")) return home;
  return GOLIVE_SOURCE_DIR;
}

std::string resolve_env_file(const CommonOptions& options) {
  if (!options.env_file.empty()) return options.env_file;
  return (std::filesystem::path(golive_home()) / "envs" / "local.json").string();
}

config::Environment load_selected_environment(const CommonOptions& options) {
  return config::load_environment(resolve_env_file(options), config::process_variables(),
                                core::Redactor::global());
}

}  // namespace golive::run
