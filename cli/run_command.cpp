// `golive run`: every suite (or those named with --suite) against one
// environment, results streamed to out/<run-id>/results.jsonl as they
// happen, then every report rendered from that stream. With no --env the
// embedded reference target is started for the run and stopped after it.
#include <algorithm>
#include <exception>
#include <iostream>
#include <optional>
#include <thread>

#include "cli/command_context.hpp"
#include "cli/run_coverage.hpp"
#include "cli/run_session.hpp"
#include "cli/reference_target.hpp"
#include "cli/suite_stages.hpp"
#include "core/env_suite.hpp"
#include "core/exit_codes.hpp"
#include "core/input_error.hpp"
#include "core/interrupt.hpp"
#include "core/result_stream.hpp"
#include "core/run_directory.hpp"
#include "reports/render_all.hpp"

namespace golive::cli {

namespace {

struct RunOptions {
  CommonOptions common;
  std::vector<std::string> suites;   // empty = all
  std::vector<std::string> defects;  // embedded target only
};


bool selected(const RunOptions& options, const std::string& suite) {
  return options.suites.empty() ||
         std::find(options.suites.begin(), options.suites.end(), suite) != options.suites.end();
}

int execute_run(const RunOptions& options) {
  core::install_interrupt_handlers();
  std::optional<ReferenceTarget> embedded;
  if (options.common.env_file.empty()) {
    embedded.emplace(options.defects);
  } else if (!options.defects.empty()) {
    throw core::InputError("--defect", "", "seeded defects apply only to the embedded reference "
                                           "target (run without --env)");
  }
  core::Environment env = load_selected_environment(options.common);
  auto stages = suite_stages();
  for (const auto& name : options.suites) {
    bool known = name == "env" || std::any_of(stages.begin(), stages.end(),
                                              [&](const SuiteStage& s) { return s.name == name; });
    if (!known) throw core::InputError("--suite", "", "unknown suite \"" + name + "\"");
  }
  // Production: refuse before the first request (no run directory, no
  // traffic), not half-way through a run.
  std::string destructive_stages;
  for (const auto& stage : stages) {
    if (!stage.destructive || !selected(options, stage.name)) continue;
    if (destructive_stages.find(stage.name) != std::string::npos) continue;
    destructive_stages += (destructive_stages.empty() ? "" : ", ") + stage.name;
  }
  if (!destructive_stages.empty()) {
    core::require_non_production(
        env, options.common.allow_production,
        "the stages that write data or load the target (" + destructive_stages + ")");
  }

  auto run_dir = core::RunDirectory::create(options.common.out_dir);
  core::JsonlResultWriter writer(run_dir.file("results.jsonl"), core::Redactor::global());
  nlohmann::json suite_names = nlohmann::json::array({"env"});
  for (const auto& stage : stages) {
    if (selected(options, stage.name) &&
        std::find(suite_names.begin(), suite_names.end(), stage.name) == suite_names.end()) {
      suite_names.push_back(stage.name);
    }
  }
  writer.record_meta("run_start", {{"run_id", run_dir.id()},
                                   {"env", env.name},
                                   {"started_at", core::utc_now_iso8601()},
                                   {"golive_version", GOLIVE_VERSION},
                                   {"suites", suite_names}});
  std::size_t failures = 0;
  core::CallbackSink console([&](const core::CheckResult& r) {
    if (r.failed()) ++failures;
    if (options.common.quiet && !r.failed()) return;
    std::cout << status_tag(r.status) << r.id << ": "
              << core::Redactor::global().redact(r.message) << "\n"
              << std::flush;
  });
  core::TeeSink sink;
  sink.add(&writer);
  sink.add(&console);

  std::cout << "golive run " << run_dir.id() << " against \"" << env.name << "\" ("
            << env.base_url << ")\n";
  start_endpoint_recording();  // surface coverage: the endpoints every suite exercises
  auto env_outcome = core::run_env_suite(env, sink);
  bool unreachable = !env_outcome.target_reachable;
  if (!unreachable) {
    for (std::size_t next = 0; next < stages.size();) {
      // A run of consecutive concurrent stages forms one batch; any other
      // stage is a batch of its own.
      std::vector<const SuiteStage*> batch;
      const std::size_t first = next;
      do {
        if (selected(options, stages[next].name)) batch.push_back(&stages[next]);
        ++next;
      } while (next < stages.size() && stages[first].concurrent && stages[next].concurrent);
      if (batch.empty()) continue;
      if (core::interrupted()) break;
      std::string names;
      for (const SuiteStage* stage : batch) {
        if (stage->destructive) {
          core::require_non_production(env, options.common.allow_production, stage->name + " stage");
        }
        names += (names.empty() ? "" : " + ") + stage->name;
      }
      std::cout << "== " << names << (batch.size() > 1 ? " (at the same time)" : "") << "\n" << std::flush;
      set_endpoint_recording(names != "load");  // no per-request bookkeeping under load
      if (batch.size() == 1) {
        batch.front()->run(env, options.common, sink);
        continue;
      }
      core::SerializedSink serialized(sink);
      std::vector<std::exception_ptr> errors(batch.size());
      std::vector<std::thread> threads;
      for (std::size_t k = 0; k < batch.size(); ++k) {
        threads.emplace_back([&, k] {
          try {
            batch[k]->run(env, options.common, serialized);
          } catch (...) {
            errors[k] = std::current_exception();
          }
        });
      }
      for (auto& thread : threads) thread.join();
      for (const auto& error : errors) {
        if (error) std::rethrow_exception(error);
      }
    }
  }
  bool was_interrupted = core::interrupted();
  // Skipped after Ctrl-C: reading the declared routes could keep a stopping run waiting.
  if (!unreachable && !was_interrupted) {
    writer.record_meta("surface_coverage", surface_coverage_record(env));
  } else {
    set_endpoint_recording(false);
  }
  writer.record_meta("run_end", {{"ended_at", core::utc_now_iso8601()},
                                 {"interrupted", was_interrupted}});

  report::RenderOptions render;
  if (const char* summary = std::getenv("GITHUB_STEP_SUMMARY")) {
    render.github_step_summary_path = summary;
  }
  auto contents = core::read_result_stream(run_dir.file("results.jsonl"));
  auto rendered = report::render_all(contents, render, run_dir.path());
  bool passed = rendered.verdict == report::Verdict::kPass;
  std::cout << "\n" << (was_interrupted ? "INTERRUPTED: partial report. " : "")
            << "verdict: " << (passed ? "GO" : "NO-GO") << " (" << contents.checks.size()
            << " checks, " << failures << " failed)\n"
            << "report: " << rendered.index_html << "\n";
  if (unreachable) return core::kExitUnreachable;
  return passed && !was_interrupted ? core::kExitPass : core::kExitGateFailed;
}

}  // namespace

void register_run_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<RunOptions>();
  auto* run = app.add_subcommand(
      "run", "Run every suite against an environment and write the go-live reports");
  add_common_options(*run, options->common);
  run->add_option("--suite", options->suites,
                  "Run only this suite (repeatable): env, e2e, security, contract, db, load");
  run->add_option("--defect", options->defects,
                  "Embedded target only: switch on a seeded defect (repeatable), see "
                  "fixtures/DEFECTS.md");
  run->footer(
      "Exit codes: 0 every gate passed, 1 a gate failed (or the run was interrupted), 2 bad "
      "input or config, 3 target unreachable.");
  run->callback([options, &exit_code] { exit_code = execute_run(*options); });
}

}  // namespace golive::cli
