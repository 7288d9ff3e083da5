// `golive probe browser`: the browser suite (browser/) wired to the CLI: the
// frontend in a headless Chromium (legal pages, cookie consent, console and
// CSP errors, the loaded scripts, timings, screenshots in the run directory).
// Without --env it starts the embedded reference target.
#include <iostream>

#include "browser/browser_settings.hpp"
#include "browser/browser_suite.hpp"
#include "cli/command_context.hpp"
#include "cli/probe_families.hpp"
#include "core/exit_codes.hpp"
#include "core/interrupt.hpp"
#include "run/reference_target.hpp"
#include "run/run_session.hpp"

namespace golive::cli {

namespace {

struct BrowserProbeOptions {
  run::CommonOptions common;
  std::vector<std::string> defects;  // embedded target only
};

int execute_browser_probe(const BrowserProbeOptions& options) {
  core::install_interrupt_handlers();
  const auto embedded = run::start_embedded_target_unless_env(options.common, options.defects);
  const config::Environment env = run::load_selected_environment(options.common);
  // Settings are read before the run directory exists: a bad section is exit 2.
  (void)browser::read_browser_settings(env);
  if (const config::Capability capability = browser::browser_capability(env); !capability.available) {
    std::cerr << "golive probe browser: " << env.source_file << ": " << capability.detail << "\n";
    return core::kExitBadInput;
  }
  run::RunSession session(options.common, env, {"browser"}, run::probe_check_line);
  browser::BrowserOptions suite;
  suite.screenshot_dir = session.run_dir().path();
  browser::run_browser_suite(env, suite, session.sink());
  return session.finish_probe(core::interrupted(), options.common.format == "json");
}

}  // namespace

void register_probe_browser(CLI::App& probe, int& exit_code) {
  auto options = std::make_shared<BrowserProbeOptions>();
  auto* command = probe.add_subcommand(
      "browser",
      "The frontend in headless Chromium over the DevTools protocol: legal pages, cookie consent before "
      "tracking, console and CSP errors, secrets and mockAI in the loaded scripts, the empty state, load "
      "timings and screenshots (browser.*)");
  add_common_options(*command, options->common);
  command->add_option("--defect", options->defects,
                      "Embedded target only: switch on a seeded defect (repeatable)");
  command->footer(
      "Settings: the environment's \"frontend\" section (enabled, base_url, pages, consent, analytics_hosts, "
      "empty_state, min_text_chars, page_timeout_ms, budget_ms, chromium). Needs the Debian package chromium. "
      "Exit codes: 0 every check passed, 1 a check failed, 2 bad input or config.");
  command->callback([options, &exit_code] { exit_code = execute_browser_probe(*options); });
}

}  // namespace golive::cli
