#include "e2e/response_checks.hpp"

#include <sstream>

namespace golive::e2e {

namespace {

constexpr std::size_t kActualValueLimit = 200;  // bytes of an actual value quoted in a message

std::string quoted(const std::string& text) {
  return nlohmann::json(text).dump();
}

// How a JSON pointer reads in a message; "" (the whole document) as "(root)".
std::string pointer_label(const std::string& pointer) {
  return pointer.empty() ? "(root)" : pointer;
}

std::string show(const nlohmann::json& value) {
  return excerpt(value.dump(), kActualValueLimit);
}

std::string expected_text(const Assertion& assertion, const e2e::TemplateValues& values) {
  std::string text;
  if (assertion.expected_text.render_into(values, text)) return "<unset variable>";
  return text;
}

bool has_type(const nlohmann::json& value, const std::string& type) {
  if (type == "string") return value.is_string();
  if (type == "number") return value.is_number();
  if (type == "integer") return value.is_number_integer();
  if (type == "boolean") return value.is_boolean();
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  if (type == "null") return value.is_null();
  return false;
}

std::string type_of(const nlohmann::json& value) {
  if (value.is_number_integer()) return "integer";
  if (value.is_number()) return "number";
  return value.type_name();
}

// The JSON text a string expectation is compared with.
std::string comparable_text(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

const nlohmann::json* find_pointer(const ResponseView& response,
                                   const nlohmann::json::json_pointer& pointer) {
  const nlohmann::json* document = response.json();
  if (!document || !document->contains(pointer)) return nullptr;
  return &(*document)[pointer];
}

std::string missing_json_reason(const ResponseView& response, const std::string& pointer) {
  if (!response.json()) return "actual: the body is not JSON";
  return "actual: " + pointer_label(pointer) + " not present";
}

}  // namespace

const nlohmann::json* ResponseView::json() const {
  if (!parse_attempted_) {
    parse_attempted_ = true;
    auto document = nlohmann::json::parse(response_.body, nullptr, /*allow_exceptions=*/false);
    if (!document.is_discarded()) parsed_ = std::move(document);
  }
  return parsed_ ? &*parsed_ : nullptr;
}

std::string describe(const Assertion& assertion, const e2e::TemplateValues& values) {
  std::ostringstream out;
  switch (assertion.kind) {
    case AssertionKind::kStatus:
      if (assertion.statuses.size() == 1) {
        out << "status " << assertion.statuses[0];
      } else {
        out << "status in " << nlohmann::json(assertion.statuses).dump();
      }
      break;
    case AssertionKind::kJsonEquals:
      out << "json " << pointer_label(assertion.pointer_text) << " equals "
          << (assertion.expected_is_text ? quoted(expected_text(assertion, values))
                                         : show(assertion.expected_json));
      break;
    case AssertionKind::kJsonExists:
      out << "json " << pointer_label(assertion.pointer_text)
          << (assertion.should_exist ? " exists" : " absent");
      break;
    case AssertionKind::kJsonMatches:
      out << "json " << pointer_label(assertion.pointer_text) << " matches /"
          << assertion.pattern_text << "/";
      break;
    case AssertionKind::kJsonType:
      out << "json " << pointer_label(assertion.pointer_text) << " is " << assertion.type_name;
      break;
    case AssertionKind::kJsonLength:
      out << "json " << pointer_label(assertion.pointer_text) << " has length " << assertion.length;
      break;
    case AssertionKind::kHeaderEquals:
      out << "header " << assertion.header << " equals "
          << quoted(expected_text(assertion, values));
      break;
    case AssertionKind::kHeaderMatches:
      out << "header " << assertion.header << " matches /" << assertion.pattern_text << "/";
      break;
    case AssertionKind::kHeaderExists:
      out << "header " << assertion.header << (assertion.should_exist ? " present" : " absent");
      break;
    case AssertionKind::kBodyContains:
      out << "body contains " << quoted(expected_text(assertion, values));
      break;
    case AssertionKind::kBodyNotContains:
      out << "body does not contain " << quoted(expected_text(assertion, values));
      break;
    case AssertionKind::kLatencyBelow:
      out << "latency below " << assertion.latency_ms << " ms";
      break;
  }
  return out.str();
}

std::optional<std::string> check_assertion(const Assertion& assertion, const ResponseView& response,
                                           const e2e::TemplateValues& values) {
  const http::HttpResponse& http = response.response();
  auto failure = [&](const std::string& actual) {
    return describe(assertion, values) + ": " + actual;
  };
  switch (assertion.kind) {
    case AssertionKind::kStatus:
      for (int status : assertion.statuses) {
        if (http.status == status) return std::nullopt;
      }
      return failure("actual " + std::to_string(http.status) +
                     (http.body.empty() ? "" : " " + excerpt(http.body, kActualValueLimit)));
    case AssertionKind::kJsonEquals: {
      const nlohmann::json* actual = find_pointer(response, assertion.pointer);
      if (!actual) return failure(missing_json_reason(response, assertion.pointer_text));
      if (assertion.expected_is_text) {
        if (comparable_text(*actual) == expected_text(assertion, values)) return std::nullopt;
      } else if (*actual == assertion.expected_json) {
        return std::nullopt;
      }
      return failure("actual " + show(*actual));
    }
    case AssertionKind::kJsonExists: {
      bool exists = find_pointer(response, assertion.pointer) != nullptr;
      if (exists == assertion.should_exist) return std::nullopt;
      if (!response.json()) return failure("actual: the body is not JSON");
      return failure(exists ? "actual " + show(*find_pointer(response, assertion.pointer))
                            : "actual: not present");
    }
    case AssertionKind::kJsonMatches: {
      const nlohmann::json* actual = find_pointer(response, assertion.pointer);
      if (!actual) return failure(missing_json_reason(response, assertion.pointer_text));
      if (std::regex_search(comparable_text(*actual), assertion.pattern)) return std::nullopt;
      return failure("actual " + show(*actual));
    }
    case AssertionKind::kJsonType: {
      const nlohmann::json* actual = find_pointer(response, assertion.pointer);
      if (!actual) return failure(missing_json_reason(response, assertion.pointer_text));
      if (has_type(*actual, assertion.type_name)) return std::nullopt;
      return failure("actual " + type_of(*actual) + " " + show(*actual));
    }
    case AssertionKind::kJsonLength: {
      const nlohmann::json* actual = find_pointer(response, assertion.pointer);
      if (!actual) return failure(missing_json_reason(response, assertion.pointer_text));
      if (!actual->is_array() && !actual->is_object()) {
        return failure("actual " + type_of(*actual) + " " + show(*actual) + " has no length");
      }
      if (actual->size() == assertion.length) return std::nullopt;
      return failure("actual length " + std::to_string(actual->size()));
    }
    case AssertionKind::kHeaderEquals:
    case AssertionKind::kHeaderMatches:
    case AssertionKind::kHeaderExists: {
      auto actual = http.header(assertion.header);
      if (assertion.kind == AssertionKind::kHeaderExists) {
        if (actual.has_value() == assertion.should_exist) return std::nullopt;
        return failure(actual ? "actual " + quoted(excerpt(*actual, kActualValueLimit))
                              : "actual: not present");
      }
      if (!actual) return failure("actual: not present");
      bool holds = assertion.kind == AssertionKind::kHeaderEquals
                       ? *actual == expected_text(assertion, values)
                       : std::regex_search(*actual, assertion.pattern);
      if (holds) return std::nullopt;
      return failure("actual " + quoted(excerpt(*actual, kActualValueLimit)));
    }
    case AssertionKind::kBodyContains:
    case AssertionKind::kBodyNotContains: {
      bool found = http.body.find(expected_text(assertion, values)) != std::string::npos;
      if (found == (assertion.kind == AssertionKind::kBodyContains)) return std::nullopt;
      return failure("actual body " + quoted(excerpt(http.body, kActualValueLimit)));
    }
    case AssertionKind::kLatencyBelow: {
      if (response.latency_ms() < assertion.latency_ms) return std::nullopt;
      std::ostringstream actual;
      actual << "actual " << response.latency_ms() << " ms";
      return failure(actual.str());
    }
  }
  return failure("unknown assertion kind");
}

std::optional<std::string> first_failed_assertion(const Step& step, const ResponseView& response,
                                                  const e2e::TemplateValues& values) {
  for (const auto& assertion : step.assertions) {
    if (auto failure = check_assertion(assertion, response, values)) return failure;
  }
  return std::nullopt;
}

std::optional<std::string> extract_capture(const Capture& capture, const ResponseView& response,
                                           std::string& failure) {
  const http::HttpResponse& http = response.response();
  std::string prefix = "capture " + capture.variable + ": ";
  switch (capture.source) {
    case CaptureSource::kJson: {
      const nlohmann::json* document = response.json();
      if (!document) {
        failure = prefix + "the body is not JSON";
        return std::nullopt;
      }
      if (!document->contains(capture.pointer)) {
        failure = prefix + pointer_label(capture.expression) + " not found in the response body";
        return std::nullopt;
      }
      return comparable_text((*document)[capture.pointer]);
    }
    case CaptureSource::kHeader: {
      auto value = http.header(capture.header);
      if (!value) failure = prefix + "no " + capture.expression + " header in the response";
      return value;
    }
    case CaptureSource::kRegex: {
      std::smatch match;
      if (!std::regex_search(http.body, match, capture.pattern) || !match[1].matched) {
        failure = prefix + "/" + capture.expression + "/ does not match the response body";
        return std::nullopt;
      }
      return match[1].str();
    }
    case CaptureSource::kStatus:
      return std::to_string(http.status);
  }
  failure = prefix + "unknown source";
  return std::nullopt;
}

std::optional<std::string> apply_captures(const Step& step, const ResponseView& response,
                                          e2e::TemplateValues& values) {
  std::string failure;
  for (const auto& capture : step.captures) {
    auto value = extract_capture(capture, response, failure);
    if (!value) return failure;
    values.set(capture.slot, std::move(*value));
  }
  return std::nullopt;
}

std::string excerpt(const std::string& text, std::size_t limit) {
  if (text.size() <= limit) return text;
  std::size_t cut = limit;
  // Step back over UTF-8 continuation bytes (10xxxxxx) so no character is split.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut) + "... (" + std::to_string(text.size()) + " bytes)";
}

}  // namespace golive::e2e
