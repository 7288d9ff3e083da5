// RunSession: what every suite subcommand and `golive run` set up before a
// suite runs, and the only writer of run_start and run_end:
// out/<run-id>/, results.jsonl with a run_start record, and a console sink
// that prints each result as it arrives (text or JSON lines, --quiet aware;
// nothing with --format sarif, which prints sarif.json at the end)
// and counts failures. finish() writes run_end and renders every report
// (report.json, junit.xml, index.html, checklist.md, sla.md) into the run
// directory, so an interrupted command still leaves a readable partial report.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include <optional>

#include "reports/render_all.hpp"
#include "run/notifications.hpp"
#include "run/run_options.hpp"
#include "core/result_stream.hpp"
#include "core/run_directory.hpp"

namespace golive::run {

// "[pass] ", "[FAIL] ", "[ERR]  ", "[skip] ": the console's status column.
const char* status_tag(core::CheckStatus status);

// A probe's console line: "[fail] id (12.3 ms)  message"; the message is
// shown for everything but a plain pass (info-level passes keep theirs).
std::string probe_check_line(const core::CheckResult& result);

class RunSession {
 public:
  using TextLine = std::function<std::string(const core::CheckResult&)>;

  // `text_line` renders a result for the console; empty: results are not
  // echoed (the command prints its own summary). `run_start_extra` members
  // join the run_start record (a load run's profile and shard, a merge's
  // sources).
  //
  // Waivers (resolve_waivers) are read first: a bad waiver file throws
  // core::InputError before the run directory exists. They are recorded as
  // the `waivers` meta record; --fail-on goes to run_start.gate.fail_on.
  RunSession(const CommonOptions& options, const std::string& env_name,
             const nlohmann::json& suites, TextLine text_line,
             const nlohmann::json& run_start_extra = nlohmann::json::object())
      : RunSession(options, env_name, nullptr, suites, std::move(text_line), run_start_extra) {}
  // With the environment: its "waivers", and the policy locations of its
  // repository for sarif.json (run/report_context.hpp).
  RunSession(const CommonOptions& options, const config::Environment& env,
             const nlohmann::json& suites, TextLine text_line,
             const nlohmann::json& run_start_extra = nlohmann::json::object())
      : RunSession(options, env.name, &env, suites, std::move(text_line), run_start_extra) {}
  RunSession(const RunSession&) = delete;
  RunSession& operator=(const RunSession&) = delete;

  core::ResultSink& sink() { return sink_; }
  core::JsonlResultWriter& writer() { return writer_; }
  const core::RunDirectory& run_dir() const { return run_dir_; }
  std::string results_path() const { return run_dir_.file("results.jsonl"); }
  // Failed or errored checks, less those a live waiver covers.
  std::size_t failed() const { return failed_; }
  const core::WaiverSet& waivers() const { return waivers_; }
  std::size_t total() const { return total_; }

  // Writes the run_end record, then renders the reports. A report that
  // cannot be rendered is a warning on stderr: results.jsonl stays, and
  // `golive report render` can retry. The rendered verdict, or nullopt when
  // rendering failed.
  std::optional<report::Verdict> finish(bool interrupted,
                                        const report::RenderOptions& render = {});
  // The same, returning what was rendered (verdict, gate summary, release line).
  std::optional<report::RenderResult> finish_rendered(bool interrupted,
                                                      const report::RenderOptions& render = {});
  // A probe command's ending: finish(), the "N of M checks failed" summary
  // (unless `json`), and the exit code: pass only when checks ran and none
  // failed and the run was not interrupted.
  int finish_probe(bool interrupted, bool json);
  // index.html of the rendered reports; "" before finish() or if rendering failed.
  const std::string& report_path() const { return report_path_; }

 private:
  RunSession(const CommonOptions& options, const std::string& env_name, const config::Environment* env,
             const nlohmann::json& suites, TextLine text_line, const nlohmann::json& run_start_extra);

  core::WaiverSet waivers_;  // read before run_dir_ is created
  NotifySettings notify_;    // the environment's "notify": posted to after rendering
  const config::Environment* env_ = nullptr;  // for the webhooks' TLS settings; outlives the session
  std::string today_;        // the run's UTC date, YYYY-MM-DD: waivers expire against it
  core::RunDirectory run_dir_;
  core::JsonlResultWriter writer_;
  std::size_t failed_ = 0;
  std::size_t total_ = 0;
  std::string report_path_;
  std::string format_;                     // --format: text | json | sarif
  report::RenderOptions report_context_;   // templates and locations for sarif.json
  core::CallbackSink console_;
  core::TeeSink sink_;
};

}  // namespace golive::run
