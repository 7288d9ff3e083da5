// CheckResult: the one record every suite emits and every reporter consumes.
// Its JSON shape is a stable contract (see ARCHITECTURE.md): one object per
// line in results.jsonl and the `checks` array of report.json.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace golive::core {

enum class CheckStatus { kPass, kFail, kError, kSkip };
enum class Severity { kInfo, kLow, kMedium, kHigh, kCritical };

const char* to_string(CheckStatus status);
const char* to_string(Severity severity);
std::optional<CheckStatus> parse_check_status(const std::string& text);
std::optional<Severity> parse_severity(const std::string& text);

struct CheckResult {
  std::string id;     // stable and dotted: "security.rls.cross_user_update.public.topics"
  std::string suite;  // "e2e", "load", "security", "contract", "env", "db"
  std::string title;  // one line a release manager can read
  CheckStatus status = CheckStatus::kPass;
  Severity severity = Severity::kMedium;
  std::vector<std::string> checklist;  // go-live item ids this check evidences
  double duration_ms = 0;              // wall time of the check, milliseconds
  std::string message;                 // why it passed or failed, one or two sentences
  nlohmann::json evidence = nlohmann::json::object();  // request/response excerpts, SQL, figures

  bool failed() const { return status == CheckStatus::kFail || status == CheckStatus::kError; }
};

nlohmann::json to_json(const CheckResult& result);
// Throws InputError naming `origin` when a field is missing or has the wrong type.
CheckResult check_result_from_json(const nlohmann::json& value, const std::string& origin);

}  // namespace golive::core
