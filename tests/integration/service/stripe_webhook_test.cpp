// The billing path end to end against the real reference service: checkout,
// signed Stripe webhooks (authenticity, idempotency, ordering), the
// entitlements they drive, and one test per webhook defect showing that the
// defect really changes what lands in the database.
#include <algorithm>
#include <latch>
#include <thread>

#include "target/stripe_signature.hpp"
#include "target/jwt.hpp"
#include "tests/support/service/function_test_support.hpp"

namespace golive::testing {
namespace {

constexpr const char* kProPlan = "11111111-0000-4000-8000-000000000001";        // seed, active
constexpr const char* kLegacyProPlan = "11111111-0000-4000-8000-000000000003";  // seed, inactive

class StripeWebhookTest : public ReferenceServiceTest {
 protected:
  struct Subscription {
    std::string id = "sub_test_" + unique_suffix();
    std::string customer = "cus_test_" + unique_suffix();
  };

  static std::string event_id() { return "evt_test_" + unique_suffix(); }

  nlohmann::json subscription_object(const Subscription& subscription, const TestUser& user,
                                     const std::string& status, const std::string& tier = "pro") {
    return {{"id", subscription.id},
            {"object", "subscription"},
            {"customer", subscription.customer},
            {"status", status},
            {"current_period_end", now_unix() + 30 * 24 * 3600},
            {"metadata", {{"user_id", user.id}, {"tier_id", tier}}}};
  }

  std::string subscription_column(const Subscription& subscription, const std::string& column) {
    return sql_value(admin(), "SELECT " + column +
                                  " FROM public.subscriptions WHERE stripe_subscription_id = '" +
                                  subscription.id + "'");
  }

  std::string recorded_events(const std::string& id) {
    return sql_value(admin(), "SELECT count(*) FROM public.webhook_events WHERE id = '" + id + "'");
  }

  // Sends `event` from `senders` threads released at the same instant.
  std::vector<HttpReply> deliver_concurrently(const nlohmann::json& event, int senders) {
    std::vector<HttpReply> replies(senders);
    std::latch start(senders);
    std::vector<std::thread> threads;
    for (int i = 0; i < senders; ++i) {
      threads.emplace_back([&, i] {
        start.arrive_and_wait();
        replies[i] = deliver_event(event);
      });
    }
    for (auto& thread : threads) thread.join();
    return replies;
  }

  // created -> deleted (newer) -> updated (older than deleted, delivered last).
  // Returns the late event's outcome; newest_created_ is the deleted event's.
  std::string deliver_out_of_order(const Subscription& subscription, const TestUser& user) {
    const std::int64_t base = now_unix() - 100;
    newest_created_ = base + 20;
    EXPECT_EQ(deliver_event(stripe_event(event_id(), "customer.subscription.created", base,
                                         subscription_object(subscription, user, "active")))
                  .status,
              200);
    EXPECT_EQ(deliver_event(stripe_event(event_id(), "customer.subscription.deleted", base + 20,
                                         subscription_object(subscription, user, "canceled")))
                  .status,
              200);
    const HttpReply late =
        deliver_event(stripe_event(event_id(), "customer.subscription.updated", base + 10,
                                   subscription_object(subscription, user, "active")));
    EXPECT_EQ(late.status, 200) << late.body;
    return late.json().value("outcome", "");
  }

