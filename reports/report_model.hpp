// ReportModel: everything the reporters print, derived once from a result
// stream (CheckResults plus meta records, see reports/README.md). Reporters
// are pure functions of this model; none of them reads files, clocks or the
// network, so the same stream always renders the same bytes.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/check_result.hpp"
#include "core/redactor.hpp"
#include "core/result_stream.hpp"
#include "core/waivers.hpp"
#include "reports/checklist.hpp"

namespace golive::report {

inline constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();
inline bool present(double value) {
  return !std::isnan(value);
}

// Where an object the checks name (a table "public.topics") is defined in
// the app's repository: the migration that creates its first RLS policy.
struct SourceLocation {
  std::string file;  // relative to the repository root ("supabase/migrations/0004_rls.sql")
  int line = 0;      // 1-based
};

struct RenderOptions {
  std::string checklist_path;                // empty: the embedded reports/checklist.json
  const core::Redactor* redactor = nullptr;  // second redaction pass; null: Redactor::global()
  std::size_t evidence_max_bytes = 4096;     // evidence excerpt per check in junit/html, bytes
  // When set, render_all appends the short Markdown summary to this file
  // (the caller passes $GITHUB_STEP_SUMMARY).
  std::string github_step_summary_path;
  // Check-id templates of every suite (run/check_registry.hpp): a check's
  // SARIF rule is the most specific template it is an instance of. Empty:
  // each check id is its own rule.
  std::vector<std::string> check_id_templates;
  // "schema.table" -> where its policy is defined; empty when the repository
  // is not known (SARIF then gives a logical location).
  std::map<std::string, SourceLocation> object_locations;
};

struct RunInfo {
  std::string id = "unknown";  // run_start.run_id
  std::string env;             // environment name
  std::string started_at;      // ISO 8601, as written in the stream
  std::string ended_at;        // ISO 8601; empty without run_end
  std::string golive_version;
  std::vector<std::string> suites;  // suites the run set out to run, sorted
  bool has_run_start = false;
  bool has_run_end = false;
  bool interrupted_flag = false;  // run_end said interrupted: true
  bool truncated_tail = false;    // the stream's last line was cut mid-write
  // What was verified (run_start.release and run_start.environment): the
  // release under test as the target reported it or --release named it, where
  // that came from ("https://.../version", "--release"), and the SHA-256 of
  // the environment file. Empty when the run did not record them.
  std::string release;
  std::string release_source;
  std::string env_sha256;
  // run_start.gate.strict: a verifiable checklist item left unverified fails the gate.
  bool strict = false;
  // run_start.gate.fail_on: failures below this severity are reported but do
  // not fail the gate (--fail-on critical|high|medium); info: every failure.
  core::Severity fail_on = core::Severity::kInfo;

  // A partial run: no run_end, or run_end reports an interruption.
  bool partial() const { return !has_run_end || interrupted_flag; }
};

struct StatusCounts {
  std::size_t pass = 0;
  std::size_t fail = 0;
  std::size_t error = 0;
  std::size_t skip = 0;
  std::size_t waived = 0;  // failed or errored, covered by a live waiver (not in fail/error)

