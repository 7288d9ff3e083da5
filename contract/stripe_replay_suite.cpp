#include "contract/stripe_replay_suite.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <stdexcept>

#include "contract/contract_test_users.hpp"
#include "contract/stripe_event_fixtures.hpp"
#include "contract/subscription_observer.hpp"
#include "contract/webhook_client.hpp"
#include "core/input_error.hpp"
#include "core/interrupt.hpp"

namespace golive::contract {

namespace {

// Stripe's default tolerance is 300 s; a stale delivery is signed this far in
// the past, well outside it (seconds).
constexpr std::int64_t kStaleAge_s = 600;
// current_period_end of active subscriptions: 30 days ahead (seconds).
constexpr std::int64_t kPeriod_s = 30 * 24 * 3600;

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Collects the failed expectations of one scenario; the scenario passes when
// there are none.
class Expectations {
 public:
  void expect(bool condition, const std::string& failure) {
    if (!condition) failures_.push_back(failure);
  }
  bool ok() const { return failures_.empty(); }
  std::string summary() const {
    std::string text;
    for (const auto& failure : failures_) text += (text.empty() ? "" : "; ") + failure;
    return text;
  }

 private:
  std::vector<std::string> failures_;
};

struct ScenarioVerdict {
  core::CheckStatus status = core::CheckStatus::kPass;
  std::string message;
  nlohmann::json evidence = nlohmann::json::object();
  bool unreachable = false;  // a delivery never reached the target
};

// Everything a scenario needs; one per suite run.
struct ScenarioContext {
  const core::Environment& env;
  const StripeEventFixtures& fixtures;
  StripeIdFactory& ids;
  WebhookClient& client;
  SubscriptionObserver& observer;
  const ContractUser& subscriber;   // shared by the scenarios that do not read features
  const ContractUser& access_user;  // owns nothing but the revocation scenario's subscription
  std::string price_id;             // a price the target maps to a paid tier
  std::string plan_id;              // a plan the target maps to a paid tier
  std::size_t storm_size;
};

// One Stripe subscription of one user, as a sequence of events.
class SubscriptionStory {
 public:
  SubscriptionStory(ScenarioContext& context, const ContractUser& user)
      : context_(context),
        user_(user),
        subscription_id_(context.ids.next("sub")),
        customer_id_(context.ids.next("cus")),
        base_created_(unix_now() - 120) {}

  const std::string& subscription_id() const { return subscription_id_; }
  // Event `created` (unix s) at `offset_s` after this story's start.
  std::int64_t created(std::int64_t offset_s) const { return base_created_ + offset_s; }

  // The rendered event body; `event_id` empty = a fresh one.
  std::string event(const std::string& type, const std::string& status, std::int64_t offset_s,
                    std::string event_id = "") const {
    if (event_id.empty()) event_id = context_.ids.next("evt");
    last_event_id_ = event_id;
    const EventVariables variables = {
        {"event_id", event_id},
        {"created", created(offset_s)},
        {"subscription_id", subscription_id_},
        {"customer_id", customer_id_},
        {"user_id", user_.id},
        {"status", status},
        {"previous_status", "incomplete"},
        {"current_period_end", unix_now() + kPeriod_s},
        {"price_id", context_.price_id},
        {"plan_id", context_.plan_id},
        {"checkout_session_id", context_.ids.next("cs_test")},
        {"invoice_id", context_.ids.next("in")},
        {"request_id", context_.ids.next("req")},
    };
    return context_.fixtures.render(type, variables).dump();
  }
  const std::string& last_event_id() const { return last_event_id_; }

  SubscriptionState state() const {
    return context_.observer.subscription(subscription_id_, user_.access_token);
  }

