#include "target/test_users.hpp"

#include <nlohmann/json.hpp>

#include "core/random_id.hpp"
#include "core/redactor.hpp"
#include "http/curl/curl_http_client.hpp"
#include "target/jwt.hpp"

namespace golive::target {
namespace {

TestUserOutcome failure(const http::HttpResponse& response, const std::string& what) {
  TestUserOutcome outcome;
  // A transport failure names its category (reset, timeout, too_large, ...),
  // not a status line that may have arrived before the failure.
  outcome.error = !response.transport_ok()
                      ? what + " got no response: " + http::to_string(response.error) + " (" +
                            response.error_message + ")"
                      : what + " answered " + std::to_string(response.status) + " " +
                            response.body.substr(0, 200);
  outcome.unreachable = response.error == http::HttpErrorCategory::kConnect ||
                        response.error == http::HttpErrorCategory::kDns;
  if (response.transport_ok()) outcome.status = response.status;
  return outcome;
}

// The session a signup or login answered: its access token, and the user id
// from the body's user object or else the token's "sub".
TestUserOutcome session_from(const http::HttpResponse& response, TestUser user,
                             const std::string& what) {
  if (!response.transport_ok() || response.status / 100 != 2) return failure(response, what);
  const nlohmann::json session = nlohmann::json::parse(response.body, nullptr, false);
  if (!session.is_object() || !session.contains("access_token") ||
      !session["access_token"].is_string()) {
    TestUserOutcome outcome;
    // GoTrue with "Confirm email" on answers signup with the bare user.
    if (session.is_object() && session.contains("id") && session.contains("email")) {
      outcome.error = what + " returned the user without a session: the project confirms email "
                             "addresses (GoTrue's \"Confirm email\"); set the environment's "
                             "service_role_key so golive creates confirmed users through the "
                             "admin API";
      outcome.confirmation_required = true;
      outcome.status = response.status;
      return outcome;
    }
    outcome.error = what + " returned no access_token";
    return outcome;
  }
  user.access_token = session["access_token"].get<std::string>();
  core::Redactor::global().add_secret(user.access_token);
  if (session.contains("user") && session["user"].is_object() && session["user"].contains("id") &&
      session["user"]["id"].is_string()) {
    user.id = session["user"]["id"].get<std::string>();
  } else if (const auto parts = jwt_decode_unverified(user.access_token);
             parts && parts->payload.contains("sub") && parts->payload["sub"].is_string()) {
    user.id = parts->payload["sub"].get<std::string>();
  } else {
    TestUserOutcome outcome;
    outcome.error = what + " returned neither user.id nor a token with a sub claim";
    return outcome;
  }
  return TestUserOutcome{std::move(user), "", false};
}

}  // namespace

TestUsers::TestUsers(const config::Environment& env, http::ClientOptions options,
                     std::chrono::milliseconds timeout)
    : env_(env), options_(std::move(options)), timeout_(timeout) {}

http::HttpResponse TestUsers::post_credentials(const std::string& path, const std::string& email,
                                               const std::string& password, bool privileged) const {
  nlohmann::json body = {{"email", email}, {"password", password}};
  if (env_.auth.captcha_required) body["captcha_token"] = env_.auth.captcha_token;
  http::HttpRequest request;
  request.method = "POST";
  request.url = env_.url(env_.paths.auth) + path;
  request.timeout = timeout_;
  // Signup is rate limited per IP for anonymous callers; a service_role
  // caller is exempt on Supabase-shaped targets, so use it when given.
  const std::string& key =
      privileged && !env_.service_role_key.empty() ? env_.service_role_key : env_.anon_key;
  if (!key.empty()) request.headers.emplace_back("apikey", key);
  if (privileged && !env_.service_role_key.empty()) {
    request.headers.emplace_back("Authorization", "Bearer " + key);
  }
  request.headers.emplace_back(kSupabaseApiVersionHeader, kSupabaseApiVersion);
  request.headers.emplace_back("Content-Type", "application/json");
  request.body = body.dump();
  return http::fetch(std::move(request), options_);
}

http::HttpResponse TestUsers::send_admin(const std::string& method, const std::string& path,
                                         const std::string& body) const {
  http::HttpRequest request;
  request.method = method;
  request.url = env_.url(env_.paths.auth) + path;
  request.timeout = timeout_;
  request.headers.emplace_back("apikey", env_.service_role_key);
  request.headers.emplace_back("Authorization", "Bearer " + env_.service_role_key);
  request.headers.emplace_back(kSupabaseApiVersionHeader, kSupabaseApiVersion);
  if (!body.empty()) {
    request.headers.emplace_back("Content-Type", "application/json");
    request.body = body;
  }
  return http::fetch(std::move(request), options_);
}

TestUserOutcome TestUsers::create(std::string_view email_prefix) const {
  return env_.service_role_key.empty() ? sign_up(email_prefix) : admin_create(email_prefix);
}

TestUserOutcome TestUsers::admin_create(std::string_view email_prefix) const {
  TestUser user;
  user.email = std::string(email_prefix) + "-" + core::random_hex(6) + "@example.test";
  user.password = "Gl-" + core::random_hex(12);
  user.created_here = true;
  core::Redactor::global().add_secret(user.password);
  const nlohmann::json body = {{"email", user.email},
                               {"password", user.password},
                               {"email_confirm", true}};
  const std::string what = "POST " + env_.paths.auth + "/admin/users";
  const http::HttpResponse created = send_admin("POST", "/admin/users", body.dump());
  if (!created.transport_ok() || created.status / 100 != 2) return failure(created, what);
  const nlohmann::json made = nlohmann::json::parse(created.body, nullptr, false);
  if (!made.is_object() || !made.contains("id") || !made["id"].is_string()) {
    TestUserOutcome outcome;
    outcome.error = what + " returned no user id";
    return outcome;
  }
  user.id = made["id"].get<std::string>();
  // The session comes from the password grant, as the app's users get theirs.
  const auto response = post_credentials("/token?grant_type=password", user.email, user.password,
                                         /*privileged=*/true);
  TestUserOutcome outcome =
      session_from(response, user, "POST " + env_.paths.auth + "/token after " + what);
  if (!outcome.user) {
    release(user);  // do not leave the half-made user behind
  }
  return outcome;
}

TestUserOutcome TestUsers::sign_up(std::string_view email_prefix) const {
  TestUser user;
  user.email = std::string(email_prefix) + "-" + core::random_hex(6) + "@example.test";
  user.password = "Gl-" + core::random_hex(12);
  user.created_here = true;
  core::Redactor::global().add_secret(user.password);
  const auto response = post_credentials("/signup", user.email, user.password, /*privileged=*/true);
  return session_from(response, std::move(user), "POST " + env_.paths.auth + "/signup");
}

TestUserOutcome TestUsers::log_in(const config::TestUser& configured) const {
  TestUser user;
  user.email = configured.email;
  user.password = configured.password;
  const auto response = post_credentials("/token?grant_type=password", user.email, user.password,
                                         /*privileged=*/false);
  return session_from(response, std::move(user), "POST " + env_.paths.auth + "/token");
}

TestUserOutcome TestUsers::issued(std::size_t index) const {
  TestUserOutcome outcome;
  if (index >= env_.auth.tokens.size()) {
    outcome.error = "auth.kind is \"tokens\" and auth.tokens has no user #" +
                    std::to_string(index + 1) + " (add one entry per user: A, B)";
    return outcome;
  }
  TestUser user;
  user.id = env_.auth.tokens[index].user_id;
  user.access_token = env_.auth.tokens[index].token;
  core::Redactor::global().add_secret(user.access_token);
  outcome.user = std::move(user);
  return outcome;
}

TestUserOutcome TestUsers::from_workflow(std::size_t index) const {
  TestUserOutcome outcome;
  if (!env_.auth.log_in) {
    outcome.error = "auth.kind is \"workflow\" but no workflow runner was set up for " +
                    env_.auth.workflow;
    return outcome;
  }
  const config::WorkflowLogin login = env_.auth.log_in(index);
  if (!login.error.empty()) {
    outcome.error = "login workflow " + env_.auth.workflow + " for user #" +
                    std::to_string(index + 1) + ": " + login.error;
    outcome.unreachable = login.unreachable;
    return outcome;
  }
  TestUser user;
  user.id = login.user_id;
  user.access_token = login.token;
  if (index < env_.auth.test_users.size()) user.email = env_.auth.test_users[index].email;
  core::Redactor::global().add_secret(user.access_token);
  outcome.user = std::move(user);
  return outcome;
}

TestUserOutcome TestUsers::acquire(std::size_t index, std::string_view email_prefix) const {
  TestUserOutcome outcome = acquire_as_configured(index, email_prefix);
  outcome.not_configured = !outcome.user && ((!env_.auth.declared && outcome.route_absent()) ||
                                             outcome.confirmation_required);
  return outcome;
}

TestUserOutcome TestUsers::acquire_as_configured(std::size_t index,
                                                 std::string_view email_prefix) const {
  if (env_.auth.kind == "tokens") return issued(index);
  if (env_.auth.kind == "workflow") return from_workflow(index);
  if (env_.auth.signup_enabled) return create(email_prefix);
  if (index >= env_.auth.test_users.size()) {
    TestUserOutcome outcome;
    outcome.error = env_.auth.test_users.empty()
                        ? "signup is disabled and auth.test_users is empty"
                        : "signup is disabled and auth.test_users has no user #" +
                              std::to_string(index + 1);
    return outcome;
  }
  return log_in(env_.auth.test_users[index]);
}

std::string TestUsers::release(const TestUser& user) const {
  if (!user.created_here) return "";
  if (env_.service_role_key.empty()) {
    return "test user " + user.email +
           " cannot be deleted: GoTrue deletes users only through the admin API "
           "(DELETE " + env_.paths.auth + "/admin/users/{id}), which needs the environment's "
           "service_role_key";
  }
  const http::HttpResponse response = send_admin("DELETE", "/admin/users/" + user.id, "");
  if (response.transport_ok() && response.status / 100 == 2) return "";
  return "DELETE " + env_.paths.auth + "/admin/users/" + user.id + " answered " +
         std::to_string(response.status) + " " + response.error_message +
         response.body.substr(0, 200);
}

std::optional<long long> TestUsers::count_users(std::string_view email_part,
                                                std::string* why) const {
  if (env_.service_role_key.empty()) {
    *why = "counting users needs the admin API, i.e. the environment's service_role_key";
    return std::nullopt;
  }
  const http::HttpResponse response = send_admin(
      "GET", "/admin/users?page=1&per_page=1&filter=" + std::string(email_part), "");
  if (!response.transport_ok() || response.status != 200) {
    *why = "GET " + env_.paths.auth + "/admin/users answered " + std::to_string(response.status) +
           " " + response.error_message;
    return std::nullopt;
  }
  if (const auto total = response.header("x-total-count")) {
    try {
      return std::stoll(*total);
    } catch (const std::exception&) {
    }
  }
  *why = "GET " + env_.paths.auth + "/admin/users answered no X-Total-Count";
  return std::nullopt;
}

}  // namespace golive::target