  std::size_t total() const { return pass + fail + error + skip + waived; }
  void add(core::CheckStatus status);
};

struct SuiteSummary {
  std::string name;
  StatusCounts counts;
  double duration_ms = 0;           // sum of its checks' durations, milliseconds
  std::vector<std::size_t> checks;  // indices into ReportModel::checks
  bool planned = false;             // named in run_start.suites
};

enum class Verdict { kPass, kFail };
const char* to_string(Verdict verdict);  // "pass" | "fail"

struct LatencyPercentiles {  // milliseconds; kMissing when the stream lacks one
  double p50 = kMissing;
  double p90 = kMissing;
  double p95 = kMissing;
  double p99 = kMissing;
  double p99_9 = kMissing;
  double max = kMissing;
};

struct ThresholdVerdict {
  std::string expression;   // "p95_ms < 500"
  std::string scope;        // "scenario", "step:login", ...
  nlohmann::json observed;  // the measured value (usually a number)
  bool pass = true;
  std::string message;
};

struct TimeseriesPoint {
  double t_s = 0;            // seconds since the scenario started
  double rps = kMissing;     // completed requests per second in this interval
  double errors = kMissing;  // failed requests in this interval
  double p50_ms = kMissing;  // optional
  double p95_ms = kMissing;
  double p99_ms = kMissing;  // optional
  double active_vus = kMissing;
};

struct HistogramBucket {
  double le_ms = 0;         // upper bound of the bucket, milliseconds (inclusive)
  std::uint64_t count = 0;  // requests with latency <= le_ms and above the previous bound
};

// One workflow step's figures within a load scenario (scope "step:<name>").
struct StepFigures {
  std::string name;
  std::uint64_t requests = 0;
  std::uint64_t errors = 0;
  LatencyPercentiles latency;  // p50, p90, p95, p99 and max (p99_9 missing)
};

// One of a scenario's slowest requests (load_summary "slowest_requests"),
// with the correlation ids it was sent with, to find it in the target's logs.
struct SlowRequestRow {
  double latency_ms = kMissing;
  std::int64_t completed_unix_ms = 0;
  std::string step;
  std::string method;
  std::string url;  // redacted by the load generator
  int status = 0;   // 0: no response
  std::string error;  // "" for success
  std::string request_id;  // X-Request-Id as sent ("" = none)
  std::string trace_id;    // traceparent's trace id ("" = none)
  double total_ms = kMissing;  // phase times; kMissing when the engine did not report one
  double connect_ms = kMissing;
  double tls_handshake_ms = kMissing;
  double first_byte_ms = kMissing;
};

struct LoadScenario {
  std::string name;
  std::uint64_t requests = 0;
  std::map<std::string, std::uint64_t> errors;  // by category: connect, timeout, status, ...
  double throughput_rps = kMissing;             // mean completed requests per second
  LatencyPercentiles latency;
  std::vector<ThresholdVerdict> thresholds;
  std::vector<TimeseriesPoint> timeseries;  // sorted by t_s
  std::vector<HistogramBucket> histogram;   // sorted by le_ms
  std::vector<StepFigures> steps;           // in workflow order; empty for older streams
  std::vector<SlowRequestRow> slowest;      // slowest first; empty for older streams
  // The capacity executor's result (load_summary "capacity": held_rps,
  // broke_at_rps, result, steps[]), copied as recorded; null for other executors.
  nlohmann::json capacity;
  // The process was killed before its final figures: these are its last
  // checkpoint's (load_checkpoint record), the series up to the last full second.
  bool partial = false;
  double measured_s = kMissing;  // partial: seconds measured before the last checkpoint

  std::uint64_t error_total() const;
  double error_ratio() const;  // errors / requests; 0 when no requests
};

struct SloVerdict {
  std::string name;      // "p95 latency"
  std::string scenario;  // empty: across all scenarios
  double objective = kMissing;
  double observed = kMissing;
  std::string unit;  // "ms", "ratio", ...
  bool pass = true;
};

struct SlaReport {
  bool present = false;                         // the stream carried an `sla` record
  double availability = kMissing;               // successful / total requests, 0..1
  double target = kMissing;                     // availability target, 0..1
  double error_budget_consumed_pct = kMissing;  // percent of (1 - target) used
  std::vector<SloVerdict> slos;
};

// A measured surface: named items when the stream lists them, else a count.
struct CoverageMeasure {
  std::set<std::string> names;
  std::size_t count = 0;  // max(names.size(), any count given)
  bool known = false;
};

// Names in `all` that `done` lacks, sorted; nullopt when either side is known
// only as a count (then nothing can be named).
std::optional<std::vector<std::string>> uncovered_names(const CoverageMeasure& done,
                                                        const CoverageMeasure& all);

// A declared endpoint no request hit, and why (surface_coverage's
// endpoints_not_exercised).
struct UnexercisedEndpoint {
  std::string endpoint;  // "POST /rest/v1/profiles"
  std::string group;     // "table profiles", "/storage/v1"
  std::string method;
  std::string why;
};

struct SurfaceCoverage {
  bool present = false;  // the stream carried a surface_coverage record
  std::vector<UnexercisedEndpoint> not_exercised;  // the last record's list, sorted by group, method
  CoverageMeasure endpoints_exercised;
  CoverageMeasure endpoints_declared;
  CoverageMeasure tables_probed;
  CoverageMeasure tables_present;
};

struct ChecklistCounts {
  std::size_t verified_pass = 0;
  std::size_t verified_fail = 0;
  std::size_t not_verified = 0;
  std::size_t not_verifiable = 0;
  // Of not_verified: items awaiting a check golive does not have yet
  // (ChecklistItem::awaiting). A strict gate fails only on the others.
  std::size_t awaiting = 0;

