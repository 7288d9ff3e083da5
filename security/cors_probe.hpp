// CORS probe (part of `golive probe headers`): an attacker's Origin must not
// be echoed in Access-Control-Allow-Origin together with
// Access-Control-Allow-Credentials: true (OWASP ZAP rule 40040), neither on a
// simple request nor on a preflight; nor may the "null" origin be trusted.
//
// Check ids: security.cors.reflect_origin, security.cors.null_origin.
#pragma once

#include "core/result_stream.hpp"
#include "security/header_probe.hpp"
#include "security/http_probe_support.hpp"

namespace golive::security {

void run_cors_probe(const ProbeClient& client, const HttpSecuritySettings& settings,
                    core::ResultSink& sink, ScoreCard& score);

}  // namespace golive::security
