// `golive probe rls [--env FILE] [--out DIR] [--static-only]`: the RLS audit
// and cross-user probes (security/rls_suite.hpp) against env.database_url.
// Prints each check, writes out/<run-id>/results.jsonl (run_start, checks,
// surface_coverage, run_end) and exits 0 when every check passed, 1 when one
// failed, 2 on bad input (no database_url), 3 when the database is unreachable.
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli/command_context.hpp"
#include "run/run_session.hpp"
#include "cli/probe_families.hpp"
#include "core/exit_codes.hpp"
#include "core/interrupt.hpp"
#include "core/result_stream.hpp"
#include "core/run_directory.hpp"
#include "security/rls_suite.hpp"

namespace golive::cli {

namespace {

struct ProbeRlsOptions {
  run::CommonOptions common;
  bool static_only = false;
};


int execute_probe_rls(const ProbeRlsOptions& options) {
  core::install_interrupt_handlers();
  config::Environment env = run::load_selected_environment(options.common);
  security::RlsOptions rls;
  rls.static_only = options.static_only;
  rls.expectations_file = (std::filesystem::path(run::golive_home()) / "security" / "rls_expectations.json").string();
  // Validate before creating a run directory: bad input leaves nothing behind.
  security::read_rls_settings(env, rls);

  run::RunSession session(options.common, env, {"security"}, [](const core::CheckResult& result) {
    std::string line = std::string(run::status_tag(result.status)) + result.id;
    if (result.status != core::CheckStatus::kPass) line += "  " + result.message;
    return core::Redactor::global().redact(line);
  });
  auto outcome = security::run_rls_suite(env, rls, session.sink());
  if (!outcome.surface_coverage.is_null()) {
    session.writer().record_meta("surface_coverage", outcome.surface_coverage);
  }
  session.finish(outcome.interrupted || core::interrupted());
  const core::RunDirectory& run_dir = session.run_dir();
  if (options.common.format == "text") {
    std::cout << std::fixed << std::setprecision(1) << "\ngolive probe rls " << run_dir.id() << ": "
              << outcome.checks << " checks, " << outcome.failed << " failed; static audit "
              << outcome.static_audit_ms << " ms, dynamic probes " << outcome.dynamic_probe_ms << " ms";
    if (!outcome.surface_coverage.is_null()) {
      std::cout << ", tables probed " << outcome.surface_coverage["tables_probed"].size() << "/"
                << outcome.surface_coverage["tables_present"].size();
    }
    std::cout << "\nresults: " << run_dir.file("results.jsonl") << "\nreport:  " << session.report_path()
              << "\n";
  }
  if (!outcome.database_reachable) return core::kExitUnreachable;
  return outcome.failed == 0 && !outcome.interrupted ? core::kExitPass : core::kExitGateFailed;
}

}  // namespace

void register_probe_rls(CLI::App& probe, int& exit_code) {
  auto* family = probe.add_subcommand("rls", "Row level security: static catalog audit and cross-user probes");
  auto options = std::make_shared<ProbeRlsOptions>();
  add_common_options(*family, options->common, /*sarif_format=*/true);
  family->add_flag("--static-only", options->static_only,
                   "Only the read-only catalog audit; no impersonated statements");
  family->callback([options, &exit_code] { exit_code = execute_probe_rls(*options); });
}

}  // namespace golive::cli