 private:
  ScenarioContext& context_;
  const ContractUser& user_;
  std::string subscription_id_;
  std::string customer_id_;
  std::int64_t base_created_;
  mutable std::string last_event_id_;
};

nlohmann::json delivery_record(const core::HttpRequest& request,
                               const core::HttpResponse& response) {
  return {{"signature", signature_evidence(request)}, {"response", response_evidence(response)}};
}

// Delivers and records evidence under `label`; returns the response.
core::HttpResponse deliver(ScenarioContext& context, const WebhookDelivery& delivery,
                           const std::string& label, ScenarioVerdict& verdict) {
  const core::HttpRequest request = context.client.request_for(delivery);
  core::HttpResponse response = context.client.send_all({request}, 1).front();
  verdict.evidence["deliveries"][label] = delivery_record(request, response);
  if (response.error == core::HttpErrorCategory::kConnect ||
      response.error == core::HttpErrorCategory::kDns) {
    verdict.unreachable = true;
  }
  return response;
}

std::string status_text(const core::HttpResponse& response) {
  if (!response.transport_ok()) return std::string(core::to_string(response.error));
  return std::to_string(response.status);
}

void expect_webhook_rows(ScenarioContext& context, Expectations& expectations,
                         ScenarioVerdict& verdict, const std::string& event_id,
                         std::int64_t expected) {
  const std::optional<std::int64_t> rows = context.observer.webhook_event_rows(event_id);
  if (!rows) {
    verdict.evidence["webhook_events"] = "not checked: no database_url";
    return;
  }
  verdict.evidence["webhook_events"][event_id] = *rows;
  expectations.expect(*rows == expected, "webhook_events has " + std::to_string(*rows) +
                                             " rows for " + event_id + ", expected " +
                                             std::to_string(expected));
}

ScenarioVerdict finish(Expectations& expectations, ScenarioVerdict verdict,
                       const std::string& pass_message) {
  if (verdict.unreachable) {
    verdict.status = core::CheckStatus::kError;
    verdict.message = "the webhook endpoint could not be reached";
  } else if (expectations.ok()) {
    verdict.status = core::CheckStatus::kPass;
    verdict.message = pass_message;
  } else {
    verdict.status = core::CheckStatus::kFail;
    verdict.message = expectations.summary();
  }
  return verdict;
}

// ---- scenarios ----------------------------------------------------------

ScenarioVerdict checkout_completed_applied(ScenarioContext& context) {
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
  expectations.expect(!state.exists || state.update_count == 1,
                      "update_count is " + std::to_string(state.update_count) + ", expected 1");
  expectations.expect(!state.exists || state.last_event_created == story.created(0),
                      "last_event_created is " + std::to_string(state.last_event_created));
  expect_webhook_rows(context, expectations, verdict, event_id, 1);
  return finish(expectations, std::move(verdict),
                "checkout.session.completed was accepted and activated the subscription once");
}

// A delivery the target must refuse: 4xx, and neither the subscription nor a
// webhook_events row may appear.
ScenarioVerdict rejected_delivery(ScenarioContext& context, SignatureMode mode,
                                  std::int64_t signed_age_s, const std::string& what) {
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
  expectations.expect(is_4xx(response), what + " answered " + status_text(response) +
                                            ", expected 4xx");
  const SubscriptionState state = story.state();
  verdict.evidence["subscription"] = state.to_json();
  expectations.expect(!state.exists, "the event was applied: subscription " +
                                         story.subscription_id() + " is \"" + state.status + "\"");
  expect_webhook_rows(context, expectations, verdict, event_id, 0);
  return finish(expectations, std::move(verdict), what + " was rejected and changed nothing");
}

ScenarioVerdict duplicate_applied_once(ScenarioContext& context) {
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
    if (response.error == core::HttpErrorCategory::kConnect) verdict.unreachable = true;
  }
  verdict.evidence["storm"] = {{"deliveries", responses.size()},
                               {"responses_by_status", by_status},
                               {"elapsed_ms", elapsed_ms},
                               {"signature", signature_evidence(context.client.request_for(signed_now(body)))}};
  const std::size_t accepted = static_cast<std::size_t>(
      std::count_if(responses.begin(), responses.end(), [](const auto& r) { return is_2xx(r); }));
  expectations.expect(accepted == responses.size(),
                      std::to_string(responses.size() - accepted) + " of " +
                          std::to_string(responses.size()) + " deliveries were not 2xx");
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
        deliver(context, signed_now(story.event(step.type, step.status, step.offset_s)), step.label, verdict);
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
  expectations.expect(state.status == "trialing",
                      "final status is \"" + state.status +
                          "\", expected \"trialing\" from the newest event");
  expectations.expect(state.last_event_created == story.created(30),
                      "last_event_created is " + std::to_string(state.last_event_created) +
                          ", expected " + std::to_string(story.created(30)));
  return finish(expectations, std::move(verdict),
                "events delivered out of order left the state of the newest one");
}

ScenarioVerdict unknown_type_ignored(ScenarioContext& context) {
  ScenarioVerdict verdict;
  Expectations expectations;
  SubscriptionStory story(context, context.subscriber);
  deliver(context, signed_now(story.event("customer.subscription.created", "active", 0)), "created",
          verdict);
  const SubscriptionState before = story.state();
  // A subscription object under a type the target cannot know: if the target
  // dispatched on the object instead of the type, it would cancel.
  nlohmann::json unknown =
      nlohmann::json::parse(story.event("customer.subscription.deleted", "canceled", 5));
  unknown["type"] = "golive.contract_test.unknown_event";
  const auto response = deliver(context, signed_now(unknown.dump()), "unknown type", verdict);
  expectations.expect(is_2xx(response), "unknown type answered " + status_text(response) +
                                            ", expected 2xx (else Stripe retries it for days)");
  const SubscriptionState after = story.state();
  verdict.evidence["before"] = before.to_json();
  verdict.evidence["after"] = after.to_json();
  expectations.expect(before.exists, "the setup event was not applied");
  expectations.expect(after.status == before.status && after.update_count == before.update_count &&
                          after.last_event_created == before.last_event_created,
                      "an unknown event type changed the subscription");
  return finish(expectations, std::move(verdict), "an unknown event type was acknowledged and ignored");
}

ScenarioVerdict invoice_moves_status(ScenarioContext& context, const std::string& invoice_type,
                                     const std::string& initial, const std::string& expected) {
  ScenarioVerdict verdict;
  Expectations expectations;
  SubscriptionStory story(context, context.subscriber);
  deliver(context, signed_now(story.event("customer.subscription.created", initial, 0)), "created", verdict);
  const auto response = deliver(context, signed_now(story.event(invoice_type, "", 5)), invoice_type, verdict);
  expectations.expect(is_2xx(response), invoice_type + " answered " + status_text(response));
  const SubscriptionState state = story.state();
  verdict.evidence["subscription"] = state.to_json();
  expectations.expect(state.status == expected, "status is \"" + state.status + "\" after " +
                                                    invoice_type + ", expected \"" + expected +
                                                    "\"");
  expectations.expect(state.last_event_created == story.created(5),
                      "last_event_created was not advanced to the invoice event");
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

Entitlements read_features(ScenarioContext& context, const ContractUser& user,
                           ScenarioVerdict& verdict, const std::string& label) {
  core::HttpRequest request;
  request.url = context.env.url(context.env.paths.functions) + "/features";
  request.headers = {{"apikey", context.env.anon_key},
                     {"Authorization", "Bearer " + user.access_token}};
  const core::HttpResponse response = context.client.send_all({request}, 1).front();
  verdict.evidence["features"][label] = response_evidence(response);
  if (!response.transport_ok() || response.status != 200) {
    throw std::runtime_error("GET /functions/v1/features answered " + status_text(response));
  }
  const nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
  Entitlements entitlements;
  if (body.is_object()) {
    entitlements.tier = body.value("tier", "");
    if (body.contains("features") && body["features"].is_array()) {
      for (const auto& feature : body["features"]) {
        if (feature.is_string()) entitlements.features.push_back(feature.get<std::string>());
        else if (feature.is_object() && feature.contains("key") && feature["key"].is_string())
          entitlements.features.push_back(feature["key"].get<std::string>());
      }
    }
  }
  return entitlements;
}

ScenarioVerdict subscription_deleted_revokes_access(ScenarioContext& context) {
  constexpr const char* kPaidFeature = "calendar_export";
  ScenarioVerdict verdict;
  Expectations expectations;
  SubscriptionStory story(context, context.access_user);
  const Entitlements before = read_features(context, context.access_user, verdict, "before");
  const auto created =
      deliver(context, signed_now(story.event("customer.subscription.created", "active", 0)), "created",
              verdict);
  expectations.expect(is_2xx(created), "created answered " + status_text(created));
  const Entitlements paid = read_features(context, context.access_user, verdict, "subscribed");
  expectations.expect(paid.has(kPaidFeature),
                      std::string("an active subscription did not grant ") + kPaidFeature +
                          " (tier \"" + paid.tier + "\")");
  const auto deleted =
      deliver(context, signed_now(story.event("customer.subscription.deleted", "canceled", 5)), "deleted",
              verdict);
  expectations.expect(is_2xx(deleted), "deleted answered " + status_text(deleted));
  const SubscriptionState state = story.state();
  verdict.evidence["subscription"] = state.to_json();
  expectations.expect(state.status == "canceled",
                      "status is \"" + state.status + "\" after deletion, expected \"canceled\"");
  const Entitlements after = read_features(context, context.access_user, verdict, "deleted");
  expectations.expect(!after.has(kPaidFeature),
                      std::string("access was not revoked: ") + kPaidFeature +
                          " still granted (tier \"" + after.tier + "\")");
  expectations.expect(after.tier == before.tier, "tier is \"" + after.tier +
                                                     "\" after deletion, expected \"" +
                                                     before.tier + "\" as before subscribing");
  return finish(expectations, std::move(verdict),
                "deleting the subscription revoked the paid feature");
}

struct Scenario {
  const char* name;
  const char* title;
  core::Severity severity;
  std::function<ScenarioVerdict(ScenarioContext&)> run;
};

const std::vector<Scenario>& scenarios() {
  using core::Severity;
  static const std::vector<Scenario> all = {
      {"checkout_completed_applied", "A valid checkout.session.completed is accepted and applied",
       Severity::kHigh, checkout_completed_applied},
      {"signature_invalid_rejected", "A webhook signed with the wrong secret is rejected",
       Severity::kCritical,
       [](ScenarioContext& c) {
         return rejected_delivery(c, SignatureMode::kWrongSecret, 0, "a wrong-secret signature");
       }},
      {"signature_missing_rejected", "A webhook without Stripe-Signature is rejected",
       Severity::kCritical,
       [](ScenarioContext& c) {
         return rejected_delivery(c, SignatureMode::kMissingHeader, 0, "a missing signature header");
       }},
      {"signature_tampered_body_rejected", "A webhook whose body changed after signing is rejected",
       Severity::kCritical,
       [](ScenarioContext& c) {
         return rejected_delivery(c, SignatureMode::kTamperedBody, 0, "a tampered body");
       }},
      {"signature_stale_timestamp_rejected",
       "A validly signed webhook older than the 300 s tolerance is rejected", Severity::kHigh,
       [](ScenarioContext& c) {
         return rejected_delivery(c, SignatureMode::kValid, kStaleAge_s,
                                  "a signature 600 s old");
       }},
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
      {"subscription_deleted_revokes_access",
       "customer.subscription.deleted cancels and revokes the paid feature", Severity::kHigh,
       subscription_deleted_revokes_access},
  };
  return all;
}

bool is_live_stripe_key(const std::string& key) {
  return key.rfind("sk_live_", 0) == 0 || key.rfind("rk_live_", 0) == 0;
}

core::CheckResult base_result(const Scenario& scenario) {
  core::CheckResult result;
  result.id = std::string("contract.stripe.") + scenario.name;
  result.suite = "contract";
  result.title = scenario.title;
  result.severity = scenario.severity;
  return result;
}

std::string section_string(const core::Environment& env, const char* key, const char* fallback) {
  const auto found = env.sections.find("contract");
  if (found == env.sections.end()) return fallback;
  return core::JsonReader(found->second, env.source_file, "/contract").string_or(key, fallback);
}

}  // namespace

const std::vector<std::string>& stripe_scenario_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& scenario : scenarios()) out.emplace_back(scenario.name);
    return out;
  }();
  return names;
}

