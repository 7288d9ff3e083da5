// The reference service with --auth-confirm-email (GoTrue with "Confirm
// email" on, the default of a new Supabase project): signup answers the bare
// unconfirmed user and no session, the password grant refuses the user with
// 400 email_not_confirmed, and the admin API's email_confirm lets it in.
// In the defect binary because it restarts the shared service.
#include "tests/support/service/service_test_support.hpp"

namespace golive::testing {
namespace {

class ConfirmEmailTest : public ServiceCoreTest {
 protected:
  void TearDown() override { env().restart_service({}); }
};

TEST_F(ConfirmEmailTest, SignupGivesNoSessionUntilTheAddressIsConfirmed) {
  env().restart_service({}, /*captcha_required=*/false, /*auth_confirm_email=*/true);
  const std::string email = unique_label("confirm") + "@example.test";
  const std::vector<std::string> exempt = {"apikey: " + service_key()};
  const ServiceReply signup = http_send_json(
      "POST", url("/auth/v1/signup"), {{"email", email}, {"password", "confirm-me-pw"}}, exempt);
  ASSERT_EQ(signup.status, 200) << signup.body;
  const nlohmann::json user = signup.json();
  EXPECT_FALSE(user.contains("access_token"));
  EXPECT_EQ(user["email"], email);
  EXPECT_TRUE(user["email_confirmed_at"].is_null());
  const std::string id = user.at("id");

  const ServiceReply refused =
      http_send_json("POST", url("/auth/v1/token?grant_type=password"),
                     {{"email", email}, {"password", "confirm-me-pw"}}, exempt);
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(refused.json()["code"], "email_not_confirmed");

  const std::vector<std::string> admin = {"apikey: " + service_key(),
                                          "Authorization: Bearer " + service_key()};
  const ServiceReply confirmed = http_send_json("PUT", url("/auth/v1/admin/users/" + id),
                                                {{"email_confirm", true}}, admin);
  ASSERT_EQ(confirmed.status, 200) << confirmed.body;
  EXPECT_TRUE(confirmed.json()["email_confirmed_at"].is_string());
  const ServiceReply session =
      http_send_json("POST", url("/auth/v1/token?grant_type=password"),
                     {{"email", email}, {"password", "confirm-me-pw"}}, exempt);
  EXPECT_EQ(session.status, 200) << session.body;
  EXPECT_EQ(call_service({"DELETE", url("/auth/v1/admin/users/" + id), admin, ""}).status, 200);
}

}  // namespace
}  // namespace golive::testing
