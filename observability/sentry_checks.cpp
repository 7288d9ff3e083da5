#include "observability/sentry_checks.hpp"

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <thread>

#include "core/input_error.hpp"
#include "core/random_id.hpp"
#include "http/curl/curl_http_client.hpp"
#include "http/loopback_server.hpp"
#include "observability/sentry_envelope.hpp"
#include "observability/sentry_event_checks.hpp"
#include "observability/sentry_sink.hpp"
#include "target/test_users.hpp"

namespace golive::observability {

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kDelivered = "observability.sentry.delivered";
constexpr const char* kContext = "observability.sentry.context";
constexpr const char* kStacktrace = "observability.sentry.stacktrace";
constexpr const char* kNoPii = "observability.sentry.no_pii";
// How often the sink is looked at while waiting (ms).
constexpr int kPoll_ms = 50;
constexpr int kApiPoll_ms = 1000;  // between two searches of the Sentry API

core::CheckResult base_result(const std::string& id) {
  core::CheckResult result;
  result.id = id;
  result.suite = "observability";
  result.severity = core::Severity::kHigh;
  if (id == kDelivered) {
    result.title = "A provoked error reaches Sentry within the bound";
  } else if (id == kContext) {
    result.title = "The Sentry event carries environment, user.id, course_id and release";
  } else if (id == kStacktrace) {
    result.title = "The Sentry event has an exception with a stack trace";
  } else {
    result.title = "The Sentry event carries no PII or secrets";
    result.severity = core::Severity::kCritical;
  }
  return result;
}

// The error golive provokes: a course of the test user, and an AI job on it
// that fails until it is dead-lettered.
struct Provocation {
  std::string course_id;
  std::string job_id;
  std::string marker;
  Clock::time_point submitted;
  std::string error;  // why it could not be provoked
};

http::HeaderList user_headers(const config::Environment& env, const target::TestUser& user) {
  return {{"apikey", env.anon_key},
          {"Authorization", "Bearer " + user.access_token},
          {"Content-Type", "application/json"},
          {target::kSupabaseApiVersionHeader, target::kSupabaseApiVersion}};
}

Provocation provoke_dead_letter(const config::Environment& env, const target::TestUser& user) {
  Provocation provocation;
  provocation.marker = "golive-sentry-" + core::random_hex(6);
  http::HttpRequest course;
  course.method = "POST";
  course.url = env.url(env.paths.rest) + "/courses";
  course.headers = user_headers(env, user);
  course.headers.emplace_back("Prefer", "return=representation");
  course.body =
      nlohmann::json{{"user_id", user.id}, {"title", "Monitoring " + provocation.marker}}.dump();
  const http::HttpResponse created = http::fetch(course, http::client_options_for(env));
  const nlohmann::json rows = nlohmann::json::parse(created.body, nullptr, false);
  const nlohmann::json row = rows.is_array() && !rows.empty() ? rows[0] : rows;
  if (!created.transport_ok() || created.status / 100 != 2 || !row.is_object() ||
      !row.contains("id") || !row["id"].is_string()) {
    provocation.error = "could not create a course (POST " + env.paths.rest + "/courses answered " +
                        std::to_string(created.status) + " " + created.error_message + " " +
                        created.body.substr(0, 200) + ")";
    return provocation;
  }
  provocation.course_id = row["id"].get<std::string>();

  http::HttpRequest job;
  job.method = "POST";
  job.url = env.url(env.paths.functions) + "/extract-topics";
  job.headers = user_headers(env, user);
  job.body = nlohmann::json{{"course_id", provocation.course_id},
                            {"text", "MOCK_AI_FAIL " + provocation.marker + ": Week 1: errors."}}
                 .dump();
  provocation.submitted = Clock::now();
  const http::HttpResponse submitted = http::fetch(job, http::client_options_for(env));
  const nlohmann::json body = nlohmann::json::parse(submitted.body, nullptr, false);
  if (!submitted.transport_ok() || submitted.status != 200 || !body.is_object() ||
      !body.contains("job_id") || !body["job_id"].is_string()) {
    provocation.error = "could not submit the AI job (POST " + env.paths.functions +
                        "/extract-topics answered " + std::to_string(submitted.status) + " " +
                        submitted.error_message + " " + submitted.body.substr(0, 200) + ")";
    return provocation;
  }
  provocation.job_id = body["job_id"].get<std::string>();
  return provocation;
}

// The delivery and event about the provoked job: an event that names the job
// id or the test user anywhere; deliveries before the submission are older
// noise. Refused deliveries count too, so the check can say why.
struct Found {
  std::optional<SentryDelivery> delivery;
  nlohmann::json event;
  double after_ms = 0;  // from submission to arrival
};

// The job's event as the Sentry API returns it, as if the sink had taken it:
// Sentry kept it, so it was accepted with the DSN's key.
std::optional<Found> find_event_through_api(const config::Environment& env, const SentryApiSettings& api,
                                            const Provocation& provocation, const std::string& required_key,
                                            std::string& error) {
  const SentryApiSearch search = search_sentry_events(env, api, provocation.job_id);
  error = search.error;
  if (search.events.empty()) return std::nullopt;
  const SentryDelivery delivery = accepted_api_delivery(search.events.front(), required_key);
  return Found{delivery, search.events.front(),
               std::chrono::duration<double, std::milli>(delivery.at - provocation.submitted).count()};
}

std::optional<Found> find_event(const SentrySink& sink, const Provocation& provocation,
                                const std::string& user_id) {
  for (const SentryDelivery& delivery : sink.deliveries()) {
    if (delivery.at < provocation.submitted) continue;
    for (const nlohmann::json& event : delivery.events) {
      const std::string text = event.dump();
      if (text.find(provocation.job_id) != std::string::npos ||
          text.find(user_id) != std::string::npos ||
          text.find(provocation.course_id) != std::string::npos) {
        Found found{delivery, event,
                    std::chrono::duration<double, std::milli>(delivery.at - provocation.submitted)
                        .count()};
        return found;
      }
    }
  }
  return std::nullopt;
}

std::string join(const std::vector<std::string>& parts) {
  std::string text;
  for (const auto& part : parts) text += (text.empty() ? "" : "; ") + part;
  return text;
}

nlohmann::json delivery_evidence(const SentryDelivery& delivery) {
  return {{"endpoint", delivery.endpoint},
          {"project_id", delivery.project_id},
          {"status", delivery.status},
          {"content_encoding", delivery.content_encoding},
          {"error", delivery.error},
          {"events", delivery.events.size()}};
}

// The event, trimmed for the report: what the checks looked at.
nlohmann::json event_excerpt(const nlohmann::json& event) {
  nlohmann::json excerpt = nlohmann::json::object();
  for (const char* key : {"event_id", "environment", "release", "user", "tags", "contexts"}) {
    if (event.contains(key)) excerpt[key] = event[key];
  }
  excerpt["stack_frames"] = sentry_frame_count(event);
  return excerpt;
}

}  // namespace

