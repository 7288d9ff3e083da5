#include "observability/log_checks.hpp"

#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/input_error.hpp"
#include "core/random_id.hpp"
#include "http/curl/curl_http_client.hpp"
#include "observability/sentry_event_checks.hpp"
#include "target/postgres.hpp"
#include "target/stripe_signature.hpp"

namespace golive::observability {

namespace {

constexpr const char* kEvents = "observability.logs.critical_events";
constexpr const char* kFields = "observability.logs.fields";
constexpr const char* kNoPii = "observability.logs.no_pii";
constexpr const char* kCorrelated = "observability.logs.correlated";
constexpr int kPoll_ms = 100;

core::CheckResult base_result(const char* id, const char* title) {
  core::CheckResult result;
  result.id = id;
  result.suite = "observability";
  result.title = title;
  result.severity = core::Severity::kHigh;
  return result;
}

std::string join(const std::vector<std::string>& parts) {
  std::string text;
  for (const auto& part : parts) text += (text.empty() ? "" : "; ") + part;
  return text;
}

std::string string_field(const nlohmann::json& line, const char* key) {
  return line.contains(key) && line[key].is_string() ? line[key].get<std::string>() : "";
}

const nlohmann::json* find_event(const std::vector<nlohmann::json>& lines, const std::string& name,
                                 const char* key, const std::string& value) {
  if (value.empty()) return nullptr;
  for (const auto& line : lines) {
    if (string_field(line, "event") == name && string_field(line, key) == value) return &line;
  }
  return nullptr;
}

// The fields a log line may carry the request's correlation id in.
std::string correlation_id_of(const nlohmann::json& line) {
  for (const char* key : {"request_id", "requestId", "req_id", "x_request_id", "trace_id"}) {
    const std::string value = string_field(line, key);
    if (!value.empty()) return value;
  }
  if (line.contains("http") && line["http"].is_object()) return string_field(line["http"], "request_id");
  return "";
}

// A signed invoice.payment_failed for a customer nobody has, sent with the
// X-Request-Id `request_id`: the target logs it and changes nothing. Returns
// the event id, or "" with `error`.
std::string send_payment_failed(const config::Environment& env, const std::string& request_id,
                                std::string& error) {
  const std::string hex = core::random_hex(8);
  const std::string event_id = "evt_golive_" + hex;
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
                     {"X-Request-Id", request_id},
                     {"Stripe-Signature",
                      target::stripe_signature_header(body, now, {env.stripe.webhook_secret})}};
  const http::HttpResponse response = http::fetch(request, http::client_options_for(env));
  if (!response.transport_ok() || response.status / 100 != 2) {
    error = "the invoice.payment_failed webhook answered " +
            (response.transport_ok() ? std::to_string(response.status) : response.error_message);
    return "";
  }
  return event_id;
}

}  // namespace

const std::vector<std::string>& log_check_ids() {
  static const std::vector<std::string> ids = {kEvents, kFields, kNoPii, kCorrelated};
  return ids;
}

