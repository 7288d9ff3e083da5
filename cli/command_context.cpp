#include "cli/command_context.hpp"

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "core/exit_codes.hpp"

namespace golive::cli {

void add_common_options(CLI::App& command, CommonOptions& options) {
  command.add_option("--env", options.env_file,
                     "Environment file (default: the embedded reference target, envs/local.json)");
  command.add_option("--out", options.out_dir, "Directory for reports (default: out)");
  command.add_option("--format", options.format, "Console output: text or json")
      ->check(CLI::IsMember({"text", "json"}));
  command.add_flag("--quiet,-q", options.quiet, "Print only the verdict and errors");
  command.add_flag("--allow-production", options.allow_production,
                   "Permit destructive or load work against an environment marked production");
}

std::string golive_home() {
  if (const char* home = std::getenv("GOLIVE_HOME")) return home;
  return GOLIVE_SOURCE_DIR;
}

std::string resolve_env_file(const CommonOptions& options) {
  if (!options.env_file.empty()) return options.env_file;
  return (std::filesystem::path(golive_home()) / "envs" / "local.json").string();
}

core::Environment load_selected_environment(const CommonOptions& options) {
  return core::load_environment(resolve_env_file(options), core::process_variables(),
                                core::Redactor::global());
}

int not_built(const std::string& what, const std::string& issue) {
  std::cerr << "golive: " << what << " is not built yet (" << issue
            << "); nothing was run.\n";
  return core::kExitBadInput;
}

}  // namespace golive::cli
