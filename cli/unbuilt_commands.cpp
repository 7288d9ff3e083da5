// Subcommands whose suites are not built yet. Each says so plainly and exits 2.
// A suite replaces its entry here with a <name>_command.cpp of its own.
#include "cli/command_context.hpp"

namespace golive::cli {

namespace {
[[maybe_unused]] void register_unbuilt(CLI::App& app, const std::string& name, const std::string& description,
                      const std::string& issue, int& exit_code) {
  auto* command = app.add_subcommand(name, description + " (not built yet)");
  command->allow_extras();
  auto options = std::make_shared<CommonOptions>();
  add_common_options(*command, *options);
  command->callback([name, issue, &exit_code] { exit_code = not_built("golive " + name, issue); });
}
}  // namespace

// (`golive report` moved to report_command.cpp.)

}  // namespace golive::cli