std::string stripe_webhook_url(const core::Environment& env) {
  if (!env.stripe.webhook_url.empty()) return env.stripe.webhook_url;
  return env.url(env.paths.functions) + "/stripe-webhook";
}

void validate_contract_run(const core::Environment& env, const ContractOptions& options,
                           bool allow_production) {
  if (is_live_stripe_key(env.stripe.secret_key)) {
    throw core::InputError(env.source_file, "/stripe/secret_key",
                           "a live Stripe key (sk_live_/rk_live_): replay runs only in test mode");
  }
  core::require_non_production(env, allow_production, "Stripe webhook replay");
  if (env.stripe.webhook_secret.empty()) {
    throw core::InputError(env.source_file, "/stripe/webhook_secret",
                           "needed to sign replayed webhooks");
  }
  if (const auto found = env.sections.find("contract"); found != env.sections.end()) {
    const core::JsonReader reader(found->second, env.source_file, "/contract");
    reader.as_object();
    reader.reject_unknown_keys({"price_id", "plan_id", "storm_size"});
    if (reader.has("price_id")) reader.at("price_id").as_string();
    if (reader.has("plan_id")) reader.at("plan_id").as_string();
    if (reader.has("storm_size")) {
      const std::int64_t storm = reader.at("storm_size").as_integer();
      if (storm < 1 || storm > 1000) reader.at("storm_size").fail("must be 1 to 1000");
    }
  }
  for (const auto& name : options.scenarios) {
    const auto& names = stripe_scenario_names();
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      std::string known;
      for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
      throw core::InputError("--scenario", "", "unknown scenario \"" + name + "\"; known: " + known);
    }
  }
  if (options.storm_size < 1 || options.storm_size > 1000) {
    throw core::InputError("--storm-size", "", "must be 1 to 1000");
  }
}

