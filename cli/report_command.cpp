// `golive report render RUN_DIR`: re-renders every report of a run from its
// saved results.jsonl (the reporters are pure functions of the stream, so
// the output is byte for byte what `golive run` wrote). `--waivers FILE`
// renders them with that waiver file in place of the one the run recorded.
//
// `golive report diff RUN_A RUN_B`: new failures, fixed checks and load
// regressions of run B against the baseline run A (reports/run_diff.hpp).
// Exit 0 no regression, 1 regressed, 2 not a run directory.
//
// `golive report merge FILES...`: merges the load-shard.json files of
// `golive load --shard i/N` processes exactly (histograms add, percentiles
// are computed on the whole), evaluates the profile's thresholds and the SLA
// on the whole, and writes a new run directory with results.jsonl and every
// report. Exit codes as `golive load`: 0 every threshold and the SLA passed,
// 1 one failed (or a shard was interrupted), 2 bad input.
#include <filesystem>
#include <iostream>
#include <optional>
#include <map>

#include "cli/command_context.hpp"
#include "run/run_session.hpp"
#include "core/exit_codes.hpp"
#include "core/input_error.hpp"
#include "core/result_stream.hpp"
#include "core/run_directory.hpp"
#include "core/waivers.hpp"
#include "e2e/e2e_suite.hpp"
#include "load/load_checkpoint.hpp"
#include "load/load_profile.hpp"
#include "load/shard_file.hpp"
#include "reports/render_all.hpp"
#include "reports/run_diff.hpp"
#include "run/report_context.hpp"

