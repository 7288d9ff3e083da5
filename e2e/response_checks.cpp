#include "e2e/response_checks.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
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

const HtmlDocument* ResponseView::html() const {
  if (!html_attempted_) {
    html_attempted_ = true;
    html_ = HtmlDocument::parse(response_.body);
  }
  return html_.get();
}

namespace {

std::string describe_html(const HtmlQuery& query) {
  return "html " + quoted(query.written) + (query.attribute.empty() ? "" : " @" + query.attribute);
}

std::string describe_cookie(const Assertion& assertion, const e2e::TemplateValues& values) {
  std::string text = "cookie " + assertion.cookie;
  if (!assertion.should_exist) return text + " absent";
  std::vector<std::string> demands;
  if (assertion.cookie_has_equals) demands.push_back("equals " + quoted(expected_text(assertion, values)));
  if (assertion.cookie_has_matches) demands.push_back("matches /" + assertion.pattern_text + "/");
  const CookieExpectation& flags = assertion.cookie_flags;
  if (flags.secure) demands.push_back(*flags.secure ? "Secure" : "not Secure");
  if (flags.http_only) demands.push_back(*flags.http_only ? "HttpOnly" : "not HttpOnly");
  if (flags.same_site) demands.push_back("SameSite=" + *flags.same_site);
  if (flags.path) demands.push_back("Path=" + *flags.path);
  if (flags.domain) demands.push_back("Domain=" + *flags.domain);
  if (flags.session) demands.push_back(*flags.session ? "session cookie" : "persistent");
  if (demands.empty()) return text + " present";
  text += " present,";
  for (std::size_t i = 0; i < demands.size(); ++i) text += (i ? ", " : " ") + demands[i];
  return text;
}

// The cookie as stored; its value only when the assertion is about the
// value (session cookies are credentials).
std::string cookie_state(const StoredCookie& cookie, bool show_value) {
  std::string text = "actual " + cookie.name + "=" +
                     (show_value ? excerpt(cookie.value, 60)
                                 : "(" + std::to_string(cookie.value.size()) + " characters)") +
                     "; Path=" + cookie.path +
                     (cookie.host_only ? "; host " : "; Domain=") + cookie.domain;
  if (cookie.secure) text += "; Secure";
  if (cookie.http_only) text += "; HttpOnly";
  if (!cookie.same_site.empty()) text += "; SameSite=" + cookie.same_site;
  text += cookie.expires ? "; persistent" : "; session";
  return text;
}

bool equals_ignoring_case(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::optional<std::string> check_cookie(const Assertion& assertion, const ResponseView& response,
                                        const e2e::TemplateValues& values) {
  auto failure = [&](const std::string& actual) {
    return describe_cookie(assertion, values) + ": " + actual;
  };
  const StoredCookie* cookie =
      response.cookies()
          ? response.cookies()->find(assertion.cookie, nullptr, std::chrono::system_clock::now())
          : nullptr;
  if (!assertion.should_exist) {
    return cookie ? std::optional<std::string>(failure(cookie_state(*cookie, false))) : std::nullopt;
  }
  if (!cookie) return failure("actual: not in the cookie jar");
  const CookieExpectation& flags = assertion.cookie_flags;
  bool holds = true;
  if (assertion.cookie_has_equals && cookie->value != expected_text(assertion, values)) holds = false;
  if (assertion.cookie_has_matches && !std::regex_search(cookie->value, assertion.pattern)) holds = false;
  if (flags.secure && *flags.secure != cookie->secure) holds = false;
  if (flags.http_only && *flags.http_only != cookie->http_only) holds = false;
  if (flags.same_site && !equals_ignoring_case(*flags.same_site, cookie->same_site)) holds = false;
  if (flags.path && *flags.path != cookie->path) holds = false;
  if (flags.domain && *flags.domain != cookie->domain) holds = false;
  if (flags.session && *flags.session != !cookie->expires.has_value()) holds = false;
  if (holds) return std::nullopt;
  return failure(
      cookie_state(*cookie, assertion.cookie_has_equals || assertion.cookie_has_matches));
}

std::string show_matches(const std::vector<std::string>& matches) {
  if (matches.empty()) return "actual: no match";
  return "actual " + quoted(excerpt(matches.front(), kActualValueLimit)) +
         (matches.size() > 1 ? " (first of " + std::to_string(matches.size()) + " matches)" : "");
}

}  // namespace

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
    case AssertionKind::kCookie:
      out << describe_cookie(assertion, values);
      break;
    case AssertionKind::kHtmlExists:
      out << describe_html(assertion.html) << (assertion.should_exist ? " exists" : " absent");
      break;
    case AssertionKind::kHtmlEquals:
      out << describe_html(assertion.html) << " equals " << quoted(expected_text(assertion, values));
      break;
    case AssertionKind::kHtmlMatches:
      out << describe_html(assertion.html) << " matches /" << assertion.pattern_text << "/";
      break;
    case AssertionKind::kHtmlCount:
      out << describe_html(assertion.html) << " matches " << assertion.length << " times";
      break;
    case AssertionKind::kUrlEquals:
      out << "final url equals " << quoted(expected_text(assertion, values));
      break;
    case AssertionKind::kUrlMatches:
      out << "final url matches /" << assertion.pattern_text << "/";
      break;
    case AssertionKind::kRedirectCount:
      out << assertion.length << " redirect" << (assertion.length == 1 ? "" : "s") << " followed";
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
    case AssertionKind::kCookie:
      return check_cookie(assertion, response, values);
    case AssertionKind::kHtmlExists:
    case AssertionKind::kHtmlEquals:
    case AssertionKind::kHtmlMatches:
    case AssertionKind::kHtmlCount: {
      const HtmlDocument* document = response.html();
      if (!document) return failure("actual: the body is not HTML");
      const auto matches = document->select(assertion.html.xpath, assertion.html.attribute);
      switch (assertion.kind) {
        case AssertionKind::kHtmlExists:
          if (matches.empty() != assertion.should_exist) return std::nullopt;
          return failure(matches.empty() ? "actual: no match" : show_matches(matches));
        case AssertionKind::kHtmlEquals:
          if (!matches.empty() && matches.front() == expected_text(assertion, values)) return std::nullopt;
          return failure(show_matches(matches));
        case AssertionKind::kHtmlMatches:
          if (!matches.empty() && std::regex_search(matches.front(), assertion.pattern)) return std::nullopt;
          return failure(show_matches(matches));
        default:
          if (matches.size() == assertion.length) return std::nullopt;
          return failure("actual " + std::to_string(matches.size()) + " matches");
      }
    }
    case AssertionKind::kUrlEquals:
    case AssertionKind::kUrlMatches: {
      const std::string url(response.final_url());
      bool holds = assertion.kind == AssertionKind::kUrlEquals
                       ? url == expected_text(assertion, values)
                       : std::regex_search(url, assertion.pattern);
      if (holds) return std::nullopt;
      return failure("actual " + quoted(url));
    }
    case AssertionKind::kRedirectCount:
      if (response.redirects() == assertion.length) return std::nullopt;
      return failure("actual " + std::to_string(response.redirects()));
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
    case CaptureSource::kUrl:
      return std::string(response.final_url());
    case CaptureSource::kCookie: {
      const StoredCookie* cookie =
          response.cookies() ? response.cookies()->find(capture.cookie, nullptr,
                                                        std::chrono::system_clock::now())
                             : nullptr;
      if (!cookie) {
        failure = prefix + "no cookie " + capture.cookie + " in the cookie jar";
        return std::nullopt;
      }
      return cookie->value;
    }
    case CaptureSource::kHtml: {
      const HtmlDocument* document = response.html();
      if (!document) {
        failure = prefix + "the body is not HTML";
        return std::nullopt;
      }
      auto matches = document->select(capture.html.xpath, capture.html.attribute);
      if (matches.empty()) {
        failure = prefix + describe_html(capture.html) + " matches nothing in the response body";
        return std::nullopt;
      }
      return std::move(matches.front());
    }
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