ContractSummary run_contract_suite(const core::Environment& env, const ContractOptions& options,
                                   core::ResultSink& sink) {
  ContractSummary summary;
  const auto should_stop = options.should_stop ? options.should_stop : [] { return core::interrupted(); };
  std::vector<const Scenario*> selected;
  for (const auto& scenario : scenarios()) {
    if (options.scenarios.empty() ||
        std::find(options.scenarios.begin(), options.scenarios.end(), scenario.name) !=
            options.scenarios.end()) {
      selected.push_back(&scenario);
    }
  }
  auto record_all = [&](core::CheckStatus status, const std::string& message) {
    for (const Scenario* scenario : selected) {
      core::CheckResult result = base_result(*scenario);
      result.status = status;
      result.message = message;
      sink.record(result);
      if (status == core::CheckStatus::kSkip) ++summary.skipped; else ++summary.failed;
    }
  };

  const StripeEventFixtures fixtures(options.events_dir);  // InputError: bad fixture files
  std::unique_ptr<SubscriptionObserver> observer;
  try {
    observer = std::make_unique<SubscriptionObserver>(env);
  } catch (const std::exception& error) {
    record_all(core::CheckStatus::kError, error.what());
    return summary;
  }
  ContractUserOutcome subscriber = acquire_contract_user(env, 0);
  ContractUserOutcome access_user = acquire_contract_user(env, 1);
  if (!subscriber.user || !access_user.user) {
    const std::string why = !subscriber.user ? subscriber.error : access_user.error;
    if (subscriber.user) release_contract_user(env, *subscriber.user);
    if (access_user.user) release_contract_user(env, *access_user.user);
    summary.target_unreachable = subscriber.unreachable || access_user.unreachable;
    record_all(core::CheckStatus::kError, "no test user: " + why);
    return summary;
  }

  core::HttpEngineOptions engine_options;
  engine_options.host_allowed = [&env](std::string_view host) {
    return env.host_allowed(std::string(host));
  };
  WebhookClient client(stripe_webhook_url(env), env.stripe.webhook_secret, engine_options);
  StripeIdFactory ids;
  std::size_t storm_size = options.storm_size;
  if (const auto found = env.sections.find("contract");
      found != env.sections.end() && found->second.contains("storm_size")) {
    storm_size = static_cast<std::size_t>(
        core::JsonReader(found->second, env.source_file, "/contract").at("storm_size").as_integer());
  }
  ScenarioContext context{env,
                          fixtures,
                          ids,
                          client,
                          *observer,
                          *subscriber.user,
                          *access_user.user,
                          section_string(env, "price_id", "price_test_pro_monthly"),
                          section_string(env, "plan_id", "11111111-0000-4000-8000-000000000001"),
                          storm_size};

  for (const Scenario* scenario : selected) {
    core::CheckResult result = base_result(*scenario);
    if (should_stop()) {
      summary.stopped = true;
      break;
    }
    const auto started = std::chrono::steady_clock::now();
    try {
      ScenarioVerdict verdict = scenario->run(context);
      result.status = verdict.status;
      result.message = verdict.message;
      result.evidence = std::move(verdict.evidence);
      if (verdict.unreachable) summary.target_unreachable = true;
    } catch (const std::exception& error) {
      result.status = core::CheckStatus::kError;
      result.message = std::string("scenario aborted: ") + error.what();
    }
    result.evidence["webhook_url"] = client.url();
    result.evidence["observed_through"] = observer->source();
    result.duration_ms = std::chrono::duration<double, std::milli>(
                             std::chrono::steady_clock::now() - started)
                             .count();
    if (result.status == core::CheckStatus::kPass) ++summary.passed;
    else if (result.status == core::CheckStatus::kSkip) ++summary.skipped;
    else ++summary.failed;
    sink.record(result);
  }

  // Cleanup always runs: users (cascading to their subscriptions) and this
  // run's webhook_events rows.
  release_contract_user(env, *subscriber.user);
  release_contract_user(env, *access_user.user);
  try {
    observer->delete_webhook_events(ids.run_tag());
  } catch (const std::exception&) {
    // Leftover rows have unique ids and harm nothing; the run's verdict stands.
  }
  return summary;
}

}  // namespace golive::contract
