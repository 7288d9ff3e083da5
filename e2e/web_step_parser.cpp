#include "e2e/web_step_parser.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/ascii_case.hpp"
#include "e2e/generated_content.hpp"
#include "e2e/html_query.hpp"

namespace golive::e2e {

namespace {

namespace fs = std::filesystem;
using core::JsonReader;

std::string read_file_bytes(const JsonReader& at, const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) at.fail("cannot read \"" + file + "\"");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// A boundary no part contains (RFC 2046 section 5.1.1).
std::string multipart_boundary_suffix(const Step& step) {
  for (std::uint64_t salt = 0x9e3779b97f4a7c15ULL;; salt = salt * 6364136223846793005ULL + 1) {
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(salt));
    const std::string candidate = std::string("golive-") + step.name + "-" + hex;
    bool clash = false;
    for (const auto& part : step.multipart) {
      if (part.bytes && part.bytes->find(candidate) != std::string::npos) clash = true;
    }
    if (!clash) return hex;
  }
}

}  // namespace

WebStepParser::WebStepParser(Workflow& workflow)
    : workflow_(workflow), compile_(workflow.symbols) {}

void WebStepParser::parse_step_members(const JsonReader& reader, const std::string& path,
                                       Step& step) {
  if (reader.has("form")) parse_form(reader.at("form"), step);
  if (reader.has("multipart")) parse_multipart(reader.at("multipart"), path, step);
  if (reader.has("follow_redirects")) parse_redirects(reader.at("follow_redirects"), step);
  if (reader.has("auth")) parse_auth(reader.at("auth"), step);
  if (reader.has("retry")) parse_retry(reader.at("retry"), step);
  if (reader.has("when")) parse_when(reader.at("when"), step);
  if (reader.has("clear_cookies")) step.clear_cookies = reader.at("clear_cookies").as_bool();
}

bool WebStepParser::is_web_assertion(const JsonReader& reader) {
  return reader.has("cookie") || reader.has("html") || reader.has("xpath") || reader.has("url") ||
         reader.has("redirects");
}

void WebStepParser::parse_assertion(const JsonReader& reader, Assertion& assertion) {
  if (reader.has("cookie")) {
    parse_cookie_assertion(reader, assertion);
  } else if (reader.has("html") || reader.has("xpath")) {
    reader.reject_unknown_keys({"html", "xpath", "attribute", "exists", "equals", "matches", "count"});
    if (reader.has("html") && reader.has("xpath")) reader.fail("use html or xpath, not both");
    assertion.html = parse_html_query(reader);
    const int checks = reader.has("exists") + reader.has("equals") + reader.has("matches") +
                       reader.has("count");
    if (checks != 1) {
      reader.fail("an html assertion needs exactly one of: exists, equals, matches, count");
    }
    if (reader.has("exists")) {
      assertion.kind = AssertionKind::kHtmlExists;
      assertion.should_exist = reader.at("exists").as_bool();
    } else if (reader.has("equals")) {
      assertion.kind = AssertionKind::kHtmlEquals;
      auto equals = reader.at("equals");
      assertion.expected_text = compile_(equals, scalar_text(equals), e2e::TemplateEscape::kNone);
    } else if (reader.has("matches")) {
      assertion.kind = AssertionKind::kHtmlMatches;
      assertion.pattern_text = reader.at("matches").as_string();
      assertion.pattern = parse_regex(reader.at("matches"));
    } else {
      assertion.kind = AssertionKind::kHtmlCount;
      auto count = reader.at("count");
      if (count.as_integer() < 0) count.fail("a count is zero or more");
      assertion.length = static_cast<std::size_t>(count.as_integer());
    }
  } else if (reader.has("url")) {
    reader.reject_unknown_keys({"url"});
    auto url = reader.at("url");
    url.reject_unknown_keys({"equals", "matches"});
    if (url.has("equals") == url.has("matches")) url.fail("a url assertion needs one of: equals, matches");
    if (url.has("equals")) {
      assertion.kind = AssertionKind::kUrlEquals;
      auto equals = url.at("equals");
      assertion.expected_text = compile_(equals, equals.as_string(), e2e::TemplateEscape::kNone);
    } else {
      assertion.kind = AssertionKind::kUrlMatches;
      assertion.pattern_text = url.at("matches").as_string();
      assertion.pattern = parse_regex(url.at("matches"));
    }
  } else if (reader.has("redirects")) {
    reader.reject_unknown_keys({"redirects"});
    assertion.kind = AssertionKind::kRedirectCount;
    auto count = reader.at("redirects");
    if (count.as_integer() < 0) count.fail("a redirect count is zero or more");
    assertion.length = static_cast<std::size_t>(count.as_integer());
  }
}

