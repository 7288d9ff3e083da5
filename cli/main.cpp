// golive: decides, with evidence, whether a release may go live.
// This file only wires subcommands; every suite is a library of its own.
#include <iostream>

#include "cli/command_context.hpp"
#include "core/exit_codes.hpp"
#include "core/input_error.hpp"

int main(int argc, char** argv) {
  CLI::App app{"golive: go-live verification for Supabase + Stripe style SaaS releases"};
  app.set_version_flag("--version", std::string("golive ") + GOLIVE_VERSION);
  app.require_subcommand(1);
  int exit_code = golive::core::kExitPass;
  golive::cli::register_run_command(app, exit_code);
  golive::cli::register_e2e_command(app, exit_code);
  golive::cli::register_load_command(app, exit_code);
  golive::cli::register_probe_command(app, exit_code);
  golive::cli::register_replay_command(app, exit_code);
  golive::cli::register_report_command(app, exit_code);
  golive::cli::register_env_command(app, exit_code);
  golive::cli::register_schema_command(app, exit_code);
  golive::cli::register_audit_command(app, exit_code);
  golive::cli::register_watch_command(app, exit_code);
  golive::cli::register_import_command(app, exit_code);
  golive::cli::register_rerun_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() != 0) {
      const std::string unknown = golive::cli::unknown_subcommand_message(app, argc, argv);
      if (!unknown.empty()) {
        std::cerr << unknown << "\n";
        return golive::core::kExitBadInput;
      }
    }
    int code = app.exit(e);
    // CLI11 returns 0 for --help/--version; every usage error is bad input.
    return code == 0 ? golive::core::kExitPass : golive::core::kExitBadInput;
  } catch (const golive::core::InputError& e) {
    std::cerr << "golive: " << golive::core::Redactor::global().redact(e.what()) << "\n";
    return golive::core::kExitBadInput;
  } catch (const std::exception& e) {
    std::cerr << "golive: internal error: please report: "
              << golive::core::Redactor::global().redact(e.what()) << "\n";
    return golive::core::kExitInternalError;
  }
  return exit_code;
}
