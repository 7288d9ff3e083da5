#include "security/injection_settings.hpp"

#include <algorithm>
#include <cctype>

#include "core/ascii_case.hpp"
#include "core/input_error.hpp"
#include "target/target_profile.hpp"

namespace golive::security {

namespace {

constexpr int kMaxRequestsHardCap = 1000;  // requests; no configuration goes beyond this

// Phrases that open or label a system prompt in common chat formats, and never
// occur in the probe's own payloads (so an echoing model cannot trip them).
std::vector<std::string> default_markers() {
  return {"<<SYS>>",    "<|im_start|>system", "<|system|>",        "[INST]",
          "### System", "system prompt:",     "You are a helpful", "You are an AI"};
}

bool valid_name(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::islower(c) != 0 || std::isdigit(c) != 0 || c == '_' || c == '.';
  });
}

// "/functions/v1/redeem-token" + "code" -> "redeem_token.code"
std::string derived_name(const InjectionTarget& target) {
  std::string last = target.path.substr(target.path.rfind('/') + 1);
  last = last.substr(0, last.find('?'));
  std::string name = last + "." + (target.param.empty() ? target.field : target.param);
  for (char& c : name) {
    c = core::ascii_lower(c);
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '.') c = '_';
  }
  return name;
}

InjectionTarget read_target(const core::JsonReader& entry) {
  entry.reject_unknown_keys(
      {"name", "method", "path", "param", "field", "prefix", "query", "body", "auth"});
  InjectionTarget target;
  target.method = entry.string_or("method", "GET");
  static const std::vector<std::string> methods = {"GET", "POST", "PATCH", "PUT", "DELETE"};
  if (std::find(methods.begin(), methods.end(), target.method) == methods.end()) {
    entry.at("method").fail("must be one of GET, POST, PATCH, PUT, DELETE");
  }
  target.path = entry.at("path").as_string();
  if (target.path.empty() || target.path.front() != '/') {
    entry.at("path").fail("a path must start with '/'");
  }
  target.param = entry.string_or("param", "");
  target.field = entry.string_or("field", "");
  if (target.param.empty() == target.field.empty()) {
    entry.fail("give exactly one of \"param\" (query parameter) or \"field\" (JSON body member)");
  }
  if (!target.field.empty() && target.method == "GET") {
    entry.at("field").fail("a JSON body field needs method POST, PATCH, PUT or DELETE");
  }
  target.prefix = entry.string_or("prefix", "");
  target.query = entry.string_or("query", "");
  if (entry.has("body")) target.body = entry.at("body").as_object();
  const std::string auth = entry.string_or("auth", "user");
  if (auth != "user" && auth != "anon") entry.at("auth").fail("must be \"user\" or \"anon\"");
  target.as_user = auth == "user";
  target.name = entry.string_or("name", derived_name(target));
  if (!valid_name(target.name)) {
    (entry.has("name") ? entry.at("name") : entry)
        .fail("the target name \"" + target.name + "\" may hold only a-z, 0-9, '_' and '.'");
  }
  return target;
}

int bounded_integer(const core::JsonReader& parent, const char* key, int fallback, int low,
                    int high) {
  if (!parent.has(key)) return fallback;
  const auto value = parent.at(key).as_integer();
  if (value < low || value > high) {
    parent.at(key).fail("must be between " + std::to_string(low) + " and " + std::to_string(high));
  }
  return static_cast<int>(value);
}

}  // namespace

std::vector<InjectionTarget> default_injection_targets(const config::Environment& env) {
  const target::TargetProfile profile = target::read_target_profile(env);
  InjectionTarget search;
  search.name = profile.owned_table + ".search";
  search.method = "GET";
  search.path = profile.owned_table_path(env);
  search.param = "search";
  search.query = "select=id," + profile.owned_text_column;

  InjectionTarget filter = search;
  filter.name = profile.owned_table + "." + profile.owned_text_column + "_eq";
  filter.param = profile.owned_text_column;
  filter.prefix = "eq.";

  InjectionTarget redeem;
  redeem.name = "redeem_token.code";
  redeem.method = "POST";
  redeem.path = env.paths.functions + "/redeem-token";
  redeem.field = "code";
  return {search, filter, redeem};
}

InjectionSettings read_injection_settings(const config::Environment& env) {
  InjectionSettings settings;
  settings.targets = default_injection_targets(env);
  settings.ai_path = env.paths.functions + "/extract-topics";
  settings.ai_job_path = env.paths.functions + "/jobs/";
  settings.system_prompt_markers = default_markers();

  const auto section = env.sections.find("security");
  if (section == env.sections.end() || !section->second.is_object() ||
      !section->second.contains("injection")) {
    return settings;
  }
  const core::JsonReader root =
      core::JsonReader(section->second, env.source_file, "/security").at("injection");
  root.as_object();
  root.reject_unknown_keys({"targets", "sleep_seconds", "max_requests", "xss", "ai"});
  if (root.has("targets")) {
    const core::JsonReader targets = root.at("targets");
    settings.targets.clear();
    for (std::size_t i = 0; i < targets.as_array().size(); ++i) {
      settings.targets.push_back(read_target(targets.at(i)));
    }
  }
  settings.sleep_seconds = bounded_integer(root, "sleep_seconds", settings.sleep_seconds, 1, 5);
  settings.max_requests =
      bounded_integer(root, "max_requests", settings.max_requests, 10, kMaxRequestsHardCap);
  if (root.has("xss")) {
    const core::JsonReader xss = root.at("xss");
    xss.reject_unknown_keys({"sanitized_storage_required"});
    settings.sanitized_storage_required =
        xss.bool_or("sanitized_storage_required", settings.sanitized_storage_required);
  }
  if (root.has("ai")) {
    const core::JsonReader ai = root.at("ai");
    ai.reject_unknown_keys({"path", "job_path", "max_input_chars", "over_limit",
                            "system_prompt_markers", "job_timeout_s"});
    settings.ai_path = ai.string_or("path", settings.ai_path);
    settings.ai_job_path = ai.string_or("job_path", settings.ai_job_path);
    for (const char* key : {"path", "job_path"}) {
      if (ai.has(key) && ai.at(key).as_string().rfind('/', 0) != 0) {
        ai.at(key).fail("a path must start with '/'");
      }
    }
    settings.ai_max_input_chars =
        bounded_integer(ai, "max_input_chars", settings.ai_max_input_chars, 1, 4'000'000);
    const std::string policy = ai.string_or("over_limit", "reject_or_truncate");
    if (policy == "reject") {
      settings.over_limit = OverLimitPolicy::kReject;
    } else if (policy != "reject_or_truncate") {
      ai.at("over_limit").fail("must be \"reject\" or \"reject_or_truncate\"");
    }
    if (ai.has("system_prompt_markers")) {
      const core::JsonReader markers = ai.at("system_prompt_markers");
      for (std::size_t i = 0; i < markers.as_array().size(); ++i) {
        std::string marker = markers.at(i).as_string();
        if (marker.size() < 4) markers.at(i).fail("a marker needs at least 4 characters");
        settings.system_prompt_markers.push_back(std::move(marker));
      }
    }
    settings.ai_job_timeout_s =
        bounded_integer(ai, "job_timeout_s", settings.ai_job_timeout_s, 1, 300);
  }
  return settings;
}

}  // namespace golive::security