bool WebStepParser::is_web_capture(const JsonReader& reader) {
  return reader.has("cookie") || reader.has("html") || reader.has("xpath") || reader.has("url");
}

void WebStepParser::parse_capture(const JsonReader& reader, Capture& capture) {
  if (reader.has("cookie")) {
    if (!workflow_.cookies) reader.at("cookie").fail("cookie captures need the cookie jar (\"cookies\": false turns it off)");
    capture.source = CaptureSource::kCookie;
    capture.cookie = capture.expression = reader.at("cookie").as_string();
  } else if (reader.has("html") || reader.has("xpath")) {
    capture.source = CaptureSource::kHtml;
    capture.html = parse_html_query(reader);
    capture.expression = capture.html.written;
  } else if (reader.has("url")) {
    capture.source = CaptureSource::kUrl;
    if (!reader.at("url").as_bool()) reader.at("url").fail("write \"url\": true");
    capture.expression = "url";
  }
}

// {"name": value}: application/x-www-form-urlencoded, names and values
// percent-encoded (literal text too). Fields are sent in name order (the
// order a JSON object keeps here).
void WebStepParser::parse_form(const JsonReader& form, Step& step) {
  for (const auto& item : form.as_object().items()) {
    auto member = form.at(item.key());
    if (item.key().empty()) member.fail("a form field name must not be empty");
    step.form.emplace_back(
        compile_(form, item.key(), e2e::TemplateEscape::kUrlComponent)
            .with_literals_percent_encoded(),
        compile_(member, scalar_text(member), e2e::TemplateEscape::kUrlComponent)
            .with_literals_percent_encoded());
  }
  step.body_kind = BodyKind::kForm;
}

// [{"name", "value"} | {"name", "file", "filename"?, "content_type"?} |
//  {"name", "generate": {"size", "type"}, "filename"?}]
void WebStepParser::parse_multipart(const JsonReader& parts, const std::string& path, Step& step) {
  if (parts.as_array().empty()) parts.fail("a multipart body needs at least one part");
  for (std::size_t i = 0; i < parts.value().size(); ++i) {
    auto reader = parts.at(i);
    reader.reject_unknown_keys({"name", "value", "file", "generate", "filename", "content_type"});
    MultipartPart part;
    part.name = reader.at("name").as_string();
    if (part.name.empty()) reader.at("name").fail("a part name must not be empty");
    const int sources = reader.has("value") + reader.has("file") + reader.has("generate");
    if (sources != 1) reader.fail("a part needs exactly one of: value, file, generate");
    if (reader.has("value")) {
      if (reader.has("filename") || reader.has("content_type")) {
        reader.fail("filename and content_type belong to file parts");
      }
      auto value = reader.at("value");
      part.value = compile_(value, scalar_text(value), e2e::TemplateEscape::kNone);
    } else if (reader.has("file")) {
      auto file = reader.at("file");
      const std::string target = resolve_relative(path, file.as_string());
      std::error_code error;
      if (!fs::is_regular_file(target, error)) {
        file.fail("file \"" + target + "\" does not exist");
      }
      part.is_file = true;
      part.bytes = std::make_shared<const std::string>(read_file_bytes(file, target));
      part.filename = fs::path(target).filename().string();
      part.content_type = content_type_for_extension(fs::path(target).extension().string());
      part.origin = file.as_string();
    } else {
      auto generate = reader.at("generate");
      generate.reject_unknown_keys({"size", "type"});
      const std::int64_t size = generate.at("size").as_integer();
      if (size < 0 || size > kMaxGeneratedBytes) {
        generate.at("size").fail("a generated size is 0 to " +
                                 std::to_string(kMaxGeneratedBytes) + " bytes");
      }
      part.content_type = generate.at("type").as_string();
      if (part.content_type.empty()) generate.at("type").fail("a content type must not be empty");
      part.is_file = true;
      part.bytes = std::make_shared<const std::string>(
          generate_content(part.content_type, static_cast<std::size_t>(size)));
      part.filename = "generated" + extension_for_content_type(part.content_type);
      part.origin = "generated " + std::to_string(size) + " bytes";
    }
    if (reader.has("filename")) part.filename = reader.at("filename").as_string();
    if (reader.has("content_type")) part.content_type = reader.at("content_type").as_string();
    step.multipart.push_back(std::move(part));
  }
  step.multipart_boundary = "golive-" + step.name + "-" + multipart_boundary_suffix(step);
  step.body_kind = BodyKind::kMultipart;
}

