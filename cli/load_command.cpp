// `golive load PROFILE`: runs a load profile (load/profiles/*.json) against
// an environment. A terminal gets a live progress line (rewritten with \r);
// CI gets one plain line per 5 seconds. Writes out/<run-id>/results.jsonl
// (threshold and SLA checks, `load_summary` and `sla` records) and
// load-shard.json (the exact statistics, histograms included, for merging
// shards). Exit 0 when every threshold and the SLA pass, 1 otherwise, 2 for
// bad input.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "cli/command_context.hpp"
#include "core/exit_codes.hpp"
#include "core/input_error.hpp"
#include "core/interrupt.hpp"
#include "core/result_stream.hpp"
#include "core/run_directory.hpp"
#include "e2e/e2e_suite.hpp"
#include "load/load_suite.hpp"

namespace golive::cli {

namespace {

struct LoadCommandOptions {
  CommonOptions common;
  std::string profile;
  double duration_s = 0;  // 0 = the profile's own length
  std::string shard = "1/1";
  unsigned threads = 2;
};

std::string progress_text(const load::LoadProgress& p) {
  std::ostringstream line;
  line << std::fixed << std::setprecision(0) << std::setw(4) << p.elapsed_s << "s/" << p.planned_s
       << "s  vus " << p.active_vus << "  rps " << p.rps << "  p95 " << std::setprecision(1)
       << p.p95_ms << "ms  requests " << p.requests << "  errors " << p.errors
       << (p.warming_up ? "  (warm-up)" : "");
  return line.str();
}

void print_summary(const load::LoadRunOutcome& outcome) {
  for (const nlohmann::json& summary : outcome.load_summaries) {
    const auto& latency = summary["latency_ms"];
    std::cout << "scenario " << summary["scenario"].get<std::string>() << ": "
              << summary["requests"].get<std::uint64_t>() << " requests, " << std::fixed
              << std::setprecision(1) << summary["throughput_rps"].get<double>() << " req/s, p50 "
              << latency["p50"].get<double>() << "ms p95 " << latency["p95"].get<double>() << "ms p99 "
              << latency["p99"].get<double>() << "ms max " << latency["max"].get<double>()
              << "ms, dropped " << summary["dropped_iterations"].get<std::uint64_t>()
              << ", errors " << summary["errors"].dump() << "\n";
    for (const auto& threshold : summary["thresholds"]) {
      std::cout << "  " << (threshold["pass"].get<bool>() ? "[pass] " : "[FAIL] ")
                << threshold["expression"].get<std::string>() << "  "
                << threshold["message"].get<std::string>() << "\n";
    }
  }
  std::cout << "SLA: " << (outcome.sla_met ? "met" : "NOT met") << " " << outcome.sla.dump() << "\n";
  if (outcome.rate_scale < 1) {
    std::cout << "safety.max_rps " << outcome.max_rps << " capped the open-model rates to "
              << std::setprecision(0) << outcome.rate_scale * 100 << "% of the profile\n";
  }
}

int execute_load(const LoadCommandOptions& options) {
  core::install_interrupt_handlers();
  core::Environment env = load_selected_environment(options.common);
  core::require_non_production(env, options.common.allow_production, "load testing");
  load::LoadOptions run;
  run.profile = load::load_profile(options.profile, e2e::default_workflows_dir(golive_home()));
  if (options.duration_s > 0) run.max_duration_s = options.duration_s;
  run.shard = load::parse_shard(options.shard);
  run.threads = options.threads;
  run.allow_production = options.common.allow_production;
  run.should_stop = [] { return core::interrupted(); };

  auto run_dir = core::RunDirectory::create(options.common.out_dir);
  const std::string results_path = run_dir.file("results.jsonl");
  core::JsonlResultWriter writer(results_path, core::Redactor::global());
  writer.record_meta("run_start", {{"run_id", run_dir.id()},
                                   {"env", env.name},
                                   {"started_at", core::utc_now_iso8601()},
                                   {"golive_version", GOLIVE_VERSION},
                                   {"suites", {"load"}},
                                   {"profile", run.profile.name},
                                   {"shard", options.shard}});
  const bool quiet = options.common.quiet || options.common.format == "json";
  const bool tty = ::isatty(STDOUT_FILENO) != 0;
  if (!quiet) {
    std::cout << "golive load " << run_dir.id() << ": profile " << run.profile.name << " ("
              << run.profile.description << ") against \"" << env.name << "\" (" << env.base_url
              << "), shard " << options.shard << ", " << options.threads << " threads\n"
              << std::flush;
  }
  std::size_t ticks = 0;
  run.on_progress = [&](const load::LoadProgress& progress) {
    if (quiet) return;
    if (tty) {
      std::cout << "\r\033[K" << progress_text(progress) << std::flush;
    } else if (++ticks % 5 == 0) {
      std::cout << progress_text(progress) << "\n" << std::flush;
    }
  };
  auto outcome = load::run_load_suite(env, run, writer);
  if (!quiet && tty) std::cout << "\n";

  for (const nlohmann::json& summary : outcome.load_summaries) writer.record_meta("load_summary", summary);
  writer.record_meta("sla", outcome.sla);
  const bool interrupted = outcome.stopped || core::interrupted();
  writer.record_meta("run_end", {{"ended_at", core::utc_now_iso8601()}, {"interrupted", interrupted}});
  const std::string shard_path = run_dir.file("load-shard.json");
  {
    std::ofstream shard(shard_path, std::ios::binary | std::ios::trunc);
    shard << outcome.stats.to_json().dump() << "\n";
    if (!shard) throw core::InputError(shard_path, "", "cannot write the shard statistics");
  }
  if (options.common.format == "json") {
    std::cout << outcome.summary().dump() << "\n";
  } else if (!options.common.quiet) {
    print_summary(outcome);
    std::cout << (outcome.aborted ? "ABORTED by an abort_on_fail threshold\n" : "")
              << (interrupted ? "INTERRUPTED: partial results\n" : "") << "results: " << results_path
              << "\nshard:   " << shard_path << "\n";
  }
  const bool passed = outcome.thresholds_passed && outcome.sla_met && !interrupted;
  return passed ? core::kExitPass : core::kExitGateFailed;
}

}  // namespace

void register_load_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<LoadCommandOptions>();
  auto* load = app.add_subcommand("load", "Run a load profile (load/profiles/*.json)");
  add_common_options(*load, options->common);
  load->add_option("profile", options->profile, "Profile file, e.g. load/profiles/smoke.json")
      ->required();
  load->add_option("--duration", options->duration_s, "Cap the run at this many seconds")
      ->check(CLI::PositiveNumber);
  load->add_option("--shard", options->shard,
                   "Run share I of N (1-based, e.g. 2/4) of the rate and VUs; merge the shards' "
                   "load-shard.json files later");
  load->add_option("--threads", options->threads, "Worker threads, one HTTP engine each (default 2)")
      ->check(CLI::Range(1, 256));
  load->footer(
      "Exit codes: 0 every threshold and the SLA passed, 1 a threshold or the SLA failed (or the "
      "run was interrupted), 2 bad input or config.");
  load->callback([options, &exit_code] { exit_code = execute_load(*options); });
}

}  // namespace golive::cli
