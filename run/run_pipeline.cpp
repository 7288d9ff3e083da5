#include "run/run_pipeline.hpp"

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <optional>
#include <thread>

#include "core/exit_codes.hpp"
#include "core/input_error.hpp"
#include "core/interrupt.hpp"
#include "core/result_stream.hpp"
#include "observability/log_checks.hpp"
#include "observability/metrics_checks.hpp"
#include "observability/monitoring_config.hpp"
#include "observability/monitoring_fixture.hpp"
#include "observability/sentry_checks.hpp"
#include "reports/render_all.hpp"
#include "repo/app_repo_fixture.hpp"
#include "repo/repo_settings.hpp"
#include "run/env_suite.hpp"
#include "run/reference_target.hpp"
#include "run/release_identity.hpp"
#include "run/run_coverage.hpp"
#include "run/run_session.hpp"
#include "run/test_user_census.hpp"
#include "run/suite_stages.hpp"
#include "security/api_rls_settings.hpp"

namespace golive::run {

namespace {

bool selected(const RunRequest& options, const std::string& suite) {
  return options.suites.empty() ||
         std::find(options.suites.begin(), options.suites.end(), suite) != options.suites.end();
}

}  // namespace

int run_pipeline(const RunRequest& options) {
  core::install_interrupt_handlers();
  // Repository variants go to the app repository the run materialises; the
  // other defect names to the reference service.
  std::vector<std::string> service_defects;
  std::vector<std::string> repo_variants;
  std::vector<std::string> monitoring_variants;
  for (const auto& defect : options.defects) {
    (repo::is_app_repo_variant(defect)                    ? repo_variants
     : observability::is_monitoring_variant(defect) ? monitoring_variants
                                                    : service_defects)
        .push_back(defect);
  }
  const auto embedded = start_embedded_target_unless_env(options.common, service_defects);
  const auto app_repo = materialise_embedded_app_repo_unless_env(options.common, repo_variants);
  const auto monitoring = materialise_embedded_monitoring_unless_env(options.common, monitoring_variants);
  config::Environment env = load_selected_environment(options.common);
  if (env.sections.count("repo")) repo::read_repo_settings(env);  // bad settings fail before any traffic
  observability::read_sentry_settings(env);  // likewise
  observability::read_metrics_settings(env);
  security::read_api_rls_settings(env);  // security.api_rls: bad settings fail before any traffic
  observability::read_monitoring_config(env);
  observability::read_log_settings(env);
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
    config::require_non_production(
        env, options.common.allow_production,
        "the stages that write data or load the target (" + destructive_stages + ")");
  }

  nlohmann::json suite_names = nlohmann::json::array({"env"});
  for (const auto& stage : stages) {
    if (selected(options, stage.name) &&
        std::find(suite_names.begin(), suite_names.end(), stage.name) == suite_names.end()) {
      suite_names.push_back(stage.name);
    }
  }
  // What this run verifies, recorded in run_start so every report says it.
  SurfaceCoverage coverage;
  const ReleaseIdentity release = identify_release(env, options.release, coverage.observer());
  nlohmann::json run_start_extra = release_run_start_fields(release);
  // What `golive rerun --failed` carries over (run/rerun_plan.hpp).
  if (!options.defects.empty()) run_start_extra["defects"] = options.defects;
  const bool strict = options.strict || env.checklist.strict;
  run_start_extra["gate"] = {{"strict", strict}};
  // The console line of `golive run`: "[pass] id: message".
  RunSession session(
      options.common, env, suite_names,
      [](const core::CheckResult& r) {
        return std::string(status_tag(r.status)) + r.id + ": " +
               core::Redactor::global().redact(r.message);
      },
      run_start_extra);
  core::ResultSink& sink = session.sink();

  std::cout << "golive run " << session.run_dir().id() << " against \"" << env.name << "\" ("
            << env.base_url << ")\n";
  if (!release.version.empty()) std::cout << "release under test: " << release.version << "\n";
  sink.record(release_check(release));
  auto env_outcome = run_env_suite(env, sink, coverage.observer());
  bool unreachable = !env_outcome.target_reachable;
  std::optional<TestUserCensus> census;
  if (!unreachable) census.emplace(env, coverage.observer());
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
          config::require_non_production(env, options.common.allow_production, stage->name + " stage");
        }
        names += (names.empty() ? "" : " + ") + stage->name;
      }
      std::cout << "== " << names << (batch.size() > 1 ? " (at the same time)" : "") << "\n" << std::flush;
      if (batch.size() == 1) {
        batch.front()->run(StageContext{env, options.common, sink, coverage, session.run_dir().path()});
        continue;
      }
      core::SerializedSink serialized(sink);
      std::vector<std::exception_ptr> errors(batch.size());
      std::vector<std::thread> threads;
      for (std::size_t k = 0; k < batch.size(); ++k) {
        threads.emplace_back([&, k] {
          try {
            batch[k]->run(StageContext{env, options.common, serialized, coverage, session.run_dir().path()});
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
  if (census) sink.record(census->verdict(was_interrupted));
  // Skipped after Ctrl-C: reading the declared routes could keep a stopping run waiting.
  if (!unreachable && !was_interrupted) {
    session.writer().record_meta("surface_coverage", coverage.record(env));
  }
  report::RenderOptions render;
  if (const char* summary = std::getenv("GITHUB_STEP_SUMMARY")) {
    render.github_step_summary_path = summary;
  }
  const std::optional<report::RenderResult> rendered = session.finish_rendered(was_interrupted, render);
  const bool passed = rendered && rendered->verdict == report::Verdict::kPass;
  std::cout << "\n" << (was_interrupted ? "INTERRUPTED: partial report. " : "")
            << "verdict: " << (passed ? "GO" : "NO-GO");
  if (rendered && !rendered->release_line.empty()) std::cout << " for " << rendered->release_line;
  std::cout << "\n";
  if (rendered) std::cout << rendered->gate_summary << "\n";
  std::cout << session.total() << " checks, " << session.failed() << " failed\n"
            << "report: " << session.report_path() << "\n";
  if (unreachable) return core::kExitUnreachable;
  return passed && !was_interrupted ? core::kExitPass : core::kExitGateFailed;
}

}  // namespace golive::run
