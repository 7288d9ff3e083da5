#include "contract/stripe_replay_scenarios.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <stdexcept>
#include <utility>

namespace golive::contract {

namespace {

// Stripe's default tolerance is 300 s; a stale delivery is signed this far in
// the past, well outside it (seconds).
constexpr std::int64_t kStaleAge_s = 600;

// A timestamp this far ahead of now (seconds) probes the future side of the
// tolerance window.
constexpr std::int64_t kFutureSkew_s = 3600;

// Checks the optional fields only where the observer sees them.
void expect_update_count(ScenarioContext& context, Expectations& expectations,
                         const SubscriptionState& state, std::int64_t expected,
                         const std::string& after) {
  if (!context.observer.sees(ObservedField::kUpdateCount) || !state.exists) return;
  expectations.expect(state.update_count == expected,
                      "update_count is " + std::to_string(state.update_count) + " " + after +
                          ", expected " + std::to_string(expected));
}

void expect_last_event(ScenarioContext& context, Expectations& expectations,
                       const SubscriptionState& state, std::int64_t expected) {
  if (!context.observer.sees(ObservedField::kLastEventCreated) || !state.exists) return;
  expectations.expect(state.last_event_created == expected,
                      "last_event_created is " + std::to_string(state.last_event_created) +
                          ", expected " + std::to_string(expected) + " (the newest event)");
}

ScenarioVerdict checkout_completed_applied(ScenarioContext& context) {
  if (auto skip = needs(context, {ObservedField::kStatus})) return *skip;
  ScenarioVerdict verdict;
  Expectations expectations;
  SubscriptionStory story(context, context.subscriber);
  const std::string body = story.event("checkout.session.completed", "", 0);
  const std::string event_id = story.last_event_id();
  const auto response = deliver(context, signed_now(body), "checkout.session.completed", verdict);
  expectations.expect(is_2xx(response), "delivery answered " + status_text(response));
  const SubscriptionState state = story.state();
  verdict.evidence["subscription"] = state.to_json();
  expectations.expect(state.exists, "no subscriptions row for " + story.subscription_id());
  expectations.expect(!state.exists || state.status == "active",
                      "status is \"" + state.status + "\", expected \"active\"");
  expect_update_count(context, expectations, state, 1, "after one delivery");
  expect_last_event(context, expectations, state, story.created(0));
  expect_webhook_rows(context, expectations, verdict, event_id, 1);
  return finish(expectations, std::move(verdict),
                "checkout.session.completed was accepted and activated the subscription once");
}

// A delivery the target must refuse: 4xx, and (where an observer exists)
// neither the subscription nor a webhook_events row may appear. Needs only
// the webhook URL and secret.
ScenarioVerdict rejected_delivery(ScenarioContext& context, SignatureMode mode,
                                  std::int64_t signed_age_s, const std::string& what,
                                  const std::string& mistake) {
  ScenarioVerdict verdict;
  Expectations expectations;
  SubscriptionStory story(context, context.subscriber);
  WebhookDelivery delivery;
  delivery.body = story.event("customer.subscription.created", "incomplete", 0);
  const std::string event_id = story.last_event_id();
  if (mode == SignatureMode::kTamperedBody) {
    // The same event with a more valuable status, as an attacker would send it.
    delivery.tampered_body = story.event("customer.subscription.created", "active", 0, event_id);
  }
  delivery.mode = mode;
  if (signed_age_s > 0) delivery.timestamp = unix_now() - signed_age_s;
  const auto response = deliver(context, delivery, what, verdict);
  note_undecided(response, what, verdict);
  expectations.expect(!is_2xx(response), mistake + ": " + what + " was accepted with " +
                                             status_text(response) + ", expected 4xx");
  if (context.observer.observes()) {
    const SubscriptionState state = story.state();
    verdict.evidence["subscription"] = state.to_json();
    expectations.expect(!state.exists, mistake + ": the event was applied: subscription " +
                                           story.subscription_id() + " is \"" + state.status +
                                           "\"");
    expect_webhook_rows(context, expectations, verdict, event_id, 0);
  } else {
    verdict.evidence["post_condition"] = "not observed: no stripe.observe";
  }
  return finish(expectations, std::move(verdict),
                what + " was rejected with " + status_text(response) +
                    (context.observer.observes() ? " and changed nothing" : ""));
}

// A delivery the target must accept: a valid v1 among others (secret
// rotation), 2xx, and applied where an observer exists.
ScenarioVerdict rotated_secret_accepted(ScenarioContext& context) {
  ScenarioVerdict verdict;
  Expectations expectations;
  SubscriptionStory story(context, context.subscriber);
  WebhookDelivery delivery;
  delivery.body = story.event("customer.subscription.created", "active", 0);
  delivery.mode = SignatureMode::kRotation;
  const auto response = deliver(context, delivery, "two v1 signatures", verdict);
  note_undecided(response, "two v1 signatures", verdict);
  expectations.expect(is_2xx(response),
                      "secret rotation: a header with two v1 values, one of them valid, was "
                      "rejected with " + status_text(response) +
                          " (Stripe sends both during a rotation; the receiver must accept "
                          "any matching v1)");
  if (context.observer.observes() && is_2xx(response)) {
    const SubscriptionState state = story.state();
    verdict.evidence["subscription"] = state.to_json();
    expectations.expect(state.exists, "the accepted event was not applied");
  }
  return finish(expectations, std::move(verdict),
                "a header with two v1 values, one of them valid, was accepted");
}

// Stripe's own libraries (node, python, go, ruby, java) accept a signature
// from the future; only stripe-php and -dotnet reject it. Either answer is
// recorded at severity info and passes: it is evidence, not a gate.
ScenarioVerdict future_timestamp_noted(ScenarioContext& context) {
  ScenarioVerdict verdict;
  SubscriptionStory story(context, context.subscriber);
  WebhookDelivery delivery;
  delivery.body = story.event("customer.subscription.created", "incomplete", 0);
  delivery.timestamp = unix_now() + kFutureSkew_s;
  const auto response = deliver(context, delivery, "a signature 3600 s in the future", verdict);
  if (verdict.unreachable) {
    verdict.status = core::CheckStatus::kError;
    verdict.message = "the webhook endpoint could not be reached";
  } else if (is_2xx(response)) {
    verdict.message = "a signature timestamped 3600 s in the future was accepted with " +
                      status_text(response) + ", as stripe-node, -python, -go, -ruby and -java do";
  } else if (is_4xx(response)) {
    verdict.message = "a signature timestamped 3600 s in the future was rejected with " +
                      status_text(response) + ", as stripe-php and -dotnet do";
  } else {
    verdict.status = core::CheckStatus::kSkip;
    verdict.message = "a signature timestamped 3600 s in the future answered " +
                      status_text(response) + ": neither accepted nor rejected";
  }
  return verdict;
}

ScenarioVerdict duplicate_applied_once(ScenarioContext& context) {
  if (auto skip = needs(context, {ObservedField::kUpdateCount})) return *skip;
  ScenarioVerdict verdict;
  Expectations expectations;
  SubscriptionStory story(context, context.subscriber);
  const std::string body = story.event("customer.subscription.created", "active", 0);
  const std::string event_id = story.last_event_id();
  const auto first = deliver(context, signed_now(body), "first", verdict);
  const auto second = deliver(context, signed_now(body), "redelivery", verdict);
  expectations.expect(is_2xx(first), "first delivery answered " + status_text(first));
  expectations.expect(is_2xx(second), "redelivery answered " + status_text(second) +
                                          " (Stripe retries anything but 2xx)");
  const SubscriptionState state = story.state();
  verdict.evidence["subscription"] = state.to_json();
  expectations.expect(state.exists && state.update_count == 1,
                      "update_count is " + std::to_string(state.update_count) +
                          " after two deliveries of one event, expected 1");
  expect_webhook_rows(context, expectations, verdict, event_id, 1);
  return finish(expectations, std::move(verdict), "a redelivered event was applied once");
}

ScenarioVerdict duplicate_concurrent_storm_applied_once(ScenarioContext& context) {
  if (auto skip = needs(context, {ObservedField::kUpdateCount})) return *skip;
  ScenarioVerdict verdict;
  Expectations expectations;
  SubscriptionStory story(context, context.subscriber);
  const std::string body = story.event("customer.subscription.created", "active", 0);
  const std::string event_id = story.last_event_id();
  const std::vector<WebhookDelivery> storm(context.storm_size, signed_now(body));
  const auto started = std::chrono::steady_clock::now();
  const auto responses = context.client.deliver_concurrently(storm);
  const double elapsed_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  std::map<std::string, std::size_t> by_status;
  for (const auto& response : responses) {
    ++by_status[status_text(response)];
    if (response.error == http::HttpErrorCategory::kConnect) verdict.unreachable = true;
  }
  const http::HttpRequest one = context.client.request_for(signed_now(body));
  verdict.evidence["storm"] = {
      {"deliveries", responses.size()},
      {"responses_by_status", by_status},
      {"elapsed_ms", elapsed_ms},
      {"signature", signature_evidence(one)},
      {"reproduce_with", "the reproduction sent " + std::to_string(responses.size()) +
                             " times at once (each with a fresh signature)"}};
  attach_reproduction(context, one, verdict.evidence["storm"], verdict);
  const std::size_t accepted = static_cast<std::size_t>(
      std::count_if(responses.begin(), responses.end(), [](const auto& r) { return is_2xx(r); }));
  expectations.expect(accepted == responses.size(), std::to_string(responses.size() - accepted) +
                                                        " of " + std::to_string(responses.size()) +
                                                        " deliveries were not 2xx");
  const SubscriptionState state = story.state();
  verdict.evidence["subscription"] = state.to_json();
  expectations.expect(state.exists && state.update_count == 1,
                      "update_count is " + std::to_string(state.update_count) + " after " +
                          std::to_string(responses.size()) +
                          " concurrent deliveries of one event, expected 1");
  expect_webhook_rows(context, expectations, verdict, event_id, 1);
  return finish(expectations, std::move(verdict),
                std::to_string(responses.size()) +
                    " concurrent deliveries of one event were applied exactly once");
}

ScenarioVerdict subscription_out_of_order_newest_wins(ScenarioContext& context) {
  if (auto skip = needs(context, {ObservedField::kStatus})) return *skip;
  ScenarioVerdict verdict;
  Expectations expectations;
  SubscriptionStory story(context, context.subscriber);
  // Stripe order: created@0 (incomplete), updated@10 (active), updated@20
  // (past_due), updated@30 (trialing). Delivered: 10, 0, 30, 20.
  struct Step {
    const char* label;
    const char* type;
    const char* status;
    std::int64_t offset_s;
  };
  const Step steps[] = {
      {"updated@10 active", "customer.subscription.updated", "active", 10},
      {"created@0 incomplete (late)", "customer.subscription.created", "incomplete", 0},
      {"updated@30 trialing", "customer.subscription.updated", "trialing", 30},
      {"updated@20 past_due (late)", "customer.subscription.updated", "past_due", 20},
  };
  for (const Step& step : steps) {
    const auto response =
        deliver(context, signed_now(story.event(step.type, step.status, step.offset_s)), step.label,
                verdict);
    expectations.expect(is_2xx(response),
                        std::string(step.label) + " answered " + status_text(response));
    if (step.offset_s == 0) {
      const SubscriptionState after_created = story.state();
      verdict.evidence["after_late_created"] = after_created.to_json();
      expectations.expect(after_created.status == "active",
                          "a late customer.subscription.created turned the subscription \"" +
                              after_created.status + "\", expected it to stay \"active\"");
    }
  }
  const SubscriptionState state = story.state();
  verdict.evidence["subscription"] = state.to_json();
  expectations.expect(
      state.status == "trialing",
      "final status is \"" + state.status + "\", expected \"trialing\" from the newest event");
  expect_last_event(context, expectations, state, story.created(30));
  return finish(expectations, std::move(verdict),
                "events delivered out of order left the state of the newest one");
}

ScenarioVerdict unknown_type_ignored(ScenarioContext& context) {
  ScenarioVerdict verdict;
  Expectations expectations;
  SubscriptionStory story(context, context.subscriber);
  deliver(context, signed_now(story.event("customer.subscription.created", "active", 0)), "created",
          verdict);
  const bool observed = context.observer.observes();
  const SubscriptionState before = observed ? story.state() : SubscriptionState{};
  // A subscription object under a type the target cannot know: if the target
  // dispatched on the object instead of the type, it would cancel.
  nlohmann::json unknown =
      nlohmann::json::parse(story.event("customer.subscription.deleted", "canceled", 5));
  unknown["type"] = "golive.contract_test.unknown_event";
  const auto response = deliver(context, signed_now(unknown.dump()), "unknown type", verdict);
  expectations.expect(is_2xx(response), "unknown type answered " + status_text(response) +
                                            ", expected 2xx (else Stripe retries it for days)");
  if (!observed) {
    verdict.evidence["post_condition"] = "not observed: no stripe.observe";
    return finish(expectations, std::move(verdict),
                  "an unknown event type was acknowledged (whether it changed anything needs "
                  "stripe.observe)");
  }
  const SubscriptionState after = story.state();
  verdict.evidence["before"] = before.to_json();
  verdict.evidence["after"] = after.to_json();
  expectations.expect(before.exists, "the setup event was not applied");
  expectations.expect(after.status == before.status && after.update_count == before.update_count &&
                          after.last_event_created == before.last_event_created,
                      "an unknown event type changed the subscription");
  return finish(expectations, std::move(verdict),
                "an unknown event type was acknowledged and ignored");
}

ScenarioVerdict invoice_moves_status(ScenarioContext& context, const std::string& invoice_type,
                                     const std::string& initial, const std::string& expected) {
  if (auto skip = needs(context, {ObservedField::kStatus})) return *skip;
  ScenarioVerdict verdict;
  Expectations expectations;
  SubscriptionStory story(context, context.subscriber);
  deliver(context, signed_now(story.event("customer.subscription.created", initial, 0)), "created",
          verdict);
  const auto response =
      deliver(context, signed_now(story.event(invoice_type, "", 5)), invoice_type, verdict);
  expectations.expect(is_2xx(response), invoice_type + " answered " + status_text(response));
  const SubscriptionState state = story.state();
  verdict.evidence["subscription"] = state.to_json();
  expectations.expect(state.status == expected, "status is \"" + state.status + "\" after " +
                                                    invoice_type + ", expected \"" + expected +
                                                    "\"");
  expect_last_event(context, expectations, state, story.created(5));
  return finish(expectations, std::move(verdict),
                invoice_type + " moved the subscription from " + initial + " to " + expected);
}

struct Entitlements {
  std::string tier;
  std::vector<std::string> features;
  bool has(const std::string& feature) const {
    return std::find(features.begin(), features.end(), feature) != features.end();
  }
};

// The order a subscription's life is delivered in by event_post_conditions_hold,
// with the Stripe status each subscription event carries ("" = none).
const std::vector<std::pair<std::string, std::string>>& subscription_life() {
  static const std::vector<std::pair<std::string, std::string>> life = {
      {"checkout.session.completed", ""},          {"customer.subscription.created", "active"},
      {"customer.subscription.updated", "past_due"}, {"invoice.payment_succeeded", ""},
      {"invoice.payment_failed", ""},              {"customer.subscription.deleted", "canceled"},
  };
  return life;
}

// Every event type with a post-condition (stripe.observe.events; the
// reference target's by default with a database) is delivered once, 10 s
// apart in Stripe's order, for one fresh subscription, and what it left is
// read back and compared with what it declares.
ScenarioVerdict event_post_conditions_hold(ScenarioContext& context) {
  const auto& conditions = context.observer.event_post_conditions();
  if (conditions.empty()) {
    return skipped_for_observer(
        "needs stripe.observe.events: per event type, a query or state URL and the state it "
        "must leave");
  }
  ScenarioVerdict verdict;
  Expectations expectations;
  SubscriptionStory story(context, context.subscriber);
  nlohmann::json observed = nlohmann::json::array();
  std::int64_t offset_s = 0;
  for (const auto& [type, carried_status] : subscription_life()) {
    const auto condition = std::find_if(conditions.begin(), conditions.end(),
                                        [&](const EventPostCondition& c) { return c.type == type; });
    if (condition == conditions.end()) continue;
    const std::string body = story.event(type, carried_status, offset_s);
    offset_s += 10;
    const auto response = deliver(context, signed_now(body), type, verdict);
    expectations.expect(is_2xx(response), type + " answered " + status_text(response));
    if (!is_2xx(response)) continue;
    const TemplateVariables event = flatten_event(nlohmann::json::parse(body));
    const EventObservation seen = context.observer.observe_event(*condition, event);
    for (const auto& unmet : unmet_expectations(*condition, event, seen)) expectations.expect(false, unmet);
    observed.push_back(
        {{"type", type}, {"read", seen.read}, {"found", seen.found}, {"values", seen.values}});
  }
  verdict.evidence["post_conditions"] = std::move(observed);
  return finish(expectations, std::move(verdict),
                std::to_string(conditions.size()) +
                    " event types each left the state their post-condition declares");
}

Entitlements read_features(ScenarioContext& context, const target::TestUser& user,
                           ScenarioVerdict& verdict, const std::string& label) {
  http::HttpRequest request;
  request.url = context.env.url(context.env.paths.functions) + "/features";
  request.headers = {{"apikey", context.env.anon_key},
                     {"Authorization", "Bearer " + user.access_token}};
  const http::HttpResponse response = context.client.send_all({request}, 1).front();
  nlohmann::json record = response_evidence(response);
  attach_reproduction(context, request, record, verdict);
  verdict.evidence["features"][label] = std::move(record);
  if (!response.transport_ok() || response.status != 200) {
    throw std::runtime_error("GET /functions/v1/features answered " + status_text(response));
  }
  const nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
  Entitlements entitlements;
  if (body.is_object()) {
    entitlements.tier = body.value("tier", "");
    if (body.contains("features") && body["features"].is_array()) {
      for (const auto& feature : body["features"]) {
        if (feature.is_string())
          entitlements.features.push_back(feature.get<std::string>());
        else if (feature.is_object() && feature.contains("key") && feature["key"].is_string())
          entitlements.features.push_back(feature["key"].get<std::string>());
      }
    }
  }
  return entitlements;
}

ScenarioVerdict subscription_deleted_revokes_access(ScenarioContext& context) {
  constexpr const char* kPaidFeature = "calendar_export";
  if (auto skip = needs(context, {ObservedField::kStatus})) return *skip;
  if (context.access_user == nullptr) {
    ScenarioVerdict skip;
    skip.status = context.no_user_is_error ? core::CheckStatus::kError : core::CheckStatus::kSkip;
    skip.message = (context.no_user_is_error ? "no test user: " : "needs a test user to read the "
                                                                  "paid feature: ") +
                   context.no_user_reason;
    return skip;
  }
  const target::TestUser& user = *context.access_user;
  ScenarioVerdict verdict;
  Expectations expectations;
  SubscriptionStory story(context, user);
  const Entitlements before = read_features(context, user, verdict, "before");
  const auto created =
      deliver(context, signed_now(story.event("customer.subscription.created", "active", 0)),
              "created", verdict);
  expectations.expect(is_2xx(created), "created answered " + status_text(created));
  const Entitlements paid = read_features(context, user, verdict, "subscribed");
  expectations.expect(paid.has(kPaidFeature), std::string("an active subscription did not grant ") +
                                                  kPaidFeature + " (tier \"" + paid.tier + "\")");
  const auto deleted =
      deliver(context, signed_now(story.event("customer.subscription.deleted", "canceled", 5)),
              "deleted", verdict);
  expectations.expect(is_2xx(deleted), "deleted answered " + status_text(deleted));
  const SubscriptionState state = story.state();
  verdict.evidence["subscription"] = state.to_json();
  expectations.expect(state.status == "canceled",
                      "status is \"" + state.status + "\" after deletion, expected \"canceled\"");
  const Entitlements after = read_features(context, user, verdict, "deleted");
  expectations.expect(!after.has(kPaidFeature), std::string("access was not revoked: ") +
                                                    kPaidFeature + " still granted (tier \"" +
                                                    after.tier + "\")");
  expectations.expect(after.tier == before.tier, "tier is \"" + after.tier +
                                                     "\" after deletion, expected \"" +
                                                     before.tier + "\" as before subscribing");
  return finish(expectations, std::move(verdict),
                "deleting the subscription revoked the paid feature");
}

}  // namespace

const std::vector<StripeScenario>& stripe_scenarios() {
  using core::Severity;
  static const std::vector<StripeScenario> all = {
      {"checkout_completed_applied", "A valid checkout.session.completed is accepted and applied",
       Severity::kHigh, checkout_completed_applied},
      {"signature_invalid_rejected", "A webhook signed with the wrong secret is rejected",
       Severity::kCritical,
       [](ScenarioContext& c) {
         return rejected_delivery(c, SignatureMode::kWrongSecret, 0, "a wrong-secret signature",
                                  "invalid signature accepted");
       }},
      {"signature_missing_rejected", "A webhook without Stripe-Signature is rejected",
       Severity::kCritical,
       [](ScenarioContext& c) {
         return rejected_delivery(c, SignatureMode::kMissingHeader, 0,
                                  "a delivery without Stripe-Signature", "unsigned delivery accepted");
       }},
      {"signature_tampered_body_rejected", "A webhook whose body changed after signing is rejected",
       Severity::kCritical,
       [](ScenarioContext& c) {
         return rejected_delivery(c, SignatureMode::kTamperedBody, 0,
                                  "a body changed after signing", "tampered body accepted");
       }},
      {"signature_stale_timestamp_rejected",
       "A validly signed webhook older than the 300 s tolerance is rejected", Severity::kHigh,
       [](ScenarioContext& c) {
         return rejected_delivery(c, SignatureMode::kValid, kStaleAge_s,
                                  "a valid signature 600 s old",
                                  "stale timestamp accepted (tolerance wider than 300 s)");
       }},
      {"signature_v0_only_rejected", "A webhook signed only with the legacy v0 scheme is rejected",
       Severity::kHigh,
       [](ScenarioContext& c) {
         return rejected_delivery(c, SignatureMode::kV0Only, 0, "a header with only a v0 value",
                                  "v0-only signature accepted");
       }},
      {"signature_rotation_accepted",
       "A webhook with two v1 signatures, one of them valid (secret rotation), is accepted",
       Severity::kHigh, rotated_secret_accepted},
      {"signature_future_timestamp_noted",
       "How a signature timestamped in the future is answered (Stripe's libraries accept it)",
       Severity::kInfo, future_timestamp_noted},
      {"duplicate_applied_once", "A redelivered event is acknowledged and applied once",
       Severity::kHigh, duplicate_applied_once},
      {"duplicate_concurrent_storm_applied_once",
       "The same event delivered many times at once is applied exactly once", Severity::kHigh,
       duplicate_concurrent_storm_applied_once},
      {"subscription_out_of_order_newest_wins",
       "Subscription events delivered out of order leave the newest state", Severity::kHigh,
       subscription_out_of_order_newest_wins},
      {"unknown_type_ignored", "An unknown event type is acknowledged and changes nothing",
       Severity::kMedium, unknown_type_ignored},
      {"payment_failed_past_due", "invoice.payment_failed marks the subscription past_due",
       Severity::kHigh,
       [](ScenarioContext& c) {
         return invoice_moves_status(c, "invoice.payment_failed", "active", "past_due");
       }},
      {"payment_succeeded_active", "invoice.payment_succeeded marks the subscription active",
       Severity::kHigh,
       [](ScenarioContext& c) {
         return invoice_moves_status(c, "invoice.payment_succeeded", "incomplete", "active");
       }},
      {"event_post_conditions_hold",
       "Each event type leaves the state its post-condition declares (stripe.observe.events)",
       Severity::kHigh, event_post_conditions_hold},
      {"subscription_deleted_revokes_access",
       "customer.subscription.deleted cancels and revokes the paid feature", Severity::kHigh,
       subscription_deleted_revokes_access},
  };
  return all;
}

}  // namespace golive::contract
