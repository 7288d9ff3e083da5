// Shared plumbing of the HTTP security families (headers, CORS, JWT/authz,
// rate limits): a client pinned to the environment's base_url, the suite's
// settings read from env.sections["security"], a CheckResult builder, and
// throw-away test users created and deleted through the auth endpoints.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/check_result.hpp"
#include "config/environment.hpp"
#include "http/curl/curl_http_client.hpp"
#include "http/observing_client.hpp"
#include "target/test_users.hpp"
#include "core/result_stream.hpp"

namespace golive::security {

// Settings of the HTTP families, from env.sections["security"] (other keys of
// that section belong to other families and are left alone):
//   "headers":    {"paths": ["/health", ...], "min_score": 70}
//   "cors":       {"evil_origin": "https://evil.example"}
//   "rate_limit": {"max_requests_before_429": 30, "burst": 60,
//                  "endpoints": [{"name": "login", "method": "POST", "path": "/api/login",
//                                 "body": {"email": "golive-{{n}}@example.test", "password": "x"}}]}
// An endpoint's body strings may hold {{n}}: a value distinct per request, so
// only a per-client limit can stop the burst.
struct RateLimitEndpoint {
  std::string name;    // check id suffix: security.ratelimit.<name>
  std::string method = "POST";
  std::string path;    // below base_url
  nlohmann::json body; // null = no body
};

// Supabase's signup and password login (on paths.auth): the defaults.
std::vector<RateLimitEndpoint> default_rate_limit_endpoints(const config::Environment& env);

struct HttpSecuritySettings {
  std::vector<std::string> header_paths;  // paths below base_url probed for headers
  int min_header_score = 70;              // Observatory-style score (0..100) that passes
  std::string evil_origin = "https://evil.golive.invalid";
  int max_requests_before_429 = 30;  // a burst must see 429 at or before this request number
  int burst = 60;                    // requests sent at most per burst (hard cap 60)
  std::vector<RateLimitEndpoint> rate_limit_endpoints;  // default_rate_limit_endpoints() when absent
};

// Throws core::InputError naming the env file and the JSON pointer.
HttpSecuritySettings read_http_security_settings(const config::Environment& env);

// Blocking HTTP client whose every request goes to env.base_url only: a URL
// with another host completes with kNotAllowed and never leaves the machine.
class ProbeClient {
 public:
  // `observer` (may be null) is told of every request sent.
  ProbeClient(const config::Environment& env, std::chrono::milliseconds timeout,
              http::RequestObserver* observer = nullptr);

  // A request for base_url + path, carrying the anon key as `apikey` when the
  // environment has one (what supabase-js sends on every call).
  http::HttpRequest request(const std::string& method, const std::string& path) const;
  http::HttpResponse send(http::HttpRequest request) const;
  // Independent requests sent together (at most 16 in flight), answered in
  // request order: a target that lets requests time out costs one timeout,
  // not one per request.
  std::vector<http::HttpResponse> send_all(std::vector<http::HttpRequest> requests) const;
  // request() with "Authorization: Bearer <token>" (no header when empty).
  // The request send_as() sends, for a probe that records its reproduction.
  http::HttpRequest request_as(const std::string& token, const std::string& method,
                               const std::string& path, const std::string& json_body = "",
                               const std::vector<std::pair<std::string, std::string>>& extra = {})
      const;
  // `request` as a runnable curl command with the environment's secrets as
  // $VARS (http/request_evidence.hpp): {"reproduction", "reproduction_env"}.
  // `refused_token`: its Authorization carries a token the target must refuse
  // (alg none, a wrong key), written as sent since that token reproduces it.
  nlohmann::json reproduction(const http::HttpRequest& request, bool refused_token = false) const;
  http::HttpResponse send_as(const std::string& token, const std::string& method,
                             const std::string& path, const std::string& json_body = "",
                             const std::vector<std::pair<std::string, std::string>>& extra = {})
      const;

  const config::Environment& env() const { return env_; }
  // The users this client's probes act as (same host rail, TLS and observer).
  const target::TestUsers& users() const { return users_; }

 private:
  const config::Environment& env_;
  std::chrono::milliseconds timeout_;
  http::ClientOptions engine_options_;
  target::TestUsers users_;
};

// A CheckResult of suite "security" with its timing measured from `started`.
class CheckBuilder {
 public:
  CheckBuilder(std::string id, std::string title, core::Severity severity);
  core::CheckResult pass(std::string message, nlohmann::json evidence = nlohmann::json::object());
  core::CheckResult fail(std::string message, nlohmann::json evidence = nlohmann::json::object());
  core::CheckResult error(std::string message, nlohmann::json evidence = nlohmann::json::object());
  core::CheckResult skip(std::string message, nlohmann::json evidence = nlohmann::json::object());
  core::CheckResult with(core::CheckStatus status, std::string message,
                         nlohmann::json evidence = nlohmann::json::object());
  // A ProbeClient::reproduction() merged into the evidence of a fail or an
  // error (a pass or a skip needs none).
  CheckBuilder& reproduce(nlohmann::json reproduction);

 private:
  core::CheckResult result_;
  nlohmann::json reproduction_;
  std::chrono::steady_clock::time_point started_;
};

// A short, redaction-safe excerpt of a response for evidence.
nlohmann::json response_excerpt(const http::HttpResponse& response, std::size_t body_chars = 200);

// A user the probes signed up (or logged in) and may delete again: the one
// test-user model of target/test_users.hpp.
using ProbeUser = target::TestUser;

// Deletes a user the probe created (its own token; DELETE <auth>/user); true on
// 2xx, and true for a user that was not created by the probe.
bool delete_probe_user(const ProbeClient& client, const ProbeUser& user);

// A user for a probe: a fresh signup when the environment allows signups,
// else auth.test_users[index] logged in. nullopt with `why` filled otherwise,
// and `not_configured` (if given) set as target::TestUserOutcome says.
std::optional<ProbeUser> obtain_probe_user(const ProbeClient& client, std::size_t index,
                                           std::string* why, bool* not_configured = nullptr);

// Users A and B of a cross-user probe (test users 0 and 1 without signup).
// On failure a user the probe already created is deleted again, and `why`
// says what failed.
struct ProbeUserPair {
  ProbeUser a;
  ProbeUser b;
};
std::optional<ProbeUserPair> obtain_probe_user_pair(const ProbeClient& client, std::string* why,
                                                   bool* not_configured = nullptr);

// A family's users, or nullopt with its `setup` check recorded: skipped where
// users are not configured by design ("no probe user(s) (<why>); <enable_with>",
// `enable_with` naming the settings that would enable the family), an error
// of the setup otherwise ("could not get a user: <why>").
std::optional<ProbeUser> probe_user_or_record(const ProbeClient& client, CheckBuilder& setup,
                                              std::string_view enable_with, core::ResultSink& sink);
std::optional<ProbeUserPair> probe_user_pair_or_record(const ProbeClient& client,
                                                       CheckBuilder& setup,
                                                       std::string_view enable_with,
                                                       core::ResultSink& sink);

}  // namespace golive::security
