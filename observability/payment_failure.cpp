#include "observability/payment_failure.hpp"

#include <ctime>
#include <nlohmann/json.hpp>

#include "core/random_id.hpp"
#include "http/curl/curl_http_client.hpp"
#include "target/postgres.hpp"
#include "target/stripe_signature.hpp"

namespace golive::observability {

ProvokedPayment send_payment_failed(const config::Environment& env) {
  ProvokedPayment payment;
  if (env.stripe.webhook_secret.empty()) {
    payment.error = "no stripe.webhook_secret: the failed payment cannot be signed";
    return payment;
  }
  const std::string hex = core::random_hex(8);
  const std::string event_id = "evt_golive_" + hex;
  payment.request_id = core::random_hex(16);
  const auto now = static_cast<std::int64_t>(std::time(nullptr));
  const std::string body =
      nlohmann::json{{"id", event_id},
                     {"object", "event"},
                     {"type", "invoice.payment_failed"},
                     {"created", now},
                     {"livemode", false},
                     {"data",
                      {{"object",
                        {{"id", "in_golive_" + hex},
                         {"object", "invoice"},
                         {"customer", "cus_golive_" + hex},
                         {"amount_due", 900},
                         {"attempt_count", 1}}}}}}
          .dump();
  http::HttpRequest request;
  request.method = "POST";
  request.url = env.stripe.webhook_url;
  request.body = body;
  request.headers = {{"Content-Type", "application/json"},
                     {"X-Request-Id", payment.request_id},
                     {"Stripe-Signature",
                      target::stripe_signature_header(body, now, {env.stripe.webhook_secret})}};
  const http::HttpResponse response = http::fetch(request, http::client_options_for(env));
  if (!response.transport_ok() || response.status / 100 != 2) {
    payment.error = "the invoice.payment_failed webhook answered " +
                    (response.transport_ok() ? std::to_string(response.status) : response.error_message);
    return payment;
  }
  payment.event_id = event_id;
  return payment;
}

void remove_provoked_payment(const config::Environment& env, const ProvokedPayment& payment) {
  if (!payment.sent() || env.database_url.empty()) return;
  target::DatabaseConnection connection = target::connect_database(env.database_url);
  if (!connection.ok()) return;
  try {
    pqxx::work txn(*connection.connection);
    txn.exec_params("DELETE FROM public.webhook_events WHERE id = $1", payment.event_id);
    txn.commit();
  } catch (const std::exception&) {
    // A target without that table keeps whatever it keeps.
  }
}

}  // namespace golive::observability
