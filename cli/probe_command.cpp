// `golive probe FAMILY`: security and database probes. Each family lives in
// its own cli/probe_<family>.cpp and registers its own subcommand here.
#include "cli/command_context.hpp"
#include "cli/probe_families.hpp"

namespace golive::cli {

namespace {
// Kept for families declared before they are built (none at the moment).
[[maybe_unused]] void register_unbuilt_family(CLI::App& probe, const std::string& name,
                             const std::string& description, const std::string& issue,
                             int& exit_code) {
  auto* family = probe.add_subcommand(name, description + " (not built yet)");
  family->allow_extras();
  auto options = std::make_shared<CommonOptions>();
  add_common_options(*family, *options);
  family->callback(
      [name, issue, &exit_code] { exit_code = not_built("golive probe " + name, issue); });
}
}  // namespace

void register_probe_command(CLI::App& app, int& exit_code) {
  auto* probe = app.add_subcommand("probe", "Run security and database probes");
  probe->require_subcommand(1);
  register_probe_rls(*probe, exit_code);
  register_probe_schema(*probe, exit_code);
  register_probe_migrations(*probe, exit_code);
  register_probe_backup(*probe, exit_code);
  register_probe_http(*probe, exit_code);
  register_probe_secrets(*probe, exit_code);
}

}  // namespace golive::cli
