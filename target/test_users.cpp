#include "target/test_users.hpp"

#include <nlohmann/json.hpp>

#include "target/crypto.hpp"
#include "http/curl/curl_http_client.hpp"
#include "core/redactor.hpp"

namespace golive::target {

namespace {

// Signup is rate limited per IP for anonymous callers; a service_role caller
// is exempt on Supabase-shaped targets, so use it when the environment has it.
http::HeaderList signup_headers(const config::Environment& env) {
  const std::string& key = env.service_role_key.empty() ? env.anon_key : env.service_role_key;
  return {{"apikey", key}, {"Authorization", "Bearer " + key}, {"Content-Type", "application/json"}};
}

ContractUserOutcome session_from(const http::HttpResponse& response, const std::string& email,
                                 bool created_here, const char* what) {
  ContractUserOutcome outcome;
  if (!response.transport_ok() || response.status != 200) {
    // A transport failure names its category (reset, timeout, too_large, ...), not a
    // status line that may have arrived before the failure.
    outcome.error = !response.transport_ok()
                        ? std::string(what) + " got no response: " +
                              http::to_string(response.error) + " (" + response.error_message + ")"
                        : std::string(what) + " answered " + std::to_string(response.status) +
                              " " + response.body.substr(0, 200);
    outcome.unreachable = response.error == http::HttpErrorCategory::kConnect ||
                          response.error == http::HttpErrorCategory::kDns;
    return outcome;
  }
  const nlohmann::json session = nlohmann::json::parse(response.body, nullptr, false);
  if (!session.is_object() || !session.contains("access_token") || !session.contains("user") ||
      !session["user"].contains("id")) {
    outcome.error = std::string(what) + " returned no access_token and user.id";
    return outcome;
  }
  ContractUser user;
  user.id = session["user"]["id"].get<std::string>();
  user.email = email;
  user.access_token = session["access_token"].get<std::string>();
  user.created_here = created_here;
  core::Redactor::global().add_secret(user.access_token);
  outcome.user = std::move(user);
  return outcome;
}

}  // namespace

ContractUserOutcome acquire_contract_user(const config::Environment& env, std::size_t index) {
  http::HttpRequest request;
  request.method = "POST";
  if (env.auth.signup_enabled) {
    const std::string email = "golive-contract-" + core::random_hex(8) + "@example.test";
    nlohmann::json body = {{"email", email}, {"password", "golive-" + core::random_hex(12)}};
    if (env.auth.captcha_required) body["captcha_token"] = env.auth.captcha_token;
    request.url = env.url(env.paths.auth) + "/signup";
    request.headers = signup_headers(env);
    request.body = body.dump();
    return session_from(http::fetch(request, http::client_options_for(env)), email, true, "POST /auth/v1/signup");
  }
  if (index >= env.auth.test_users.size()) {
    return {std::nullopt, "signup is disabled and env.auth.test_users has no user #" +
                              std::to_string(index + 1)};
  }
  const config::TestUser& configured = env.auth.test_users[index];
  request.url = env.url(env.paths.auth) + "/token?grant_type=password";
  request.headers = {{"apikey", env.anon_key}, {"Content-Type", "application/json"}};
  request.body = nlohmann::json{{"email", configured.email}, {"password", configured.password}}.dump();
  return session_from(http::fetch(request, http::client_options_for(env)), configured.email, false, "POST /auth/v1/token");
}

std::string release_contract_user(const config::Environment& env, const ContractUser& user) {
  if (!user.created_here) return "";
  http::HttpRequest request;
  request.method = "DELETE";
  request.url = env.url(env.paths.auth) + "/user";
  request.headers = {{"apikey", env.anon_key}, {"Authorization", "Bearer " + user.access_token}};
  const http::HttpResponse response = http::fetch(request, http::client_options_for(env));
  if (response.transport_ok() && response.status >= 200 && response.status < 300) return "";
  return "DELETE /auth/v1/user answered " + std::to_string(response.status) + " " +
         response.error_message;
}

}  // namespace golive::target
