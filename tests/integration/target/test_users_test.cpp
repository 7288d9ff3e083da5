// The `supabase` kind of test users against the reference target, as on a
// real Supabase project: with a service role, users are created confirmed
// through GoTrue's admin API and deleted through it (none is left, and the
// census counts them); without one, signup is used, and on a project that
// confirms email addresses (the target's --auth-confirm-email) signup yields
// no session, which TestUsers reports as a skip naming service_role_key.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <pqxx/pqxx>

#include "config/environment.hpp"
#include "core/redactor.hpp"
#include "http/client_options.hpp"
#include "target/test_users.hpp"
#include "tests/support/reference_env.hpp"

namespace golive::target {
namespace {

testing::ReferenceEnv& reference() {
  ::setenv("GOLIVE_REF_RATE_LIMIT_PER_MINUTE", "1000", 1);
  ::setenv("GOLIVE_REF_ACCOUNT_RATE_LIMIT_PER_MINUTE", "1000", 1);
  return testing::shared_reference_env();
}

config::Environment load_env(core::Redactor& redactor) {
  return config::load_environment(reference().write_env_file(), config::process_variables(),
                                  redactor);
}

long long users_named(const std::string& email) {
  pqxx::connection connection(reference().database_url());
  pqxx::nontransaction txn(connection);
  return txn.exec_params1("SELECT count(*) FROM auth.users WHERE email = $1", email)[0]
      .as<long long>();
}

TEST(SupabaseTestUsers, AServiceRoleCreatesConfirmedUsersThroughTheAdminApiAndDeletesThem) {
  core::Redactor redactor;
  const config::Environment env = load_env(redactor);
  ASSERT_FALSE(env.service_role_key.empty());
  const TestUsers users(env, http::client_options_for(env));
  std::string why;
  const std::optional<long long> before = users.count_users("golive-", &why);
  ASSERT_TRUE(before) << why;

  const TestUserOutcome outcome = users.acquire(0, "golive-tu");
  ASSERT_TRUE(outcome.user) << outcome.error;
  const TestUser& user = *outcome.user;
  EXPECT_TRUE(user.created_here);
  EXPECT_FALSE(user.access_token.empty());
  EXPECT_EQ(users_named(user.email), 1);
  EXPECT_EQ(users.count_users("golive-", &why).value_or(-1), *before + 1) << why;

  EXPECT_EQ(users.release(user), "");
  EXPECT_EQ(users_named(user.email), 0);
  EXPECT_EQ(users.count_users("golive-", &why).value_or(-1), *before) << why;
  // Deleting again names what the admin API answered.
  EXPECT_NE(users.release(user).find("404"), std::string::npos);
}

TEST(SupabaseTestUsers, WithoutAServiceRoleSignupIsUsedAndConfirmationOnMeansSkip) {
  core::Redactor redactor;
  config::Environment env = load_env(redactor);
  env.service_role_key.clear();
  const TestUsers users(env, http::client_options_for(env));
  std::string why;
  EXPECT_FALSE(users.count_users("golive-", &why));
  EXPECT_NE(why.find("service_role_key"), std::string::npos) << why;

  // Auto-confirming target: signup gives a session, but the user cannot be
  // deleted without the admin API, and the failure says why.
  const TestUserOutcome signed_up = users.acquire(0, "golive-tu-signup");
  ASSERT_TRUE(signed_up.user) << signed_up.error;
  const std::string refusal = users.release(*signed_up.user);
  EXPECT_NE(refusal.find("service_role_key"), std::string::npos) << refusal;
  {
    core::Redactor admin_redactor;
    const config::Environment admin_env = load_env(admin_redactor);
    EXPECT_EQ(TestUsers(admin_env, http::client_options_for(admin_env)).release(*signed_up.user),
              "");
  }

  // Confirmation on: no session, no user, a skip naming the setting. The
  // restarted service listens on a new port: the environment is read again.
  reference().restart_service({}, /*captcha_required=*/false, /*auth_confirm_email=*/true);
  core::Redactor confirming_redactor;
  config::Environment confirming = load_env(confirming_redactor);
  confirming.service_role_key.clear();
  const TestUserOutcome unconfirmed =
      TestUsers(confirming, http::client_options_for(confirming)).acquire(0, "golive-tu-confirm");
  reference().restart_service({});
  EXPECT_FALSE(unconfirmed.user);
  EXPECT_TRUE(unconfirmed.confirmation_required);
  EXPECT_TRUE(unconfirmed.not_configured);
  EXPECT_NE(unconfirmed.error.find("service_role_key"), std::string::npos) << unconfirmed.error;
  pqxx::connection connection(reference().database_url());
  pqxx::nontransaction txn(connection);
  txn.exec("DELETE FROM auth.users WHERE email LIKE 'golive-tu-confirm-%'");
}

}  // namespace
}  // namespace golive::target
