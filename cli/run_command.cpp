// `golive run`: every suite (or those named with --suite) against one
// environment, results streamed to out/<run-id>/results.jsonl as they
// happen, then every report rendered from that stream. With no --env the
// embedded reference target is started for the run and stopped after it.
#include "cli/command_context.hpp"
#include "run/run_pipeline.hpp"

namespace golive::cli {

void register_run_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<run::RunRequest>();
  auto* run = app.add_subcommand(
      "run", "Run every suite against an environment and write the go-live reports");
  add_common_options(*run, options->common);
  run->add_option("--suite", options->suites,
                  "Run only this suite (repeatable): env, e2e, security, contract, db, repo, load, infra, "
                  "observability, browser");
  run->add_option("--defect", options->defects,
                  "Embedded target only: switch on a seeded defect (repeatable), see "
                  "fixtures/DEFECTS.md");
  run->add_option("--release", options->release,
                  "The release under test, recorded in every report (default: the environment's "
                  "release.version_url)");
  run->add_flag("--strict", options->strict,
                "Fail the gate when a verifiable checklist item is not verified (also the "
                "environment's \"checklist\": {\"strict\": true})");
  run->footer(
      "Exit codes: 0 every gate passed, 1 a gate failed (or the run was interrupted), 2 bad "
      "input or config, 3 target unreachable, 4 internal error (please report).");
  run->callback([options, &exit_code] { exit_code = run::run_pipeline(*options); });
}

}  // namespace golive::cli
