// `golive e2e`: runs the end-to-end workflows (e2e/workflows/*.json) against
// an environment, streaming every step to out/<run-id>/results.jsonl and
// rendering every report (junit.xml, report.json, index.html, ...) at the end.
// With no --env the embedded reference target
// is started for the run (and stopped after it, if this run started it).
#include <iomanip>
#include <iostream>
#include <optional>
#include <sstream>

#include "cli/command_context.hpp"
#include "run/run_session.hpp"
#include "run/reference_target.hpp"
#include "core/exit_codes.hpp"
#include "core/input_error.hpp"
#include "core/interrupt.hpp"
#include "core/result_stream.hpp"
#include "core/run_directory.hpp"
#include "e2e/e2e_suite.hpp"
#include "run/openapi_conformance.hpp"

namespace golive::cli {

namespace {

struct E2eCommandOptions {
  run::CommonOptions common;
  std::vector<std::string> workflows;  // file stems; empty = all
  std::vector<std::string> defects;    // embedded target only
  std::size_t jobs = 4;
  std::string workflows_dir;  // empty = <golive home>/e2e/workflows
};


std::string step_line(const core::CheckResult& result) {
  std::ostringstream line;
  line << run::status_tag(result.status) << result.id << "  " << std::fixed << std::setprecision(1)
       << result.duration_ms << " ms";
  if (result.status != core::CheckStatus::kPass) line << "  " << result.message;
  return core::Redactor::global().redact(line.str());
}

int execute_e2e(const E2eCommandOptions& options) {
  core::install_interrupt_handlers();
  const auto embedded = run::start_embedded_target_unless_env(options.common, options.defects);
  config::Environment env = run::load_selected_environment(options.common);
  config::require_non_production(env, options.common.allow_production, "e2e workflows");
  std::string directory = options.workflows_dir.empty() ? e2e::default_workflows_dir(run::golive_home())
                                                        : options.workflows_dir;
  // Every workflow is parsed before the first request: a typo is exit 2, not
  // a half-run suite.
  auto workflows = e2e::load_workflows(directory, options.workflows);

  run::RunSession session(options.common, env, {"e2e"}, step_line);
  const auto& run_dir = session.run_dir();
  const std::string results_path = session.results_path();
  auto& sink = session.sink();

  if (options.common.format != "json") {
    std::cout << "golive e2e " << run_dir.id() << ": " << workflows.size() << " workflow"
              << (workflows.size() == 1 ? "" : "s") << " against \"" << env.name << "\" ("
              << env.base_url << "), " << options.jobs << " at a time\n"
              << std::flush;
  }
  e2e::E2eRunOptions run_options;
  run_options.jobs = options.jobs;
  run_options.should_stop = [] { return core::interrupted(); };
  const run::OpenApiConformance conformance(workflows, env.base_url, run_dir.path());
  if (!conformance.empty()) {
    run_options.on_exchange = [&conformance](const e2e::StepExchange& exchange) { conformance.observe(exchange); };
  }
  auto summary = e2e::run_e2e_suite(env, workflows, run_options, sink);
  conformance.record_results(sink);

  bool was_interrupted = core::interrupted() || summary.outcome.stopped;
  session.finish(was_interrupted);

  if (options.common.format != "json") {
    std::size_t instances_ok = 0;
    for (const auto& instance : summary.outcome.instances) instances_ok += instance.ok();
    std::cout << "\n"
              << (was_interrupted ? "INTERRUPTED: partial results. " : "") << instances_ok << "/"
              << summary.outcome.instances.size() << " workflow runs passed, " << session.failed() << " step"
              << (session.failed() == 1 ? "" : "s") << " failed\n"
              << "results: " << results_path << "\n"
              << "junit:   " << run_dir.file("junit.xml") << "\n"
              << "report:  " << session.report_path() << "\n";
  }
  if (summary.target_unreachable()) return core::kExitUnreachable;
  const bool conforming = conformance.empty() || session.failed() == 0;
  return summary.outcome.ok() && conforming && !was_interrupted ? core::kExitPass : core::kExitGateFailed;
}

}  // namespace

void register_e2e_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<E2eCommandOptions>();
  auto* e2e = app.add_subcommand("e2e", "Run the end-to-end user-journey workflows");
  add_common_options(*e2e, options->common);
  e2e->add_option("--workflow", options->workflows,
                  "Run only this workflow (file stem, repeatable), e.g. payment");
  e2e->add_option("--jobs,-j", options->jobs, "Workflow runs in flight at once (default 4)")
      ->check(CLI::Range(1, 10000));
  e2e->add_option("--workflows-dir", options->workflows_dir,
                  "Directory of workflow files (default: e2e/workflows of the golive home)");
  e2e->add_option("--defect", options->defects,
                  "Embedded target only: switch on a seeded defect (repeatable), see "
                  "fixtures/DEFECTS.md");
  e2e->footer(
      "Exit codes: 0 every step passed, 1 a step failed (or the run was interrupted), 2 bad "
      "input or config, 3 target unreachable.");
  e2e->callback([options, &exit_code] { exit_code = execute_e2e(*options); });
}

}  // namespace golive::cli
