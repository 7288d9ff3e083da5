#include "import/correlation.hpp"

#include <cctype>
#include <regex>

#include "core/ascii_case.hpp"

namespace golive::imports {

bool looks_generated(const std::string& value) {
  if (value.size() < 8 || value.size() > 4096) return false;
  bool digit = false;
  for (char c : value) {
    if (std::isdigit(static_cast<unsigned char>(c))) digit = true;
    if (c == ' ' || c == '\n') return false;  // prose, not an identifier
  }
  static const std::regex kDate("^\\d{4}-\\d{2}-\\d{2}([T ].*)?$");
  return digit && !std::regex_match(value, kDate);
}

std::string variable_name(const std::string& text) {
  std::string name;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (std::isalnum(static_cast<unsigned char>(c))) {
      // camelCase -> camel_case
      if (std::isupper(static_cast<unsigned char>(c)) && i > 0 &&
          (std::islower(static_cast<unsigned char>(text[i - 1])) || std::isdigit(static_cast<unsigned char>(text[i - 1]))) &&
          !name.empty() && name.back() != '_') {
        name += '_';
      }
      name += core::ascii_lower(c);
    } else if (!name.empty() && name.back() != '_') {
      name += '_';
    }
  }
  while (!name.empty() && name.back() == '_') name.pop_back();
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) name = "v_" + name;
  return name;
}

namespace {

std::string singular(std::string word) {
  if (word.size() > 3 && word.compare(word.size() - 3, 3, "ies") == 0) return word.substr(0, word.size() - 3) + "y";
  if (word.size() > 1 && word.back() == 's') word.pop_back();
  return word;
}

bool all_digits(const std::string& text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// "/0/id" of resource "courses" -> "course_id"; "/user/id" -> "user_id";
// "/access_token" -> "access_token".
std::string name_for_pointer(const std::vector<std::string>& tokens, const std::string& resource) {
  std::string last;
  std::string parent;
  for (const auto& token : tokens) {
    if (all_digits(token)) continue;
    parent = last;
    last = token;
  }
  if (last.empty()) return variable_name(singular(resource) + "_value");
  if (core::ascii_lower(last) == "id") {
    std::string owner = parent.empty() ? singular(resource) : parent;
    return variable_name(owner.empty() ? "id" : owner + "_id");
  }
  return variable_name(last);
}

void walk(const nlohmann::json& value, std::vector<std::string>& tokens, const std::string& resource,
          std::vector<CorrelationCandidate>& out) {
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      tokens.push_back(it.key());
      walk(it.value(), tokens, resource, out);
      tokens.pop_back();
    }
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      tokens.push_back(std::to_string(i));
      walk(value[i], tokens, resource, out);
      tokens.pop_back();
    }
  } else if (value.is_string() && looks_generated(value.get<std::string>())) {
    std::string pointer;
    for (const auto& token : tokens) {
      pointer += '/';
      for (char c : token) pointer += c == '~' ? std::string("~0") : c == '/' ? std::string("~1") : std::string(1, c);
    }
    CorrelationCandidate candidate;
    candidate.value = value.get<std::string>();
    candidate.capture = {{"json", pointer}};
    candidate.suggested_name = name_for_pointer(tokens, resource);
    out.push_back(std::move(candidate));
  }
}

std::string attribute_of(const std::string& tag, const std::string& attribute) {
  std::regex pattern("\\b" + attribute + "\\s*=\\s*(\"([^\"]*)\"|'([^']*)')", std::regex::icase);
  std::smatch match;
  if (!std::regex_search(tag, match, pattern)) return "";
  return match[2].matched ? match[2].str() : match[3].str();
}

void html_candidates(const std::string& html, std::vector<CorrelationCandidate>& out) {
  static const std::regex kTag("<(input|meta)\\b[^>]*>", std::regex::icase);
  for (std::sregex_iterator it(html.begin(), html.end(), kTag), end; it != end; ++it) {
    const std::string tag = it->str();
    const bool meta = core::ascii_lower((*it)[1].str()) == "meta";
    const std::string name = attribute_of(tag, "name");
    const std::string value = attribute_of(tag, meta ? "content" : "value");
    if (name.empty() || !looks_generated(value)) continue;
    static const std::regex kSafeName("^[A-Za-z0-9_-]+$");
    if (!std::regex_match(name, kSafeName)) continue;
    CorrelationCandidate candidate;
    candidate.value = value;
    candidate.capture = {{"html", std::string(meta ? "meta" : "input") + "[name=" + name + "]"},
                         {"attribute", meta ? "content" : "value"}};
    candidate.suggested_name = variable_name(name);
    out.push_back(std::move(candidate));
  }
}

}  // namespace

std::vector<CorrelationCandidate> correlation_candidates(const RecordedResponse& response,
                                                         const std::string& resource) {
  std::vector<CorrelationCandidate> out;
  for (const auto& [name, value] : response.headers) {
    const std::string lower = core::ascii_lower(name);
    const bool tells = lower.find("token") != std::string::npos || lower.find("csrf") != std::string::npos ||
                       lower.find("xsrf") != std::string::npos ||
                       (lower.size() > 3 && lower.compare(lower.size() - 3, 3, "-id") == 0 &&
                        lower != "x-request-id" && lower != "x-golive-instance");
    if (!tells || !looks_generated(value)) continue;
    CorrelationCandidate candidate;
    candidate.value = value;
    candidate.capture = {{"header", lower}};
    candidate.suggested_name = variable_name(lower.rfind("x-", 0) == 0 ? lower.substr(2) : lower);
    out.push_back(std::move(candidate));
  }
  if (response.body.empty()) return out;
  if (response.mime_type.find("json") != std::string::npos) {
    auto document = nlohmann::json::parse(response.body, nullptr, false);
    if (!document.is_discarded()) {
      std::vector<std::string> tokens;
      walk(document, tokens, resource, out);
    }
  } else if (response.mime_type.find("html") != std::string::npos) {
    html_candidates(response.body, out);
  }
  return out;
}

}  // namespace golive::imports
