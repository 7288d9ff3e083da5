#include "contract/schema_conformance.hpp"

#include <algorithm>

#include "http/request_evidence.hpp"

namespace golive::contract {

namespace {

// Violations kept per endpoint in the evidence (the count is always exact).
constexpr std::size_t kMaxFailures = 10;
// Unmatched endpoints listed in the evidence.
constexpr std::size_t kMaxUnmatchedListed = 20;

// GoTrue's error body for callers that do not send X-Supabase-Api-Version.
bool is_legacy_gotrue_error(const nlohmann::json& document) {
  return document.is_object() && document.contains("code") && document["code"].is_number_integer() &&
         document.contains("msg") && document["msg"].is_string();
}

bool is_json_response(const http::HttpResponse& response) {
  const auto type = response.header("content-type");
  return type && type->find("json") != std::string::npos;
}

std::string type_name(const nlohmann::json& value) {
  if (value.is_number_integer()) return "integer";
  return value.type_name();
}

// The JSON type at `pointer` in `document` ("absent" when nothing is there).
std::string found_at(const nlohmann::json& document, const std::string& pointer) {
  try {
    const nlohmann::json::json_pointer where(pointer);
    if (!document.contains(where)) return "absent";
    return type_name(document.at(where));
  } catch (const std::exception&) {
    return "absent";
  }
}

std::string join_statuses(const std::set<int>& statuses) {
  std::string text;
  for (int status : statuses) text += (text.empty() ? "" : ", ") + std::to_string(status);
  return text;
}

}  // namespace

std::string default_schemas_dir(const std::string& golive_home) {
  return golive_home + "/contract/schemas";
}

SchemaConformance::SchemaConformance(ResponseSchemas schemas, std::string base_url)
    : schemas_(std::move(schemas)), base_url_(std::move(base_url)) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
}

void SchemaConformance::observe(std::string_view method, std::string_view url,
                                const http::HttpResponse& response, std::string_view where,
                                const std::function<nlohmann::json()>& reproduction) {
  if (!response.transport_ok() || response.status == 0) return;
  std::string full(url);
  std::string path = full.rfind(base_url_, 0) == 0 && !base_url_.empty()
                         ? url_path(full.substr(base_url_.size()))
                         : url_path(full);
  if (path.empty()) path = "/";
  const EndpointSchema* endpoint = schemas_.find(std::string(method), path, response.status);
  if (endpoint == nullptr) {
    if (!is_json_response(response)) return;
    std::lock_guard lock(mutex_);
    ++unmatched_;
    if (unmatched_paths_.size() < kMaxUnmatchedListed) {
      unmatched_paths_.insert(std::string(method) + " " + path + " " +
                              std::to_string(response.status));
    }
    return;
  }

  // No content at all (a 201 under PostgREST's default return=minimal): the
  // schema describes a body, and there is none to hold to it.
  if (response.body.empty() && !is_json_response(response)) return;

  // Validate outside the lock: the validator is const and thread-safe.
  std::vector<SchemaViolation> violations;
  if (!is_json_response(response)) {
    violations.push_back({"", "content-type",
                          "the response is not JSON (Content-Type " +
                              response.header("content-type").value_or("absent") + ")"});
  }
  nlohmann::json document;
  if (violations.empty()) {
    document = nlohmann::json::parse(response.body, nullptr, false);
    if (document.is_discarded()) {
      violations.push_back({"", "json", "the body is not valid JSON"});
    } else {
      violations = endpoint->validator->validate(document);
    }
  }

  // Rendered outside the lock, and only for a response that breaks its schema.
  nlohmann::json rendered;
  if (!violations.empty() && reproduction) rendered = reproduction();
  std::lock_guard lock(mutex_);
  Tally& tally = tallies_[endpoint->name];
  if (tally.origin.find(endpoint->origin) == std::string::npos) {
    tally.origin += (tally.origin.empty() ? "" : ", ") + endpoint->origin;
  }
  ++tally.validated;
  tally.statuses.insert(response.status);
  if (!violations.empty() && response.status >= 400 && is_legacy_gotrue_error(document)) {
    ++tally.legacy_gotrue_errors;
    violations.clear();
  }
  if (violations.empty()) {
    ++tally.conforming;
    return;
  }
  if (tally.reproduction.is_null() && rendered.is_object() && rendered.contains("reproduction")) {
    tally.reproduction = std::move(rendered);
  }
  for (const auto& violation : violations) {
    ++tally.failures_total;
    if (tally.failures.size() >= kMaxFailures) continue;
    tally.failures.push_back({{"pointer", violation.pointer},
                              {"keyword", violation.keyword},
                              {"message", violation.message},
                              {"found", document.is_discarded() || document.is_null()
                                            ? "n/a"
                                            : found_at(document, violation.pointer)},
                              {"status", response.status},
                              {"method", std::string(method)},
                              {"path", path},
                              {"where", std::string(where)},
                              {"schema", endpoint->origin}});
  }
}

void SchemaConformance::record_results(core::ResultSink& sink) const {
  std::lock_guard lock(mutex_);
  for (const auto& [name, tally] : tallies_) {
    core::CheckResult result;
    result.id = "contract.schema." + name;
    result.suite = "contract";
    result.title = "Responses of " + name + " conform to their JSON Schema";
    result.severity = core::Severity::kMedium;
    result.evidence = {
        {"schema", tally.origin},         {"responses", tally.validated},
        {"conforming", tally.conforming}, {"statuses", tally.statuses},
        {"violations", tally.failures},   {"violations_total", tally.failures_total}};
    if (tally.failures_total == 0) {
      result.status = core::CheckStatus::kPass;
      result.message = std::to_string(tally.validated) + " response(s) (status " +
                       join_statuses(tally.statuses) + ") conform to " + tally.origin;
      if (tally.legacy_gotrue_errors > 0) {
        result.message += "; " + std::to_string(tally.legacy_gotrue_errors) +
                          " error(s) in GoTrue's legacy shape {code: <status>, error_code, msg} "
                          "(the request sent no X-Supabase-Api-Version)";
      }
      result.evidence["legacy_gotrue_errors"] = tally.legacy_gotrue_errors;
    } else {
      result.status = core::CheckStatus::kFail;
      const nlohmann::json& first = tally.failures.front();
      std::string pointer = first["pointer"].get<std::string>();
      result.message =
          std::to_string(tally.validated - tally.conforming) + " of " +
          std::to_string(tally.validated) + " response(s) violate the schema; first: " +
          (pointer.empty() ? std::string("(root)") : pointer) + " violates \"" +
          first["keyword"].get<std::string>() + "\" (" + first["message"].get<std::string>() +
          ") in " + first["where"].get<std::string>();
      http::attach_reproduction(result, tally.reproduction);
    }
    sink.record(result);
  }
}

std::size_t SchemaConformance::validated() const {
  std::lock_guard lock(mutex_);
  std::size_t total = 0;
  for (const auto& [name, tally] : tallies_) total += tally.validated;
  return total;
}

std::set<std::string> SchemaConformance::unmatched_examples() const {
  std::lock_guard lock(mutex_);
  return unmatched_paths_;
}

std::size_t SchemaConformance::unmatched() const {
  std::lock_guard lock(mutex_);
  return unmatched_;
}

}  // namespace golive::contract
