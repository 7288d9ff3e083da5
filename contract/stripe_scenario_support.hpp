// Shared parts of the Stripe replay scenarios (contract/stripe_replay_scenarios.cpp):
// what a scenario gets (ScenarioContext), what it returns (ScenarioVerdict),
// how it collects failed expectations, one subscription told as a sequence of
// events (SubscriptionStory), and delivery with evidence.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "target/test_users.hpp"
#include "contract/stripe_event_fixtures.hpp"
#include "contract/subscription_observer.hpp"
#include "contract/webhook_client.hpp"
#include "config/environment.hpp"
#include "core/result_stream.hpp"

namespace golive::contract {

// current_period_end of active subscriptions: 30 days ahead (seconds).
inline constexpr std::int64_t kPeriod_s = 30 * 24 * 3600;

// Wall-clock now, unix seconds.
std::int64_t unix_now();

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
  // A delivery answered neither accept (2xx) nor reject (4xx): "answered 503".
  // The verdict is then `error`: the check could not decide.
  std::string undecided;
  bool needs_observer = false;  // skipped for want of stripe.observe
};

// Everything a scenario needs; one per suite run.
struct ScenarioContext {
  const config::Environment& env;
  const StripeEventFixtures& fixtures;
  StripeIdFactory& ids;
  WebhookClient& client;
  SubscriptionObserver& observer;
  // Stands in for the subscribing user in events (metadata.user_id): a real
  // test user where the environment can obtain one, else a synthetic id.
  const target::TestUser& subscriber;
  // Owns nothing but the revocation scenario's subscription; null when the
  // environment cannot obtain a user (`no_user_reason` says why).
  const target::TestUser* access_user;
  std::string no_user_reason;
  bool no_user_is_error = false;  // the environment declares users, and obtaining one failed
  std::string price_id;             // a price the target maps to a paid tier
  std::string plan_id;              // a plan the target maps to a paid tier
  std::size_t storm_size;
};

// One Stripe subscription of one user, as a sequence of events.
class SubscriptionStory {
 public:
  SubscriptionStory(ScenarioContext& context, const target::TestUser& user)
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
    return context_.observer.subscription(
        {subscription_id_, customer_id_, user_.id, user_.access_token});
  }

 private:
  ScenarioContext& context_;
  const target::TestUser& user_;
  std::string subscription_id_;
  std::string customer_id_;
  std::int64_t base_created_;
  mutable std::string last_event_id_;
};

// Adds `request` as a curl command (http/request_evidence.hpp, secrets as
// $VARS) to `record` (a delivery's or a read's evidence), and makes it the
// verdict's top-level "reproduction": the last request a scenario sent is
// the one its failure names.
void attach_reproduction(const ScenarioContext& context, const http::HttpRequest& request,
                         nlohmann::json& record, ScenarioVerdict& verdict);

// A curl reproduction belongs to a failed scenario only: removes it from the
// evidence of a passed or skipped one (top level, each delivery, each
// entitlement read and the storm).
void drop_reproductions(nlohmann::json& evidence);

// A `skip` verdict for want of stripe.observe, saying which setting.
ScenarioVerdict skipped_for_observer(std::string message);

// A `skip` verdict when the observer cannot see every one of `fields`
// (naming the setting that would enable them), else nullopt.
std::optional<ScenarioVerdict> needs(const ScenarioContext& context,
                                     std::initializer_list<ObservedField> fields);

// Accept (2xx) or reject (4xx) as HTTP verdicts; anything else (3xx, 5xx, no
// response) is noted in verdict.undecided and the check ends as `error`.
void note_undecided(const http::HttpResponse& response, const std::string& what,
                    ScenarioVerdict& verdict);

// Delivers and records evidence under `label`; returns the response.
http::HttpResponse deliver(ScenarioContext& context, const WebhookDelivery& delivery,
                           const std::string& label, ScenarioVerdict& verdict);

// The HTTP status, or the transport error category when none arrived.
std::string status_text(const http::HttpResponse& response);

// Expects `expected` webhook_events rows for `event_id` (database only;
// noted in the evidence when there is no database_url).
void expect_webhook_rows(ScenarioContext& context, Expectations& expectations,
                         ScenarioVerdict& verdict, const std::string& event_id,
                         std::int64_t expected);

// The verdict: error when a delivery never reached the target, else pass with
// `pass_message` or fail with every failed expectation.
ScenarioVerdict finish(Expectations& expectations, ScenarioVerdict verdict,
                       const std::string& pass_message);

}  // namespace golive::contract
