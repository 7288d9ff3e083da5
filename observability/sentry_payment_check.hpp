// observability.sentry.payment_failed (seed 000 §4: a failed payment is a
// critical event, and Sentry is where the team is alerted): the stage's
// provoked invoice.payment_failed (payment_failure.hpp) must reach the Sentry
// sink within observability.sentry.timeout_ms as an accepted event that
// names golive's Stripe event id (a tag, the message or any field), carries
// the environment's name and a release, and no secret (the webhook secret,
// keys, Stripe-shaped secrets).
//
// Skipped without observability.sentry.sink_listen or when no payment could
// be sent (no stripe.webhook_secret).
#pragma once

#include "config/environment.hpp"
#include "core/result_stream.hpp"
#include "observability/payment_failure.hpp"
#include "observability/sentry_checks.hpp"
#include "observability/sentry_sink.hpp"

namespace golive::observability {

inline constexpr const char* kSentryPaymentFailedCheck = "observability.sentry.payment_failed";

// `sentry` is the sink the target's DSN points at (nullptr when there is none:
// `why_no_sink` says why); `payment` was sent while it listened.
void run_sentry_payment_check(const config::Environment& env, const SentrySettings& settings,
                              SentrySink* sentry, const std::string& why_no_sink,
                              const ProvokedPayment& payment, core::ResultSink& sink);

}  // namespace golive::observability
