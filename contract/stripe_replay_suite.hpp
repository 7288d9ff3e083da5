// The Stripe webhook replay suite: golive acts as Stripe towards a
// target's webhook endpoint and checks the HTTP verdict of each delivery and,
// where the environment's stripe.observe lets it see the target's state
// (contract/subscription_observer.hpp), that the delivery had exactly the
// effect Stripe's contract requires. The signature family needs only
// stripe.webhook_url and stripe.webhook_secret; without an observer the
// post-condition checks are `skip`, naming the setting that enables them. Each scenario is one CheckResult "contract.stripe.<scenario>";
// the scenarios themselves are in contract/stripe_replay_scenarios.cpp, their
// shared parts in contract/stripe_scenario_support.hpp.
//
//   checkout_completed_applied              a valid event: 2xx and applied once
//   signature_invalid_rejected              wrong secret: 4xx, nothing changed
//   signature_missing_rejected              no Stripe-Signature: 4xx, nothing changed
//   signature_tampered_body_rejected        body changed after signing: 4xx, nothing changed
//   signature_stale_timestamp_rejected      valid v1 at t = now - 600 s: 4xx, nothing changed
//   signature_v0_only_rejected              only a v0 value: 4xx, nothing changed
//   signature_rotation_accepted             two v1 values, one valid: 2xx
//   signature_future_timestamp_noted        valid v1 at t = now + 3600 s: severity info,
//                                           accepted or rejected both pass (evidence only)
//   duplicate_applied_once                  the same event twice: 2xx twice, applied once
//   duplicate_concurrent_storm_applied_once the same event N times at once: applied once
//   subscription_out_of_order_newest_wins   updated before created, an older update after
//                                           a newer one: the newest state stays
//   unknown_type_ignored                    an unknown type: 2xx, no state change
//   payment_failed_past_due                 invoice.payment_failed -> past_due
//   payment_succeeded_active                invoice.payment_succeeded -> active
//   subscription_deleted_revokes_access     deleted -> canceled, and the paid feature
//                                           disappears from GET /functions/v1/features
#pragma once

#include "http/observing_client.hpp"

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "config/environment.hpp"
#include "core/result_stream.hpp"

namespace golive::contract {

struct ContractOptions {
  std::string events_dir;              // directory of the event fixtures (contract/events)
  std::vector<std::string> scenarios;  // names from stripe_scenario_names(); empty = all
  std::size_t storm_size = 50;         // deliveries of the concurrent storm (1..1000)
  std::function<bool()> should_stop;   // polled between scenarios; empty = core::interrupted
  // Told of every delivery (the run's surface coverage); null: nobody.
  http::RequestObserver* request_observer = nullptr;
};

struct ContractSummary {
  std::size_t passed = 0;
  std::size_t failed = 0;   // fail or error
  std::size_t skipped = 0;
  std::size_t errors = 0;               // of `failed`: checks that could not decide
  std::size_t skipped_for_observer = 0; // of `skipped`: for want of stripe.observe
  bool target_unreachable = false;  // the webhook URL never answered
  bool stopped = false;             // interrupted before every scenario ran
  bool ok() const { return failed == 0 && !target_unreachable && !stopped; }
};

// Every scenario name, in run order.
const std::vector<std::string>& stripe_scenario_names();

// The webhook URL of an environment: stripe.webhook_url, else
// base_url + functions path + "/stripe-webhook".
std::string stripe_webhook_url(const config::Environment& env);

// Refuses (InputError, exit 2) a live Stripe key, a missing webhook secret,
// an unknown scenario name, or a malformed "contract" section; and a
// production environment unless allow_production.
void validate_contract_run(const config::Environment& env, const ContractOptions& options,
                           bool allow_production);

// Runs the scenarios, recording each result in `sink` as it finishes. Test
// users are obtained first where the environment can (they are optional) and
// always released at the end, with this run's webhook_events rows when the
// sql observer has a cleanup query. A signature check answered with a 3xx or
// 5xx is `error` with the status. Throws InputError (exit 2) before the first
// delivery when stripe.observe does not work against the target.
ContractSummary run_contract_suite(const config::Environment& env, const ContractOptions& options,
                                   core::ResultSink& sink);

// What this suite can do with `env`, and why not (see config::Capability).
config::Capability stripe_replay_capability(const config::Environment& env);

}  // namespace golive::contract
