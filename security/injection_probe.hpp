// `golive probe injection`: the injection family of the security suite.
//
// One fresh user is signed up (or, with signup disabled, auth.test_users[0]
// logs in) and owns one seed course, so that a widened WHERE has a row to
// reveal. Then:
//   security.injection.sqli.<target>       error-based, boolean-pair and
//                                          pg_sleep payloads in each target
//                                          (sql_injection_probe.hpp)
//   security.injection.xss_stored.rest     markup stored in user text comes
//   security.injection.xss_stored.html     back neutralised through REST, the
//   security.injection.xss_stored.export   print page and the export
//                                          (stored_xss_probe.hpp)
//   security.injection.prompt_canary       the AI endpoint does not obey
//   security.injection.prompt_system_leak  injected instructions nor leak its
//   security.injection.oversize_ai_input   prompt; over-long input is refused
//                                          or truncated (ai_injection_probe.hpp)
// Every row created is deleted, then the user (security.injection.cleanup
// records what could not be). The whole family sends at most
// settings.max_requests requests (cleanup excluded);
// security.injection.request_budget records an error when the cap was hit,
// security.injection.setup when no user could be had.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result_stream.hpp"
#include "security/http_probe_support.hpp"
#include "security/injection_settings.hpp"

namespace golive::security {

// What the injection sub-probes share: the client, the sink, the settings,
// the probe's user and the request budget.
class InjectionContext {
 public:
  InjectionContext(const ProbeClient& client, core::ResultSink& sink,
                   const InjectionSettings& settings, ProbeUser user);

  const ProbeClient& client() const { return client_; }
  core::ResultSink& sink() { return sink_; }
  const InjectionSettings& settings() const { return settings_; }
  const ProbeUser& user() const { return user_; }
  // A random lowercase tag of this run ("glv" + 8 hex), found again in responses.
  const std::string& run_token() const { return run_token_; }

  // Sends one request (as the user when `as_user`, else with the anon key
  // only) and measures its wall time in ms. nullopt when the budget is spent.
  std::optional<http::HttpResponse> send(
      const std::string& method, const std::string& path, const std::string& json_body,
      bool as_user, double* elapsed_ms = nullptr,
      const std::vector<std::pair<std::string, std::string>>& extra = {});
  // The request send() sent last as a runnable curl command
  // (ProbeClient::reproduction): what a failing check's evidence carries.
  nlohmann::json last_reproduction() const { return client_.reproduction(last_request_); }
  int requests_sent() const { return requests_sent_; }
  bool budget_spent() const { return requests_sent_ >= settings_.max_requests; }

  // Rows the probe created, deleted again by the cleanup: REST paths with
  // their filter ("/rest/v1/courses?id=eq.<id>").
  void created(std::string rest_path) { created_.push_back(std::move(rest_path)); }
  const std::vector<std::string>& created_rows() const { return created_; }

 private:
  const ProbeClient& client_;
  core::ResultSink& sink_;
  const InjectionSettings& settings_;
  ProbeUser user_;
  std::string run_token_;
  int requests_sent_ = 0;
  http::HttpRequest last_request_;
  std::vector<std::string> created_;
};

// Runs SQL injection, stored XSS, prompt injection and the input limit, in
// that order. Throws core::InputError for a bad security.injection section.
void run_injection_probe(const ProbeClient& client, core::ResultSink& sink);

}  // namespace golive::security
