// TestUsers: the one way every suite obtains and returns the users it acts
// as. With auth.kind "tokens", user `index` is auth.tokens[index], as issued
// (no request is made; a target that refuses the token says so in the check
// that uses it). With auth.kind "workflow", the environment's login workflow
// runs for test user `index` (auth.test_users[index] as {{email}} and
// {{password}}) and its `token` and `user_id` captures are the user. With
// auth.kind "supabase" (the default) and auth.signup_enabled a fresh user is
// created: with the environment's service_role_key through GoTrue's admin API
// (POST <auth>/admin/users with email_confirm, then the password grant), so
// it works whether or not the project confirms email addresses; without one
// through POST <auth>/signup (the captcha test token sent when the
// environment needs one). A signup that answers no session (the project's
// "Confirm email" is on) gives no user, with `confirmation_required` set: the
// families that need users skip, naming service_role_key. Otherwise
// auth.test_users[index] is logged in through
// POST <auth>/token?grant_type=password. A user created here is deleted again
// with release() (DELETE <auth>/admin/users/{id} with the service role, which
// cascades to its rows; GoTrue has no way for a user to delete itself). Every
// request sends X-Supabase-Api-Version, so GoTrue answers errors in its
// current shape. Tokens are registered with the redactor.
//
//   target::TestUsers users(env, http::client_options_for(env));
//   auto a = users.acquire(0, "golive-sec");     // a.user, or a.error saying why not
//   ...
//   users.release(*a.user);                      // "" when deleted
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "config/environment.hpp"
#include "http/client_options.hpp"
#include "http/http_types.hpp"

namespace golive::target {

struct TestUser {
  std::string id;            // auth.users id (the token's "sub")
  std::string email;
  std::string password;
  std::string access_token;  // the user's JWT (registered with the redactor)
  bool created_here = false; // true: release() deletes it
};

struct TestUserOutcome {
  std::optional<TestUser> user;
  std::string error;         // why there is no user
  bool unreachable = false;  // the auth endpoint never answered (connect or DNS failure)
  int status = 0;            // what the auth endpoint answered when it refused; 0 = no answer
  // 404 or 405: the target has no such auth route (not Supabase-shaped), as
  // opposed to a route that failed.
  bool route_absent() const { return status == 404 || status == 405; }
  // No user because none can be had by design: the environment declares no
  // auth section and the target has no such auth route (a bare webhook
  // endpoint, an API with its own sessions). A family that needs users then
  // does not apply (skip); any other missing user is an error of its setup.
  bool not_configured = false;
  // Signup answered the bare user without a session: the project confirms
  // email addresses, and only the admin API (service_role_key) makes
  // confirmed users. Also sets not_configured.
  bool confirmation_required = false;
};

// The GoTrue API version golive speaks (GoTrue's X-Supabase-Api-Version):
// errors come back as {"code": "<error_code>", "message"}.
inline constexpr const char* kSupabaseApiVersionHeader = "X-Supabase-Api-Version";
inline constexpr const char* kSupabaseApiVersion = "2024-01-01";

class TestUsers {
 public:
  // Requests go with `options` (host policy, TLS, the run's observer).
  TestUsers(const config::Environment& env, http::ClientOptions options,
            std::chrono::milliseconds timeout = std::chrono::seconds(15));

  // A fresh user (create()) when signups are allowed, else test user `index`
  // logged in.
  // `email_prefix` names the suite in the address ("golive-sec-<hex>@example.test").
  // Sets `not_configured` on the outcome (see there).
  TestUserOutcome acquire(std::size_t index, std::string_view email_prefix = "golive") const;
  // A new confirmed user with a session: admin API with a service role, else signup.
  TestUserOutcome create(std::string_view email_prefix) const;
  TestUserOutcome sign_up(std::string_view email_prefix) const;
  TestUserOutcome admin_create(std::string_view email_prefix) const;
  TestUserOutcome log_in(const config::TestUser& user) const;
  TestUserOutcome issued(std::size_t index) const;         // auth.kind "tokens"
  TestUserOutcome from_workflow(std::size_t index) const;  // auth.kind "workflow"

  // Deletes a user created here; "" on success (or when it was not created
  // here), else what the target answered (or that no service_role_key is set).
  std::string release(const TestUser& user) const;

  // Users in auth.users whose email contains `email_part` (GoTrue's admin
  // list with `filter`); nullopt with `why` without a service role or when
  // the target does not answer. golive's own users all contain "golive-" and
  // end in "@example.test".
  std::optional<long long> count_users(std::string_view email_part, std::string* why) const;

 private:
  TestUserOutcome acquire_as_configured(std::size_t index, std::string_view email_prefix) const;
  http::HttpResponse post_credentials(const std::string& path, const std::string& email,
                                      const std::string& password, bool privileged) const;
  http::HttpResponse send_admin(const std::string& method, const std::string& path,
                                const std::string& body) const;

  const config::Environment& env_;
  http::ClientOptions options_;
  std::chrono::milliseconds timeout_;
};

}  // namespace golive::target
