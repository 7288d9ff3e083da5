// `golive watch`: synthetic uptime monitoring (observability/watch_loop.hpp).
// Runs the environment's observability.watch probes every interval, serves
// their figures at http://127.0.0.1:PORT/metrics, appends each result to a
// JSON Lines log, and stops cleanly on SIGINT/SIGTERM or after --duration.
// With no --env, the embedded reference target is started (and stopped after).
#include <chrono>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>

#include "cli/command_context.hpp"
#include "core/exit_codes.hpp"
#include "core/input_error.hpp"
#include "core/interrupt.hpp"
#include "observability/watch_loop.hpp"
#include "observability/watch_metrics.hpp"
#include "run/reference_target.hpp"
#include "run/run_options.hpp"

namespace golive::cli {

namespace {

struct WatchCommandOptions {
  run::CommonOptions common;
  double interval_s = 0;  // 0 = observability.watch.interval_seconds
  double duration_s = 0;  // 0 = until SIGINT/SIGTERM
  std::string listen;     // "" = observability.watch.listen
  std::string log_file;   // "" = no log
  std::vector<std::string> defects;  // embedded target only
};

int execute_watch(const WatchCommandOptions& options) {
  core::install_interrupt_handlers();
  auto embedded = run::start_embedded_target_unless_env(options.common, options.defects);
  const config::Environment env = run::load_selected_environment(options.common);
  observability::WatchSettings settings = observability::read_watch_settings(env);
  if (settings.probes.empty()) {
    throw core::InputError(env.source_file, "/observability/watch/probes",
                           "golive watch needs at least one probe, e.g. "
                           "{\"name\": \"health\", \"path\": \"/health\"}");
  }
  if (options.interval_s > 0) settings.interval_seconds = options.interval_s;
  if (!options.listen.empty()) settings.listen = options.listen;
  std::vector<std::string> names;
  for (const auto& probe : settings.probes) names.push_back(probe.name);
  observability::WatchMetrics metrics(names, settings.availability);
  observability::WatchMetricsServer server(settings.listen, metrics,
                                           options.listen.empty() ? env.source_file + ": /observability/watch/listen"
                                                                  : "--listen");
  std::ofstream log;
  if (!options.log_file.empty()) {
    log.open(options.log_file, std::ios::app);
    if (!log) throw core::InputError(options.log_file, "", "cannot open the watch log for appending");
  }
  if (!options.common.quiet) {
    std::cout << "golive watch: " << settings.probes.size() << " probe(s) every "
              << settings.interval_seconds << " s; metrics at " << server.url() << std::endl;
  }
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                            std::chrono::duration<double>(options.duration_s));
  const bool bounded = options.duration_s > 0;
  const observability::WatchTotals totals = observability::run_watch_loop(
      env, settings, metrics, log.is_open() ? &log : nullptr, [&] {
        return core::interrupted() || (bounded && std::chrono::steady_clock::now() >= deadline);
      });
  const std::uint64_t runs = totals.successes + totals.failures;
  const double availability = runs == 0 ? 0 : static_cast<double>(totals.successes) / runs;
  if (!options.common.quiet) {
    std::cout << "golive watch: " << totals.rounds << " round(s), " << totals.successes << " of " << runs
              << " probes succeeded (availability " << std::setprecision(6) << availability
              << ", objective " << settings.availability << ")"
              << (core::interrupted() ? "; stopped by a signal" : "") << std::endl;
  }
  return runs > 0 && availability >= settings.availability ? core::kExitPass : core::kExitGateFailed;
}

}  // namespace

void register_watch_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<WatchCommandOptions>();
  auto* command = app.add_subcommand(
      "watch", "Synthetic uptime monitoring: run the environment's probes every interval and serve "
               "their availability and latency at /metrics (Prometheus)");
  command->add_option("--env", options->common.env_file,
                      "Environment file (default: the embedded reference target)");
  command->add_option("--interval", options->interval_s,
                      "Seconds between rounds (default: observability.watch.interval_seconds, 30)")
      ->check(positive_number());
  command->add_option("--duration", options->duration_s,
                      "Stop after this many seconds (default: run until SIGINT/SIGTERM)")
      ->check(positive_number());
  command->add_option("--listen", options->listen,
                      "HOST:PORT for /metrics (default: observability.watch.listen, "
                      "127.0.0.1:9464; port 0 picks a free one)");
  command->add_option("--log", options->log_file,
                      "Append every probe result to this JSON Lines file (flushed per line)");
  command->add_option("--defect", options->defects,
                      "Embedded target only: switch on a seeded defect (repeatable)");
  command->add_flag("--quiet", options->common.quiet, "Print nothing but errors");
  command->footer(
      "Series at /metrics: golive_watch_probes_total{probe,result}, golive_watch_probe_success,\n"
      "golive_watch_probe_duration_seconds (histogram), golive_watch_last_success_timestamp_seconds,\n"
      "golive_watch_last_run_timestamp_seconds, golive_watch_availability_objective.\n"
      "Burn-rate alert rules, a Grafana dashboard, a systemd unit and a Kubernetes Deployment:\n"
      "docs/watch/.\n"
      "Examples:\n"
      "  golive watch --duration 60 --interval 1 --log watch.jsonl\n"
      "  golive watch --env envs/staging.json --listen 127.0.0.1:9464\n"
      "Exit codes: 0 the probes met sla.availability, 1 they did not, 2 bad input (no probes,\n"
      "a malformed setting, a listen address in use).");
  command->callback([options, &exit_code] { exit_code = execute_watch(*options); });
}

}  // namespace golive::cli
