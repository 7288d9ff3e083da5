// The failed payment golive provokes in the observability stage (seed 000 §4:
// PAYMENT_FAILED is logged, and a failed payment reaches Sentry): a signed
// invoice.payment_failed webhook for a customer nobody has, so the target
// logs and reports it and changes nothing. It carries golive's own event id
// and X-Request-Id, which the log and Sentry checks look for.
#pragma once

#include <string>

#include "config/environment.hpp"

namespace golive::observability {

struct ProvokedPayment {
  std::string event_id;    // "evt_golive_<hex>"; "" when nothing was sent
  std::string request_id;  // the X-Request-Id it was sent with
  std::string error;       // why it was not sent or not accepted ("" when it was)

  bool sent() const { return !event_id.empty(); }
};

// Sends the webhook to stripe.webhook_url signed with stripe.webhook_secret.
// Without a webhook secret nothing is sent (error says so).
ProvokedPayment send_payment_failed(const config::Environment& env);

// Removes the webhook's idempotency row again where golive has the database
// (as the contract suite removes its replayed events); a target without that
// table keeps whatever it keeps.
void remove_provoked_payment(const config::Environment& env, const ProvokedPayment& payment);

}  // namespace golive::observability
