// /auth/v1 and token handling of the reference service, clean behaviour:
// signup, password grant, current user, account deletion with cascades,
// JWT refusal (bad signature, expired, alg none, unknown role, deleted
// user), rate limits (429 without Retry-After, as GoTrue) and the captcha, plus the process
// contract (flags, exit codes, SIGTERM, start-up time).
#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "target/jwt.hpp"
#include "tests/support/service/service_process.hpp"
#include "tests/support/service/service_test_support.hpp"

namespace golive::testing {
namespace {

std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

using AuthTest = ServiceCoreTest;

TEST_F(AuthTest, SignupReturnsSessionAndStoresOnlyAHash) {
  const std::string email = unique_label("signup") + "@Example.Test";
  const ServiceReply reply = http_send_json("POST", url("/auth/v1/signup"),
                                            {{"email", email}, {"password", "s3cret-password"}},
                                            {"apikey: " + service_key()});
  ASSERT_EQ(reply.status, 200) << reply.body;
  const nlohmann::json body = reply.json();
  EXPECT_EQ(body["token_type"], "bearer");
  EXPECT_EQ(body["expires_in"], 3600);
  EXPECT_FALSE(body["access_token"].get<std::string>().empty());
  const std::string id = body["user"]["id"];
  std::string lowered = email;
  for (char& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_EQ(body["user"]["email"], lowered);
  // Emails are stored lowercased; the password only as a PBKDF2 record.
  const std::string stored =
      sql_value("SELECT encrypted_password FROM auth.users WHERE id = '" + id + "'");
  EXPECT_EQ(stored.rfind("pbkdf2-sha256$10000$", 0), 0u) << stored;
  EXPECT_EQ(stored.find("s3cret-password"), std::string::npos);
  EXPECT_EQ(sql_value("SELECT email FROM auth.users WHERE id = '" + id + "'"), lowered);
  EXPECT_EQ(sql_value("SELECT count(*) FROM public.profiles WHERE user_id = '" + id + "'"), "1");
}

TEST_F(AuthTest, SignupRefusesDuplicatesWeakPasswordsAndBadEmails) {
  const Account existing = sign_up("dup");
  const std::vector<std::string> exempt = {"apikey: " + service_key()};
  const ServiceReply duplicate =
      http_send_json("POST", url("/auth/v1/signup"),
                     {{"email", existing.email}, {"password", "another-password"}}, exempt);
  EXPECT_EQ(duplicate.status, 422);
  EXPECT_EQ(duplicate.json()["code"], "user_already_exists");
  const ServiceReply weak = http_send_json(
      "POST", url("/auth/v1/signup"),
      {{"email", unique_label("weak") + "@example.test"}, {"password", "short"}}, exempt);
  EXPECT_EQ(weak.status, 422);
  EXPECT_EQ(weak.json()["code"], "weak_password");
  const ServiceReply bad_email =
      http_send_json("POST", url("/auth/v1/signup"),
                     {{"email", "not-an-email"}, {"password", "long-enough-1"}}, exempt);
  EXPECT_EQ(bad_email.status, 400);
  const ServiceReply not_json =
      call_service({"POST", url("/auth/v1/signup"), {"apikey: " + service_key()}, "{oops", 30000});
  EXPECT_EQ(not_json.status, 400);
}

TEST_F(AuthTest, PasswordGrantIssuesAnHs256TokenWithTheSeedClaims) {
  const Account account = sign_up("grant");
  const target::JwtVerification verified = target::jwt_verify_hs256(account.token, jwt_secret());
  ASSERT_TRUE(verified.ok);
  const nlohmann::json& claims = verified.payload;
  EXPECT_EQ(claims["sub"], account.id);
  EXPECT_EQ(claims["role"], "authenticated");
  EXPECT_EQ(claims["email"], account.email);
  EXPECT_EQ(claims["exp"].get<std::int64_t>() - claims["iat"].get<std::int64_t>(), 3600);
  EXPECT_NEAR(static_cast<double>(claims["iat"].get<std::int64_t>()), static_cast<double>(now_s()),
              60);
  const auto parts = target::jwt_decode_unverified(account.token);
  ASSERT_TRUE(parts);
  EXPECT_EQ(parts->header["alg"], "HS256");
}

TEST_F(AuthTest, PasswordGrantRefusesWrongPasswordsUnknownUsersAndOtherGrants) {
  const Account account = sign_up("wrongpw");
  const std::vector<std::string> exempt = {"apikey: " + service_key()};
  const ServiceReply wrong =
      http_send_json("POST", url("/auth/v1/token?grant_type=password"),
                     {{"email", account.email}, {"password", "nope-nope-nope"}}, exempt);
  EXPECT_EQ(wrong.status, 400);
  EXPECT_EQ(wrong.json()["code"], "invalid_credentials");
  const ServiceReply unknown = http_send_json(
      "POST", url("/auth/v1/token?grant_type=password"),
      {{"email", unique_label("ghost") + "@example.test"}, {"password", "whatever-123"}}, exempt);
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(unknown.json()["message"], wrong.json()["message"]);  // no user enumeration
  const ServiceReply grant =
      http_send_json("POST", url("/auth/v1/token?grant_type=magic"),
                     {{"email", account.email}, {"password", account.password}}, exempt);
  EXPECT_EQ(grant.status, 400);
  EXPECT_EQ(grant.json()["code"], "unsupported_grant_type");
}

TEST_F(AuthTest, SeedUsersCanLogInWithTheSeedPassword) {
  const ServiceReply reply =
      http_send_json("POST", url("/auth/v1/token?grant_type=password"),
                     {{"email", "alice@example.test"}, {"password", "demo-password-1"}},
                     {"apikey: " + service_key()});
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json()["user"]["email"], "alice@example.test");
}

TEST_F(AuthTest, CurrentUserNeedsAUserToken) {
  const Account account = sign_up("me");
  const ServiceReply me = http_get(url("/auth/v1/user"), {account.bearer()});
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.json()["id"], account.id);
  EXPECT_EQ(me.json()["email"], account.email);
  // The token also works from the apikey header alone.
  EXPECT_EQ(http_get(url("/auth/v1/user"), {"apikey: " + account.token}).status, 200);
  EXPECT_EQ(http_get(url("/auth/v1/user")).status, 401);
  EXPECT_EQ(http_get(url("/auth/v1/user"), {"apikey: " + anon_key()}).status, 401);
}

TEST_F(AuthTest, DeletingTheAccountCascadesToEveryOwnedRowAndKillsTheToken) {
  const Account account = sign_up("delete");
  const nlohmann::json course = create_course(account, "Doomed course");
  const std::string course_id = course["id"];
  const std::string uid = "'" + account.id + "'";
  ASSERT_EQ(http_send_json("POST", url("/rest/v1/topics"),
                           {{"course_id", course_id}, {"title", "T1"}}, {account.bearer()})
                .status,
            201);
  ASSERT_EQ(http_send_json("POST", url("/rest/v1/inputs"),
                           {{"course_id", course_id}, {"kind", "notes"}, {"content", "n"}},
                           {account.bearer()})
                .status,
            201);
  sql_exec("INSERT INTO public.subscriptions (user_id, status, tier_id) VALUES (" + uid +
           ", 'active', 'pro');"
           "INSERT INTO public.usage_quotas (user_id, ai_requests) VALUES (" +
           uid +
           ", 1);"
           "INSERT INTO public.admin_overrides (user_id, tier_id, reason) VALUES (" +
           uid +
           ", 'team', 'test');"
           "INSERT INTO public.ai_jobs (user_id, course_id, input_hash) VALUES (" +
           uid + ", '" + course_id +
           "', 'h');"
           "INSERT INTO public.course_purchases (user_id, catalog_course_id, amount_cents) "
           "SELECT " +
           uid + ", id, 100 FROM public.catalog_courses LIMIT 1;");

  // GoTrue has no DELETE /auth/v1/user; the app's own function deletes.
  EXPECT_EQ(call_service({"DELETE", url("/auth/v1/user"), {account.bearer()}, "", 30000}).status,
            405);
  const ServiceReply deleted = call_service(
      {"POST", url("/functions/v1/delete-account"), {account.bearer()}, "{}", 30000});
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  for (const char* table : {"profiles", "courses", "subscriptions", "usage_quotas",
                            "admin_overrides", "ai_jobs", "course_purchases"}) {
    EXPECT_EQ(
        sql_value(std::string("SELECT count(*) FROM public.") + table + " WHERE user_id = " + uid),
        "0")
        << table;
  }
  EXPECT_EQ(sql_value("SELECT count(*) FROM public.topics WHERE course_id = '" + course_id + "'"),
            "0");
  EXPECT_EQ(sql_value("SELECT count(*) FROM auth.users WHERE id = " + uid), "0");
  // The still-unexpired token names a user that no longer exists: GoTrue's 403.
  const ServiceReply me = http_get(url("/auth/v1/user"),
                                   {account.bearer(), "X-Supabase-Api-Version: 2024-01-01"});
  EXPECT_EQ(me.status, 403);
  EXPECT_EQ(me.json()["code"], "user_not_found");
  EXPECT_EQ(http_get(url("/rest/v1/courses"), {account.bearer()}).status, 401);
}

TEST_F(AuthTest, BadExpiredUnsignedAndForeignRoleTokensGet401) {
  const Account account = sign_up("jwt");
  const std::int64_t now = now_s();
  const nlohmann::json claims = {
      {"sub", account.id}, {"role", "authenticated"}, {"iat", now}, {"exp", now + 600}};
  const std::string wrong_key = target::jwt_sign_hs256(claims, "not-the-secret");
  nlohmann::json expired_claims = claims;
  expired_claims["iat"] = now - 7200;
  expired_claims["exp"] = now - 3600;
  const std::string expired = target::jwt_sign_hs256(expired_claims, jwt_secret());
  const std::string unsigned_token = target::jwt_unsigned_none(claims);
  nlohmann::json superuser_claims = claims;
  superuser_claims["role"] = "postgres";
  const std::string foreign_role = target::jwt_sign_hs256(superuser_claims, jwt_secret());
  for (const std::string& token :
       {wrong_key, expired, unsigned_token, foreign_role, std::string("garbage")}) {
    for (const char* path : {"/auth/v1/user", "/rest/v1/courses"}) {
      const ServiceReply reply = http_get(url(path), {"Authorization: Bearer " + token});
      EXPECT_EQ(reply.status, 401) << path << " " << token;
      EXPECT_EQ(reply.json()["code"], "invalid_jwt") << path;
    }
  }
  // The same claims correctly signed are accepted.
  EXPECT_EQ(http_get(url("/auth/v1/user"),
                     {"Authorization: Bearer " + target::jwt_sign_hs256(claims, jwt_secret())})
                .status,
            200);
}

// ---- flags and process behaviour: the binary started directly ------------------

TEST_F(AuthTest, SignupIsLimitedPerIpWithRetryAfterAndServiceRoleIsExempt) {
  ServiceProcess service(env(), {});  // default limits: 10 per IP, 5 per account, per minute
  int accepted = 0;
  ServiceReply refused;
  for (int i = 0; i < 11; ++i) {
    const ServiceReply reply = http_send_json(
        "POST", service.base_url() + "/auth/v1/signup",
        {{"email", unique_label("ip") + "@example.test"}, {"password", "long-enough-1"}});
    if (reply.status == 200) ++accepted;
    if (reply.status == 429) refused = reply;
  }
  EXPECT_EQ(accepted, 10);
  ASSERT_EQ(refused.status, 429);
  // As GoTrue: no Retry-After header; the wait is in the message.
  EXPECT_FALSE(refused.header("retry-after"));
  EXPECT_NE(refused.json()["message"].get<std::string>().find("retry after"), std::string::npos);
  EXPECT_EQ(refused.json()["code"], "over_request_rate_limit");
  const ServiceReply exempt = http_send_json(
      "POST", service.base_url() + "/auth/v1/signup",
      {{"email", unique_label("ip") + "@example.test"}, {"password", "long-enough-1"}},
      {"apikey: " + service_key()});
  EXPECT_EQ(exempt.status, 200) << exempt.body;
}

TEST_F(AuthTest, LoginIsLimitedPerAccountEvenWithTheRightPassword) {
  ServiceProcess service(env(), {});
  const Account account = sign_up("acct", service.base_url());
  for (int i = 0; i < 5; ++i) {
    const ServiceReply reply =
        http_send_json("POST", service.base_url() + "/auth/v1/token?grant_type=password",
                       {{"email", account.email}, {"password", "wrong-password"}});
    EXPECT_EQ(reply.status, 400) << i;
  }
  const ServiceReply sixth =
      http_send_json("POST", service.base_url() + "/auth/v1/token?grant_type=password",
                     {{"email", account.email}, {"password", account.password}});
  EXPECT_EQ(sixth.status, 429);
  EXPECT_FALSE(sixth.header("retry-after"));
}

TEST_F(AuthTest, RateLimitCanBeRaisedByFlagAndByEnvironment) {
  for (const bool by_flag : {true, false}) {
    ServiceProcess service(
        env(),
        by_flag ? std::vector<std::string>{"--rate-limit-per-minute", "1000"}
                : std::vector<std::string>{},
        by_flag ? std::map<std::string, std::string>{}
                : std::map<std::string, std::string>{{"GOLIVE_REF_RATE_LIMIT_PER_MINUTE", "1000"}});
    for (int i = 0; i < 15; ++i) {
      const ServiceReply reply = http_send_json(
          "POST", service.base_url() + "/auth/v1/signup",
          {{"email", unique_label("raised") + "@example.test"}, {"password", "long-enough-1"}});
      EXPECT_EQ(reply.status, 200)
          << "by_flag=" << by_flag << " attempt " << i << ": " << reply.body;
    }
  }
}

TEST_F(AuthTest, CaptchaIsRequiredOnSignupAndLoginWhenEnabled) {
  ServiceProcess service(env(), {"--captcha-required"});
  const std::string email = unique_label("captcha") + "@example.test";
  const std::string signup = service.base_url() + "/auth/v1/signup";
  const ServiceReply missing =
      http_send_json("POST", signup, {{"email", email}, {"password", "long-enough-1"}});
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.json()["code"], "captcha_failed");
  const ServiceReply wrong =
      http_send_json("POST", signup,
                     {{"email", email}, {"password", "long-enough-1"}, {"captcha_token", "guess"}});
  EXPECT_EQ(wrong.status, 400);
  const ServiceReply ok = http_send_json(
      "POST", signup,
      {{"email", email}, {"password", "long-enough-1"}, {"captcha_token", "golive-captcha-ok"}});
  EXPECT_EQ(ok.status, 200) << ok.body;
  const std::string token = service.base_url() + "/auth/v1/token?grant_type=password";
  EXPECT_EQ(http_send_json("POST", token, {{"email", email}, {"password", "long-enough-1"}}).status,
            400);
  EXPECT_EQ(http_send_json("POST", token,
                           {{"email", email},
                            {"password", "long-enough-1"},
                            {"gotrue_meta_security", {{"captcha_token", "golive-captcha-ok"}}}})
                .status,
            200);
}

