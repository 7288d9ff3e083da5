#include "observability/sentry_payment_check.hpp"

#include <chrono>
#include <thread>

#include "observability/sentry_event_checks.hpp"

namespace golive::observability {

namespace {

constexpr int kPoll_ms = 100;
constexpr int kApiPoll_ms = 1000;  // between two searches of the Sentry API

// The accepted event of `delivery` that names `event_id` anywhere, or nullptr.
const nlohmann::json* event_naming(const SentryDelivery& delivery, const std::string& event_id) {
  for (const auto& event : delivery.events) {
    if (event.dump().find(event_id) != std::string::npos) return &event;
  }
  return nullptr;
}

}  // namespace

void run_sentry_payment_check(const config::Environment& env, const SentrySettings& settings,
                              SentrySink* sentry, const std::string& why_no_sink,
                              const ProvokedPayment& payment, core::ResultSink& sink) {
  core::CheckResult result;
  result.id = kSentryPaymentFailedCheck;
  result.suite = "observability";
  result.title = "A failed payment reaches Sentry with its environment and release, without secrets";
  result.severity = core::Severity::kHigh;
  if (!settings.configured()) {
    result.status = core::CheckStatus::kSkip;
    result.message = "no observability.sentry.sink_listen (the target's Sentry DSN is not pointed at golive's "
                     "sink) and no observability.sentry.api";
    return sink.record(result);
  }
  if (sentry == nullptr && !settings.sink_listen.empty()) {
    result.status = core::CheckStatus::kError;
    result.message = why_no_sink;
    return sink.record(result);
  }
  if (!payment.sent()) {
    result.status = core::CheckStatus::kSkip;
    result.message = "no failed payment was sent: " + payment.error;
    return sink.record(result);
  }
  result.evidence = {{"stripe_event_id", payment.event_id},
                     {"sink", sentry != nullptr ? sentry->address() : settings.api.url}};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(settings.timeout_ms);
  std::optional<SentryDelivery> delivery;
  const nlohmann::json* event = nullptr;
  std::string api_error;
  while (true) {
    if (sentry != nullptr) {
      for (const auto& candidate : sentry->deliveries()) {
        if (event_naming(candidate, payment.event_id) != nullptr ||
            candidate.body.find(payment.event_id) != std::string::npos) {
          delivery = candidate;
          break;
        }
      }
    } else {
      // Through the API: Sentry kept the event, so it was accepted.
      const SentryApiSearch search = search_sentry_events(env, settings.api, payment.event_id);
      api_error = search.error;
      if (!search.events.empty()) delivery = accepted_api_delivery(search.events.front(), "");
    }
    if (delivery || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(sentry != nullptr ? kPoll_ms : kApiPoll_ms));
  }
  if (!delivery) {
    result.status = core::CheckStatus::kFail;
    result.message = "no Sentry event naming the failed payment " + payment.event_id + " reached " +
                     (sentry != nullptr ? "the sink" : "the Sentry API's project") + " within " +
                     std::to_string(settings.timeout_ms) + " ms" + (api_error.empty() ? "" : " (" + api_error + ")") +
                     ": a failed payment alerts nobody";
    return sink.record(result);
  }
  event = event_naming(*delivery, payment.event_id);
  std::vector<std::string> problems;
  if (!delivery->accepted()) {
    problems.push_back("the sink refused it (" + std::to_string(delivery->status) + ": " + delivery->error + ")");
  }
  if (event == nullptr) {
    problems.push_back("the delivery names the payment but carries no event");
  } else {
    result.evidence["event"] = {{"environment", event->value("environment", "")},
                                {"release", event->value("release", "")},
                                {"tags", event->value("tags", nlohmann::json())}};
    if (event->value("environment", "") != env.name) {
      problems.push_back("environment \"" + event->value("environment", "") + "\", not \"" + env.name + "\"");
    }
    if (event->value("release", "").empty()) problems.push_back("no release");
  }
  const std::vector<SensitiveValue> sensitive = {{env.service_role_key, "the service_role key"},
                                                 {env.jwt_secret, "the JWT secret"},
                                                 {env.stripe.webhook_secret, "the Stripe webhook secret"},
                                                 {env.stripe.secret_key, "the Stripe secret key"}};
  for (const std::string& leak :
       sentry_pii_findings(delivery->body, event != nullptr ? *event : nlohmann::json(), sensitive)) {
    problems.push_back(leak);
  }
  result.status = problems.empty() ? core::CheckStatus::kPass : core::CheckStatus::kFail;
  std::string joined;
  for (const auto& problem : problems) joined += (joined.empty() ? "" : "; ") + problem;
  result.message = problems.empty() ? "the failed payment " + payment.event_id +
                                          " reached Sentry with environment \"" + env.name + "\" and release \"" +
                                          event->value("release", "") + "\", no secret in it"
                                    : "the failed payment's Sentry event: " + joined;
  sink.record(result);
}

}  // namespace golive::observability