  std::size_t total() const {
    return verified_pass + verified_fail + not_verified + not_verifiable;
  }
  std::size_t verified() const { return verified_pass + verified_fail; }
};

// A failed check a waiver covers (core/waivers.hpp).
struct WaiverUse {
  core::Waiver waiver;
  bool expired = false;  // expired by the run's date: the failure counts again
};

struct ReportModel {
  RunInfo run;
  std::vector<core::CheckResult> checks;  // redacted, sorted by (suite, id), stream order on ties
  StatusCounts counts;
  std::vector<SuiteSummary> suites;  // sorted by name; includes planned suites with no results
  Verdict verdict = Verdict::kFail;
  std::vector<std::string> verdict_reasons;  // why it failed; empty when it passed
  std::vector<LoadScenario> load;            // sorted by name
  SlaReport sla;
  SurfaceCoverage coverage;
  std::vector<ChecklistEntry> checklist;  // in checklist.json order
  ChecklistCounts checklist_counts;
  core::WaiverSet waivers;                     // the run's `waivers` record
  // The run's `source_locations` record: "schema.table" -> where its policy
  // is defined (sarif.json), so a re-render gives the same bytes.
  std::map<std::string, SourceLocation> object_locations;
  std::map<std::size_t, WaiverUse> waived;     // failed checks a waiver covers, by index into checks

  // The waiver covering checks[index], or null.
  const WaiverUse* waiver_of(std::size_t index) const;
  // checks[index] failed and a live waiver covers it: reported, not gating.
  bool is_waived(std::size_t index) const;

  // Indices of failed and errored checks, most severe first, then suite and
  // id (waived ones included: reporters mark them).
  std::vector<std::size_t> failed_checks() const;
  std::size_t failed_thresholds() const;
};

// "PASS: 58 of 104 items verified, 3 not verified, 43 not verifiable here
// (see why in checklist.md)": the verdict with how much of the checklist the
// run verified. The banner, the step summary and the console all print it.
std::string gate_summary(const ReportModel& model);
// "release 1.4.2 (from http://host/version) on staging, environment file
// sha256 3f2a…": what a GO is for ("release unknown (...)" when the run did
// not record one); "" for a stream with no run_start at all.
std::string release_line(const RunInfo& run);

// Builds the model. The gate verdict fails when any check failed or errored,
// any load threshold or SLO failed, the run is partial, or no check ran; in a
// strict run (run_start.gate.strict) also when a verifiable checklist item is
// not verified.
// Throws core::InputError when a known meta record has a field of the wrong type.
ReportModel build_report_model(const core::ResultStreamContents& stream,
                               const ChecklistDefinition& checklist,
                               const core::Redactor& redactor);
// Same, resolving the checklist and redactor from the options.
ReportModel build_report_model(const core::ResultStreamContents& stream,
                               const RenderOptions& options);

}  // namespace golive::report
