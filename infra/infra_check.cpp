#include "infra/infra_check.hpp"

#include "http/request_evidence.hpp"

namespace golive::infra {

InfraCheck::InfraCheck(core::ResultSink& sink, std::string id, std::string title,
                       core::Severity severity, std::vector<std::string> checklist)
    : sink_(sink) {
  result_.id = std::move(id);
  result_.suite = "infra";
  result_.title = std::move(title);
  result_.severity = severity;
  result_.checklist = std::move(checklist);
}

void InfraCheck::record(core::CheckStatus status, std::string message, nlohmann::json evidence) {
  core::CheckResult result = result_;
  result.status = status;
  result.message = std::move(message);
  result.evidence = std::move(evidence);
  http::attach_reproduction(result, reproduction_);
  result.duration_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started_).count();
  sink_.record(result);
}

void InfraCheck::pass(std::string message, nlohmann::json evidence) {
  record(core::CheckStatus::kPass, std::move(message), std::move(evidence));
}
void InfraCheck::fail(std::string message, nlohmann::json evidence) {
  record(core::CheckStatus::kFail, std::move(message), std::move(evidence));
}
void InfraCheck::error(std::string message, nlohmann::json evidence) {
  record(core::CheckStatus::kError, std::move(message), std::move(evidence));
}
void InfraCheck::skip(std::string message, nlohmann::json evidence) {
  record(core::CheckStatus::kSkip, std::move(message), std::move(evidence));
}

}  // namespace golive::infra
