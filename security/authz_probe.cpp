#include "security/authz_probe.hpp"

#include <algorithm>
#include <chrono>
#include <optional>

#include "target/crypto.hpp"
#include "core/interrupt.hpp"
#include "security/authz_resources.hpp"
#include "target/jwt.hpp"
#include "target/target_profile.hpp"

namespace golive::security {

namespace {

using core::Severity;

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool accepted(const http::HttpResponse& response) {
  return response.transport_ok() && response.status / 100 == 2;
}

// Rows of a PostgREST answer: the array's size for a 2xx JSON array, else 0.
std::size_t row_count(const http::HttpResponse& response) {
  if (!accepted(response)) return 0;
  const auto body = nlohmann::json::parse(response.body, nullptr, false);
  return body.is_array() ? body.size() : 0;
}

struct AuthzContext {
  const ProbeClient& client;
  core::ResultSink& sink;
  ProbeUser a;
  ProbeUser b;
  std::string b_course_id;
  nlohmann::json a_claims;  // the claims of A's genuine token

  target::TargetProfile profile;
  // Where the JWT probes send their tokens: an endpoint that accepts A's
  // genuine token ("" = <auth>/user), and a path to B's data that a forged
  // service_role token must not read ("" = B's course through REST).
  std::string jwt_path;
  std::string b_private_path;