void WebStepParser::parse_redirects(const JsonReader& reader, Step& step) {
  if (reader.value().is_boolean()) {
    if (reader.as_bool()) step.follow_redirects = RedirectSpec{};
    return;
  }
  reader.reject_unknown_keys({"max"});
  RedirectSpec spec;
  const std::int64_t max = reader.at("max").as_integer();
  if (max < 1 || max > 50) reader.at("max").fail("max is 1 to 50 hops");
  spec.max_hops = static_cast<std::size_t>(max);
  step.follow_redirects = spec;
}

// Credentials come from the environment: a secret written literally in a
// workflow file would be committed with it.
Template WebStepParser::secret_template(const JsonReader& at) {
  e2e::Template secret = compile_(at, at.as_string(), e2e::TemplateEscape::kNone);
  if (secret.referenced_slots().empty()) {
    at.fail("a credential is a template such as \"{{env.service_role_key}}\" or a variable "
            "the environment file's e2e.variables sets, never literal text");
  }
  return secret;
}

void WebStepParser::parse_auth(const JsonReader& reader, Step& step) {
  reader.reject_unknown_keys({"basic", "bearer", "digest"});
  if (reader.has("basic") + reader.has("bearer") + reader.has("digest") != 1) {
    reader.fail("auth needs exactly one of: basic, bearer, digest");
  }
  if (reader.has("bearer")) {
    step.auth.scheme = AuthScheme::kBearer;
    step.auth.secret = secret_template(reader.at("bearer"));
  } else {
    const bool basic = reader.has("basic");
    auto credentials = reader.at(basic ? "basic" : "digest");
    credentials.reject_unknown_keys({"username", "password"});
    auto username = credentials.at("username");
    step.auth.scheme = basic ? AuthScheme::kBasic : AuthScheme::kDigest;
    step.auth.username = compile_(username, username.as_string(), e2e::TemplateEscape::kNone);
    step.auth.secret = secret_template(credentials.at("password"));
  }
  for (const auto& [name, value] : step.headers) {
    if (core::ascii_lower(name) == "authorization") {
      reader.fail("the step also has an Authorization header (set one or the other; "
                  "\"Authorization\": null removes a default)");
    }
  }
}

void WebStepParser::parse_retry(const JsonReader& reader, Step& step) {
  reader.reject_unknown_keys({"attempts", "delay_ms", "on"});
  RetrySpec spec;
  const std::int64_t attempts = reader.at("attempts").as_integer();
  if (attempts < 2 || attempts > 20) reader.at("attempts").fail("attempts is 2 to 20 sends");
  spec.attempts = static_cast<std::size_t>(attempts);
  spec.delay = milliseconds_or(reader, "delay_ms", spec.delay.count(), true);
  auto on = reader.at("on");
  if (on.as_array().empty()) on.fail("list the statuses or error categories to retry on");
  static const std::set<std::string> kCategories{"dns",     "connect", "tls",  "timeout",
                                                 "reset",   "protocol", "other"};
  for (std::size_t i = 0; i < on.value().size(); ++i) {
    auto item = on.at(i);
    if (item.value().is_number_integer()) {
      const std::int64_t status = item.as_integer();
      if (status < 100 || status > 599) item.fail("an HTTP status is between 100 and 599");
      spec.statuses.push_back(static_cast<int>(status));
    } else if (item.value().is_string() && kCategories.count(item.as_string())) {
      spec.errors.push_back(item.as_string());
    } else {
      item.fail("retry on a status (503) or an error category: dns, connect, tls, timeout, "
                "reset, protocol, other");
    }
  }
  step.retry = spec;
}

