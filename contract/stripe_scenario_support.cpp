#include "contract/stripe_scenario_support.hpp"

#include <optional>

#include "http/request_evidence.hpp"

namespace golive::contract {

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

namespace {

nlohmann::json delivery_record(const http::HttpRequest& request,
                               const http::HttpResponse& response) {
  return {{"signature", signature_evidence(request)}, {"response", response_evidence(response)}};
}

}  // namespace

http::HttpResponse deliver(ScenarioContext& context, const WebhookDelivery& delivery,
                           const std::string& label, ScenarioVerdict& verdict) {
  const http::HttpRequest request = context.client.request_for(delivery);
  http::HttpResponse response = context.client.send_all({request}, 1).front();
  nlohmann::json record = delivery_record(request, response);
  attach_reproduction(context, request, record, verdict);
  verdict.evidence["deliveries"][label] = std::move(record);
  if (response.error == http::HttpErrorCategory::kConnect ||
      response.error == http::HttpErrorCategory::kDns) {
    verdict.unreachable = true;
  }
  return response;
}

void attach_reproduction(const ScenarioContext& context, const http::HttpRequest& request,
                         nlohmann::json& record, ScenarioVerdict& verdict) {
  http::add_reproduction(record, request,
                         http::ReproductionSecrets(context.env, core::Redactor::global()));
  verdict.evidence["reproduction"] = record["reproduction"];
  if (record.contains("reproduction_env")) {
    verdict.evidence["reproduction_env"] = record["reproduction_env"];
  } else {
    verdict.evidence.erase("reproduction_env");
  }
}

void drop_reproductions(nlohmann::json& evidence) {
  if (!evidence.is_object()) return;
  const auto drop = [](nlohmann::json& record) {
    if (!record.is_object()) return;
    record.erase("reproduction");
    record.erase("reproduction_env");
  };
  drop(evidence);
  if (evidence.contains("storm")) drop(evidence["storm"]);
  for (const char* group : {"deliveries", "features"}) {
    if (!evidence.contains(group) || !evidence[group].is_object()) continue;
    for (auto& record : evidence[group]) drop(record);
  }
}

ScenarioVerdict skipped_for_observer(std::string message) {
  ScenarioVerdict verdict;
  verdict.status = core::CheckStatus::kSkip;
  verdict.needs_observer = true;
  verdict.message = std::move(message);
  return verdict;
}

std::optional<ScenarioVerdict> needs(const ScenarioContext& context,
                                     std::initializer_list<ObservedField> fields) {
  if (!context.observer.observes()) {
    return skipped_for_observer(
        "needs stripe.observe (\"sql\" over database_url, or \"http\" with a state_url) to see "
        "what a delivery changed");
  }
  std::string missing;
  for (const ObservedField field : fields) {
    if (!context.observer.sees(field)) missing += (missing.empty() ? "" : "; ") + field_setting(field);
  }
  if (missing.empty()) return std::nullopt;
  return skipped_for_observer(std::string("the ") + context.observer.source() +
                              " observer does not see what this check needs; set " + missing);
}

void note_undecided(const http::HttpResponse& response, const std::string& what,
                    ScenarioVerdict& verdict) {
  if (response.transport_ok() && response.status / 100 != 3 && response.status / 100 != 5) return;
  if (!verdict.undecided.empty()) return;
  verdict.undecided = what + " answered " + status_text(response) +
                      ": neither an accept (2xx) nor a reject (4xx)";
}

std::string status_text(const http::HttpResponse& response) {
  if (!response.transport_ok()) return std::string(http::to_string(response.error));
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
  } else if (!verdict.undecided.empty()) {
    verdict.status = core::CheckStatus::kError;
    verdict.message = verdict.undecided;
  } else if (expectations.ok()) {
    verdict.status = core::CheckStatus::kPass;
    verdict.message = pass_message;
  } else {
    verdict.status = core::CheckStatus::kFail;
    verdict.message = expectations.summary();
  }
  return verdict;
}

}  // namespace golive::contract
