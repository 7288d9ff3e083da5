// `golive probe headers|authz|ratelimit`: the HTTP families of the security
// suite (security/http_security_suite.hpp). `headers` includes the CORS probe.
// Results stream to out/<run-id>/results.jsonl and one line per check is
// printed. With no --env the embedded reference target is started for the
// run (and stopped after it, if this run started it).
#include <iomanip>
#include <iostream>
#include <optional>
#include <sstream>

#include "cli/command_context.hpp"
#include "cli/probe_families.hpp"
#include "cli/reference_target.hpp"
#include "core/exit_codes.hpp"
#include "core/input_error.hpp"
#include "core/interrupt.hpp"
#include "core/result_stream.hpp"
#include "core/run_directory.hpp"
#include "security/http_security_suite.hpp"

namespace golive::cli {

namespace {

struct HttpProbeOptions {
  CommonOptions common;
  std::vector<std::string> defects;  // embedded target only
  int timeout_s = 15;                // per request
};

std::string check_line(const core::CheckResult& result) {
  std::ostringstream line;
  line << "[" << core::to_string(result.status) << "] " << result.id << " (" << std::fixed
       << std::setprecision(1) << result.duration_ms << " ms)";
  if (result.status != core::CheckStatus::kPass || result.severity == core::Severity::kInfo) {
    line << "  " << result.message;
  }
  return core::Redactor::global().redact(line.str());
}

int execute_http_probe(const std::string& family, const HttpProbeOptions& options) {
  core::install_interrupt_handlers();
  std::optional<ReferenceTarget> embedded;
  if (options.common.env_file.empty()) {
    embedded.emplace(options.defects);
  } else if (!options.defects.empty()) {
    throw core::InputError("--defect", "",
                           "seeded defects apply only to the embedded reference target (run "
                           "without --env)");
  }
  const core::Environment env = load_selected_environment(options.common);
  // authz and ratelimit create and delete accounts and send bursts.
  if (family != "headers") {
    core::require_non_production(env, options.common.allow_production, "probe " + family);
  }
  auto run_dir = core::RunDirectory::create(options.common.out_dir);
  const std::string results_path = run_dir.file("results.jsonl");
  core::JsonlResultWriter writer(results_path, core::Redactor::global());
  writer.record_meta("run_start", {{"run_id", run_dir.id()},
                                   {"env", env.name},
                                   {"started_at", core::utc_now_iso8601()},
                                   {"golive_version", GOLIVE_VERSION},
                                   {"suites", {"security"}}});
  std::size_t failed = 0;
  std::size_t total = 0;
  core::CallbackSink console([&](const core::CheckResult& result) {
    ++total;
    if (result.failed()) ++failed;
    if (options.common.quiet && !result.failed()) return;
    if (options.common.format == "json") {
      std::cout << core::Redactor::global().redact(core::to_json(result)).dump() << "\n"
                << std::flush;
    } else {
      std::cout << check_line(result) << "\n" << std::flush;
    }
  });
  core::TeeSink sink;
  sink.add(&writer);
  sink.add(&console);

  security::HttpSecurityOptions suite_options;
  suite_options.families = {family};
  if (family == "headers") suite_options.families.insert("cors");
  suite_options.request_timeout = std::chrono::seconds(options.timeout_s);
  security::run_http_security_suite(env, suite_options, sink);

  const bool was_interrupted = core::interrupted();
  writer.record_meta("run_end",
                     {{"ended_at", core::utc_now_iso8601()}, {"interrupted", was_interrupted}});
  if (options.common.format != "json") {
    std::cout << "\n"
              << (was_interrupted ? "INTERRUPTED: partial results. " : "") << failed << " of "
              << total << " checks failed\nresults: " << results_path << "\n";
  }
  return failed == 0 && total > 0 && !was_interrupted ? core::kExitPass : core::kExitGateFailed;
}

void register_family(CLI::App& probe, const std::string& family, const std::string& description,
                     int& exit_code) {
  auto options = std::make_shared<HttpProbeOptions>();
  auto* command = probe.add_subcommand(family, description);
  add_common_options(*command, options->common);
  command->add_option("--defect", options->defects,
                      "Embedded target only: switch on a seeded defect (repeatable)");
  command->add_option("--timeout", options->timeout_s, "Per-request timeout in seconds (default 15)")
      ->check(CLI::Range(1, 300));
  command->footer("Exit codes: 0 every check passed, 1 a check failed, 2 bad input or config.");
  command->callback(
      [family, options, &exit_code] { exit_code = execute_http_probe(family, *options); });
}

}  // namespace

void register_probe_http(CLI::App& probe, int& exit_code) {
  register_family(probe, "headers",
                  "Security headers (CSP, HSTS, framing, nosniff, ...), CORS, and a score",
                  exit_code);
  register_family(probe, "authz",
                  "JWT tampering (alg none, wrong key, expired, forged service_role, deleted "
                  "user) and cross-user access through REST and functions",
                  exit_code);
  register_family(probe, "ratelimit",
                  "Bounded bursts at signup and token must meet 429; captcha when required",
                  exit_code);
}

}  // namespace golive::cli