  std::string course_path(const std::string& id) const {
    return profile.owned_table_path(client.env()) + "?id=eq." + id + "&select=id," +
           profile.owned_text_column + "," + profile.owner_column;
  }
  std::string user_path() const { return client.env().paths.auth + "/user"; }
  std::string token_check_path() const { return jwt_path.empty() ? user_path() : jwt_path; }
  std::string b_data_path() const {
    return b_private_path.empty() ? course_path(b_course_id) : b_private_path;
  }
};

// ctx.client.send_as(), with the request kept as the check's curl
// reproduction (added to its evidence if it fails).
http::HttpResponse send_reproducibly(
    AuthzContext& ctx, CheckBuilder& check, const std::string& token, const std::string& method,
    const std::string& path, const std::string& json_body = "",
    const std::vector<std::pair<std::string, std::string>>& extra = {}, bool literal_token = false) {
  http::HttpRequest request = ctx.client.request_as(token, method, path, json_body, extra);
  check.reproduce(ctx.client.reproduction(request, literal_token));
  return ctx.client.send(std::move(request));
}

// A token the target must refuse: GET <auth>/user (or the declared
// resource of A's) with it must not be 2xx. `literal_token`: the failed
// check's curl reproduction carries the token as sent (alg none, a wrong key:
// no working credential); otherwise it is $GOLIVE_TOKEN (a token signed with
// the real secret, or carrying a real token's signature).
void expect_refused(AuthzContext& ctx, const std::string& id, const std::string& title,
                    const std::string& token, const std::string& what, Severity severity,
                    bool literal_token = false) {
  CheckBuilder check(id, title, severity);
  http::HttpRequest request = ctx.client.request_as(token, "GET", ctx.token_check_path());
  check.reproduce(ctx.client.reproduction(request, literal_token));
  const auto response = ctx.client.send(std::move(request));
  const nlohmann::json evidence = {{"request", "GET " + ctx.token_check_path()},
                                   {"token_kind", what},
                                   {"response", response_excerpt(response)}};
  if (!response.transport_ok()) {
    ctx.sink.record(check.error("the request failed: " + response.error_message, evidence));
  } else if (accepted(response)) {
    ctx.sink.record(check.fail("the target accepted " + what + " (status " +
                                   std::to_string(response.status) + ")",
                               evidence));
  } else if (response.status >= 500) {
    ctx.sink.record(check.error("the target answered " + std::to_string(response.status) +
                                    " instead of refusing with 401",
                                evidence));
  } else {
    ctx.sink.record(check.pass("refused with status " + std::to_string(response.status), evidence));
  }
}

// A's token with `exp` moved into the past, keeping A's (now wrong) signature.
std::string token_with_backdated_exp(const std::string& token, const nlohmann::json& claims) {
  nlohmann::json payload = claims;
  payload["exp"] = unix_now() - 3600;
  const std::size_t first_dot = token.find('.');
  const std::size_t last_dot = token.rfind('.');
  return token.substr(0, first_dot) + "." + core::base64url_encode(payload.dump()) +
         token.substr(last_dot);
}

void probe_jwt_tampering(AuthzContext& ctx) {
  const std::int64_t now = unix_now();
  nlohmann::json fresh = ctx.a_claims;
  fresh["iat"] = now;
  fresh["exp"] = now + 3600;
  const std::string wrong_key = "golive-wrong-key-" + core::random_hex(16);
  const std::string& secret = ctx.client.env().jwt_secret;

  expect_refused(ctx, "security.jwt.alg_none", "Unsigned JWTs (alg none) are refused",
                 target::jwt_unsigned_none(fresh), "an alg:none token with A's claims",
                 Severity::kCritical, /*literal_token=*/true);
  if (core::interrupted()) return;
  expect_refused(ctx, "security.jwt.wrong_key", "JWTs signed with another key are refused",
                 target::jwt_sign_hs256(fresh, wrong_key), "A's claims signed with a wrong key",
                 Severity::kCritical, /*literal_token=*/true);
  if (core::interrupted()) return;

  nlohmann::json expired = ctx.a_claims;
  expired["iat"] = now - 7200;
  expired["exp"] = now - 3600;
  if (!secret.empty()) {
    expect_refused(ctx, "security.jwt.expired", "Expired JWTs are refused",
                   target::jwt_sign_hs256(expired, secret),
                   "A's token expired an hour ago (validly signed with jwt_secret)", Severity::kHigh);
  } else {
    expect_refused(ctx, "security.jwt.expired", "Expired JWTs are refused",
                   token_with_backdated_exp(ctx.a.access_token, ctx.a_claims),
                   "A's token with exp moved back (signature no longer matches)", Severity::kHigh);
  }
  if (core::interrupted()) return;

  nlohmann::json service_claims = {{"role", "service_role"}, {"iat", now}, {"exp", now + 3600}};
  if (ctx.a_claims.contains("iss")) service_claims["iss"] = ctx.a_claims["iss"];
  {
    CheckBuilder check("security.jwt.service_role_forged",
                       "service_role claims under a wrong key are refused", Severity::kCritical);
    const std::string path = ctx.b_data_path();
    const auto response = send_reproducibly(ctx, check, target::jwt_sign_hs256(service_claims, wrong_key),
                                            "GET", path, "", {}, /*literal_token=*/true);
    const nlohmann::json evidence = {{"request", "GET " + path},
                                     {"response", response_excerpt(response)}};
    if (!response.transport_ok()) {
      ctx.sink.record(check.error("the request failed: " + response.error_message, evidence));
    } else if (accepted(response)) {
      ctx.sink.record(check.fail("a service_role token signed with a wrong key was accepted (" +
                                     std::to_string(row_count(response)) + " rows)",
                                 evidence));
    } else {
      ctx.sink.record(check.pass("refused with status " + std::to_string(response.status), evidence));
    }
  }
  if (core::interrupted()) return;
  {
    CheckBuilder check("security.jwt.service_role_real_secret",
                       "service_role tokens minted with jwt_secret (informational)", Severity::kInfo);
    if (secret.empty()) {
      ctx.sink.record(check.skip("jwt_secret is not in the environment"));
    } else {
      const std::string path = ctx.b_data_path();
      const auto response =
          ctx.client.send_as(target::jwt_sign_hs256(service_claims, secret), "GET", path);
      const nlohmann::json evidence = {{"request", "GET " + path},
                                       {"response", response_excerpt(response)}};
      ctx.sink.record(check.pass(
          accepted(response)
              ? "as expected, whoever holds jwt_secret is service_role (read " +
                    std::to_string(row_count(response)) +
                    " of B's rows): the secret must never reach a client or a repository"
              : "a service_role token signed with jwt_secret was refused (status " +
                    std::to_string(response.status) + "): is jwt_secret the target's?",
          evidence));
    }
  }
}

void probe_no_token(AuthzContext& ctx) {
  CheckBuilder check("security.authz.no_token",
                     "Without a user token no user data is readable", Severity::kCritical);
  const std::string path = ctx.course_path(ctx.b_course_id);
  const std::string export_path = ctx.client.env().paths.functions + "/export";
  const auto rest = ctx.client.send_as("", "GET", path);
  const auto exported = ctx.client.send_as("", "GET", export_path);
  const nlohmann::json evidence = {{"rest", {{"request", "GET " + path}, {"response", response_excerpt(rest)}}},
                                   {"export", {{"request", "GET " + export_path},
                                               {"response", response_excerpt(exported)}}}};
  if (!rest.transport_ok() || !exported.transport_ok()) {
    ctx.sink.record(check.error("a request failed", evidence));
  } else if (row_count(rest) > 0) {
    ctx.sink.record(check.fail("an anonymous request read B's course", evidence));
  } else if (accepted(exported)) {
    ctx.sink.record(check.fail("the export function answered " + std::to_string(exported.status) +
                                   " without a user token",
                               evidence));
  } else {
    ctx.sink.record(check.pass("REST returned no rows (status " + std::to_string(rest.status) +
                                   "), export refused (status " +
                                   std::to_string(exported.status) + ")",
                               evidence));
  }
}

// B's view of its course: its title, or nullopt when B no longer sees it.
std::optional<std::string> title_seen_by_b(AuthzContext& ctx) {
  const auto response = ctx.client.send_as(ctx.b.access_token, "GET", ctx.course_path(ctx.b_course_id));
  const auto body = nlohmann::json::parse(response.body, nullptr, false);
  if (!accepted(response) || !body.is_array() || body.empty()) return std::nullopt;
  return body[0].value(ctx.profile.owned_text_column, std::string());
}

void probe_cross_user_rest(AuthzContext& ctx, const std::string& original_title) {
  const std::string path = ctx.course_path(ctx.b_course_id);
  const std::vector<std::pair<std::string, std::string>> representation = {
      {"Prefer", "return=representation"}};
  {
    CheckBuilder check("security.authz.rest_read_other_user",
                       "A user cannot read another user's rows through REST", Severity::kCritical);
    const auto response = send_reproducibly(ctx, check, ctx.a.access_token, "GET", path);
    const nlohmann::json evidence = {{"request", "GET " + path}, {"response", response_excerpt(response)}};
    if (!response.transport_ok()) ctx.sink.record(check.error(response.error_message, evidence));
    else if (row_count(response) > 0) ctx.sink.record(check.fail("A read B's course", evidence));
    else ctx.sink.record(check.pass("no rows (status " + std::to_string(response.status) + ")", evidence));
  }
  if (core::interrupted()) return;
  {
    CheckBuilder check("security.authz.rest_update_other_user",
                       "A user cannot update another user's rows through REST", Severity::kCritical);
    const auto response = send_reproducibly(
        ctx, check, ctx.a.access_token, "PATCH", path,
        nlohmann::json{{ctx.profile.owned_text_column, "golive authz tampered"}}.dump(), representation);
    const auto after = title_seen_by_b(ctx);
    const nlohmann::json evidence = {{"request", "PATCH " + path},
                                     {"response", response_excerpt(response)},
                                     {"title_seen_by_b_after", after ? nlohmann::json(*after) : nlohmann::json()}};
    if (!response.transport_ok()) ctx.sink.record(check.error(response.error_message, evidence));
    else if (row_count(response) > 0 || (after && *after != original_title))
      ctx.sink.record(check.fail("A changed B's course title", evidence));
    else ctx.sink.record(check.pass("0 rows updated (status " + std::to_string(response.status) + ")", evidence));
  }
  if (core::interrupted()) return;
  {
    CheckBuilder check("security.authz.rest_delete_other_user",
                       "A user cannot delete another user's rows through REST", Severity::kCritical);
    const auto response = send_reproducibly(ctx, check, ctx.a.access_token, "DELETE", path, "", representation);
    const bool still_there = title_seen_by_b(ctx).has_value();
    const nlohmann::json evidence = {{"request", "DELETE " + path},
                                     {"response", response_excerpt(response)},
                                     {"row_still_visible_to_b", still_there}};
    if (!response.transport_ok()) ctx.sink.record(check.error(response.error_message, evidence));
    else if (row_count(response) > 0 || !still_there)
      ctx.sink.record(check.fail("A deleted B's course", evidence));
    else ctx.sink.record(check.pass("0 rows deleted (status " + std::to_string(response.status) + ")", evidence));
  }
}

void probe_export(AuthzContext& ctx) {
  CheckBuilder check("security.authz.function_export",
                     "The export function returns only the caller's data", Severity::kCritical);
  const std::string path = ctx.client.env().paths.functions + "/export";
  const auto response = send_reproducibly(ctx, check, ctx.a.access_token, "GET", path);
  const nlohmann::json evidence = {{"request", "GET " + path}, {"response", response_excerpt(response)}};
  if (!response.transport_ok()) {
    ctx.sink.record(check.error(response.error_message, evidence));
  } else if (response.status == 404) {
    ctx.sink.record(check.skip("the target has no export function", evidence));
  } else if (!accepted(response)) {
    ctx.sink.record(check.error("export answered " + std::to_string(response.status) +
                                    " to its own user",
                                evidence));
  } else if (response.body.find(ctx.b_course_id) != std::string::npos ||
             response.body.find(ctx.b.id) != std::string::npos) {
    ctx.sink.record(check.fail("A's export contains B's course or user id", evidence));
  } else {
    ctx.sink.record(check.pass("A's export carries none of B's ids", evidence));
  }
}

void probe_deleted_user(AuthzContext& ctx) {
  CheckBuilder check("security.jwt.deleted_user",
                     "The token of a deleted user no longer authenticates", Severity::kHigh);
  if (!ctx.client.env().auth.signup_enabled) {
    ctx.sink.record(check.skip("auth.signup_enabled is false: the probe deletes only users it made"));
    return;
  }
  const target::TestUserOutcome created = ctx.client.users().create("golive-sec");
  const std::optional<ProbeUser>& c = created.user;
  if (!c) {
    if (created.confirmation_required) {
      ctx.sink.record(check.skip("no user to delete: " + created.error));
    } else {
      ctx.sink.record(check.error("could not create a user to delete: " + created.error));
    }
    return;
  }
  if (const std::string why = ctx.client.users().release(*c); !why.empty()) {
    ctx.sink.record(check.error("could not delete the user: " + why));
    return;
  }
  const auto response = send_reproducibly(ctx, check, c->access_token, "GET", ctx.user_path());
  const nlohmann::json evidence = {{"request", "GET " + ctx.user_path()},
                                   {"response", response_excerpt(response)}};
  if (!response.transport_ok()) ctx.sink.record(check.error(response.error_message, evidence));
  else if (accepted(response))
    ctx.sink.record(check.fail("the deleted user's token still returns a user", evidence));
  else ctx.sink.record(check.pass("refused with status " + std::to_string(response.status), evidence));
}

// B's course, created through REST as B; "" with `why` on failure.
std::string create_course_as(const ProbeClient& client, const target::TargetProfile& profile,
                             const ProbeUser& owner, const std::string& title, std::string* why) {
  const nlohmann::json body = {{profile.owner_column, owner.id}, {profile.owned_text_column, title}};
  const auto response = client.send_as(owner.access_token, "POST", profile.owned_table_path(client.env()),
                                       body.dump(), {{"Prefer", "return=representation"}});
  const auto rows = nlohmann::json::parse(response.body, nullptr, false);
  if (!accepted(response) || !rows.is_array() || rows.empty() || !rows[0].contains("id")) {
    *why = "POST " + profile.owned_table + " as B answered " + std::to_string(response.status) + " " +
           response.body.substr(0, 160);
    return "";
  }
  return rows[0]["id"].get<std::string>();
}

// The JWT family on a target that is not Supabase-shaped: forged tokens read
// A's own resource (where A's genuine token is accepted, the baseline) and a
// forged service_role token reads B's. Skipped when A's token is not a JWT.
void probe_jwt_on_resource(const ProbeClient& client, const AuthzResource& resource,
                           const ProbeUserPair& users, core::ResultSink& sink) {
  CheckBuilder family("security.jwt.forgery", "JWT forgery probes", Severity::kHigh);
  const auto parts = target::jwt_decode_unverified(users.a.access_token);
  if (!parts) {
    sink.record(family.skip("user A's token is not a JWT, so there are no claims to forge"));
    return;
  }
  const CreatedResource own = create_resource(client, resource, users.a, "A");
  const CreatedResource theirs = create_resource(client, resource, users.b, "B");
  AuthzContext ctx{client,        sink,           users.a,
                   users.b,       "",             parts->payload,
                   target::read_target_profile(client.env()), own.read_path, theirs.read_path};
  if (own.id.empty() || theirs.id.empty()) {
    sink.record(family.error("no " + resource.name + " to probe with: " +
                             (own.id.empty() ? own.why : theirs.why)));
  } else if (const auto baseline = client.send_as(users.a.access_token, "GET", own.read_path);
             !accepted(baseline)) {
    sink.record(family.error("A's genuine token is not accepted at GET " + own.read_path +
                                 " (" + std::to_string(baseline.status) +
                                 "): no baseline for the forged tokens",
                             {{"response", response_excerpt(baseline)}}));
  } else {
    probe_jwt_tampering(ctx);
  }
  delete_resource(client, resource, users.a, own.id);
  delete_resource(client, resource, users.b, theirs.id);
}

}  // namespace

void run_authz_probe(const ProbeClient& client, core::ResultSink& sink) {
  CheckBuilder setup("security.authz.setup", "Two probe users and a course of B's exist",
                     Severity::kHigh);
  std::optional<ProbeUserPair> users = probe_user_pair_or_record(
      client, setup,
      "set auth (kind \"tokens\" with auth.tokens for users A and B, or test_users) to probe "
      "this target's authorization",
      sink);
  if (!users) return;
  const auto resources = read_authz_resources(client.env());
  // Resources declared by the environment: BOLA on this target's own API,
  // and the JWT family against the first resource B can create. Resources
  // without "create" (covered by the API access matrix) leave the built-in
  // probes in place.
  const auto creatable = std::find_if(resources.begin(), resources.end(),
                                      [](const AuthzResource& resource) { return resource.has_create; });
  if (creatable != resources.end()) {
    probe_authz_resources(client, resources, users->a, users->b, sink);
    if (!core::interrupted()) probe_jwt_on_resource(client, *creatable, *users, sink);
    for (const ProbeUser* user : {&users->a, &users->b}) {
      if (user->created_here) delete_probe_user(client, *user);
    }
    return;
  }
  AuthzContext ctx{client, sink, users->a, users->b, "", nlohmann::json::object(),
                   target::read_target_profile(client.env()), "", ""};
  const std::string title = "golive authz probe " + core::random_hex(4);
  std::string why;
  ctx.b_course_id = create_course_as(client, ctx.profile, ctx.b, title, &why);
  const auto parts = target::jwt_decode_unverified(ctx.a.access_token);
  if (parts) ctx.a_claims = parts->payload;
  if (ctx.b_course_id.empty()) {
    sink.record(setup.error(why));
  } else {
    if (parts) {
      probe_jwt_tampering(ctx);
    } else {
      // Opaque tokens (auth.kind "tokens" on a target with its own sessions)
      // cannot be forged by editing claims: the forgery family does not apply.
      CheckBuilder jwt("security.jwt.forgery", "JWT forgery probes", Severity::kHigh);
      sink.record(jwt.skip("user A's token is not a JWT, so there are no claims to forge"));
    }
    if (!core::interrupted()) probe_no_token(ctx);
    if (!core::interrupted()) probe_cross_user_rest(ctx, title);
    if (!core::interrupted()) probe_export(ctx);
    if (!core::interrupted()) probe_deleted_user(ctx);
  }
  // Deleting the users cascades to B's course; a pre-existing test user keeps
  // its account, so its course is deleted explicitly.
  std::vector<std::string> left_behind;
  if (!ctx.b.created_here && !ctx.b_course_id.empty()) {
    const auto response = client.send_as(ctx.b.access_token, "DELETE", ctx.course_path(ctx.b_course_id));
    if (!response.transport_ok() || response.status / 100 != 2) {
      left_behind.push_back("course " + ctx.b_course_id);
    }
  }
  for (const ProbeUser* user : {&ctx.a, &ctx.b}) {
    if (user->created_here && !delete_probe_user(client, *user)) left_behind.push_back(user->email);
  }
  if (!left_behind.empty()) {
    CheckBuilder cleanup("security.authz.cleanup", "Probe users are deleted", Severity::kLow);
    sink.record(cleanup.error("could not delete what the probe created", {{"left_behind", left_behind}}));
  }
}

}  // namespace golive::security
