// `golive probe headers|authz|injection|storage|ratelimit`: the HTTP families of the
// security suite (security/http_security_suite.hpp). `headers` includes the
// CORS probe.
// Results stream to out/<run-id>/results.jsonl and one line per check is
// printed. With no --env the embedded reference target is started for the
// run (and stopped after it, if this run started it).
#include <iostream>
#include <optional>

#include "cli/command_context.hpp"
#include "cli/probe_families.hpp"
#include "run/reference_target.hpp"
#include "run/run_session.hpp"
#include "core/exit_codes.hpp"
#include "core/input_error.hpp"
#include "core/interrupt.hpp"
#include "core/result_stream.hpp"
#include "core/run_directory.hpp"
#include "security/authz_resources.hpp"
#include "security/http_probe_support.hpp"
#include "security/http_security_suite.hpp"

namespace golive::cli {

namespace {

struct HttpProbeOptions {
  run::CommonOptions common;
  std::vector<std::string> defects;  // embedded target only
  int timeout_s = 15;                // per request
};

int execute_http_probe(const std::string& family, const HttpProbeOptions& options) {
  core::install_interrupt_handlers();
  const auto embedded = run::start_embedded_target_unless_env(options.common, options.defects);
  const config::Environment env = run::load_selected_environment(options.common);
  // authz and ratelimit create and delete accounts and send bursts.
  if (family != "headers") {
    config::require_non_production(env, options.common.allow_production, "probe " + family);
  }
  // Settings are read before the run directory exists: a bad section is exit 2
  // with nothing written.
  (void)security::read_http_security_settings(env);
  if (family == "authz") (void)security::read_authz_resources(env);
  run::RunSession session(options.common, env, {"security"}, run::probe_check_line);
  auto& sink = session.sink();

  security::HttpSecurityOptions suite_options;
  suite_options.families = {family};
  if (family == "headers") suite_options.families.insert("cors");
  suite_options.request_timeout = std::chrono::seconds(options.timeout_s);
  security::run_http_security_suite(env, suite_options, sink);

  return session.finish_probe(core::interrupted(), options.common.format == "json");
}

void register_family(CLI::App& probe, const std::string& family, const std::string& description,
                     int& exit_code, const std::string& details = "") {
  auto options = std::make_shared<HttpProbeOptions>();
  auto* command = probe.add_subcommand(family, description);
  add_common_options(*command, options->common, /*sarif_format=*/true);
  command->add_option("--defect", options->defects,
                      "Embedded target only: switch on a seeded defect (repeatable)");
  command->add_option("--timeout", options->timeout_s, "Per-request timeout in seconds (default 15)")
      ->check(CLI::Range(1, 300));
  command->footer(details + "Exit codes: 0 every check passed, 1 a check failed, 2 bad input or config.");
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
  register_family(
      probe, "injection",
      "SQL injection (error, boolean, pg_sleep), stored XSS, prompt injection and the AI input "
      "limit, as a fresh test user whose rows are deleted afterwards",
      exit_code,
      "Checks:\n"
      "  security.injection.sqli.<target>      error-based (42601, 'syntax error at or near', ...),\n"
      "                                        boolean true/false pair, pg_sleep timing (2 tries)\n"
      "  security.injection.xss_stored.rest    <script>, <img onerror>, javascript: links, a quote\n"
      "  security.injection.xss_stored.html    stored in course, topic, notes and display name\n"
      "  security.injection.xss_stored.export  must come back escaped or stripped\n"
      "  security.injection.prompt_canary      injected instructions are not obeyed\n"
      "  security.injection.prompt_system_leak the system prompt does not leak\n"
      "  security.injection.oversize_ai_input  over-long AI input: 4xx or truncation, never 5xx\n"
      "Targets: env security.injection.targets, e.g.\n"
      "  {\"targets\": [{\"method\": \"GET\", \"path\": \"/rest/v1/courses\", \"param\": \"search\",\n"
      "                \"auth\": \"user\"}]}\n"
      "  default: REST courses ?search=, courses ?title=eq., redeem-token {\"code\"}.\n"
      "Bounds: at most security.injection.max_requests requests (default 200), pg_sleep of\n"
      "security.injection.sleep_seconds (default 2), 3 AI submissions. Refused on a\n"
      "production environment without --allow-production.\n");
  register_family(
      probe, "storage",
      "Storage API: private objects, signed URLs that expire, upload type and size limits, as two "
      "fresh test users whose objects and accounts are deleted afterwards",
      exit_code,
      "Checks (user A uploads a small text object, user B is the other user):\n"
      "  security.storage.bucket_private.anon_read       no user token: A's object is not served\n"
      "  security.storage.bucket_private.public_url      object/public/<bucket>/... is not served\n"
      "  security.storage.cross_user.read|sign|delete    B cannot download, sign or delete it\n"
      "  security.storage.signed_url.valid_before_expiry A's signed URL (expiresIn 2 s) works\n"
      "  security.storage.signed_url.expires             ... and is refused once expired\n"
      "  security.storage.upload_type.html               text/html is refused\n"
      "  security.storage.upload_type.disguised_executable  an executable sent as image/png is refused\n"
      "  security.storage.upload_size.over_limit         an 11 MiB upload is refused (limit 10 MiB)\n"
      "Settings: env security.storage, e.g.\n"
      "  {\"bucket\": \"uploads\", \"signed_url_expires_in_s\": 2, \"expiry_grace_ms\": 1100,\n"
      "   \"max_expiry_wait_s\": 10, \"max_upload_bytes\": 10485760, \"oversize_upload_bytes\": 11534336}\n"
      "The wait for expiry is bounded by max_expiry_wait_s. Refused on a production\n"
      "environment without --allow-production.\n");
  register_family(probe, "ratelimit",
                  "Bounded bursts at signup and token must meet 429; captcha when required",
                  exit_code);
}

}  // namespace golive::cli