SentrySettings read_sentry_settings(const config::Environment& env) {
  SentrySettings settings;
  const auto found = env.sections.find("observability");
  if (found == env.sections.end() || !found->second.contains("sentry")) return settings;
  const core::JsonReader reader =
      core::JsonReader(found->second, env.source_file, "/observability").at("sentry");
  reader.as_object();
  reader.reject_unknown_keys({"sink_listen", "dsn", "timeout_ms", "api"});
  if (reader.has("api")) settings.api = read_sentry_api_settings(reader.at("api"));
  settings.sink_listen = reader.string_or("sink_listen", "");
  std::string host;
  std::uint16_t port = 0;
  if (!settings.sink_listen.empty() && !http::split_listen_address(settings.sink_listen, host, port)) {
    reader.at("sink_listen").fail("must be HOST:PORT with a port 1..65535");
  }
  settings.dsn = reader.string_or("dsn", "");
  if (!settings.dsn.empty() && sentry_key_from_dsn(settings.dsn).empty()) {
    reader.at("dsn").fail("is not a Sentry DSN (<scheme>://<public key>@<host>/<project>)");
  }
  if (reader.has("timeout_ms")) {
    settings.timeout_ms = reader.at("timeout_ms").as_integer();
    if (settings.timeout_ms < 100) reader.at("timeout_ms").fail("must be at least 100");
  }
  return settings;
}

