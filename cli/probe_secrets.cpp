// `golive probe secrets`: scans files, directories and fetched documents for
// live Stripe secret keys, service_role JWTs and PEM private keys
// (security/secrets_probe.hpp). Modes:
//   --path DIR|FILE ...   files on disk; needs no environment and no target
//   --url URL ...         documents fetched through the HTTP engine, limited
//                         to the environment's safety.allowed_hosts
//   neither               the suite's scan: the environment's bundle_urls
//                         (or a recorded skip), served pages and their scripts
// With no --env, --url and the suite scan use the embedded reference target
// (started for the run, stopped after it if this run started it).
#include <iostream>
#include <optional>

#include "cli/command_context.hpp"
#include "core/url.hpp"
#include "cli/probe_families.hpp"
#include "run/reference_target.hpp"
#include "run/run_session.hpp"
#include "core/exit_codes.hpp"
#include "core/input_error.hpp"
#include "core/interrupt.hpp"
#include "core/result_stream.hpp"
#include "core/run_directory.hpp"
#include "security/secrets_probe.hpp"

namespace golive::cli {

namespace {

struct SecretsProbeOptions {
  run::CommonOptions common;
  std::vector<std::string> paths;    // files or directories, scanned recursively
  std::vector<std::string> urls;     // http(s) documents, e.g. a frontend bundle
  std::vector<std::string> defects;  // embedded target only
  std::size_t max_file_bytes = security::SecretScanLimits{}.max_file_bytes;
  int timeout_s = 15;  // per request
};

void validate_urls(const std::vector<std::string>& urls) {
  for (const auto& url : urls) {
    if (!core::parse_url(url)) {
      throw core::InputError(url, "", "not an http(s) URL (given to --url)");
    }
  }
}

int execute_secrets_probe(const SecretsProbeOptions& options) {
  core::install_interrupt_handlers();
  security::validate_scan_paths(options.paths);
  validate_urls(options.urls);
  const bool files_only = !options.paths.empty() && options.urls.empty();
  if (!options.defects.empty() && (files_only || !options.common.env_file.empty())) {
    throw core::InputError("--defect", "",
                           "seeded defects apply only to the embedded reference target (run "
                           "without --env and without --path alone)");
  }
  std::optional<run::ReferenceTarget> embedded;
  std::optional<config::Environment> env;
  if (!files_only) {
    if (options.common.env_file.empty()) embedded.emplace(options.defects);
    env.emplace(run::load_selected_environment(options.common));
  }
  security::SecretScanLimits limits;
  limits.max_file_bytes = options.max_file_bytes;
  const std::chrono::milliseconds timeout = std::chrono::seconds(options.timeout_s);

  config::Environment files_only_env;
  files_only_env.name = "files";
  run::RunSession session(options.common, env ? *env : files_only_env, {"security"}, run::probe_check_line);
  auto& sink = session.sink();

  if (options.paths.empty() && options.urls.empty()) {
    security::run_secrets_probe(*env, timeout, sink);
  } else {
    security::SecretScanReport report;
    for (const auto& path : options.paths) {
      if (core::interrupted()) break;
      security::scan_path(path, limits, report);
    }
    if (!options.urls.empty()) {
      const http::ClientOptions engine = security::allowlisted_engine(*env);
      for (const auto& url : options.urls) {
        if (core::interrupted()) break;
        security::scan_url(url, engine, timeout, limits, report);
      }
    }
    if (!core::interrupted()) security::record_secret_scan(report, sink);
  }

  return session.finish_probe(core::interrupted(), options.common.format == "json");
}

}  // namespace

void register_probe_secrets(CLI::App& probe, int& exit_code) {
  auto options = std::make_shared<SecretsProbeOptions>();
  auto* command = probe.add_subcommand(
      "secrets",
      "Find live Stripe secret keys (sk_live_/rk_live_), service_role JWTs and PEM private keys "
      "in files, fetched bundles, or the pages the target serves");
  add_common_options(*command, options->common, /*sarif_format=*/true);
  command->add_option("--path", options->paths,
                      "File or directory to scan (repeatable; directories recursively, symlinks "
                      "and .git skipped, binaries skipped)");
  command->add_option("--url", options->urls,
                      "http(s) document to fetch and scan, e.g. a frontend bundle (repeatable; "
                      "host must be in the environment's safety.allowed_hosts)");
  command
      ->add_option("--max-file-bytes", options->max_file_bytes,
                   "Bytes scanned per file or document; longer ones are scanned up to this "
                   "(default 4194304)")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{64} * 1024 * 1024));
  command->add_option("--defect", options->defects,
                      "Embedded target only: switch on a seeded defect (repeatable)");
  command
      ->add_option("--timeout", options->timeout_s, "Per-request timeout in seconds (default 15)")
      ->check(CLI::Range(1, 300));
  command->footer(
      "Checks:\n"
      "  security.secrets.<kind>                      none of this kind was found (pass)\n"
      "  security.secrets.<kind>.<source>.<offset>    one failure per secret found, naming the\n"
      "                                               file or URL and the byte offset; the secret\n"
      "                                               is shown only as a prefix (sk_live_...) and\n"
      "                                               a length\n"
      "  security.secrets.unreadable.<source>         a file or URL that could not be read\n"
      "  security.secrets.bundle                      (no --path/--url) the environment's\n"
      "                                               security.secrets.bundle_urls were scanned;\n"
      "                                               skipped when none is named\n"
      "  <kind>: stripe_live_key, service_role_jwt, private_key_pem. Publishable (pk_) and test\n"
      "  (sk_test_) Stripe keys and anon JWTs are not secrets and are not flagged.\n"
      "Examples:\n"
      "  golive probe secrets --path dist/ --path .env.production\n"
      "  golive probe secrets --env envs/staging.json --url "
      "https://staging.example.com/assets/app.js\n"
      "  golive probe secrets --env envs/staging.json      (bundle_urls, pages and their scripts)\n"
      "Exit codes: 0 nothing found, 1 a secret was found or a source was unreadable, 2 bad input\n"
      "(a --path that does not exist, a --url that is not http(s), a bad environment).");
  command->callback([options, &exit_code] { exit_code = execute_secrets_probe(*options); });
}

}  // namespace golive::cli
