#include "cli/command_context.hpp"

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "core/exit_codes.hpp"

namespace golive::cli {

void add_common_options(CLI::App& command, run::CommonOptions& options, bool sarif_format) {
  command.add_option("--env", options.env_file,
                     "Environment file (default: the embedded reference target, envs/local.json)");
  command.add_option("--out", options.out_dir, "Directory for reports (default: out)");
  if (sarif_format) {
    command.add_option("--format", options.format,
                       "Console output: text, json, or sarif (the SARIF 2.1.0 log on stdout; "
                       "sarif.json is in the run directory either way)")
        ->check(CLI::IsMember({"text", "json", "sarif"}));
  } else {
    command.add_option("--format", options.format, "Console output: text or json")
        ->check(CLI::IsMember({"text", "json"}));
  }
  command.add_flag("--quiet,-q", options.quiet, "Print only the verdict and errors");
  command.add_option("--waivers", options.waivers_file,
                     "Waiver file (default: the environment's \"waivers\", else ./golive.waivers.json)");
  command.add_option("--fail-on", options.fail_on,
                     "Lowest severity whose failures fail the gate (default: every failure)")
      ->check(CLI::IsMember({"critical", "high", "medium", "low"}));
  command.add_flag("--allow-production", options.allow_production,
                   "Permit destructive or load work against an environment marked production");
}

CLI::Validator positive_number() {
  return CLI::Validator(
      [](std::string& input) -> std::string {
        double value = 0;
        if (!CLI::detail::lexical_cast(input, value)) {
          return "expected a number, got \"" + input + "\"";
        }
        if (!(value > 0)) return "must be a number greater than 0, got " + input;
        return "";
      },
      "POSITIVE");
}

std::string unknown_subcommand_message(CLI::App& app, int argc, char** argv) {
  CLI::App* current = &app;
  std::string command = "golive";
  const auto names_of = [](const std::vector<CLI::App*>& subcommands) {
    std::string names;
    for (CLI::App* sub : subcommands) names += (names.empty() ? "" : ", ") + sub->get_name();
    return names;
  };
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (word.empty() || word[0] == '-') return "";  // an option: CLI11's own message names it
    const auto subcommands = current->get_subcommands([](CLI::App*) { return true; });
    if (subcommands.empty()) return "";
    CLI::App* next = nullptr;
    for (CLI::App* sub : subcommands) {
      if (sub->get_name() == word) next = sub;
    }
    if (next == nullptr) {
      return command + ": unknown command \"" + word +
             "\" (expected one of: " + names_of(subcommands) + ")";
    }
    current = next;
    command += " " + word;
  }
  // The words ran out where a subcommand is still needed ("golive replay").
  const auto subcommands = current->get_subcommands([](CLI::App*) { return true; });
  if (subcommands.empty()) return "";
  return command + ": a subcommand is required (one of: " + names_of(subcommands) + ")";
}





}  // namespace golive::cli
