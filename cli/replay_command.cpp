// `golive replay stripe`: acts as Stripe towards an environment's webhook
// endpoint. Without --events it runs the contract scenarios
// (contract/stripe_replay_suite.hpp); with --events FILE it re-signs and
// delivers a captured export in order. Results stream to
// out/<run-id>/results.jsonl. With no --env the embedded reference target is
// started for the run.
#include <iostream>
#include <optional>

#include "cli/command_context.hpp"
#include "run/run_session.hpp"
#include "run/reference_target.hpp"
#include "contract/event_capture.hpp"
#include "contract/stripe_replay_suite.hpp"
#include "core/exit_codes.hpp"
#include "core/input_error.hpp"
#include "core/interrupt.hpp"
#include "core/result_stream.hpp"
#include "core/run_directory.hpp"

namespace golive::cli {

namespace {

struct ReplayCommandOptions {
  run::CommonOptions common;
  std::vector<std::string> scenarios;  // empty = all
  std::size_t storm_size = 50;
  std::string events_file;             // a capture to replay instead of the scenarios
  bool keep_timing = false;
  std::int64_t max_gap_ms = 5000;
  std::string events_dir;              // fixtures; empty = <golive home>/contract/events
};

std::string result_line(const core::CheckResult& result) {
  std::string tag = result.status == core::CheckStatus::kPass   ? "[pass] "
                    : result.status == core::CheckStatus::kSkip ? "[skip] "
                    : result.status == core::CheckStatus::kFail ? "[FAIL] "
                                                                : "[ERR]  ";
  std::string line = tag + result.id;
  // Skips say why; an info-severity pass is an observation worth reading.
  if (result.status != core::CheckStatus::kPass || result.severity == core::Severity::kInfo) {
    line += "  " + result.message;
  }
  return core::Redactor::global().redact(line);
}

int execute_replay(const ReplayCommandOptions& options) {
  core::install_interrupt_handlers();
  std::optional<run::ReferenceTarget> embedded;
  if (options.common.env_file.empty()) embedded.emplace();
  config::Environment env = run::load_selected_environment(options.common);

  contract::ContractOptions contract_options;
  contract_options.scenarios = options.scenarios;
  contract_options.storm_size = options.storm_size;
  contract_options.events_dir = options.events_dir.empty()
                                    ? run::golive_home() + "/contract/events"
                                    : options.events_dir;
  contract::validate_contract_run(env, contract_options, options.common.allow_production);
  std::vector<contract::CapturedEvent> capture;
  if (!options.events_file.empty()) capture = contract::load_event_capture(options.events_file);

  run::RunSession session(options.common, env, {"contract"}, result_line);
  const std::string results_path = session.results_path();
  auto& sink = session.sink();

  bool unreachable = false;
  bool stopped = false;
  std::string counts;
  if (capture.empty()) {
    const auto summary = contract::run_contract_suite(env, contract_options, sink);
    unreachable = summary.target_unreachable;
    stopped = summary.stopped;
    counts = std::to_string(summary.passed) + " passed, " + std::to_string(summary.failed) +
             " failed" +
             (summary.errors > 0 ? " (" + std::to_string(summary.errors) + " error)" : "") + ", " +
             std::to_string(summary.skipped) + " skipped";
    if (summary.skipped_for_observer > 0) {
      counts += " (" + std::to_string(summary.skipped_for_observer) + " need stripe.observe)";
    }
  } else {
    contract::CaptureReplayOptions replay;
    replay.keep_timing = options.keep_timing;
    replay.max_gap_ms = options.max_gap_ms;
    const auto summary = contract::replay_event_capture(env, capture, replay, sink);
    unreachable = summary.target_unreachable && summary.delivered == 0;
    stopped = summary.stopped;
  }
  stopped = stopped || core::interrupted();
  session.finish(stopped);
  if (options.common.format != "json") {
    std::cout << (stopped ? "INTERRUPTED: partial results. " : "")
              << (counts.empty() ? std::to_string(session.failed()) + " failed" : counts) << "\n"
              << "results: " << results_path << "\n"
              << "report:  " << session.report_path() << "\n";
  }
  if (unreachable) return core::kExitUnreachable;
  return session.failed() == 0 && !stopped ? core::kExitPass : core::kExitGateFailed;
}

}  // namespace

void register_replay_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ReplayCommandOptions>();
  auto* replay = app.add_subcommand("replay", "Replay signed webhooks against a target");
  replay->require_subcommand(1);
  auto* stripe = replay->add_subcommand(
      "stripe", "Act as Stripe: run the webhook contract scenarios, or replay a captured export");
  add_common_options(*stripe, options->common);
  stripe->add_option("--scenario", options->scenarios,
                     "Run only this scenario (repeatable), e.g. duplicate_applied_once");
  stripe->add_option("--storm-size", options->storm_size,
                     "Concurrent deliveries of the storm scenario (default 50)")
      ->check(CLI::Range(1, 1000));
  stripe->add_option("--events", options->events_file,
                     "Replay this capture (JSON list, {\"data\":[...]} pages, or JSONL) instead "
                     "of the scenarios");
  stripe->add_flag("--keep-timing", options->keep_timing,
                   "With --events: wait the recorded gaps between `created` times");
  stripe->add_option("--max-gap-ms", options->max_gap_ms,
                     "With --keep-timing: cap of one gap, milliseconds (default 5000)")
      ->check(CLI::Range(0, 3600000));
  stripe->add_option("--events-dir", options->events_dir,
                     "Event fixtures directory (default: contract/events of the golive home)");
  stripe->footer(
      "The webhook secret is never printed. A production environment or an sk_live_/rk_live_ "
      "key is refused without --allow-production (exit 2).\nExit codes: 0 every check passed, 1 "
      "a check failed, 2 bad input or config, 3 target unreachable.");
  stripe->callback([options, &exit_code] { exit_code = execute_replay(*options); });
}

}  // namespace golive::cli
