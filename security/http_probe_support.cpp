#include "security/http_probe_support.hpp"

#include "http/request_evidence.hpp"

#include <algorithm>
#include <utility>

#include "target/crypto.hpp"
#include "core/input_error.hpp"
#include "target/jwt.hpp"
#include "target/target_profile.hpp"

namespace golive::security {

namespace {

constexpr int kBurstHardCap = 60;  // requests; the brief's bound on any burst

std::vector<std::string> default_header_paths(const config::Environment& env) {
  // Paths every Supabase project has: GoTrue's health endpoint and a REST
  // read every visitor may make. A frontend's pages (another host, or paths
  // such as /terms on this one) are the environment's to list in
  // security.headers.paths.
  const std::string public_read = target::read_target_profile(env).public_read_path;
  std::vector<std::string> paths = {env.paths.auth + "/health"};
  if (!public_read.empty()) paths.push_back(public_read);
  return paths;
}

}  // namespace

std::vector<RateLimitEndpoint> default_rate_limit_endpoints(const config::Environment& env) {
  // A distinct email per request and a password too short to be accepted.
  return {{"signup", "POST", env.paths.auth + "/signup",
           {{"email", "golive-burst-{{n}}@example.test"}, {"password", "x"}}},
          {"token", "POST", env.paths.auth + "/token?grant_type=password",
           {{"email", "golive-burst-{{n}}@example.test"}, {"password", "wrong-password-{{n}}"}}}};
}

HttpSecuritySettings read_http_security_settings(const config::Environment& env) {
  HttpSecuritySettings settings;
  settings.header_paths = default_header_paths(env);
  settings.rate_limit_endpoints = default_rate_limit_endpoints(env);
  const auto section = env.sections.find("security");
  if (section == env.sections.end() || section->second.is_null()) return settings;
  const core::JsonReader root(section->second, env.source_file, "/security");
  root.as_object();
  if (root.has("headers")) {
    const core::JsonReader headers = root.at("headers");
    headers.reject_unknown_keys({"paths", "min_score"});
    if (headers.has("paths")) {
      const core::JsonReader paths = headers.at("paths");
      settings.header_paths.clear();
      for (std::size_t i = 0; i < paths.as_array().size(); ++i) {
        std::string path = paths.at(i).as_string();
        if (path.empty() || path.front() != '/') paths.at(i).fail("a path must start with '/'");
        settings.header_paths.push_back(std::move(path));
      }
      if (settings.header_paths.empty()) paths.fail("list at least one path");
    }
    const double score = headers.number_or("min_score", settings.min_header_score);
    if (score < 0 || score > 100) headers.at("min_score").fail("must be between 0 and 100");
    settings.min_header_score = static_cast<int>(score);
  }
  if (root.has("cors")) {
    const core::JsonReader cors = root.at("cors");
    cors.reject_unknown_keys({"evil_origin"});
    settings.evil_origin = cors.string_or("evil_origin", settings.evil_origin);
  }
  if (root.has("rate_limit")) {
    const core::JsonReader limits = root.at("rate_limit");
    limits.reject_unknown_keys({"max_requests_before_429", "burst", "endpoints"});
    if (limits.has("endpoints")) {
      const core::JsonReader endpoints = limits.at("endpoints");
      for (std::size_t i = 0; i < endpoints.as_array().size(); ++i) {
        const core::JsonReader item = endpoints.at(i);
        item.reject_unknown_keys({"name", "method", "path", "body"});
        RateLimitEndpoint endpoint;
        endpoint.name = item.at("name").as_string();
        endpoint.method = item.string_or("method", "POST");
        endpoint.path = item.at("path").as_string();
        if (endpoint.path.empty() || endpoint.path.front() != '/') {
          item.at("path").fail("a path below base_url starts with \"/\"");
        }
        if (item.has("body")) endpoint.body = item.at("body").as_object();
        if (i == 0) settings.rate_limit_endpoints.clear();
        settings.rate_limit_endpoints.push_back(std::move(endpoint));
      }
    }
    if (limits.has("max_requests_before_429")) {
      const auto max = limits.at("max_requests_before_429").as_integer();
      if (max < 1 || max > kBurstHardCap) {
        limits.at("max_requests_before_429").fail("must be between 1 and 60");
      }
      settings.max_requests_before_429 = static_cast<int>(max);
    }
    if (limits.has("burst")) {
      const auto burst = limits.at("burst").as_integer();
      if (burst < 1 || burst > kBurstHardCap) limits.at("burst").fail("must be between 1 and 60");
      settings.burst = static_cast<int>(burst);
    }
  }
  // The burst must be able to reach the threshold (plus the one request that proves it).
  settings.burst = std::max(settings.burst,
                            std::min(kBurstHardCap, settings.max_requests_before_429 + 1));
  return settings;
}

namespace {

// Probes speak to base_url's host only, whatever else allowed_hosts admits.
http::ClientOptions probe_options(const config::Environment& env, http::RequestObserver* observer) {
  http::ClientOptions options = http::client_options_for(env);
  options.host_policy = config::HostPolicy::for_target(env.base_url, {});
  options.observer = observer;
  return options;
}

}  // namespace

ProbeClient::ProbeClient(const config::Environment& env, std::chrono::milliseconds timeout,
                         http::RequestObserver* observer)
    : env_(env),
      timeout_(timeout),
      engine_options_(probe_options(env, observer)),
      users_(env, engine_options_, timeout) {}

http::HttpRequest ProbeClient::request(const std::string& method, const std::string& path) const {
  http::HttpRequest request;
  request.method = method;
  request.url = env_.url(path);
  request.timeout = timeout_;
  request.max_response_bytes = 1024 * 1024;
  if (!env_.anon_key.empty()) request.headers.emplace_back("apikey", env_.anon_key);
  // GoTrue answers errors in its current shape only when asked to.
  if (!env_.paths.auth.empty() && path.rfind(env_.paths.auth, 0) == 0) {
    request.headers.emplace_back(target::kSupabaseApiVersionHeader, target::kSupabaseApiVersion);
  }
  return request;
}

http::HttpResponse ProbeClient::send(http::HttpRequest request) const {
  return http::fetch(std::move(request), engine_options_);
}

std::vector<http::HttpResponse> ProbeClient::send_all(std::vector<http::HttpRequest> requests) const {
  constexpr std::size_t kMaxInFlight = 16;
  const std::size_t in_flight = std::min(kMaxInFlight, std::max<std::size_t>(1, requests.size()));
  return http::fetch_all(std::move(requests), in_flight, engine_options_);
}

http::HttpRequest ProbeClient::request_as(
    const std::string& token, const std::string& method, const std::string& path,
    const std::string& json_body,
    const std::vector<std::pair<std::string, std::string>>& extra) const {
  http::HttpRequest req = request(method, path);
  if (!token.empty()) req.headers.emplace_back("Authorization", "Bearer " + token);
  if (!json_body.empty()) {
    req.headers.emplace_back("Content-Type", "application/json");
    req.body = json_body;
  }
  for (const auto& header : extra) req.headers.push_back(header);
  return req;
}

nlohmann::json ProbeClient::reproduction(const http::HttpRequest& request, bool refused_token) const {
  http::ReproductionSecrets secrets(env_, core::Redactor::global());
  secrets.keep_authorization_literal(refused_token);
  return http::reproduction_of(request, secrets);
}

http::HttpResponse ProbeClient::send_as(
    const std::string& token, const std::string& method, const std::string& path,
    const std::string& json_body,
    const std::vector<std::pair<std::string, std::string>>& extra) const {
  return send(request_as(token, method, path, json_body, extra));
}

CheckBuilder::CheckBuilder(std::string id, std::string title, core::Severity severity)
    : started_(std::chrono::steady_clock::now()) {
  result_.id = std::move(id);
  result_.suite = "security";
  result_.title = std::move(title);
  result_.severity = severity;
}

core::CheckResult CheckBuilder::with(core::CheckStatus status, std::string message,
                                     nlohmann::json evidence) {
  core::CheckResult result = result_;
  result.status = status;
  result.message = std::move(message);
  result.evidence = std::move(evidence);
  http::attach_reproduction(result, reproduction_);
  result.duration_ms = std::chrono::duration<double, std::milli>(
                           std::chrono::steady_clock::now() - started_)
                           .count();
  return result;
}
CheckBuilder& CheckBuilder::reproduce(nlohmann::json reproduction) {
  reproduction_ = std::move(reproduction);
  return *this;
}

core::CheckResult CheckBuilder::pass(std::string message, nlohmann::json evidence) {
  return with(core::CheckStatus::kPass, std::move(message), std::move(evidence));
}
core::CheckResult CheckBuilder::fail(std::string message, nlohmann::json evidence) {
  return with(core::CheckStatus::kFail, std::move(message), std::move(evidence));
}
core::CheckResult CheckBuilder::error(std::string message, nlohmann::json evidence) {
  return with(core::CheckStatus::kError, std::move(message), std::move(evidence));
}
core::CheckResult CheckBuilder::skip(std::string message, nlohmann::json evidence) {
  return with(core::CheckStatus::kSkip, std::move(message), std::move(evidence));
}

nlohmann::json response_excerpt(const http::HttpResponse& response, std::size_t body_chars) {
  nlohmann::json excerpt = {{"status", response.status}};
  if (!response.transport_ok()) {
    excerpt["error"] = http::to_string(response.error);
    excerpt["error_message"] = response.error_message;
  }
  std::string body = response.body.substr(0, body_chars);
  // Keep evidence valid UTF-8 for the JSON writer: replace non-ASCII bytes.
  for (char& c : body) {
    if (static_cast<unsigned char>(c) >= 0x80) c = '?';
  }
  excerpt["body"] = body;
  return excerpt;
}

bool delete_probe_user(const ProbeClient& client, const ProbeUser& user) {
  return client.users().release(user).empty();
}

std::optional<ProbeUser> obtain_probe_user(const ProbeClient& client, std::size_t index,
                                           std::string* why, bool* not_configured) {
  target::TestUserOutcome outcome = client.users().acquire(index, "golive-sec");
  if (!outcome.user) *why = outcome.error;
  if (not_configured) *not_configured = outcome.not_configured;
  return std::move(outcome.user);
}

std::optional<ProbeUserPair> obtain_probe_user_pair(const ProbeClient& client, std::string* why,
                                                   bool* not_configured) {
  std::optional<ProbeUser> a = obtain_probe_user(client, 0, why, not_configured);
  if (!a) return std::nullopt;
  std::optional<ProbeUser> b = obtain_probe_user(client, 1, why, not_configured);
  if (!b) {
    delete_probe_user(client, *a);
    return std::nullopt;
  }
  return ProbeUserPair{std::move(*a), std::move(*b)};
}

namespace {

void record_no_users(CheckBuilder& setup, bool not_configured, const std::string& why,
                     std::string_view noun, std::string_view enable_with, core::ResultSink& sink) {
  if (not_configured) {
    sink.record(setup.skip("no probe " + std::string(noun) + " (" + why + "); " +
                           std::string(enable_with)));
  } else {
    sink.record(setup.error("could not get " +
                            std::string(noun == "user" ? "a user" : "two users") + ": " + why));
  }
}

}  // namespace

std::optional<ProbeUser> probe_user_or_record(const ProbeClient& client, CheckBuilder& setup,
                                              std::string_view enable_with, core::ResultSink& sink) {
  std::string why;
  bool not_configured = false;
  std::optional<ProbeUser> user = obtain_probe_user(client, 0, &why, &not_configured);
  if (!user) record_no_users(setup, not_configured, why, "user", enable_with, sink);
  return user;
}

std::optional<ProbeUserPair> probe_user_pair_or_record(const ProbeClient& client,
                                                       CheckBuilder& setup,
                                                       std::string_view enable_with,
                                                       core::ResultSink& sink) {
  std::string why;
  bool not_configured = false;
  std::optional<ProbeUserPair> users = obtain_probe_user_pair(client, &why, &not_configured);
  if (!users) record_no_users(setup, not_configured, why, "users", enable_with, sink);
  return users;
}

}  // namespace golive::security
