// The HTTP families of the security suite, one entry point for `golive run`
// and `golive probe headers|authz|ratelimit`:
//   headers   security headers + score, and CORS (security.headers.*, security.cors.*)
//   cors      CORS alone
//   authz     JWT tampering and cross-user access (security.jwt.*, security.authz.*), or
//             BOLA on the resources of security.authz.resources (security.authz.bola.*)
//   ratelimit bursts at security.rate_limit.endpoints (Supabase signup and token by default;
//             404/405 = absent, skipped), captcha (security.ratelimit.*, security.authz.captcha*)
//   injection SQL injection, stored XSS, prompt injection, AI input limit (security.injection.*)
//   storage   private objects, signed-URL expiry, upload limits (security.storage.*)
//   secrets   the frontend bundle and served pages carry no server secret (security.secrets.*)
// Every request goes to env.base_url only (the engine refuses other hosts).
#pragma once

#include "http/observing_client.hpp"

#include <chrono>
#include <set>
#include <string>

#include "config/environment.hpp"
#include "core/result_stream.hpp"

namespace golive::security {

struct HttpSecurityOptions {
  std::set<std::string> families;  // any of kHttpFamilies; empty = all
  std::chrono::milliseconds request_timeout{15000};  // per request
  // Told of every request sent (the run's surface coverage); null: nobody.
  http::RequestObserver* request_observer = nullptr;
};

inline const std::set<std::string>& http_security_families() {
  static const std::set<std::string> families = {"headers", "cors",    "authz",    "injection",
                                                        "storage", "secrets", "ratelimit"};
  return families;
}

// Runs the selected families in a fixed order (headers, cors, authz,
// injection, storage, secrets, ratelimit: the bursts last, so they do not starve the others' signups).
// Throws core::InputError for a bad env.sections["security"] or an unknown family.
void run_http_security_suite(const config::Environment& env, const HttpSecurityOptions& options,
                             core::ResultSink& sink);

// What this suite can do with `env`, and why not (see config::Capability).
std::vector<config::Capability> http_security_capabilities(const config::Environment& env);

}  // namespace golive::security
