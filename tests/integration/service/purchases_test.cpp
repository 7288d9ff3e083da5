// purchase-course and redeem-token against the real service: one purchase per
// course, single-use tokens that stay single-use under concurrency, and the
// token-double-redeem defect.
#include <algorithm>
#include <latch>
#include <thread>

#include "tests/support/service/function_test_support.hpp"

namespace golive::testing {
namespace {

constexpr const char* kMasterclass = "22222222-0000-4000-8000-000000000001";   // seed, 1900 cents
constexpr const char* kFundamentals = "22222222-0000-4000-8000-000000000002";  // seed

class PurchasesTest : public ReferenceServiceTest {
 protected:
  // A fresh token; `grant` is "catalog_course_id" or "tier_id".
  std::string create_token(const std::string& grant, const std::string& value,
                           const std::string& expires_at = "NULL", int max_redemptions = 1) {
    const std::string code = "TEST-" + unique_suffix();
    sql_value(admin(), "INSERT INTO public.redeem_tokens (code, " + grant +
                           ", max_redemptions, expires_at) "
                           "VALUES ('" +
                           code + "', '" + value + "', " + std::to_string(max_redemptions) + ", " +
                           expires_at + ") RETURNING id");
    return code;
  }

  HttpReply redeem(const TestUser& user, const std::string& code) {
    return post_json("/functions/v1/redeem-token", {{"code", code}}, &user);
  }

  std::string redemptions_of(const std::string& code) {
    return sql_value(admin(),
                     "SELECT count(*) FROM public.redemptions r JOIN public.redeem_tokens t "
                     "ON t.id = r.token_id WHERE t.code = '" +
                         code + "'");
  }
};

TEST_F(PurchasesTest, ACourseCanBePurchasedOnce) {
  const TestUser user = create_user("student");
  const HttpReply first =
      post_json("/functions/v1/purchase-course", {{"catalog_course_id", kMasterclass}}, &user);
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(first.json()["amount_cents"], 1900);
  const HttpReply second =
      post_json("/functions/v1/purchase-course", {{"catalog_course_id", kMasterclass}}, &user);
  EXPECT_EQ(second.status, 409) << second.body;
  EXPECT_EQ(second.json().value("code", ""), "already_purchased");
  EXPECT_EQ(sql_value(admin(), "SELECT count(*) FROM public.course_purchases WHERE user_id = '" +
                                   user.id + "'"),
            "1");

  EXPECT_EQ(post_json("/functions/v1/purchase-course",
                      {{"catalog_course_id", "22222222-0000-4000-8000-00000000ffff"}}, &user)
                .status,
            404);
  EXPECT_EQ(
      post_json("/functions/v1/purchase-course", {{"catalog_course_id", kMasterclass}}).status,
      401);
}

TEST_F(PurchasesTest, ASingleUseTokenIsRedeemedOnceAndGrantsTheCourse) {
  const std::string code = create_token("catalog_course_id", kFundamentals);
  const TestUser first = create_user("first");
  const TestUser second = create_user("second");
  const HttpReply redeemed = redeem(first, code);
  ASSERT_EQ(redeemed.status, 200) << redeemed.body;
  EXPECT_EQ(redeemed.json()["granted"]["catalog_course_id"], kFundamentals);
  EXPECT_EQ(
      sql_value(admin(), "SELECT amount_cents FROM public.course_purchases WHERE user_id = '" +
                             first.id + "' AND catalog_course_id = '" + kFundamentals + "'"),
      "0");

  const HttpReply by_other = redeem(second, code);
  EXPECT_EQ(by_other.status, 409) << by_other.body;
  EXPECT_EQ(by_other.json().value("code", ""), "token_already_redeemed");
  EXPECT_EQ(redeem(first, code).status, 409);
  EXPECT_EQ(redemptions_of(code), "1");
  EXPECT_EQ(sql_value(admin(), "SELECT redeemed_count FROM public.redeem_tokens WHERE code = '" +
                                   code + "'"),
            "1");
}

TEST_F(PurchasesTest, ConcurrentRedemptionsOfASingleUseTokenGrantExactlyOne) {
  const std::string code = create_token("catalog_course_id", kFundamentals);
  constexpr int kUsers = 8;
  std::vector<TestUser> users;
  for (int i = 0; i < kUsers; ++i) users.push_back(create_user("racer"));
  std::vector<long> statuses(kUsers);
  std::latch start(kUsers);
  std::vector<std::thread> threads;
  for (int i = 0; i < kUsers; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      statuses[i] = redeem(users[i], code).status;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 200), 1);
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 409), kUsers - 1);
  EXPECT_EQ(redemptions_of(code), "1");
}

TEST_F(PurchasesTest, OneUserRedeemingAMultiUseTokenConcurrentlyUsesOneSlot) {
  const std::string code = create_token("catalog_course_id", kFundamentals, "NULL", 5);
  const TestUser user = create_user("eager");
  constexpr int kRequests = 6;
  std::vector<long> statuses(kRequests);
  std::latch start(kRequests);
  std::vector<std::thread> threads;
  for (int i = 0; i < kRequests; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      statuses[i] = redeem(user, code).status;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 200), 1);
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 409), kRequests - 1);
  EXPECT_EQ(sql_value(admin(), "SELECT redeemed_count FROM public.redeem_tokens WHERE code = '" +
                                   code + "'"),
            "1");
}

TEST_F(PurchasesTest, ExpiredAndUnknownTokensAreRefused) {
  const TestUser user = create_user();
  const std::string expired =
      create_token("catalog_course_id", kFundamentals, "now() - interval '1 day'");
  EXPECT_EQ(redeem(user, expired).status, 410);
  EXPECT_EQ(redeem(user, "NO-SUCH-" + unique_suffix()).status, 404);
  EXPECT_EQ(post_json("/functions/v1/redeem-token", {{"code", expired}}).status, 401);
  EXPECT_EQ(redemptions_of(expired), "0");
}

TEST_F(PurchasesTest, ATierTokenGrantsThePaidTier) {
  const TestUser user = create_user();
  const std::string code = create_token("tier_id", "pro");
  ASSERT_EQ(redeem(user, code).status, 200);
  const HttpReply features = get("/functions/v1/features", &user);
  EXPECT_EQ(features.json()["tier"], "pro") << features.body;
  EXPECT_EQ(features.json()["source"], "admin_override");
}

TEST_F(PurchasesTest, DefectTokenDoubleRedeemLetsASecondUserRedeemASingleUseToken) {
  use_defects({"token-double-redeem"});
  const std::string code = create_token("catalog_course_id", kFundamentals);
  const TestUser first = create_user("first");
  const TestUser second = create_user("second");
  EXPECT_EQ(redeem(first, code).status, 200);
  EXPECT_EQ(redeem(second, code).status, 200);
  EXPECT_EQ(redemptions_of(code), "2");
}

}  // namespace
}  // namespace golive::testing