namespace golive::cli {

namespace {

namespace fs = std::filesystem;

constexpr const char* kResultsFile = "results.jsonl";

report::RenderOptions render_options() {
  report::RenderOptions options = run::report_context();  // SARIF rule ids from the check registry
  if (const char* summary = std::getenv("GITHUB_STEP_SUMMARY")) {
    options.github_step_summary_path = summary;
  }
  return options;
}

int verdict_exit_code(const report::RenderResult& rendered) {
  return rendered.verdict == report::Verdict::kPass && !rendered.partial ? core::kExitPass
                                                                          : core::kExitGateFailed;
}

// ---- render ----

struct RenderCommandOptions {
  std::string run_dir;
  std::string out_dir;  // empty: the run directory itself
  std::string waivers_file;  // empty: the waivers the run recorded
  bool quiet = false;
};

int execute_render(const RenderCommandOptions& options) {
  if (!fs::is_directory(options.run_dir)) {
    throw core::InputError(options.run_dir, "",
                           "not a directory; expected a run directory such as out/latest");
  }
  const auto run_dir = core::RunDirectory::open(options.run_dir);
  const std::string stream_path = run_dir.file(kResultsFile);
  if (!fs::is_regular_file(stream_path)) {
    throw core::InputError(stream_path, "",
                           "no result stream: this is not a golive run directory (expected "
                           "results.jsonl from golive run, e2e, probe, replay or load)");
  }
  auto contents = core::read_result_stream(stream_path);
  if (!options.waivers_file.empty()) {
    // The file replaces the run's `waivers` record (bad input: exit 2 naming the file).
    const core::WaiverSet waivers = core::load_waivers_file(options.waivers_file);
    std::erase_if(contents.meta, [](const nlohmann::json& record) {
      return record.value("record", "") == "waivers";
    });
    nlohmann::json record = core::waivers_record(waivers);
    record["record"] = "waivers";
    contents.meta.push_back(std::move(record));
    if (!options.quiet) {
      std::cout << "waivers: " << waivers.waivers.size() << " from " << options.waivers_file << "\n";
    }
  }
  const std::string out_dir = options.out_dir.empty() ? run_dir.path() : options.out_dir;
  const auto rendered = report::render_all(contents, render_options(), out_dir);
  if (!options.quiet) {
    std::cout << "rendered " << rendered.files_written.size() << " reports of run " << run_dir.id()
              << " from " << stream_path << " (" << contents.checks.size() << " checks"
              << (contents.truncated_tail ? ", truncated last line ignored" : "") << ")\n"
              << "verdict: " << (rendered.verdict == report::Verdict::kPass ? "GO" : "NO-GO")
              << (rendered.release_line.empty() ? "" : " for " + rendered.release_line)
              << (rendered.partial ? " (partial run)" : "") << "\n"
              << rendered.gate_summary << "\nreport: " << rendered.index_html << "\n";
  }
  return verdict_exit_code(rendered);
}

// ---- diff ----

struct DiffCommandOptions {
  std::string run_a;
  std::string run_b;
  double latency_tolerance_pct = 10;
  double error_rate_tolerance_pct = 0.1;
  std::string format = "text";
};

report::ReportModel model_of_run(const std::string& dir) {
  if (!fs::is_directory(dir)) throw core::InputError(dir, "", "not a directory; expected a run directory such as out/latest");
  const std::string stream_path = (fs::path(dir) / kResultsFile).string();
  if (!fs::is_regular_file(stream_path)) {
    throw core::InputError(stream_path, "", "no result stream: this is not a golive run directory");
  }
  return report::build_report_model(core::read_result_stream(stream_path), render_options());
}

int execute_diff(const DiffCommandOptions& options) {
  report::DiffOptions tolerances;
  tolerances.latency_tolerance = options.latency_tolerance_pct / 100.0;
  tolerances.error_rate_tolerance = options.error_rate_tolerance_pct / 100.0;
  const auto diff = report::diff_runs(model_of_run(options.run_a), model_of_run(options.run_b), tolerances);
  if (options.format == "json") {
    std::cout << report::diff_json(diff).dump(2) << "\n";
  } else {
    std::cout << report::render_diff_text(diff, tolerances);
  }
  return diff.regressed() ? core::kExitGateFailed : core::kExitPass;
}

// ---- merge ----

struct MergeCommandOptions {
  run::CommonOptions common;               // --env (SLA targets), --out, --quiet
  std::vector<std::string> files;     // load-shard.json files or run directories holding one
  std::string profile;                // thresholds and closed-model peaks from this profile
  std::vector<std::string> thresholds;  // "SCENARIO:EXPRESSION", replacing the shards' thresholds
};

// A load-shard.json, or a run directory holding one; a directory of a shard
// killed before it wrote one gives its last checkpoint (merged with a warning).
load::ShardFile read_shard_argument(const std::string& argument) {
  if (!fs::is_directory(argument)) return load::read_shard_file(argument);
  const fs::path shard_path = fs::path(argument) / load::kShardFileName;
  const fs::path stream_path = fs::path(argument) / kResultsFile;
  if (fs::exists(shard_path) || !fs::is_regular_file(stream_path)) {
    return load::read_shard_file(shard_path.string());
  }
  const auto contents = core::read_result_stream(stream_path.string());
  auto shard = load::shard_from_checkpoints(contents.meta, stream_path.string());
  if (!shard) {
    throw core::InputError(shard_path.string(), "",
                           "no shard file, and " + stream_path.string() +
                               " holds no load checkpoint to recover one from (not a golive load run?)");
  }
  return *shard;
}

// "--threshold health:p(99) < 200ms" -> {"health", spec}.
std::pair<std::string, load::ThresholdSpec> parse_threshold_option(const std::string& text) {
  const auto colon = text.find(':');
  if (colon == std::string::npos || colon == 0) {
    throw core::InputError("--threshold", "",
                           "expected SCENARIO:EXPRESSION (e.g. \"health:p(99) < 200ms\"), got \"" +
                               text + "\"");
  }
  load::ThresholdSpec spec;
  spec.expression = text.substr(colon + 1);
  load::parse_threshold(spec.expression, "--threshold");
  return {text.substr(0, colon), spec};
}

int execute_merge(const MergeCommandOptions& options) {
  std::vector<load::ShardFile> shards;
  for (const std::string& argument : options.files) {
    shards.push_back(read_shard_argument(argument));
  }
  load::MergedShards merged = load::merge_shards(shards);

  // Thresholds: --profile, then --threshold, replace what the shards carry.
  if (!options.profile.empty()) {
    load::ShardFile described;
    load::describe_profile(
        load::load_profile(options.profile, e2e::default_workflows_dir(run::golive_home())), described);
    if (!merged.profile.empty() && described.profile != merged.profile) {
      merged.warnings.push_back("--profile " + options.profile + " is \"" + described.profile +
                                "\" but the shards ran \"" + merged.profile + "\"");
    }
    if (merged.profile.empty()) merged.profile = described.profile;
    merged.thresholds = described.thresholds;
    merged.closed_model_peaks = described.closed_model_peaks;
  }
  if (!options.thresholds.empty()) {
    merged.thresholds.clear();
    for (const std::string& text : options.thresholds) {
      auto [scenario, spec] = parse_threshold_option(text);
      merged.thresholds[scenario].push_back(spec);
    }
  }
  // SLA targets: --env, else what the shards' environment said, else the defaults.
  config::SlaTargets targets = merged.sla.value_or(config::SlaTargets{});
  std::string env_name = merged.env;
  if (!options.common.env_file.empty()) {
    const config::Environment env = run::load_selected_environment(options.common);
    targets = env.sla;
    if (env_name.empty()) env_name = env.name;
  }

  for (const std::string& warning : merged.warnings) std::cerr << "golive: warning: " << warning << "\n";

  std::size_t failed = 0;
  std::optional<run::RunSession> session;
  {
    nlohmann::json sources = nlohmann::json::array();
    for (std::size_t i = 0; i < shards.size(); ++i) {
      sources.push_back({{"file", shards[i].origin},
                         {"run_id", shards[i].run_id},
                         {"shard", shards[i].has_metadata ? std::to_string(shards[i].index) + "/" +
                                                                std::to_string(shards[i].count)
                                                          : "unknown"}});
    }
    session.emplace(options.common, env_name, nlohmann::json{"load"}, nullptr,
                    nlohmann::json{{"profile", merged.profile},
                                   {"group", merged.group},
                                   {"merged_from", sources}});
    core::JsonlResultWriter& writer = session->writer();
    core::CallbackSink counter([&](const core::CheckResult& r) { failed += r.failed() ? 1 : 0; });
    core::TeeSink sink;
    sink.add(&session->sink());
    sink.add(&counter);

    core::CheckResult coverage;
    coverage.id = "load.merge.shards";
    coverage.suite = "load";
    coverage.title = "Every shard of the distributed load run was merged";
    coverage.severity = core::Severity::kMedium;
    coverage.evidence = {{"shard_count", merged.count},
                         {"merged_indexes", merged.indexes},
                         {"missing_indexes", merged.missing_indexes},
                         {"files", shards.size()},
                         {"warnings", merged.warnings}};
    if (merged.count == 0) {
      coverage.status = core::CheckStatus::kSkip;
      coverage.message = "bare statistics files: shard completeness unknown";
    } else if (!merged.missing_indexes.empty()) {
      coverage.status = core::CheckStatus::kSkip;
      coverage.message = merged.warnings.back();
    } else {
      coverage.status = core::CheckStatus::kPass;
      coverage.message = "all " + std::to_string(merged.count) + " shards merged";
    }
    sink.record(coverage);

    const auto verdicts = load::evaluate_merged(merged.stats, merged.thresholds,
                                                merged.closed_model_peaks, targets, sink);
    for (const nlohmann::json& summary : verdicts.load_summaries) writer.record_meta("load_summary", summary);
    writer.record_meta("sla", verdicts.sla);
  }
  const std::string results_path = session->results_path();
  const std::optional<report::Verdict> verdict = session->finish(merged.interrupted, render_options());
  const bool passed = verdict == report::Verdict::kPass;
  if (!options.common.quiet) {
    const auto overall = merged.stats.overall();
    std::cout << "merged " << shards.size() << " shard file(s) of profile \"" << merged.profile
              << "\": " << overall.requests << " requests, " << overall.errors << " errors, "
              << failed << " failed checks\n"
              << (merged.interrupted ? "a shard was interrupted or aborted: partial results\n" : "")
              << "verdict: " << (passed ? "GO" : "NO-GO") << "\n"
              << "results: " << results_path << "\nreport:  " << session->report_path() << "\n";
  }
  return passed && !merged.interrupted ? core::kExitPass : core::kExitGateFailed;
}

}  // namespace

void register_report_command(CLI::App& app, int& exit_code) {
  auto* report = app.add_subcommand("report", "Re-render a run's reports, or merge load shards");
  report->require_subcommand(1);

  auto render_options_ = std::make_shared<RenderCommandOptions>();
  auto* render = report->add_subcommand(
      "render", "Re-render every report of a run directory from its results.jsonl");
  render->add_option("run_dir", render_options_->run_dir, "Run directory, e.g. out/latest")
      ->required();
  render->add_option("--out", render_options_->out_dir,
                     "Write the reports here instead of into the run directory");
  render->add_option("--waivers", render_options_->waivers_file,
                     "Apply this waiver file instead of the waivers the run recorded");
  render->add_flag("--quiet,-q", render_options_->quiet, "Print nothing on success");
  render->footer(
      "Exit codes: 0 the run's gate passed, 1 it failed or the run was partial, 2 not a run "
      "directory or a malformed stream.");
  render->callback([render_options_, &exit_code] { exit_code = execute_render(*render_options_); });

  auto diff_options = std::make_shared<DiffCommandOptions>();
  auto* diff = report->add_subcommand(
      "diff", "Compare run B with a baseline run A: new failures, fixed checks, load regressions");
  diff->add_option("run_a", diff_options->run_a, "Baseline run directory (e.g. the last release's)")->required();
  diff->add_option("run_b", diff_options->run_b, "Run directory to judge")->required();
  diff->add_option("--latency-tolerance", diff_options->latency_tolerance_pct,
                   "Percent p95/p99 may grow per scenario before it is a regression (default 10)")
      ->check(CLI::Range(0.0, 1000.0));
  diff->add_option("--error-tolerance", diff_options->error_rate_tolerance_pct,
                   "Percentage points the error rate may grow per scenario (default 0.1)")
      ->check(CLI::Range(0.0, 100.0));
  diff->add_option("--format", diff_options->format, "text or json")->check(CLI::IsMember({"text", "json"}));
  diff->footer("Exit codes: 0 no new failure and no load regression, 1 regressed, 2 not a run directory.");
  diff->callback([diff_options, &exit_code] { exit_code = execute_diff(*diff_options); });

  auto merge_options = std::make_shared<MergeCommandOptions>();
  auto* merge = report->add_subcommand(
      "merge", "Merge load-shard.json files exactly and report thresholds and SLA on the whole");
  add_common_options(*merge, merge_options->common);
  merge->add_option("files", merge_options->files,
                    "load-shard.json files (or run directories holding one; a killed shard's "
                    "directory gives its last checkpoint, with a warning)")
      ->required();
  merge->add_option("--profile", merge_options->profile,
                    "Take thresholds and planned VU peaks from this profile instead of the shards");
  merge->add_option("--threshold", merge_options->thresholds,
                    "SCENARIO:EXPRESSION (repeatable), e.g. \"health:p(99) < 200ms\"; replaces the "
                    "shards' thresholds")
      ->allow_extra_args(false);  // one expression per --threshold; shard files stay positional
  merge->footer(
      "--env sets the SLA targets (default: those the shards recorded). Exit codes: 0 every "
      "threshold and the SLA passed, 1 one failed (or a shard was interrupted), 2 bad input or "
      "incompatible shards.");
  merge->callback([merge_options, &exit_code] { exit_code = execute_merge(*merge_options); });
}

}  // namespace golive::cli
