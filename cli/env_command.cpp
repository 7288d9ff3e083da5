// `golive env check`: validates an environment file and says what each suite
// will be able to do with it.
#include <iostream>

#include "cli/command_context.hpp"
#include "run/capabilities.hpp"
#include "core/exit_codes.hpp"

namespace golive::cli {

void register_env_command(CLI::App& app, int& exit_code) {
  auto* env = app.add_subcommand("env", "Inspect environment files");
  env->require_subcommand(1);
  auto options = std::make_shared<run::CommonOptions>();
  auto* check = env->add_subcommand(
      "check", "Validate an environment file and list what each suite can do with it");
  add_common_options(*check, *options);
  check->callback([options, &exit_code] {
    config::Environment environment = run::load_selected_environment(*options);
    auto capabilities = run::describe_capabilities(environment);
    if (options->format == "json") {
      nlohmann::json out{{"file", environment.source_file},
                         {"name", environment.name},
                         {"production", environment.production},
                         {"base_url", environment.base_url},
                         {"capabilities", nlohmann::json::array()}};
      for (const auto& c : capabilities) {
        out["capabilities"].push_back(
            {{"suite", c.suite}, {"available", c.available}, {"detail", c.detail}});
      }
      std::cout << core::Redactor::global().redact(out.dump(2)) << "\n";
    } else {
      std::cout << "environment \"" << environment.name << "\" (" << environment.source_file
                << ") is valid\n"
                << "  target: " << environment.base_url
                << (environment.production ? "  [PRODUCTION]" : "") << "\n";
      for (const auto& c : capabilities) {
        std::cout << "  " << (c.available ? "[ok]   " : "[skip] ") << c.suite << ": "
                  << core::Redactor::global().redact(c.detail) << "\n";
      }
    }
    exit_code = core::kExitPass;
  });
}

}  // namespace golive::cli