const std::vector<std::string>& sentry_check_ids() {
  static const std::vector<std::string> ids = {kDelivered, kContext, kStacktrace, kNoPii};
  return ids;
}

SentryOutcome run_sentry_checks(const config::Environment& env, bool allow_production,
                                core::ResultSink& sink) {
  SentryOutcome outcome_of_run;
  auto record_all = [&](core::CheckStatus status, const std::string& message) {
    for (const std::string& id : sentry_check_ids()) {
      core::CheckResult result = base_result(id);
      result.status = status;
      result.message = message;
      sink.record(result);
    }
    return outcome_of_run;
  };
  const SentrySettings settings = read_sentry_settings(env);
  if (!settings.configured()) {
    return record_all(core::CheckStatus::kSkip,
                      "no observability.sentry.sink_listen (the target's Sentry DSN is not "
                      "pointed at golive's sink) and no observability.sentry.api");
  }
  if (env.production && !allow_production) {
    return record_all(core::CheckStatus::kSkip,
                      "production environment: provoking an error needs --allow-production");
  }
  // With a sink the events are read as they arrive; without one, from the API.
  std::unique_ptr<SentrySink> own_sink;
  SentrySink* sentry = nullptr;
  if (!settings.sink_listen.empty()) {
    try {
      sentry = &SentrySink::running_or_start(settings.sink_listen, sentry_key_from_dsn(settings.dsn), own_sink);
    } catch (const std::exception& error) {
      return record_all(core::CheckStatus::kError,
                        std::string(error.what()) + " (observability.sentry.sink_listen)");
    }
  }
  const target::TestUsers users(env, http::client_options_for(env));
  target::TestUserOutcome outcome = users.acquire(0, "golive-obs");
  if (!outcome.user) return record_all(core::CheckStatus::kError, "no test user: " + outcome.error);
  const target::TestUser& user = *outcome.user;

  const Provocation provocation = provoke_dead_letter(env, user);
  outcome_of_run.job_id = provocation.job_id;
  outcome_of_run.user_id = user.id;
  if (!provocation.error.empty()) {
    users.release(user);
    return record_all(core::CheckStatus::kError, provocation.error);
  }
  const auto deadline = provocation.submitted + std::chrono::milliseconds(settings.timeout_ms);
  const std::string required_key = sentry_key_from_dsn(settings.dsn);
  const std::string where = sentry != nullptr ? "the sink at " + sentry->address()
                                              : "the Sentry API at " + settings.api.url;
  std::string api_error;
  std::optional<Found> found;
  while (true) {
    if (sentry != nullptr) {
      found = find_event(*sentry, provocation, user.id);
    } else {
      found = find_event_through_api(env, settings.api, provocation, required_key, api_error);
    }
    if (found || Clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(sentry != nullptr ? kPoll_ms : kApiPoll_ms));
  }
  const nlohmann::json provoked = {{"job_id", provocation.job_id},
                                   {"course_id", provocation.course_id},
                                   {"sink", sentry != nullptr ? sentry->address() : settings.api.url},
                                   {"timeout_ms", settings.timeout_ms}};

  core::CheckResult delivered = base_result(kDelivered);
  delivered.evidence = {{"provoked", provoked}};
  if (!found) {
    delivered.status = core::CheckStatus::kFail;
    const std::string seen = sentry != nullptr
                                 ? std::to_string(sentry->deliveries().size()) + " deliveries in all"
                                 : (api_error.empty() ? "the API found none" : api_error);
    delivered.message = "no event about the dead-lettered AI job " + provocation.job_id + " reached " + where +
                        " within " + std::to_string(settings.timeout_ms) + " ms (" + seen +
                        "): the target's DSN points elsewhere or errors are not captured";
    sink.record(delivered);
    for (const std::string& id : {std::string(kContext), std::string(kStacktrace),
                                  std::string(kNoPii)}) {
      core::CheckResult result = base_result(id);
      result.status = core::CheckStatus::kFail;
      result.message = "no event arrived to inspect (see " + std::string(kDelivered) + ")";
      sink.record(result);
    }
    users.release(user);
    return outcome_of_run;
  }
  const SentryDelivery& delivery = *found->delivery;
  delivered.duration_ms = found->after_ms;
  delivered.evidence["delivery"] = delivery_evidence(delivery);
  delivered.evidence["after_ms"] = found->after_ms;
  const bool key_ok = required_key.empty() || delivery.public_key == required_key;
  if (!delivery.accepted()) {
    delivered.status = core::CheckStatus::kFail;
    delivered.message = "the event reached the sink but was refused (" +
                        std::to_string(delivery.status) + ": " + delivery.error +
                        "): Sentry would drop it";
  } else if (!key_ok) {
    delivered.status = core::CheckStatus::kFail;
    delivered.message = "the event was sent with sentry_key \"" + delivery.public_key +
                        "\", not the key of observability.sentry.dsn: Sentry would drop it";
  } else {
    delivered.message = "the dead-lettered job's event arrived " +
                        std::to_string(static_cast<long long>(found->after_ms)) +
                        " ms after submission at the " + delivery.endpoint + " endpoint" +
                        (required_key.empty() ? "" : ", with the DSN's key");
  }
  sink.record(delivered);

  const SentryExpectation expected{env.name, user.id, provocation.course_id};
  core::CheckResult context = base_result(kContext);
  context.evidence = {{"event", event_excerpt(found->event)},
                      {"expected",
                       {{"environment", expected.environment},
                        {"user_id", expected.user_id},
                        {"course_id", expected.course_id}}}};
  const std::vector<std::string> missing = sentry_context_failures(found->event, expected);
  context.status = missing.empty() ? core::CheckStatus::kPass : core::CheckStatus::kFail;
  context.message = missing.empty()
                        ? "environment \"" + expected.environment +
                              "\", the test user's id, the job's course_id and release \"" +
                              found->event.value("release", "") + "\" are on the event"
                        : join(missing);
  sink.record(context);

  core::CheckResult stack = base_result(kStacktrace);
  stack.severity = core::Severity::kMedium;
  stack.evidence = {{"stack_frames", sentry_frame_count(found->event)}};
  const std::string no_stack = sentry_stacktrace_failure(found->event);
  stack.status = no_stack.empty() ? core::CheckStatus::kPass : core::CheckStatus::kFail;
  stack.message = no_stack.empty() ? "the exception carries " +
                                         std::to_string(sentry_frame_count(found->event)) +
                                         " stack frame(s)"
                                   : no_stack;
  sink.record(stack);

  std::vector<SensitiveValue> sensitive = {
      {user.email, "the test user's email"},
      {user.password, "the test user's password"},
      {user.access_token, "the test user's bearer token"},
      {env.service_role_key, "the service_role key"},
      {env.jwt_secret, "the JWT secret"},
      {env.stripe.webhook_secret, "the Stripe webhook secret"},
      {env.stripe.secret_key, "the Stripe secret key"}};
  core::CheckResult pii = base_result(kNoPii);
  const std::vector<std::string> leaks =
      sentry_pii_findings(delivery.body, found->event, sensitive);
  pii.status = leaks.empty() ? core::CheckStatus::kPass : core::CheckStatus::kFail;
  pii.message = leaks.empty() ? "no email, password, bearer token or secret in the event"
                              : join(leaks);
  pii.evidence = {{"findings", leaks}};
  sink.record(pii);
  users.release(user);
  outcome_of_run.jobs_finished = 1;
  return outcome_of_run;
}

}  // namespace golive::observability
