// `golive probe FAMILY`: security and database probes. Each family lives in
// its own cli/probe_<family>.cpp and registers its own subcommand here.
#include "cli/command_context.hpp"
#include "cli/probe_families.hpp"

namespace golive::cli {

void register_probe_command(CLI::App& app, int& exit_code) {
  auto* probe = app.add_subcommand("probe", "Run security and database probes");
  probe->require_subcommand(1);
  register_probe_rls(*probe, exit_code);
  register_probe_schema(*probe, exit_code);
  register_probe_migrations(*probe, exit_code);
  register_probe_backup(*probe, exit_code);
  register_probe_http(*probe, exit_code);
  register_probe_secrets(*probe, exit_code);
  register_probe_infra(*probe, exit_code);
  register_probe_observability(*probe, exit_code);
  register_probe_browser(*probe, exit_code);
}

}  // namespace golive::cli
