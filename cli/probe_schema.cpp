// `golive probe schema` (drift against the expected snapshot + seed data) and
// `golive probe migrations` (history + rollback drill in a scratch database) and
// `golive probe backup` (pg_dump/pg_restore drill into a scratch database):
// the database readiness suite (db/) wired to the CLI. Results go to
// out/<run-id>/results.jsonl; findings are printed; exit 0 clean, 1 findings,
// 2 bad input or no database_url.
#include <iostream>

#include "cli/command_context.hpp"
#include "cli/probe_families.hpp"
#include "run/run_session.hpp"
#include "core/exit_codes.hpp"
#include "core/interrupt.hpp"
#include "core/result_stream.hpp"
#include "core/run_directory.hpp"
#include "db/db_suite.hpp"

namespace golive::cli {

namespace {

struct DbProbeOptions {
  run::CommonOptions common;
  db::DbSuiteOptions suite;
};

// A result's console text: status, id and message, and a failing drift's diff.
std::string result_text(const core::CheckResult& result) {
  std::string text = std::string(run::status_tag(result.status)) + result.id + "  " + result.message;
  if (result.failed() && result.evidence.contains("diff")) {
    text += "\n" + result.evidence["diff"].get<std::string>();
    if (!text.empty() && text.back() == '\n') text.pop_back();  // the session adds the newline
  }
  return core::Redactor::global().redact(text);
}

int execute_db_probe(const std::string& family, const DbProbeOptions& options) {
  core::install_interrupt_handlers();
  config::Environment env = run::load_selected_environment(options.common);
  if (env.database_url.empty()) {
    std::cerr << "golive probe " << family << ": the environment " << env.source_file
              << " has no database_url; database probes need one\n";
    return core::kExitBadInput;
  }
  run::RunSession session(options.common, env, {"db"}, result_text);
  const std::string results_path = session.results_path();
  std::size_t failed = db::run_db_suite(env, options.suite, session.sink());
  session.finish(core::interrupted());
  if (options.common.format == "text") {
    std::cout << "\n" << failed << " finding" << (failed == 1 ? "" : "s") << "\nresults: " << results_path << "\n";
  }
  return failed == 0 && !core::interrupted() ? core::kExitPass : core::kExitGateFailed;
}

void register_db_family(CLI::App& probe, const std::string& name, const std::string& description,
                        const db::DbSuiteOptions& checks, int& exit_code) {
  auto options = std::make_shared<DbProbeOptions>();
  options->suite = checks;
  auto* family = probe.add_subcommand(name, description);
  add_common_options(*family, options->common, /*sarif_format=*/true);
  family->footer(
      "Settings: the environment's \"db\" section (expected_schema, migrations_dir, schemas, "
      "seed, allow_backup_drill, pg_bin_dir, backup_timeout_s). Exit codes: 0 no finding, "
      "1 findings, 2 bad input or no database_url.");
  family->callback([name, options, &exit_code] { exit_code = execute_db_probe(name, *options); });
}

db::DbSuiteOptions only(bool drift_and_seed, bool history_and_rollback, bool backup) {
  db::DbSuiteOptions checks;
  checks.drift = checks.seed = drift_and_seed;
  checks.history = checks.rollback = history_and_rollback;
  checks.backup = backup;
  return checks;
}

}  // namespace

void register_probe_schema(CLI::App& probe, int& exit_code) {
  register_db_family(probe, "schema",
                     "Schema drift against the expected snapshot, and seed data (db.schema.*, "
                     "db.seed.*)",
                     only(true, false, false), exit_code);
}

void register_probe_migrations(CLI::App& probe, int& exit_code) {
  register_db_family(probe, "migrations",
                     "Migration history and the up/down/up rollback drill in a scratch database "
                     "(db.migrations.*)",
                     only(false, true, false), exit_code);
}

void register_probe_backup(CLI::App& probe, int& exit_code) {
  register_db_family(probe, "backup",
                     "Backup and restore drill: pg_dump the target, pg_restore into a scratch "
                     "database, compare row counts and schema (db.backup.restore_drill; needs "
                     "\"db\": {\"allow_backup_drill\": true})",
                     only(false, false, true), exit_code);
}

}  // namespace golive::cli
