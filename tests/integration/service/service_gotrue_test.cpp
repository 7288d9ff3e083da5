// /auth/v1 as GoTrue speaks it, on the clean reference service: the admin
// user API (service_role only), the refresh_token grant (rotation), POST
// /logout ending the session (GET /user then answers 403
// session_not_found), the full user object, and the legacy error shape
// for callers that send no X-Supabase-Api-Version.
#include "tests/support/service/service_test_support.hpp"

namespace golive::testing {
namespace {

using GoTrueTest = ServiceCoreTest;

std::vector<std::string> admin_headers(const std::string& key) {
  return {"apikey: " + key, "Authorization: Bearer " + key};
}

TEST_F(GoTrueTest, AdminApiCreatesConfirmedUsersListsAndDeletesThem) {
  const std::string email = unique_label("golive-admin") + "@example.test";
  const ServiceReply created = http_send_json(
      "POST", url("/auth/v1/admin/users"),
      {{"email", email}, {"password", "admin-made-pw"}, {"email_confirm", true},
       {"user_metadata", {{"display_name", "Admin Made"}}}},
      admin_headers(service_key()));
  ASSERT_EQ(created.status, 200) << created.body;
  const nlohmann::json user = created.json();
  const std::string id = user.at("id");
  EXPECT_EQ(user["email"], email);
  EXPECT_TRUE(user["email_confirmed_at"].is_string());
  EXPECT_EQ(user["app_metadata"]["provider"], "email");
  EXPECT_EQ(user["user_metadata"]["display_name"], "Admin Made");
  EXPECT_EQ(sql_value("SELECT display_name FROM public.profiles WHERE user_id = '" + id + "'"),
            "Admin Made");
  // A second creation for the address is GoTrue's 422 email_exists.
  const ServiceReply again = http_send_json("POST", url("/auth/v1/admin/users"),
                                            {{"email", email}, {"password", "x-password"}},
                                            admin_headers(service_key()));
  EXPECT_EQ(again.status, 422);
  EXPECT_EQ(again.json()["code"], "email_exists");

  // The user signs in at once (confirmed), and the list finds it by filter.
  const ServiceReply session = http_send_json(
      "POST", url("/auth/v1/token?grant_type=password"),
      {{"email", email}, {"password", "admin-made-pw"}}, {"apikey: " + service_key()});
  ASSERT_EQ(session.status, 200) << session.body;
  const ServiceReply listed =
      http_get(url("/auth/v1/admin/users?per_page=1&filter=" + email), admin_headers(service_key()));
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(listed.headers.count("x-total-count"), 1u);
  EXPECT_EQ(listed.json()["users"].size(), 1u);
  EXPECT_EQ(listed.json()["users"][0]["id"], id);

  // Anyone but service_role is refused with 403 not_admin.
  const ServiceReply as_anon =
      call_service({"DELETE", url("/auth/v1/admin/users/" + id), admin_headers(anon_key()), ""});
  EXPECT_EQ(as_anon.status, 403);
  EXPECT_EQ(as_anon.json()["code"], "not_admin");

  const ServiceReply deleted =
      call_service({"DELETE", url("/auth/v1/admin/users/" + id), admin_headers(service_key()), ""});
  EXPECT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(deleted.json(), nlohmann::json::object());
  EXPECT_EQ(sql_value("SELECT count(*) FROM auth.users WHERE id = '" + id + "'"), "0");
  EXPECT_EQ(sql_value("SELECT count(*) FROM public.profiles WHERE user_id = '" + id + "'"), "0");
  const ServiceReply gone =
      call_service({"DELETE", url("/auth/v1/admin/users/" + id), admin_headers(service_key()), ""});
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(gone.json()["code"], "user_not_found");
}

TEST_F(GoTrueTest, RefreshRotatesAndLogoutEndsTheSession) {
  const Account account = sign_up("refresh");
  const ServiceReply login = http_send_json(
      "POST", url("/auth/v1/token?grant_type=password"),
      {{"email", account.email}, {"password", account.password}}, {"apikey: " + service_key()});
  ASSERT_EQ(login.status, 200);
  const std::string refresh_token = login.json().at("refresh_token");
  const ServiceReply refreshed =
      http_send_json("POST", url("/auth/v1/token?grant_type=refresh_token"),
                     {{"refresh_token", refresh_token}}, {"apikey: " + anon_key()});
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  EXPECT_NE(refreshed.json().at("refresh_token"), refresh_token);
  const std::string access = refreshed.json().at("access_token");
  // A spent refresh token is refused.
  const ServiceReply reused =
      http_send_json("POST", url("/auth/v1/token?grant_type=refresh_token"),
                     {{"refresh_token", refresh_token}}, {"apikey: " + anon_key()});
  EXPECT_EQ(reused.status, 400);
  EXPECT_EQ(reused.json()["code"], "refresh_token_not_found");

  EXPECT_EQ(http_get(url("/auth/v1/user"), {"Authorization: Bearer " + access}).status, 200);
  const ServiceReply logout = call_service(
      {"POST", url("/auth/v1/logout?scope=local"), {"Authorization: Bearer " + access}, "", 30000});
  EXPECT_EQ(logout.status, 204) << logout.body;
  const ServiceReply after = http_get(url("/auth/v1/user"), {"Authorization: Bearer " + access});
  EXPECT_EQ(after.status, 403);
  EXPECT_EQ(after.json()["code"], "session_not_found");
  // The other session of the account (from sign_up) is untouched by scope=local.
  EXPECT_EQ(http_get(url("/auth/v1/user"), {account.bearer()}).status, 200);
  EXPECT_EQ(call_service({"POST", url("/auth/v1/logout"), {account.bearer()}, "", 30000}).status,
            204);
  EXPECT_EQ(http_get(url("/auth/v1/user"), {account.bearer()}).status, 403);
}

TEST_F(GoTrueTest, ErrorsComeInTheLegacyShapeWithoutTheApiVersionHeader) {
  const ServiceReply legacy = http_send_json(
      "POST", url("/auth/v1/token?grant_type=password"),
      {{"email", "nobody@example.test"}, {"password", "wrong-password"}},
      {"apikey: " + service_key(), "X-Supabase-Api-Version:"});
  ASSERT_EQ(legacy.status, 400);
  EXPECT_EQ(legacy.json()["code"], 400);
  EXPECT_EQ(legacy.json()["error_code"], "invalid_credentials");
  EXPECT_EQ(legacy.json()["msg"], "Invalid login credentials");
  const ServiceReply current = http_send_json(
      "POST", url("/auth/v1/token?grant_type=password"),
      {{"email", "nobody@example.test"}, {"password", "wrong-password"}},
      {"apikey: " + service_key(), "X-Supabase-Api-Version: 2024-01-01"});
  EXPECT_EQ(current.json()["code"], "invalid_credentials");
  EXPECT_EQ(current.json()["message"], "Invalid login credentials");
}

TEST_F(GoTrueTest, TheAppsDeleteAccountFunctionDeletesTheCaller) {
  const Account account = sign_up("delete-fn");
  EXPECT_EQ(call_service({"POST", url("/functions/v1/delete-account"), {}, "{}", 30000}).status,
            401);
  const ServiceReply deleted = call_service(
      {"POST", url("/functions/v1/delete-account"), {account.bearer()}, "{}", 30000});
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(deleted.json()["user_id"], account.id);
  EXPECT_EQ(sql_value("SELECT count(*) FROM auth.users WHERE id = '" + account.id + "'"), "0");
}

}  // namespace
}  // namespace golive::testing