  std::int64_t newest_created_ = 0;  // unix s
};

TEST_F(StripeWebhookTest, CheckoutThenWebhooksGrantAndRevokeThePaidFeature) {
  const TestUser user = create_user("buyer");
  const HttpReply checkout = post_json("/functions/v1/checkout", {{"plan_id", kProPlan}}, &user);
  ASSERT_EQ(checkout.status, 200) << checkout.body;
  const std::string session_id = checkout.json().value("id", "");
  EXPECT_EQ(session_id.rfind("cs_test_", 0), 0u) << session_id;
  EXPECT_EQ(checkout.json().value("plan_id", ""), kProPlan);
  EXPECT_FALSE(checkout.json().value("url", "").empty());
  EXPECT_EQ(sql_value(admin(), "SELECT status FROM public.checkout_sessions WHERE id = '" +
                                   session_id + "'"),
            "open");

  HttpReply features = get("/functions/v1/features", &user);
  ASSERT_EQ(features.status, 200) << features.body;
  EXPECT_EQ(features.json()["tier"], "free");
  EXPECT_EQ(get("/functions/v1/calendar-export", &user).status, 403);

  const Subscription subscription;
  const HttpReply completed =
      deliver_event(stripe_event(event_id(), "checkout.session.completed", now_unix() - 5,
                                 {{"id", session_id},
                                  {"object", "checkout.session"},
                                  {"mode", "subscription"},
                                  {"client_reference_id", user.id},
                                  {"customer", subscription.customer},
                                  {"subscription", subscription.id}}));
  ASSERT_EQ(completed.status, 200) << completed.body;
  EXPECT_EQ(completed.json()["outcome"], "applied") << completed.body;
  EXPECT_EQ(subscription_column(subscription, "status"), "active");
  EXPECT_EQ(subscription_column(subscription, "tier_id"), "pro");
  EXPECT_EQ(subscription_column(subscription, "user_id"), user.id);
  EXPECT_EQ(sql_value(admin(), "SELECT status FROM public.checkout_sessions WHERE id = '" +
                                   session_id + "'"),
            "complete");
  EXPECT_EQ(
      sql_value(admin(), "SELECT tier_id FROM public.profiles WHERE user_id = '" + user.id + "'"),
      "pro");

  features = get("/functions/v1/features", &user);
  EXPECT_EQ(features.json()["tier"], "pro");
  EXPECT_EQ(features.json()["source"], "subscription");
  const auto enabled = features.json()["features"].get<std::vector<std::string>>();
  EXPECT_NE(std::find(enabled.begin(), enabled.end(), "calendar_export"), enabled.end());
  const HttpReply calendar = get("/functions/v1/calendar-export", &user);
  EXPECT_EQ(calendar.status, 200);
  EXPECT_NE(calendar.body.find("BEGIN:VCALENDAR"), std::string::npos);

  const HttpReply deleted = deliver_event(stripe_event(
      event_id(), "customer.subscription.deleted", now_unix(),
      {{"id", subscription.id}, {"customer", subscription.customer}, {"status", "canceled"}}));
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(subscription_column(subscription, "status"), "canceled");
  EXPECT_EQ(get("/functions/v1/features", &user).json()["tier"], "free");
  EXPECT_EQ(get("/functions/v1/calendar-export", &user).status, 403);
  EXPECT_EQ(
      sql_value(admin(), "SELECT tier_id FROM public.profiles WHERE user_id = '" + user.id + "'"),
      "free");
}

TEST_F(StripeWebhookTest, CheckoutRefusesInactivePlansAndAnonymousCallers) {
  const TestUser user = create_user();
  EXPECT_EQ(post_json("/functions/v1/checkout", {{"plan_id", kLegacyProPlan}}, &user).status, 404);
  EXPECT_EQ(post_json("/functions/v1/checkout", {{"plan_id", kProPlan}}).status, 401);
  EXPECT_EQ(post_json("/functions/v1/checkout", {{"plan_id", "not-a-uuid"}}, &user).status, 400);
}

TEST_F(StripeWebhookTest, FeaturesFollowTheSeededOverridesAndSubscriptions) {
  // Seed: bob has an active 'team' override; alice only expired grants.
  const std::string secret = env().var("GOLIVE_REF_JWT_SECRET");
  TestUser bob{"b0b00000-0000-4000-8000-000000000002", "bob@example.test", ""};
  bob.token = target::jwt_sign_hs256(
      {{"sub", bob.id}, {"role", "authenticated"}, {"email", bob.email}, {"exp", now_unix() + 600}},
      secret);
  const HttpReply features = get("/functions/v1/features", &bob);
  ASSERT_EQ(features.status, 200) << features.body;
  EXPECT_EQ(features.json()["tier"], "team");
  EXPECT_EQ(features.json()["source"], "admin_override");
  EXPECT_EQ(get("/functions/v1/features").status, 401);
}

TEST_F(StripeWebhookTest, RejectsForgedOrMissingSignaturesWithoutWriting) {
  const TestUser user = create_user();
  const Subscription subscription;
  const std::string id = event_id();
  const std::string payload = stripe_event(id, "customer.subscription.created", now_unix(),
                                           subscription_object(subscription, user, "active"))
                                  .dump();
  const std::string forged =
      target::stripe_signature_header(payload, now_unix(), {"whsec_not_the_secret"});
  const std::string v0_only =
      "t=" + std::to_string(now_unix()) + ",v0=" +
      target::stripe_signature_v1(payload, env().var("GOLIVE_REF_WEBHOOK_SECRET"), now_unix());
  for (const std::vector<std::string>& headers :
       {std::vector<std::string>{"Stripe-Signature: " + forged}, std::vector<std::string>{},
        std::vector<std::string>{"Stripe-Signature: " + v0_only}}) {
    const HttpReply reply =
        http_request("POST", url("/functions/v1/stripe-webhook"), payload, headers);
    EXPECT_EQ(reply.status, 400) << reply.body;
    EXPECT_EQ(reply.json().value("code", ""), "invalid_signature");
  }
  EXPECT_EQ(recorded_events(id), "0");
  EXPECT_EQ(subscription_column(subscription, "count(*)"), "0");
}

TEST_F(StripeWebhookTest, AcceptsAnyMatchingV1DuringSecretRotation) {
  const TestUser user = create_user();
  const Subscription subscription;
  const std::string payload = stripe_event(event_id(), "customer.subscription.created", now_unix(),
                                           subscription_object(subscription, user, "active"))
                                  .dump();
  const std::string header = target::stripe_signature_header(
      payload, now_unix(), {"whsec_retired_secret", env().var("GOLIVE_REF_WEBHOOK_SECRET")});
  const HttpReply reply = http_request("POST", url("/functions/v1/stripe-webhook"), payload,
                                       {"Stripe-Signature: " + header});
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(subscription_column(subscription, "status"), "active");
}

TEST_F(StripeWebhookTest, RejectsTimestampsOutsideTheToleranceWindow) {
  const TestUser user = create_user();
  const Subscription stale_subscription, fresh_subscription;
  const std::string stale_id = event_id();
  const HttpReply stale =
      deliver_event(stripe_event(stale_id, "customer.subscription.created", now_unix(),
                                 subscription_object(stale_subscription, user, "active")),
                    now_unix() - 301);
  EXPECT_EQ(stale.status, 400) << stale.body;
  EXPECT_EQ(recorded_events(stale_id), "0");
  const HttpReply fresh =
      deliver_event(stripe_event(event_id(), "customer.subscription.created", now_unix(),
                                 subscription_object(fresh_subscription, user, "active")),
                    now_unix() - 200);
  EXPECT_EQ(fresh.status, 200) << fresh.body;
}

TEST_F(StripeWebhookTest, DuplicateDeliveryIsAppliedOnce) {
  const TestUser user = create_user();
  const Subscription subscription;
  const nlohmann::json event = stripe_event(event_id(), "customer.subscription.created", now_unix(),
                                            subscription_object(subscription, user, "active"));
  EXPECT_EQ(deliver_event(event).json()["outcome"], "applied");
  const HttpReply again = deliver_event(event);
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.json()["outcome"], "duplicate");
  EXPECT_EQ(subscription_column(subscription, "update_count"), "1");
  EXPECT_EQ(recorded_events(event["id"]), "1");
}

TEST_F(StripeWebhookTest, ConcurrentDuplicatesAreAppliedOnce) {
  const TestUser user = create_user();
  const Subscription subscription;
  const nlohmann::json event = stripe_event(event_id(), "customer.subscription.created", now_unix(),
                                            subscription_object(subscription, user, "active"));
  int applied = 0;
  for (const HttpReply& reply : deliver_concurrently(event, 6)) {
    EXPECT_EQ(reply.status, 200) << reply.body << reply.error;
    applied += reply.json().value("outcome", "") == "applied";
  }
  EXPECT_EQ(applied, 1);
  EXPECT_EQ(subscription_column(subscription, "update_count"), "1");
}

TEST_F(StripeWebhookTest, AnOlderEventDeliveredLateDoesNotOverwriteNewerState) {
  const TestUser user = create_user();
  const Subscription subscription;
  EXPECT_EQ(deliver_out_of_order(subscription, user), "stale");
  EXPECT_EQ(subscription_column(subscription, "status"), "canceled");
  EXPECT_EQ(subscription_column(subscription, "last_event_created"),
            std::to_string(newest_created_));
  EXPECT_EQ(subscription_column(subscription, "update_count"), "2");  // created + deleted only
}

TEST_F(StripeWebhookTest, PaymentFailureMarksPastDueAndLogsPaymentFailed) {
  const TestUser user = create_user();
  const Subscription subscription;
  const std::int64_t base = now_unix() - 60;
  ASSERT_EQ(deliver_event(stripe_event(event_id(), "customer.subscription.created", base,
                                       subscription_object(subscription, user, "active")))
                .status,
            200);
  const std::string failed_id = event_id();
  const nlohmann::json invoice = {{"id", "in_test_" + unique_suffix()},
                                  {"object", "invoice"},
                                  {"subscription", subscription.id},
                                  {"customer", subscription.customer},
                                  {"amount_due", 900},
                                  {"attempt_count", 1}};
  const HttpReply failed =
      deliver_event(stripe_event(failed_id, "invoice.payment_failed", base + 10, invoice));
  ASSERT_EQ(failed.status, 200) << failed.body;
  EXPECT_EQ(subscription_column(subscription, "status"), "past_due");
  EXPECT_EQ(get("/functions/v1/features", &user).json()["tier"], "free");
  bool logged = false;
  for (const nlohmann::json& line : service_log_events("PAYMENT_FAILED")) {
    if (line.value("event_id", "") != failed_id) continue;
    logged = true;
    EXPECT_EQ(line["user_id"], user.id);
    EXPECT_EQ(line["subscription_id"], subscription.id);
    EXPECT_EQ(line["amount_due_cents"], 900);
  }
  EXPECT_TRUE(logged) << "no PAYMENT_FAILED log line for " << failed_id;

  ASSERT_EQ(deliver_event(stripe_event(event_id(), "invoice.payment_succeeded", base + 20, invoice))
                .status,
            200);
  EXPECT_EQ(subscription_column(subscription, "status"), "active");
  EXPECT_EQ(get("/functions/v1/features", &user).json()["tier"], "pro");
}

TEST_F(StripeWebhookTest, UnknownTypesAreRecordedAndIgnoredAndMalformedEventsRefused) {
  const std::string id = event_id();
  const HttpReply unknown =
      deliver_event(stripe_event(id, "customer.created", now_unix(), {{"id", "cus_x"}}));
  EXPECT_EQ(unknown.status, 200) << unknown.body;
  EXPECT_EQ(unknown.json()["outcome"], "ignored");
  EXPECT_EQ(recorded_events(id), "1");

  const HttpReply malformed = deliver_event(nlohmann::json{{"id", event_id()}});
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(malformed.json().value("code", ""), "invalid_payload");
}

// --- Defects: each one makes an observable difference --------------------------

TEST_F(StripeWebhookTest, DefectSkipSignatureAppliesUnsignedEvents) {
  use_defects({"webhook-skip-signature"});
  const TestUser user = create_user();
  const Subscription subscription;
  const std::string payload = stripe_event(event_id(), "customer.subscription.created", now_unix(),
                                           subscription_object(subscription, user, "active"))
                                  .dump();
  const HttpReply reply = http_request("POST", url("/functions/v1/stripe-webhook"), payload,
                                       {"Content-Type: application/json"});
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(subscription_column(subscription, "status"), "active");
}

TEST_F(StripeWebhookTest, DefectNoToleranceAcceptsAnHourOldReplay) {
  use_defects({"webhook-no-tolerance"});
  const TestUser user = create_user();
  const Subscription subscription;
  const HttpReply replay =
      deliver_event(stripe_event(event_id(), "customer.subscription.created", now_unix() - 3600,
                                 subscription_object(subscription, user, "active")),
                    now_unix() - 3600);
  EXPECT_EQ(replay.status, 200) << replay.body;
  EXPECT_EQ(subscription_column(subscription, "status"), "active");
}

TEST_F(StripeWebhookTest, DefectNotIdempotentReappliesADuplicate) {
  use_defects({"webhook-not-idempotent"});
  const TestUser user = create_user();
  const Subscription subscription;
  const nlohmann::json event = stripe_event(event_id(), "customer.subscription.created", now_unix(),
                                            subscription_object(subscription, user, "active"));
  EXPECT_EQ(deliver_event(event).json()["outcome"], "applied");
  EXPECT_EQ(deliver_event(event).json()["outcome"], "applied");
  EXPECT_EQ(subscription_column(subscription, "update_count"), "2");
}

TEST_F(StripeWebhookTest, DefectDuplicateRaceAppliesConcurrentDuplicatesTwice) {
  use_defects({"webhook-duplicate-race"});
  const TestUser user = create_user();
  const Subscription subscription;
  const nlohmann::json event = stripe_event(event_id(), "customer.subscription.created", now_unix(),
                                            subscription_object(subscription, user, "active"));
  for (const HttpReply& reply : deliver_concurrently(event, 6))
    EXPECT_EQ(reply.status, 200) << reply.error;
  EXPECT_GE(std::stoi(subscription_column(subscription, "update_count")), 2);
  // Sequentially it still looks idempotent: only a race shows the defect.
  EXPECT_EQ(deliver_event(event).json()["outcome"], "duplicate");
}

TEST_F(StripeWebhookTest, DefectOrderUnsafeLetsALateOlderEventWin) {
  use_defects({"webhook-order-unsafe"});
  const TestUser user = create_user();
  const Subscription subscription;
  EXPECT_EQ(deliver_out_of_order(subscription, user), "applied");
  EXPECT_EQ(subscription_column(subscription, "status"), "active");
}

}  // namespace
}  // namespace golive::testing
