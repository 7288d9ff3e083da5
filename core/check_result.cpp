#include "core/check_result.hpp"

#include <array>
#include <utility>

#include "core/input_error.hpp"

namespace golive::core {

namespace {
constexpr std::array<std::pair<CheckStatus, const char*>, 4> kStatusNames{{
    {CheckStatus::kPass, "pass"},
    {CheckStatus::kFail, "fail"},
    {CheckStatus::kError, "error"},
    {CheckStatus::kSkip, "skip"},
}};
constexpr std::array<std::pair<Severity, const char*>, 5> kSeverityNames{{
    {Severity::kInfo, "info"},
    {Severity::kLow, "low"},
    {Severity::kMedium, "medium"},
    {Severity::kHigh, "high"},
    {Severity::kCritical, "critical"},
}};
}  // namespace

const char* to_string(CheckStatus status) {
  for (const auto& [value, name] : kStatusNames) {
    if (value == status) return name;
  }
  return "error";
}

const char* to_string(Severity severity) {
  for (const auto& [value, name] : kSeverityNames) {
    if (value == severity) return name;
  }
  return "medium";
}

std::optional<CheckStatus> parse_check_status(const std::string& text) {
  for (const auto& [value, name] : kStatusNames) {
    if (text == name) return value;
  }
  return std::nullopt;
}

std::optional<Severity> parse_severity(const std::string& text) {
  for (const auto& [value, name] : kSeverityNames) {
    if (text == name) return value;
  }
  return std::nullopt;
}

nlohmann::json to_json(const CheckResult& result) {
  return nlohmann::json{
      {"id", result.id},
      {"suite", result.suite},
      {"title", result.title},
      {"status", to_string(result.status)},
      {"severity", to_string(result.severity)},
      {"checklist", result.checklist},
      {"duration_ms", result.duration_ms},
      {"message", result.message},
      {"evidence", result.evidence},
  };
}

CheckResult check_result_from_json(const nlohmann::json& value, const std::string& origin) {
  JsonReader reader(value, origin);
  CheckResult result;
  result.id = reader.at("id").as_string();
  result.suite = reader.at("suite").as_string();
  result.title = reader.string_or("title", result.id);
  auto status_reader = reader.at("status");
  auto status = parse_check_status(status_reader.as_string());
  if (!status) status_reader.fail("status must be pass, fail, error or skip");
  result.status = *status;
  if (reader.has("severity")) {
    auto severity_reader = reader.at("severity");
    auto severity = parse_severity(severity_reader.as_string());
    if (!severity) severity_reader.fail("severity must be info, low, medium, high or critical");
    result.severity = *severity;
  }
  if (reader.has("checklist")) {
    const auto& items = reader.at("checklist").as_array();
    for (std::size_t i = 0; i < items.size(); ++i) {
      result.checklist.push_back(reader.at("checklist").at(i).as_string());
    }
  }
  result.duration_ms = reader.number_or("duration_ms", 0);
  result.message = reader.string_or("message", "");
  if (reader.has("evidence")) result.evidence = reader.at("evidence").value();
  return result;
}

}  // namespace golive::core
