// `golive probe secrets` and the secrets family of the HTTP security suite:
// credentials that must stay server-side (live Stripe secret keys, Supabase
// service_role JWTs, PEM private keys) must not be in files or in what the
// target serves to browsers. See secret_scanner.hpp for what is matched.
//
// Checks (one scan, i.e. one run of the probe, gives one set):
//   security.secrets.<kind>                       pass: no secret of this kind in
//                                                 what was scanned (skip when
//                                                 nothing could be scanned)
//   security.secrets.<kind>.<source slug>.<byte>  fail: one per finding, naming
//                                                 the file or URL and the byte
//                                                 offset; the secret is shown
//                                                 only as a prefix and a length
//   security.secrets.unreadable.<source slug>     error: a file or URL that could
//                                                 not be read or fetched
//   security.secrets.bundle                       suite only: the frontend bundles
//                                                 named in the environment were
//                                                 scanned (skip when none is named)
// <kind> is stripe_live_key, service_role_jwt or private_key_pem.
//
// Environment section (all optional), env.sections["security"]["secrets"]:
//   {"bundle_urls": ["/assets/app.js", "https://cdn.example.com/app.js"],
//    "page_paths": ["/", "/terms", "/privacy"],   pages below base_url, scanned
//    "follow_scripts": true,                      also scan each page's <script src>
//    "max_file_bytes": 4194304}                   bytes scanned per document
// Every URL goes through the HTTP engine with safety.allowed_hosts enforced.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "config/environment.hpp"
#include "core/result_stream.hpp"
#include "http/request_evidence.hpp"
#include "security/secret_sources.hpp"

namespace golive::security {

struct SecretsSettings {
  std::vector<std::string> bundle_urls;  // absolute http(s) URLs, or paths below base_url
  std::vector<std::string> page_paths = {"/", "/terms", "/privacy"};
  bool follow_scripts = true;  // scan the scripts the pages load (at most 20)
  SecretScanLimits limits;
};

// Throws core::InputError naming the env file and the JSON pointer.
SecretsSettings read_secrets_settings(const config::Environment& env);

// Records the checks of a finished scan. Every secret found is also given to
// core::Redactor::global(), so no writer can print it even by accident.
// With `reproduction`, a finding in a fetched document (a source that is a URL)
// carries the GET that returned it as curl (http/request_evidence.hpp).
void record_secret_scan(const SecretScanReport& report, core::ResultSink& sink,
                        const http::ReproductionSecrets* reproduction = nullptr);

// The suite part (`golive run`, `golive probe secrets` without --path/--url):
// scans the named bundles (or records security.secrets.bundle as skipped),
// the served pages and the scripts they load, then records the checks.
void run_secrets_probe(const config::Environment& env, std::chrono::milliseconds timeout,
                       core::ResultSink& sink);

// Engine options whose host rail is env.host_allowed (safety.allowed_hosts).
http::ClientOptions allowlisted_engine(const config::Environment& env);

// A check-id segment for a file path or URL (scheme and port dropped):
// lowercase letters, digits and "_", at most 60 characters (the tail, which
// names the file).
std::string source_slug(const std::string& source);

}  // namespace golive::security
