// `golive probe infra`: the infrastructure suite (infra/) wired to the CLI:
// replication, WAL archiving, pgBackRest and its restore drill, the cache,
// static assets and the edge cache, load balancing and the failover drill.
// Without --env it starts the embedded reference target (full topology).
#include <iostream>

#include "cli/command_context.hpp"
#include "cli/probe_families.hpp"
#include "core/exit_codes.hpp"
#include "core/interrupt.hpp"
#include "infra/infra_settings.hpp"
#include "infra/infra_suite.hpp"
#include "run/reference_target.hpp"
#include "run/run_session.hpp"

namespace golive::cli {

namespace {

struct InfraProbeOptions {
  run::CommonOptions common;
  std::vector<std::string> defects;  // embedded target only
  bool no_drills = false;
};

int execute_infra_probe(const InfraProbeOptions& options) {
  core::install_interrupt_handlers();
  const auto embedded = run::start_embedded_target_unless_env(options.common, options.defects);
  const config::Environment env = run::load_selected_environment(options.common);
  // Settings are read before the run directory exists: a bad section is exit 2.
  (void)infra::read_infra_settings(env);
  if (const config::Capability capability = infra::infra_capability(env); !capability.available) {
    std::cerr << "golive probe infra: " << env.source_file << ": " << capability.detail << "\n";
    return core::kExitBadInput;
  }
  run::RunSession session(options.common, env, {"infra"}, run::probe_check_line);
  infra::InfraOptions suite;
  suite.allow_production = options.common.allow_production;
  suite.failover = !options.no_drills;
  infra::run_infra_suite(env, suite, session.sink());
  return session.finish_probe(core::interrupted(), options.common.format == "json");
}

}  // namespace

void register_probe_infra(CLI::App& probe, int& exit_code) {
  auto options = std::make_shared<InfraProbeOptions>();
  auto* command = probe.add_subcommand(
      "infra",
      "Infrastructure: replicas and LSN lag, WAL archiving, pgBackRest backups and a restore drill, the "
      "cache's hit statistics and TTLs, static asset and edge cache headers, load balancing and a "
      "failover drill (infra.*)");
  add_common_options(*command, options->common, /*sarif_format=*/true);
  command->add_option("--defect", options->defects,
                      "Embedded target only: switch on a seeded defect (repeatable)");
  command->add_flag("--no-failover", options->no_drills, "Skip the failover drill");
  command->footer(
      "Settings: the environment's \"infra\" section (enabled, replica_urls, replication, archiving, backup, "
      "redis_url, cache, static, instance_header, load_balancing, failover, allow_drills). Exit codes: 0 every "
      "check passed, 1 a check failed, 2 bad input or config.");
  command->callback([options, &exit_code] { exit_code = execute_infra_probe(*options); });
}

}  // namespace golive::cli
