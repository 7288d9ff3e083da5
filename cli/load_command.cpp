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
#include "run/run_session.hpp"
#include "core/exit_codes.hpp"
#include "core/input_error.hpp"
#include "core/interrupt.hpp"
#include "core/result_stream.hpp"
#include "core/run_directory.hpp"
#include "e2e/e2e_suite.hpp"
#include "load/load_records.hpp"
#include "load/load_suite.hpp"
#include "load/metrics_endpoint.hpp"
#include "load/request_log.hpp"
#include "reports/render_all.hpp"
#include "load/shard_file.hpp"
#include "load/start_time.hpp"

namespace golive::cli {

namespace {

struct LoadCommandOptions {
  run::CommonOptions common;
  std::string profile;
  double duration_s = 0;  // 0 = the profile's own length
  std::string shard = "1/1";
  std::string shard_group;  // ties the shards of one distributed run together
  unsigned threads = 2;
  std::string engine = "native";        // --engine native|curl (native: golive's own HTTP/1.1 and HTTP/2 client)
  std::string metrics_addr;            // --metrics-addr HOST:PORT; "" = off
  std::string replay_log;              // --replay LOG instead of a profile
  double speed = 1;                    // --speed for --replay
  std::vector<std::string> replay_methods{"GET", "HEAD", "OPTIONS"};
  std::vector<std::string> thresholds;  // --threshold for --replay
  unsigned max_in_flight = 1000;       // --max-in-flight for --replay
  std::string start_at;                // --start-at RFC3339: every shard begins then
  std::string start_file;              // --start-file PATH: wait for it, read the time from it
};

// `--replay LOG`: a profile with one "replay" scenario. The environment's
// anon key goes along as `apikey` (Supabase-style APIs refuse requests
// without one) unless the log's own headers carry it.
load::LoadProfile replay_profile_for(const LoadCommandOptions& options, const config::Environment& env) {
  load::RequestLogOptions log_options;
  log_options.methods = {options.replay_methods.begin(), options.replay_methods.end()};
  auto log = std::make_shared<const load::RequestLog>(load::read_request_log(options.replay_log, log_options));
  std::vector<load::ThresholdSpec> thresholds;
  for (const auto& text : options.thresholds) {
    load::parse_threshold(text, "--threshold");  // validates now: exit 2 before any traffic
    load::ThresholdSpec spec;
    spec.expression = text;
    thresholds.push_back(spec);
  }
  std::vector<std::pair<std::string, std::string>> headers;
  if (!env.anon_key.empty()) headers.emplace_back("apikey", env.anon_key);
  if (log->skipped_methods > 0) {
    std::cout << "replay: skipped " << log->skipped_methods
              << " logged requests whose method is not in --replay-methods\n";
  }
  return load::replay_profile(log, options.speed, headers, thresholds, options.max_in_flight);
}

// "  slowest: 812.4ms GET http://host/items 200 x-request-id 4bf9… connect 0.2ms first byte 811ms"
void print_slowest(const nlohmann::json& summary) {
  if (!summary.contains("slowest_requests") || summary["slowest_requests"].empty()) return;
  std::cout << "  slowest requests (find them in the target's logs by X-Request-Id / trace id):\n";
  for (const auto& request : summary["slowest_requests"]) {
    const auto& timing = request["timing_ms"];
    std::cout << "    " << std::fixed << std::setprecision(1) << request["latency_ms"].get<double>() << "ms "
              << request["method"].get<std::string>() << " " << request["url"].get<std::string>() << " ";
    const int status = request["status"].get<int>();
    const std::string error = request["error"].get<std::string>();
    if (status > 0) std::cout << status << (error.empty() ? "" : " ");
    std::cout << error;
    const std::string request_id = request["request_id"].get<std::string>();
    const std::string trace_id = request["trace_id"].get<std::string>();
    if (!request_id.empty()) std::cout << " x-request-id " << request_id;
    if (!trace_id.empty() && trace_id != request_id) std::cout << " trace " << trace_id;
    for (const auto& [key, label] : {std::pair{"connect", "connect"}, std::pair{"tls_handshake", "tls"},
                                     std::pair{"first_byte", "first byte"}}) {
      if (timing[key].is_number()) std::cout << " " << label << " " << timing[key].get<double>() << "ms";
    }
    std::cout << "\n";
  }
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
    if (summary.contains("connections")) {
      const auto& connections = summary["connections"];
      std::cout << "  connections opened " << connections["opened"].get<std::uint64_t>() << " ("
                << connections["opened_per_s"].get<double>() << "/s, connect p50 "
                << connections["connect_ms"]["p50"].get<double>() << "ms)";
      if (connections["tls_handshakes"].get<std::uint64_t>() > 0) {
        std::cout << ", TLS handshakes " << connections["tls_handshakes"].get<std::uint64_t>() << " ("
                  << connections["tls_handshakes_per_s"].get<double>() << "/s, "
                  << connections["tls_resumed"].get<std::uint64_t>() << " resumed, p50 "
                  << connections["handshake_ms"]["p50"].get<double>() << "ms p99 "
                  << connections["handshake_ms"]["p99"].get<double>() << "ms)";
      }
      std::cout << "\n";
    }
    print_slowest(summary);
    if (summary.contains("capacity")) {  // the capacity executor's steps and the last rate that held
      const auto& capacity = summary["capacity"];
      std::cout << "  " << capacity["result"].get<std::string>() << "\n";
      for (const auto& step : capacity["steps"]) {
        std::cout << "    " << (step["held"].get<bool>() ? "[held]  " : "[broke] ") << std::setprecision(1)
                  << step["rate_rps"].get<double>() << " req/s intended: " << step["requests"].get<std::uint64_t>()
                  << " requests, " << step["throughput_rps"].get<double>() << " req/s, p95 "
                  << (step["p95_ms"].is_number() ? step["p95_ms"].get<double>() : 0.0) << "ms, dropped "
                  << step["dropped"].get<std::uint64_t>() << "\n";
      }
    }
    for (const auto& threshold : summary["thresholds"]) {
      std::cout << "  " << (threshold["pass"].get<bool>() ? "[pass] " : "[FAIL] ")
                << threshold["expression"].get<std::string>() << "  "
                << threshold["message"].get<std::string>() << "\n";
    }
  }
  std::cout << load::sla_sentence(outcome.sla, outcome.sla_met) << "\n";
  if (outcome.rate_scale < 1) {
    std::cout << "safety.max_rps " << outcome.max_rps << " capped the open-model rates to "
              << std::setprecision(0) << outcome.rate_scale * 100 << "% of the profile\n";
  }
}

int execute_load(const LoadCommandOptions& options) {
  core::install_interrupt_handlers();
  // A bad --start-at is exit 2 before anything else happens.
  std::optional<std::int64_t> start_at;
  if (!options.start_at.empty() && !options.start_file.empty()) {
    throw core::InputError("golive load", "", "give --start-at or --start-file, not both");
  }
  if (!options.start_at.empty()) {
    start_at = load::parse_start_at(options.start_at, "--start-at");
    load::check_start_at(*start_at, load::now_unix_ms(), "--start-at");
  }
  config::Environment env = run::load_selected_environment(options.common);
  config::require_non_production(env, options.common.allow_production, "load testing");
  load::LoadOptions run;
  if (options.profile.empty() == options.replay_log.empty()) {
    throw core::InputError("golive load", "", "give a profile file or --replay LOG (exactly one)");
  }
  run.profile = options.replay_log.empty()
                    ? load::load_profile(options.profile, e2e::default_workflows_dir(run::golive_home()))
                    : replay_profile_for(options, env);
  if (options.duration_s > 0) run.max_duration_s = options.duration_s;
  const bool quiet_output = options.common.quiet || options.common.format == "json";
  if (!options.start_file.empty()) {
    if (!quiet_output) std::cout << "waiting for the start file " << options.start_file << "\n" << std::flush;
    const std::int64_t at = load::wait_for_start_file(
        options.start_file, [] { return core::interrupted(); }, [&](double waited_s) {
          if (!quiet_output && ::isatty(STDOUT_FILENO) != 0) {
            std::cout << "\r\033[Kwaiting for the start file " << options.start_file << " ("
                      << static_cast<long>(waited_s) << " s)" << std::flush;
          }
        });
    if (at < 0) throw core::InputError("--start-file", "", "interrupted while waiting for " + options.start_file);
    start_at = at;
  }
  run.start_at_unix_ms = start_at;
  run.shard = load::parse_shard(options.shard);
  if (run.shard.count > 1 && !run.profile.scenarios.empty() &&
      run.profile.scenarios.front().executor == load::ExecutorKind::kCapacity) {
    throw core::InputError(run.profile.file, "/scenarios/0/executor",
                           "a capacity search runs in one process: it cannot be sharded (--shard " +
                               options.shard + ")");
  }
  run.threads = options.threads;
  run.native_http = options.engine == "native";
  run.allow_production = options.common.allow_production;
  run.should_stop = [] { return core::interrupted(); };
  // Bound before the run directory exists: a bad --metrics-addr is exit 2
  // with nothing written and nothing sent.
  std::unique_ptr<load::MetricsEndpoint> metrics;
  if (!options.metrics_addr.empty()) {
    metrics = std::make_unique<load::MetricsEndpoint>(options.metrics_addr, run.profile.name);
  }

  // Results are not echoed: the load command prints progress and a summary.
  run::RunSession session(options.common, env, {"load"}, nullptr,
                          {{"profile", run.profile.name}, {"shard", options.shard}});
  const core::RunDirectory& run_dir = session.run_dir();
  const std::string results_path = session.results_path();
  core::JsonlResultWriter& writer = session.writer();
  run.run_id = run_dir.id();
  run.shard_group = options.shard_group;
  const bool quiet = options.common.quiet || options.common.format == "json";
  const bool tty = ::isatty(STDOUT_FILENO) != 0;
  if (!quiet) {
    std::cout << "golive load " << run_dir.id() << ": profile " << run.profile.name << " ("
              << run.profile.description << ") against \"" << env.name << "\" (" << env.base_url
              << "), shard " << options.shard << ", " << options.threads << " threads\n"
              << std::flush;
  }
  if (metrics && !quiet) std::cout << "metrics: " << metrics->url() << "\n" << std::flush;
  std::size_t ticks = 0;
  run.on_progress = [&](const load::LoadProgress& progress) {
    if (metrics) metrics->update(progress);
    if (quiet) return;
    if (tty) {
      std::cout << "\r\033[K" << load::progress_line(progress) << std::flush;
    } else if (++ticks % 5 == 0) {
      std::cout << load::progress_line(progress) << "\n" << std::flush;
    }
  };
  if (start_at && !quiet) {
    std::cout << "synchronised start at " << load::format_unix_ms(*start_at) << "\n" << std::flush;
  }
  std::int64_t last_wait_line = -1;
  run.on_start_wait = [&](double seconds_left) {
    if (quiet) return;
    const auto whole = static_cast<std::int64_t>(seconds_left);
    if (tty) {
      std::cout << "\r\033[Kwaiting for the synchronised start: " << whole << " s" << std::flush;
    } else if (last_wait_line < 0 || last_wait_line - whole >= 10) {  // CI: a line per 10 s
      last_wait_line = whole;
      std::cout << "waiting for the synchronised start: " << whole << " s\n" << std::flush;
    }
  };
  auto outcome = load::run_load_suite(env, run, writer);
  if (!quiet && tty) std::cout << "\n";

  for (const nlohmann::json& summary : outcome.load_summaries) writer.record_meta("load_summary", summary);
  writer.record_meta("sla", outcome.sla);
  const bool interrupted = outcome.stopped || core::interrupted();
  const std::string shard_path = run_dir.file(load::kShardFileName);
  {
    load::ShardFile shard_file(outcome.stats);
    shard_file.run_id = run_dir.id();
    shard_file.group = options.shard_group;
    shard_file.env = env.name;
    shard_file.index = run.shard.index + 1;
    shard_file.count = run.shard.count;
    shard_file.interrupted = interrupted;
    shard_file.aborted = outcome.aborted;
    shard_file.sla = env.sla;
    load::describe_profile(run.profile, shard_file);
    std::ofstream shard(shard_path, std::ios::binary | std::ios::trunc);
    shard << load::to_json(shard_file).dump() << "\n";
    if (!shard) throw core::InputError(shard_path, "", "cannot write the shard statistics");
  }
  // run_end, then the reports (charts in index.html, sla.md, ...), also after an interrupt.
  session.finish(interrupted);
  const std::string& report_path = session.report_path();
  if (options.common.format == "json") {
    std::cout << outcome.summary().dump() << "\n";
  } else if (!options.common.quiet) {
    print_summary(outcome);
    std::cout << (outcome.aborted ? "ABORTED by an abort_on_fail threshold\n" : "")
              << (interrupted ? "INTERRUPTED: partial results\n" : "") << "results: " << results_path
              << "\nshard:   " << shard_path << "\nreport:  " << report_path << "\n";
  }
  const bool passed = outcome.thresholds_passed && outcome.sla_met && !interrupted;
  return passed ? core::kExitPass : core::kExitGateFailed;
}

}  // namespace

