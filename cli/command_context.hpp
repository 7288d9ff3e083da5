// Shared options and helpers for golive's subcommands. Each subcommand lives
// in its own <name>_command.cpp and only wires a suite library to the CLI.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "core/environment.hpp"
#include "core/redactor.hpp"

namespace golive::cli {

struct CommonOptions {
  std::string env_file;           // empty = the embedded reference target (envs/local.json)
  std::string out_dir = "out";    // reports go to out/<run-id>/
  std::string format = "text";    // console format: text | json
  bool quiet = false;
  bool allow_production = false;  // permits destructive or load work on production
};

// Adds --env, --out, --format, --quiet and --allow-production to a subcommand.
void add_common_options(CLI::App& command, CommonOptions& options);

// A CLI11 check for options that must be a number > 0 ("--speed: must be a
// number greater than 0, got -1"); CLI::PositiveNumber prints DBL_MAX instead.
CLI::Validator positive_number();

// For a usage error: names the first word of the command line that is not a
// subcommand where one is expected ("golive frobnicate", "golive probe nope")
// and lists the valid ones; "" when the error is something else.
std::string unknown_subcommand_message(CLI::App& app, int argc, char** argv);

// The repository root (GOLIVE_HOME, else the source dir compiled in).
std::string golive_home();

// The environment file to use: --env, or envs/local.json of the repository.
std::string resolve_env_file(const CommonOptions& options);

// Loads the environment with process variables, registering its secrets
// with the global redactor. Throws core::InputError.
core::Environment load_selected_environment(const CommonOptions& options);

// Each subcommand's registration. `exit_code` receives the process exit code.
void register_env_command(CLI::App& app, int& exit_code);
void register_run_command(CLI::App& app, int& exit_code);
void register_e2e_command(CLI::App& app, int& exit_code);
void register_load_command(CLI::App& app, int& exit_code);
void register_probe_command(CLI::App& app, int& exit_code);
void register_replay_command(CLI::App& app, int& exit_code);
void register_report_command(CLI::App& app, int& exit_code);
void register_schema_command(CLI::App& app, int& exit_code);  // golive schema snapshot (issue 9)

// For subcommands whose suite is not built yet: says so and exits 2.
int not_built(const std::string& what, const std::string& issue);

}  // namespace golive::cli
