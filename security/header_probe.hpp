// `golive probe headers`: the browser-facing security headers of seed 001
// Req 4.4 on a few representative URLs, each finding named after the OWASP
// ZAP passive rule that reports it, and an Mozilla-Observatory-style score.
//
// Check ids: security.headers.{csp, csp_unsafe_inline, hsts, x_frame_options,
// x_content_type_options, referrer_policy, permissions_policy, cookie_flags,
// server_version_leak, score}.
#pragma once

#include <string>
#include <vector>

#include "core/result_stream.hpp"
#include "security/http_probe_support.hpp"

namespace golive::security {

// Observatory-style scoring: start at 100 and subtract a fixed penalty per
// missing or weak protection (the penalties follow the Observatory's tests:
// CSP missing -25, CSP with unsafe-inline -20, HSTS missing or short -20,
// no framing protection -20, no nosniff -5, cookies without Secure/HttpOnly
// -20, CORS reflecting any origin with credentials -50; Referrer-Policy and
// Permissions-Policy missing -5 each). The score is clamped at 0.
struct ScoreCard {
  struct Deduction {
    std::string reason;  // the check id that caused it
    int points;
  };
  std::vector<Deduction> deductions;

  void deduct(const std::string& reason, int points) { deductions.push_back({reason, points}); }
  int score() const;
};

// Probes settings.header_paths and records one check per header.
void run_header_probe(const ProbeClient& client, const HttpSecuritySettings& settings,
                      core::ResultSink& sink, ScoreCard& score);

// Records security.headers.score (pass when score >= settings.min_header_score).
void record_header_score(const ScoreCard& score, const HttpSecuritySettings& settings,
                         core::ResultSink& sink);

// Lowercase directive value of `directive` in a CSP ("" when absent).
std::string csp_directive(const std::string& policy, const std::string& directive);
// max-age of an HSTS value in seconds; -1 when absent or malformed.
long long hsts_max_age(const std::string& value);

}  // namespace golive::security
