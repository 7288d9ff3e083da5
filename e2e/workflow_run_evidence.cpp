// What a workflow step's check result carries (WorkflowRun, e2e/workflow_run.hpp):
// the step's evidence (method, URL, attempts, redirects, bodies cut to
// kEvidenceBodyLimit bytes, status, latency), the values of the run's
// credential variables masked in it and in the message, every environment
// secret redacted, and a curl reproduction when the step failed or errored.
#include "e2e/workflow_run.hpp"

#include <algorithm>
#include <cctype>

#include "core/ascii_case.hpp"
#include "e2e/response_checks.hpp"
#include "e2e/step_request.hpp"
#include "http/request_evidence.hpp"

namespace golive::e2e {
namespace {

constexpr std::size_t kEvidenceBodyLimit = 2048;  // bytes of each body kept in evidence
constexpr std::size_t kMinimumMaskedLength = 6;   // shorter values would shred evidence

}  // namespace

std::string WorkflowRun::mask_sensitive(std::string text) const {
  std::vector<const std::string*> secrets;
  for (std::size_t slot : sensitive_slots_) {
    if (values_.is_set(slot) && values_.get(slot).size() >= kMinimumMaskedLength) {
      secrets.push_back(&values_.get(slot));
    }
  }
  // Longest first, so a value containing another is masked whole.
  std::sort(secrets.begin(), secrets.end(),
            [](const std::string* a, const std::string* b) { return a->size() > b->size(); });
  static const std::string kMask = core::Redactor::kMask;
  for (const std::string* secret : secrets) {
    for (auto pos = text.find(*secret); pos != std::string::npos;
         pos = text.find(*secret, pos + kMask.size())) {
      text.replace(pos, secret->size(), kMask);
    }
  }
  return text;
}

http::ReproductionSecrets WorkflowRun::reproduction_secrets() const {
  const core::Redactor& redactor =
      options_.redactor ? *options_.redactor : core::Redactor::global();
  http::ReproductionSecrets secrets(redactor);
  const RunEnvironment& environment = *options_.environment;
  for (const auto& [value, variable] : environment.secret_variables) {
    secrets.add(value, variable, "the value of ${" + variable + "} in " + environment.source_file);
  }
  // A credential the workflow captured: its variable, upper-cased.
  for (std::size_t slot : sensitive_slots_) {
    if (!values_.is_set(slot)) continue;
    const std::string& name = workflow_->symbols.name(slot);
    std::string variable;
    for (char c : name) {
      variable += std::isalnum(static_cast<unsigned char>(c)) ? core::ascii_upper(c) : '_';
    }
    secrets.add(values_.get(slot), variable,
                "the workflow variable {{" + name + "}} of " + workflow_->name +
                    " (a credential an earlier step captured: run those steps or set it by hand)");
  }
  return secrets;
}

void WorkflowRun::record(const Step& step, core::CheckStatus status, const std::string& message,
                         double duration_ms, bool with_exchange) {
  if (!options_.results) return;
  const core::Redactor& redactor = *options_.redactor;
  bool cleanup = phase_ == Phase::kCleanup;
  core::CheckResult result;
  result.id = options_.id_prefix + "." + step.name;
  result.suite = "e2e";
  result.title = workflow_->name + ": " + step.name + (cleanup ? " (cleanup)" : "");
  result.status = status;
  result.severity = cleanup ? core::Severity::kLow : options_.severity;
  result.duration_ms = duration_ms;
  result.message = redactor.redact(mask_sensitive(message));
  nlohmann::json evidence{
      {"workflow", workflow_->name},
      {"step", step.name},
      {"phase", cleanup ? "cleanup" : "main"},
      {"source", step.source_file + (step.location.empty() ? "" : " at " + step.location)}};
  if (options_.dataset_row) evidence["dataset_row"] = *options_.dataset_row + 1;
  if (refused_not_allowed_) {
    // The same category the HTTP engine gives a refused host (http::HttpErrorCategory).
    evidence["error"] = http::to_string(http::HttpErrorCategory::kNotAllowed);
    evidence["url"] = mask_sensitive(request_.url);
    evidence["sent"] = false;
  }
  if (with_exchange) {
    evidence["method"] = request_.method;
    evidence["url"] = mask_sensitive(request_.url);
    evidence["attempts"] = attempts_;
    if (step.body_kind == BodyKind::kMultipart) {
      evidence["request_parts"] = describe_multipart(step);
    } else if (!request_.body.empty()) {
      evidence["request_body"] = excerpt(mask_sensitive(request_.body), kEvidenceBodyLimit);
    }
    if (!redirect_chain_.empty()) {
      nlohmann::json chain = nlohmann::json::array();
      for (const auto& hop : redirect_chain_) chain.push_back(mask_sensitive(hop));
      evidence["redirects"] = std::move(chain);
    }
    if (retries_ > 0) evidence["retries"] = retries_;
    if (response_received_) {
      evidence["status"] = response_.status;
      evidence["latency_ms"] = last_latency_ms_;
      if (!response_.transport_ok()) evidence["error"] = http::to_string(response_.error);
      if (!response_.body.empty()) {
        evidence["response_body"] = excerpt(mask_sensitive(response_.body), kEvidenceBodyLimit);
      }
    }
    if (status == core::CheckStatus::kFail || status == core::CheckStatus::kError) {
      http::add_reproduction(evidence, request_, reproduction_secrets());
    }
  }
  result.evidence = redactor.redact(evidence);
  options_.results->record(result);
}

}  // namespace golive::e2e
