#include "security/rate_limit_probe.hpp"

#include <functional>
#include <map>
#include <optional>

#include "target/crypto.hpp"
#include "core/interrupt.hpp"

namespace golive::security {

namespace {

struct BurstOutcome {
  int sent = 0;
  int first_429 = 0;  // 1-based request number; 0 when none came
  std::optional<std::string> retry_after;
  std::map<int, int> statuses;  // status -> count (0 = transport failure)
  int accounts_created = 0;
  int accounts_not_deleted = 0;
  int absent_status = 0;  // 404 or 405 to the first request: no such endpoint here
  http::HttpRequest last_request;  // the burst's last request, reproduced by a failure
};

// {{n}} in the body's strings becomes `value`.
nlohmann::json fill_body(const nlohmann::json& body, const std::string& value) {
  if (body.is_string()) {
    std::string text = body.get<std::string>();
    for (std::size_t at = text.find("{{n}}"); at != std::string::npos; at = text.find("{{n}}", at)) {
      text.replace(at, 5, value);
      at += value.size();
    }
    return text;
  }
  if (body.is_object() || body.is_array()) {
    nlohmann::json out = body;
    for (auto& item : out) item = fill_body(item, value);
    return out;
  }
  return body;
}

// Sends up to settings.burst requests made by `make` one after another,
// stopping at the first 429.
BurstOutcome burst(const ProbeClient& client, const HttpSecuritySettings& settings,
                   const std::function<http::HttpRequest(int)>& make) {
  BurstOutcome outcome;
  for (int i = 1; i <= settings.burst && !core::interrupted(); ++i) {
    outcome.last_request = make(i);
    const http::HttpResponse response = client.send(outcome.last_request);
    ++outcome.sent;
    ++outcome.statuses[response.status];
    if (i == 1 && (response.status == 404 || response.status == 405)) {
      outcome.absent_status = response.status;
      break;
    }
    if (response.status / 100 == 2) {
      // The target created an account despite the probe's invalid input: remove it.
      const auto body = nlohmann::json::parse(response.body, nullptr, false);
      if (body.is_object() && body.contains("access_token") && body["access_token"].is_string()) {
        ++outcome.accounts_created;
        ProbeUser user;
        user.access_token = body["access_token"].get<std::string>();
        user.created_here = true;  // the probe's request made it: the probe removes it
        if (!delete_probe_user(client, user)) ++outcome.accounts_not_deleted;
      }
    }
    if (response.status == 429) {
      outcome.first_429 = i;
      outcome.retry_after = response.header("retry-after");
      break;
    }
  }
  return outcome;
}

core::CheckResult judge_burst(const ProbeClient& client, const std::string& id,
                              const std::string& title, const std::string& endpoint,
                              const BurstOutcome& outcome, const HttpSecuritySettings& settings) {
  CheckBuilder check(id, title, core::Severity::kHigh);
  // One request of the burst; the evidence says how many were sent in a row.
  check.reproduce(client.reproduction(outcome.last_request));
  nlohmann::json statuses = nlohmann::json::object();
  for (const auto& [status, count] : outcome.statuses) statuses[std::to_string(status)] = count;
  const nlohmann::json evidence = {{"endpoint", endpoint},
                                   {"requests_sent", outcome.sent},
                                   {"first_429_at", outcome.first_429},
                                   {"retry_after", outcome.retry_after ? nlohmann::json(*outcome.retry_after) : nlohmann::json()},
                                   {"max_requests_before_429", settings.max_requests_before_429},
                                   {"statuses", statuses},
                                   {"accounts_created", outcome.accounts_created},
                                   {"accounts_not_deleted", outcome.accounts_not_deleted}};
  if (core::interrupted() && outcome.first_429 == 0) return check.skip("interrupted", evidence);
  if (outcome.absent_status != 0) {
    return check.skip(endpoint + " answered " + std::to_string(outcome.absent_status) +
                          ": the target has no such endpoint (security.rate_limit.endpoints "
                          "names the ones to probe)",
                      evidence);
  }
  if (outcome.statuses.count(0) == static_cast<std::size_t>(outcome.sent))
    return check.error("no request reached the target", evidence);
  if (outcome.first_429 == 0) {
    return check.fail("no 429 after " + std::to_string(outcome.sent) +
                          " requests from one client: " + endpoint + " is not rate limited",
                      evidence);
  }
  // The limit may allow exactly max_requests_before_429 requests; the next must be refused.
  if (outcome.first_429 > settings.max_requests_before_429 + 1) {
    return check.fail("first 429 at request " + std::to_string(outcome.first_429) + ", after the " +
                          std::to_string(settings.max_requests_before_429) + " allowed",
                      evidence);
  }
  // GoTrue's 429s carry no Retry-After: it is reported when present, never required.
  if (!outcome.retry_after) {
    return check.pass("429 at request " + std::to_string(outcome.first_429) +
                          " (no Retry-After header, as GoTrue answers)",
                      evidence);
  }
  return check.pass("429 at request " + std::to_string(outcome.first_429) + ", Retry-After " +
                        *outcome.retry_after + " s",
                    evidence);
}

void probe_captcha(const ProbeClient& client, core::ResultSink& sink) {
  CheckBuilder check("security.authz.captcha_signup", "Signup without a captcha token is refused",
                     core::Severity::kMedium);
  if (!client.env().auth.captcha_required) {
    sink.record(check.skip("auth.captcha_required is false in the environment"));
    return;
  }
  const nlohmann::json body = {{"email", "golive-sec-" + core::random_hex(6) + "@example.test"},
                               {"password", "Gl-" + core::random_hex(12)}};
  const std::string path = client.env().paths.auth + "/signup";
  const http::HttpRequest request = client.request_as("", "POST", path, body.dump());
  check.reproduce(client.reproduction(request));
  const auto response = client.send(request);
  const nlohmann::json evidence = {{"request", "POST " + path + " without captcha_token"},
                                   {"response", response_excerpt(response)}};
  if (!response.transport_ok()) {
    sink.record(check.error(response.error_message, evidence));
    return;
  }
  if (response.status == 429) {
    // A rate limit says nothing about the captcha: not evidence either way.
    sink.record(check.skip("rate limited (429) before the captcha could be judged", evidence));
    return;
  }
  if (response.status / 100 != 2) {
    sink.record(check.pass("refused with status " + std::to_string(response.status), evidence));
    return;
  }
  const auto session = nlohmann::json::parse(response.body, nullptr, false);
  if (session.is_object() && session.contains("access_token") && session["access_token"].is_string()) {
    ProbeUser user;
    user.access_token = session["access_token"].get<std::string>();
    user.created_here = true;
    delete_probe_user(client, user);
  }
  sink.record(check.fail("a signup without a captcha token succeeded", evidence));
}

// Login half of the captcha: a real user's right password, without a token.
// Only a refusal with the right password shows the captcha (a wrong one is
// refused anyway), so the probe needs a user of its own.
void probe_captcha_login(const ProbeClient& client, core::ResultSink& sink) {
  CheckBuilder check("security.authz.captcha_login",
                     "Password login without a captcha token is refused", core::Severity::kMedium);
  if (!client.env().auth.captcha_required) {
    sink.record(check.skip("auth.captcha_required is false in the environment"));
    return;
  }
  std::string why;
  const auto user = obtain_probe_user(client, 0, &why);
  if (!user) {
    sink.record(check.skip("no user to log in with: " + why));
    return;
  }
  const nlohmann::json body = {{"email", user->email}, {"password", user->password}};
  const std::string path = client.env().paths.auth + "/token?grant_type=password";
  const http::HttpRequest request = client.request_as("", "POST", path, body.dump());
  check.reproduce(client.reproduction(request));
  const auto response = client.send(request);
  const nlohmann::json evidence = {{"request", "POST " + path + " with the right password, without captcha_token"},
                                   {"response", response_excerpt(response)}};
  if (user->created_here) delete_probe_user(client, *user);
  if (!response.transport_ok()) {
    sink.record(check.error(response.error_message, evidence));
  } else if (response.status == 429) {
    sink.record(check.skip("rate limited (429) before the captcha could be judged", evidence));
  } else if (response.status / 100 == 2) {
    sink.record(check.fail("a login with the right password and no captcha token succeeded", evidence));
  } else {
    sink.record(check.pass("refused with status " + std::to_string(response.status), evidence));
  }
}

}  // namespace

void run_rate_limit_probe(const ProbeClient& client, const HttpSecuritySettings& settings,
                          core::ResultSink& sink) {
  // The captcha probe goes first: after the bursts below every signup from
  // this client is rate limited, and a 429 proves nothing about the captcha.
  probe_captcha(client, sink);
  if (core::interrupted()) return;
  probe_captcha_login(client, sink);
  if (core::interrupted()) return;
  const std::string run = core::random_hex(4);
  for (const RateLimitEndpoint& endpoint : settings.rate_limit_endpoints) {
    const BurstOutcome outcome = burst(client, settings, [&](int i) {
      http::HttpRequest request = client.request(endpoint.method, endpoint.path);
      if (!endpoint.body.is_null()) {
        request.headers.emplace_back("Content-Type", "application/json");
        request.body = fill_body(endpoint.body, run + "-" + std::to_string(i)).dump();
      }
      return request;
    });
    sink.record(judge_burst(client, "security.ratelimit." + endpoint.name,
                            endpoint.method + " " + endpoint.path + " is rate limited per client",
                            endpoint.method + " " + endpoint.path, outcome, settings));
    if (core::interrupted()) return;
  }
}

}  // namespace golive::security