TEST_F(AuthTest, StartsQuicklyAndStopsCleanlyOnSigterm) {
  ServiceProcess service(env(), {});
  std::printf("[ measure  ] reference service start-up (fork to port file): %.0f ms\n",
              service.startup_ms());
  EXPECT_LT(service.startup_ms(), 5000.0);
  EXPECT_EQ(http_get(service.base_url() + "/health").status, 200);
  const std::string port_file = service.port_file();
  const auto before = std::chrono::steady_clock::now();
  EXPECT_EQ(service.stop(), 0) << service.log();
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(5));
  EXPECT_FALSE(std::filesystem::exists(port_file));
  EXPECT_NE(service.log().find("\"event\":\"SERVICE_STOP\""), std::string::npos) << service.log();
}

TEST_F(AuthTest, UnknownOrMalformedDefectsExitWithCode2AndListTheKnownOnes) {
  const std::map<std::string, std::string> secrets = {{"GOLIVE_REF_JWT_SECRET", "s"},
                                                      {"GOLIVE_REF_WEBHOOK_SECRET", "whsec_s"}};
  const std::vector<std::string> base = {"--listen",
                                         "127.0.0.1:0",
                                         "--database-url",
                                         env().service_database_url(),
                                         "--admin-database-url",
                                         env().database_url()};
  for (const std::string defect :
       {"no-such-defect", "rls-disabled", "jwt-accept-none:x", "rls-disabled:Bad;Name"}) {
    std::vector<std::string> arguments = base;
    arguments.insert(arguments.end(), {"--defect", defect});
    const ServiceExit result = run_service_to_exit(arguments, secrets);
    EXPECT_EQ(result.exit_code, 2) << defect << ": " << result.output;
    EXPECT_NE(result.output.find("jwt-ignore-expiry"), std::string::npos) << result.output;
  }
  // A database defect naming something that does not exist refuses to start.
  std::vector<std::string> arguments = base;
  arguments.insert(arguments.end(), {"--defect", "rls-disabled:no_such_table"});
  EXPECT_EQ(run_service_to_exit(arguments, secrets).exit_code, 2);
  // Missing secrets are bad input too.
  EXPECT_EQ(run_service_to_exit(base, {{"GOLIVE_REF_JWT_SECRET", ""}}).exit_code, 2);
}

}  // namespace
}  // namespace golive::testing
