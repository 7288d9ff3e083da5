// `golive audit repo [PATH]`: the repository audit (repo/) wired to the CLI.
// PATH is the app's checkout; without PATH the environment's "repo" section
// names it (--env), and without either the embedded app repository
// (fixtures/app-repo, with --defect variants) is materialised and audited.
// --env also gives the database_url the applied-migrations check reads.
// Results go to out/<run-id>/results.jsonl; exit 0 clean, 1 findings, 2 bad
// input (not a git repository, a workflow that is not YAML, a report of an
// unknown format).
#include <iostream>

#include "cli/command_context.hpp"
#include "core/exit_codes.hpp"
#include "core/input_error.hpp"
#include "core/interrupt.hpp"
#include "repo/app_repo_fixture.hpp"
#include "run/run_coverage.hpp"
#include "repo/repo_suite.hpp"
#include "run/run_session.hpp"

namespace golive::cli {

namespace {

struct AuditRepoOptions {
  run::CommonOptions common;
  std::string path;
  std::vector<std::string> variants;
  double coverage_min_percent = -1;  // < 0: the settings' value
};

int execute_audit_repo(const AuditRepoOptions& options) {
  core::install_interrupt_handlers();
  std::unique_ptr<repo::ScratchAppRepo> embedded;
  repo::RepoSettings settings;
  std::string env_name = "repo";
  if (!options.common.env_file.empty()) {
    // The environment's repo section (and its database_url for the applied migrations).
    config::Environment env = run::load_selected_environment(options.common);
    settings = repo::read_repo_settings(env);
    env_name = env.name;
    // The routes the target declares, for the OpenAPI document's coverage.
    const run::Declaration declaration = run::declared_endpoints(env);
    settings.declared_source = declaration.source;
    if (declaration.found) settings.declared_endpoints = declaration.endpoints;
  }
  if (!options.path.empty()) settings.path = options.path;
  if (settings.path.empty()) {
    // Neither PATH nor repo.path: the embedded app repository, with its variants.
    embedded = std::make_unique<repo::ScratchAppRepo>(repo::default_app_repo_sources(run::golive_home()), options.variants);
    settings.path = embedded->path();
    settings.origin = embedded->path();
    if (options.common.env_file.empty()) env_name = "embedded app repository";
  } else if (!options.variants.empty()) {
    throw core::InputError("--defect", "", "app repository variants apply only to the embedded app repository (no PATH, no repo.path)");
  }
  if (options.coverage_min_percent >= 0) settings.coverage_min_percent = options.coverage_min_percent;
  repo::require_git_repository(settings.path);
  run::RunSession session(options.common, env_name, {"repo"}, [](const core::CheckResult& result) {
    return core::Redactor::global().redact(std::string(run::status_tag(result.status)) + result.id + "  " + result.message);
  });
  repo::run_repo_suite(settings, session.sink());
  return session.finish_probe(core::interrupted(), options.common.format == "json");
}

}  // namespace

void register_audit_command(CLI::App& app, int& exit_code) {
  auto* audit = app.add_subcommand("audit", "Audit what the deployed system cannot show");
  audit->require_subcommand(1);
  auto options = std::make_shared<AuditRepoOptions>();
  auto* repo_command = audit->add_subcommand(
      "repo", "The app's repository: release pipeline, environment files, runbooks, frontend source, "
              "test results and coverage, dependency audit, migrations, secrets in git history (repo.*)");
  repo_command->add_option("PATH", options->path, "The app's checkout (the top folder of a git work tree)");
  add_common_options(*repo_command, options->common, /*sarif_format=*/true);
  repo_command->add_option("--defect", options->variants,
                           "Without PATH and --env: materialise the embedded app repository with this variant "
                           "(repeatable; fixtures/DEFECTS.md, Repository variants)");
  repo_command->add_option("--coverage-min", options->coverage_min_percent,
                           "Line coverage the app's tests must reach, percent (default 80 or repo.coverage_min_percent)")
      ->check(CLI::Range(0.0, 100.0));
  repo_command->footer(
      "Settings: the environment's \"repo\" section (path, env_files, required_vars, production_domain, runbooks, "
      "runbook_sections, guides, frontend_entry, dev_only_names, test_reports, coverage, coverage_min_percent, "
      "dependency_audit, history). Exit codes: 0 no finding, 1 findings, 2 bad input.");
  repo_command->callback([options, &exit_code] { exit_code = execute_audit_repo(*options); });
}

}  // namespace golive::cli
