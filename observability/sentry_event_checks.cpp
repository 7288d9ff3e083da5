#include "observability/sentry_event_checks.hpp"

#include <algorithm>
#include <cctype>

namespace golive::observability {

namespace {

std::string string_at(const nlohmann::json& event, const char* pointer) {
  const nlohmann::json::json_pointer path(pointer);
  return event.contains(path) && event.at(path).is_string() ? event.at(path).get<std::string>()
                                                            : "";
}

// course_id as Sentry users put it: a tag, or a field of any context
// ("course": {"id"}, or {"course_id"} anywhere under contexts or extra).
std::string course_id_of(const nlohmann::json& event) {
  if (const std::string tag = string_at(event, "/tags/course_id"); !tag.empty()) return tag;
  // Tags may also come as [[key, value], ...].
  if (event.contains("tags") && event["tags"].is_array()) {
    for (const auto& pair : event["tags"]) {
      if (pair.is_array() && pair.size() == 2 && pair[0] == "course_id" && pair[1].is_string()) {
        return pair[1].get<std::string>();
      }
    }
  }
  if (const std::string context = string_at(event, "/contexts/course/id"); !context.empty()) {
    return context;
  }
  for (const char* section : {"contexts", "extra"}) {
    if (!event.contains(section) || !event[section].is_object()) continue;
    for (const auto& [name, value] : event[section].items()) {
      if (name == "course_id" && value.is_string()) return value.get<std::string>();
      if (value.is_object() && value.contains("course_id") && value["course_id"].is_string()) {
        return value["course_id"].get<std::string>();
      }
    }
  }
  return "";
}

const nlohmann::json* first_frames(const nlohmann::json& event) {
  auto frames_of = [](const nlohmann::json& holder) -> const nlohmann::json* {
    const nlohmann::json::json_pointer path("/stacktrace/frames");
    if (holder.is_object() && holder.contains(path) && holder.at(path).is_array() &&
        !holder.at(path).empty()) {
      return &holder.at(path);
    }
    return nullptr;
  };
  for (const char* list : {"/exception/values", "/threads/values"}) {
    const nlohmann::json::json_pointer path(list);
    if (!event.contains(path) || !event.at(path).is_array()) continue;
    for (const auto& value : event.at(path)) {
      if (const nlohmann::json* frames = frames_of(value)) return frames;
    }
  }
  return frames_of(event);  // a message event with a top-level stacktrace
}

void find_path(const nlohmann::json& node, const std::string& needle, const std::string& path,
               std::string& found) {
  if (!found.empty()) return;
  if (node.is_string()) {
    if (node.get<std::string>().find(needle) != std::string::npos) found = path.empty() ? "/" : path;
  } else if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      if (key.find(needle) != std::string::npos) found = path + "/" + key;
      find_path(value, needle, path + "/" + key, found);
    }
  } else if (node.is_array()) {
    for (std::size_t i = 0; i < node.size(); ++i) {
      find_path(node[i], needle, path + "/" + std::to_string(i), found);
    }
  }
}

}  // namespace

std::vector<std::string> sentry_context_failures(const nlohmann::json& event,
                                                 const SentryExpectation& expected) {
  std::vector<std::string> failures;
  const std::string environment = string_at(event, "/environment");
  if (environment.empty()) {
    failures.push_back("the event has no environment");
  } else if (!expected.environment.empty() && environment != expected.environment) {
    failures.push_back("environment is \"" + environment + "\", the environment's name is \"" +
                       expected.environment + "\"");
  }
  std::string user_id = string_at(event, "/user/id");
  if (user_id.empty() && event.contains(nlohmann::json::json_pointer("/user/id")) &&
      event.at(nlohmann::json::json_pointer("/user/id")).is_number()) {
    user_id = event.at(nlohmann::json::json_pointer("/user/id")).dump();
  }
  if (user_id.empty()) {
    failures.push_back("the event has no user.id");
  } else if (!expected.user_id.empty() && user_id != expected.user_id) {
    failures.push_back("user.id is \"" + user_id + "\", the test user is \"" + expected.user_id +
                       "\"");
  }
  if (!expected.course_id.empty()) {
    const std::string course = course_id_of(event);
    if (course.empty()) {
      failures.push_back("the event has no course_id (neither a tag nor a context)");
    } else if (course != expected.course_id) {
      failures.push_back("course_id is \"" + course + "\", the job's course is \"" +
                         expected.course_id + "\"");
    }
  }
  if (string_at(event, "/release").empty()) failures.push_back("the event has no release");
  return failures;
}

std::string sentry_stacktrace_failure(const nlohmann::json& event) {
  const bool has_exception = event.contains(nlohmann::json::json_pointer("/exception/values")) &&
                             event.at(nlohmann::json::json_pointer("/exception/values")).is_array() &&
                             !event.at(nlohmann::json::json_pointer("/exception/values")).empty();
  if (first_frames(event) != nullptr) return "";
  return has_exception ? "the exception has no stack trace frames"
                       : "the event has no exception (only a message), so no stack trace";
}

std::size_t sentry_frame_count(const nlohmann::json& event) {
  const nlohmann::json* frames = first_frames(event);
  return frames == nullptr ? 0 : frames->size();
}

std::string json_path_of(const nlohmann::json& event, const std::string& needle) {
  std::string found;
  if (!needle.empty()) find_path(event, needle, "", found);
  return found;
}

std::vector<std::string> sentry_pii_findings(const std::string& sent, const nlohmann::json& event,
                                             const std::vector<SensitiveValue>& sensitive) {
  std::vector<std::string> findings;
  for (const SensitiveValue& item : sensitive) {
    // Short values (a 3-character password) would match by accident.
    if (item.value.size() < 6 || sent.find(item.value) == std::string::npos) continue;
    const std::string path = json_path_of(event, item.value);
    findings.push_back(item.what + (path.empty() ? " is in the request" : " is at " + path));
  }
  for (const char* prefix : {"whsec_", "sk_live_", "sk_test_", "rk_live_"}) {
    for (std::size_t at = sent.find(prefix); at != std::string::npos;
         at = sent.find(prefix, at + 1)) {
      // A secret, not the word: the prefix followed by at least 8 key characters.
      std::size_t end = at + std::char_traits<char>::length(prefix);
      std::size_t run = 0;
      while (end + run < sent.size() &&
             (std::isalnum(static_cast<unsigned char>(sent[end + run])) || sent[end + run] == '_')) {
        ++run;
      }
      if (run < 8) continue;
      const std::string value = sent.substr(at, end + run - at);
      const std::string path = json_path_of(event, value);
      const std::string where = path.empty() ? " is in the request" : " is at " + path;
      // Already named above as the environment's own secret.
      const bool named = std::any_of(findings.begin(), findings.end(), [&](const std::string& f) {
        return !path.empty() && f.size() >= where.size() &&
               f.compare(f.size() - where.size(), where.size(), where) == 0;
      });
      if (!named) findings.push_back(std::string("a ") + prefix + "... secret" + where);
      break;
    }
  }
  return findings;
}

}  // namespace golive::observability
