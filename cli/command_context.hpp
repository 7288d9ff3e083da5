// Shared options and helpers for golive's subcommands. Each subcommand lives
// in its own <name>_command.cpp and only wires a suite library to the CLI.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "config/environment.hpp"
#include "run/run_options.hpp"
#include "core/redactor.hpp"

namespace golive::cli {

// Adds --env, --out, --format, --quiet, --waivers, --fail-on and --allow-production to a subcommand.
// `sarif_format`: --format also accepts "sarif" (probes and the repository audit).
void add_common_options(CLI::App& command, run::CommonOptions& options, bool sarif_format = false);

// A CLI11 check for options that must be a number > 0 ("--speed: must be a
// number greater than 0, got -1"); CLI::PositiveNumber prints DBL_MAX instead.
CLI::Validator positive_number();

// For a usage error: names the first word of the command line that is not a
// subcommand where one is expected ("golive frobnicate", "golive probe nope")
// and lists the valid ones; "" when the error is something else.
std::string unknown_subcommand_message(CLI::App& app, int argc, char** argv);




// Each subcommand's registration. `exit_code` receives the process exit code.
void register_env_command(CLI::App& app, int& exit_code);
void register_run_command(CLI::App& app, int& exit_code);
void register_e2e_command(CLI::App& app, int& exit_code);
void register_load_command(CLI::App& app, int& exit_code);
void register_probe_command(CLI::App& app, int& exit_code);
void register_replay_command(CLI::App& app, int& exit_code);
void register_report_command(CLI::App& app, int& exit_code);
void register_schema_command(CLI::App& app, int& exit_code);  // golive schema snapshot
void register_audit_command(CLI::App& app, int& exit_code);   // golive audit repo
void register_watch_command(CLI::App& app, int& exit_code);   // golive watch
void register_import_command(CLI::App& app, int& exit_code);  // golive import har|curl
void register_rerun_command(CLI::App& app, int& exit_code);   // golive rerun RUN_DIR --failed


}  // namespace golive::cli