void register_load_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<LoadCommandOptions>();
  auto* load = app.add_subcommand("load", "Run a load profile (load/profiles/*.json)");
  add_common_options(*load, options->common);
  load->add_option("profile", options->profile,
                   "Profile file, e.g. load/profiles/smoke.json (or use --replay)");
  load->add_option("--duration", options->duration_s, "Cap the run at this many seconds")
      ->check(positive_number());
  load->add_option("--shard", options->shard,
                   "Run share I of N (1-based, e.g. 2/4) of the rate and VUs; merge the shards' "
                   "load-shard.json files later with golive report merge");
  load->add_option("--shard-group", options->shard_group,
                   "A name shared by the shards of one distributed run; report merge refuses to "
                   "mix groups");
  load->add_option("--threads", options->threads, "Worker threads, one HTTP engine each (default 2)")
      ->check(CLI::Range(1, 256));
  load->add_option("--engine", options->engine,
                   "HTTP client for load traffic: native (default; golive's own keep-alive "
                   "client over TCP and OpenSSL TLS, for http:// and https://, HTTP/1.1 or, with a "
                   "scenario's \"http_version\", HTTP/2 through nghttp2) or curl (libcurl, as the "
                   "other suites use)")
      ->check(CLI::IsMember({"curl", "native"}));
  load->add_option("--metrics-addr", options->metrics_addr,
                   "Serve live figures in Prometheus text format at http://HOST:PORT/metrics "
                   "during the run (e.g. 127.0.0.1:9464; port 0 picks a free one)");
  load->add_option("--replay", options->replay_log,
                   "Incident reproduction: replay the requests of an nginx combined access log or "
                   "a JSONL log ({\"ts\", \"method\", \"path\", ...}) to the environment's "
                   "base_url, keeping the recorded inter-arrival times");
  load->add_option("--speed", options->speed, "With --replay: play N times faster (default 1)")
      ->check(positive_number());
  load->add_option("--replay-methods", options->replay_methods,
                   "With --replay: the methods replayed (default GET HEAD OPTIONS; writes are "
                   "skipped unless named)")
      ->delimiter(',');
  load->add_option("--threshold", options->thresholds,
                   "With --replay: a threshold on the replay, e.g. \"p(99) < 500ms\" (repeatable)");
  load->add_option("--max-in-flight", options->max_in_flight,
                   "With --replay: requests in flight at most; more are counted as dropped "
                   "(default 1000)")
      ->check(CLI::Range(1, 100000));
  load->add_option("--start-at", options->start_at,
                   "Begin the scenarios at this RFC 3339 time (e.g. 2026-12-06T20:15:00Z), the same "
                   "for every shard, so their per-second series line up in the merge; waits until "
                   "then (at most 24 h ahead; a time in the past is an error)");
  load->add_option("--start-file", options->start_file,
                   "Like --start-at, with the time read from this file (e.g. on a shared volume) "
                   "once it exists; waits for the file");
  load->footer(
      "Exit codes: 0 every threshold and the SLA passed, 1 a threshold or the SLA failed (or the "
      "run was interrupted), 2 bad input or config.");
  load->callback([options, &exit_code] { exit_code = execute_load(*options); });
}

}  // namespace golive::cli