void run_log_checks(const config::Environment& env, const LogSettings& settings, LogSource* source,
                    const std::string& job_id, core::ResultSink& sink) {
  core::CheckResult events = base_result(kEvents, "Critical events are logged: AI_RUN_START, AI_RUN_COMPLETE, PAYMENT_FAILED");
  core::CheckResult fields = base_result(kFields, "Critical log events carry their required fields");
  core::CheckResult pii = base_result(kNoPii, "The structured logs carry no PII or secrets");
  pii.severity = core::Severity::kCritical;
  core::CheckResult correlated =
      base_result(kCorrelated, "Log lines carry the request id golive sent (X-Request-Id)");
  correlated.severity = core::Severity::kMedium;
  auto record_all = [&](core::CheckStatus status, const std::string& message) {
    for (core::CheckResult* result : {&events, &fields, &pii, &correlated}) {
      result->status = status;
      result->message = message;
      sink.record(*result);
    }
  };
  if (source == nullptr) {
    return record_all(core::CheckStatus::kSkip,
                      "no observability.logs source (file, command or drain_listen): the target's "
                      "logs are not named");
  }
  std::string payment_error;
  std::string payment_event;
  const std::string request_id = core::random_hex(16);
  if (!env.stripe.webhook_secret.empty()) payment_event = send_payment_failed(env, request_id, payment_error);

  // What must appear: the AI job's two lines (when the Sentry checks ran one)
  // and the payment failure (when the webhook was sent).
  struct Expected {
    std::string event;
    const char* key;
    std::string value;
  };
  std::vector<Expected> expected;
  if (!job_id.empty()) {
    expected.push_back({"AI_RUN_START", "job_id", job_id});
    expected.push_back({"AI_RUN_COMPLETE", "job_id", job_id});
  }
  if (!payment_event.empty()) expected.push_back({"PAYMENT_FAILED", "event_id", payment_event});
  if (expected.empty()) {
    return record_all(core::CheckStatus::kSkip,
                      "nothing was provoked: no AI job ran (observability.sentry) and no webhook "
                      "could be sent (stripe.webhook_secret)" +
                          (payment_error.empty() ? std::string() : ": " + payment_error));
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(settings.timeout_ms);
  std::vector<nlohmann::json> lines;
  std::vector<const nlohmann::json*> found(expected.size(), nullptr);
  while (true) {
    lines = source->lines();
    bool all = true;
    for (std::size_t i = 0; i < expected.size(); ++i) {
      found[i] = find_event(lines, expected[i].event, expected[i].key, expected[i].value);
      all = all && found[i] != nullptr;
    }
    if (all || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(kPoll_ms));
  }

  // The webhook's idempotency row is test data: removed again where golive
  // has the database (as the contract suite removes its replayed events).
  if (!payment_event.empty() && !env.database_url.empty()) {
    target::DatabaseConnection connection = target::connect_database(env.database_url);
    if (connection.ok()) {
      try {
        pqxx::work txn(*connection.connection);
        txn.exec_params("DELETE FROM public.webhook_events WHERE id = $1", payment_event);
        txn.commit();
      } catch (const std::exception&) {
        // A target without that table keeps whatever it keeps.
      }
    }
  }
  std::vector<std::string> missing;
  std::vector<std::string> incomplete;
  nlohmann::json seen = nlohmann::json::array();
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const Expected& want = expected[i];
    if (found[i] == nullptr) {
      missing.push_back(want.event + " with " + want.key + " " + want.value);
      continue;
    }
    const nlohmann::json& line = *found[i];
    seen.push_back(line);
    std::vector<std::string> lacks;
    if (string_field(line, "ts").empty() && string_field(line, "timestamp").empty() &&
        string_field(line, "time").empty()) {
      lacks.push_back("a timestamp");
    }
    if (string_field(line, "environment") != env.name) {
      lacks.push_back("environment \"" + env.name + "\" (has \"" + string_field(line, "environment") + "\")");
    }
    const bool ai = want.event != "PAYMENT_FAILED";
    if (ai && string_field(line, "user_id").empty()) lacks.push_back("user_id");
    if (!lacks.empty()) incomplete.push_back(want.event + " lacks " + join(lacks));
  }
  events.evidence = {{"source", source->describe()}, {"lines", seen}, {"new_json_lines", lines.size()}};
  events.status = missing.empty() ? core::CheckStatus::kPass : core::CheckStatus::kFail;
  events.message = missing.empty() ? std::to_string(expected.size()) + " critical event(s) of this run logged as JSON"
                                   : "not logged within " + std::to_string(settings.timeout_ms) +
                                         " ms: " + join(missing);
  if (!payment_error.empty()) events.message += " (" + payment_error + ")";
  sink.record(events);

  fields.status = incomplete.empty() ? core::CheckStatus::kPass : core::CheckStatus::kFail;
  fields.message = incomplete.empty() ? "each logged event has its timestamp, environment and ids"
                                      : join(incomplete);
  if (seen.empty()) {
    fields.status = core::CheckStatus::kFail;
    fields.message = "no critical event was logged (see " + std::string(kEvents) + ")";
  }
  sink.record(fields);

  const nlohmann::json* payment_line = nullptr;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    if (expected[i].event == "PAYMENT_FAILED") payment_line = found[i];
  }
  correlated.evidence = {{"x_request_id_sent", request_id}};
  if (payment_event.empty()) {
    correlated.status = core::CheckStatus::kSkip;
    correlated.message = "no failed payment could be sent (stripe.webhook_secret)" +
                         (payment_error.empty() ? std::string() : ": " + payment_error);
  } else if (payment_line == nullptr) {
    correlated.status = core::CheckStatus::kFail;
    correlated.message = "PAYMENT_FAILED was not logged (see " + std::string(kEvents) + ")";
  } else {
    const std::string logged = correlation_id_of(*payment_line);
    correlated.evidence["logged_request_id"] = logged;
    correlated.status = logged == request_id ? core::CheckStatus::kPass : core::CheckStatus::kFail;
    correlated.message =
        logged == request_id
            ? "PAYMENT_FAILED carries the X-Request-Id golive sent (" + request_id + ")"
            : logged.empty() ? "PAYMENT_FAILED carries no request id: a failed request cannot be found in the logs"
                             : "PAYMENT_FAILED carries request id \"" + logged +
                                   "\", not the X-Request-Id golive sent (" + request_id +
                                   "): the target makes up its own instead of adopting the caller's";
  }
  sink.record(correlated);

  std::vector<SensitiveValue> sensitive = {{env.service_role_key, "the service_role key"},
                                           {env.jwt_secret, "the JWT secret"},
                                           {env.stripe.webhook_secret, "the Stripe webhook secret"},
                                           {env.stripe.secret_key, "the Stripe secret key"}};
  std::string json_text;
  for (const auto& line : lines) json_text += line.dump() + "\n";
  const std::vector<std::string> leaks = sentry_pii_findings(json_text, nlohmann::json(lines), sensitive);
  pii.status = leaks.empty() ? core::CheckStatus::kPass : core::CheckStatus::kFail;
  pii.message = leaks.empty() ? std::to_string(lines.size()) + " new JSON line(s), no secret in them" : join(leaks);
  sink.record(pii);
}

}  // namespace golive::observability