void WebStepParser::parse_when(const JsonReader& reader, Step& step) {
  reader.reject_unknown_keys({"var", "equals", "not_equals", "exists"});
  WhenSpec when;
  auto var = reader.at("var");
  when.variable = var.as_string();
  auto slot = workflow_.symbols.find(when.variable);
  if (!slot) var.fail("no variable \"" + when.variable + "\" is declared or captured before this step");
  when.slot = *slot;
  if (reader.has("equals") + reader.has("not_equals") + reader.has("exists") != 1) {
    reader.fail("when needs exactly one of: equals, not_equals, exists");
  }
  if (reader.has("exists")) {
    when.kind = WhenSpec::Kind::kExists;
    when.should_exist = reader.at("exists").as_bool();
    when.written = when.variable + (when.should_exist ? " exists" : " does not exist");
  } else {
    const bool equals = reader.has("equals");
    auto expected = reader.at(equals ? "equals" : "not_equals");
    when.kind = equals ? WhenSpec::Kind::kEquals : WhenSpec::Kind::kNotEquals;
    when.expected = compile_(expected, scalar_text(expected), e2e::TemplateEscape::kNone);
    when.written = when.variable + (equals ? " equals \"" : " differs from \"") +
                   scalar_text(expected) + "\"";
  }
  step.when = std::move(when);
}

// {"cookie": name, "exists"?, "equals"?, "matches"?, "secure"?, "http_only"?,
//  "same_site"?, "path"?, "domain"?, "session"?}: every given member must hold.
void WebStepParser::parse_cookie_assertion(const JsonReader& reader, Assertion& assertion) {
  reader.reject_unknown_keys({"cookie", "exists", "equals", "matches", "secure", "http_only",
                              "same_site", "path", "domain", "session"});
  if (!workflow_.cookies) {
    reader.at("cookie").fail("cookie assertions need the cookie jar (\"cookies\": false turns it off)");
  }
  assertion.kind = AssertionKind::kCookie;
  assertion.cookie = reader.at("cookie").as_string();
  if (assertion.cookie.empty()) reader.at("cookie").fail("a cookie name must not be empty");
  assertion.should_exist = reader.has("exists") ? reader.at("exists").as_bool() : true;
  if (!assertion.should_exist && reader.value().size() > 2) {
    reader.fail("\"exists\": false cannot be combined with other cookie checks");
  }
  if (reader.has("equals")) {
    auto equals = reader.at("equals");
    assertion.cookie_has_equals = true;
    assertion.expected_text = compile_(equals, equals.as_string(), e2e::TemplateEscape::kNone);
  }
  if (reader.has("matches")) {
    assertion.cookie_has_matches = true;
    assertion.pattern_text = reader.at("matches").as_string();
    assertion.pattern = parse_regex(reader.at("matches"));
  }
  CookieExpectation& flags = assertion.cookie_flags;
  if (reader.has("secure")) flags.secure = reader.at("secure").as_bool();
  if (reader.has("http_only")) flags.http_only = reader.at("http_only").as_bool();
  if (reader.has("session")) flags.session = reader.at("session").as_bool();
  if (reader.has("same_site")) {
    auto same_site = reader.at("same_site");
    const std::string value = core::ascii_lower(same_site.as_string());
    if (value != "lax" && value != "strict" && value != "none" && !value.empty()) {
      same_site.fail("same_site is Lax, Strict, None or \"\" (not set)");
    }
    flags.same_site = same_site.as_string();
  }
  if (reader.has("path")) flags.path = reader.at("path").as_string();
  if (reader.has("domain")) flags.domain = core::ascii_lower(reader.at("domain").as_string());
}

HtmlQuery WebStepParser::parse_html_query(const JsonReader& reader) {
  HtmlQuery query;
  const bool css = reader.has("html");
  auto selector = reader.at(css ? "html" : "xpath");
  query.written = selector.as_string();
  try {
    query.xpath = css ? css_to_xpath(query.written) : query.written;
    validate_xpath(query.xpath);
  } catch (const std::invalid_argument& e) {
    selector.fail(e.what());
  }
  if (reader.has("attribute")) {
    query.attribute = reader.at("attribute").as_string();
    if (query.attribute.empty()) reader.at("attribute").fail("an attribute name must not be empty");
  }
  return query;
}

}  // namespace golive::e2e
