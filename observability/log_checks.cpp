#include "observability/log_checks.hpp"

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "observability/sentry_event_checks.hpp"

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

}  // namespace

const std::vector<std::string>& log_check_ids() {
  static const std::vector<std::string> ids = {kEvents, kFields, kNoPii, kCorrelated};
  return ids;
}

void run_log_checks(const config::Environment& env, const LogSettings& settings, LogSource* source,
                    const std::string& job_id, const ProvokedPayment& payment, core::ResultSink& sink) {
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
  const std::string& payment_error = payment.error;
  const std::string& payment_event = payment.event_id;
  const std::string& request_id = payment.request_id;

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
