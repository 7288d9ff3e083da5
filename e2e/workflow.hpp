// The compiled form of a workflow file (see e2e/README.md for the JSON
// format). Everything that can be decided before the first request is decided
// here: templates are parsed into segments, variable names are slots, regexes
// and JSON pointers are compiled, included sub-workflows are inlined. A
// Workflow is immutable once loaded and shared by every run of it.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "config/environment.hpp"
#include "e2e/template.hpp"

namespace golive::e2e {

enum class CaptureSource { kJson, kHeader, kRegex, kStatus, kCookie, kHtml, kUrl };

// An HTML query: XPath as written, or translated from a CSS selector.
struct HtmlQuery {
  std::string written;    // as in the file: "input[name=csrf_token]" or "//title"
  std::string xpath;      // what runs
  std::string attribute;  // empty: the node's text content
};

// Stores part of a response in a variable for later steps.
struct Capture {
  std::string variable;
  std::size_t slot = 0;
  CaptureSource source = CaptureSource::kJson;
  std::string expression;                // pointer, header name or pattern, as written
  nlohmann::json::json_pointer pointer;  // kJson
  std::string header;                    // kHeader, lowercased
  std::regex pattern;                    // kRegex; group 1 is captured
  std::string cookie;                    // kCookie: the cookie's name (value from the jar)
  HtmlQuery html;                        // kHtml: the first match
};

enum class AssertionKind {
  kStatus,           // status: 200 | [200, 201]
  kJsonEquals,       // json: "/p", equals: value
  kJsonExists,       // json: "/p", exists: true | false
  kJsonMatches,      // json: "/p", matches: "regex"
  kJsonType,         // json: "/p", type: "string" | "number" | ...
  kJsonLength,       // json: "/p", length: N (array elements or object members)
  kHeaderEquals,     // header: "name", equals: "text"
  kHeaderMatches,    // header: "name", matches: "regex"
  kHeaderExists,     // header: "name", exists: true | false
  kBodyContains,     // body_contains: "text"
  kBodyNotContains,  // body_not_contains: "text"
  kLatencyBelow,     // latency_ms_below: N
  kCookie,           // cookie: "name", exists / equals / matches / secure / http_only / same_site / path / domain
  kHtmlExists,       // html|xpath: q, exists: true | false
  kHtmlEquals,       // html|xpath: q, equals: "text" (the first match)
  kHtmlMatches,      // html|xpath: q, matches: "regex" (the first match)
  kHtmlCount,        // html|xpath: q, count: N
  kUrlEquals,        // url: {equals: "..."}: the final URL after redirects
  kUrlMatches,       // url: {matches: "regex"}
  kRedirectCount,    // redirects: N (hops followed)
};

// What a cookie assertion demands of the cookie in the jar; unset members
// are not checked.
struct CookieExpectation {
  std::optional<bool> secure;
  std::optional<bool> http_only;
  std::optional<std::string> same_site;  // compared case-insensitively
  std::optional<std::string> path;
  std::optional<std::string> domain;
  std::optional<bool> session;  // true: no Expires/Max-Age (dies with the run)
};

struct Assertion {
  AssertionKind kind = AssertionKind::kStatus;
  std::string location;                  // its JSON pointer in its file, for messages
  std::vector<int> statuses;             // kStatus: any of these passes
  std::string pointer_text;              // kJson*: as written
  nlohmann::json::json_pointer pointer;  // kJson*
  std::string header;                    // kHeader*: lowercased
  // Expected string (equals, contains) as a template; for kJsonEquals with a
  // non-string expectation, `expected_json` holds it and `expected_is_text`
  // is false.
  e2e::Template expected_text;
  bool expected_is_text = true;
  nlohmann::json expected_json;
  bool should_exist = true;  // kJsonExists, kHeaderExists
  std::string pattern_text;  // k*Matches, as written
  std::regex pattern;        // k*Matches: searched, not anchored
  std::string type_name;     // kJsonType: string number integer boolean object array null
  std::size_t length = 0;    // kJsonLength
  double latency_ms = 0;     // kLatencyBelow, milliseconds
  std::string cookie;        // kCookie: name
  bool cookie_has_equals = false;   // kCookie: expected_text holds the value
  bool cookie_has_matches = false;  // kCookie: pattern holds the value's regex
  CookieExpectation cookie_flags;   // kCookie
  HtmlQuery html;                   // kHtml*
};

enum class BodyKind { kNone, kText, kJson, kForm, kMultipart };

// One part of a multipart/form-data body: a field (value template) or a
// file (bytes read from disk at load time, or generated).
struct MultipartPart {
  std::string name;
  e2e::Template value;  // fields
  bool is_file = false;
  std::string filename;      // files: the filename parameter
  std::string content_type;  // files: the part's Content-Type
  std::shared_ptr<const std::string> bytes;  // files: shared by every run
  std::string origin;  // files: "data/sample.pdf" or "generated 10485761 bytes"
};

// Redirect following: at most `max_hops` Location hops, each a new request
// whose Set-Cookie headers go to the jar.
struct RedirectSpec {
  std::size_t max_hops = 10;
};

enum class AuthScheme { kNone, kBasic, kBearer, kDigest };
struct AuthSpec {
  AuthScheme scheme = AuthScheme::kNone;
  e2e::Template username;  // basic, digest
  e2e::Template secret;    // basic/digest password, bearer token
};

// Resends the same request when its status or error category is listed,
// for eventually consistent systems; assertions are evaluated on the last
// response only. Distinct from poll, which waits for assertions to hold.
struct RetrySpec {
  std::size_t attempts = 3;  // total sends, the first included
  std::chrono::milliseconds delay{200};
  std::vector<int> statuses;          // e.g. 502, 503
  std::vector<std::string> errors;    // http::to_string categories: "timeout", "connect", ...
};

// Runs the step only when the condition on a variable holds; otherwise the
// step is recorded as skipped with the reason and the workflow goes on.
struct WhenSpec {
  enum class Kind { kExists, kEquals, kNotEquals };
  Kind kind = Kind::kExists;
  std::size_t slot = 0;
  std::string variable;
  bool should_exist = true;  // kExists
  e2e::Template expected;    // kEquals, kNotEquals
  std::string written;       // for the skip reason: "plan equals \"pro\""
};

// Repeats the step until all its assertions pass.
struct PollSpec {
  std::chrono::milliseconds interval{500};   // between the end of one attempt and the next send
  std::chrono::milliseconds timeout{10000};  // from the first send; the step fails after this
};

struct Step {
  std::string name;         // unique in its workflow; "<include>.<step>" for included steps
  std::string source_file;  // the file it was written in (an included file for included steps)
  std::string location;     // its JSON pointer in that file
  std::string method = "GET";
  e2e::Template url;  // relative URLs (not starting with http:// or https://) get env.base_url
  std::vector<std::pair<std::string, e2e::Template>> headers;
  std::vector<std::pair<e2e::Template, e2e::Template>> query;  // URL-encoded name, value
  std::optional<e2e::Template> body;  // JSON bodies are JSON-escaped where variables land
  bool body_is_json = false;           // adds Content-Type: application/json unless given
  BodyKind body_kind = BodyKind::kNone;
  std::vector<std::pair<e2e::Template, e2e::Template>> form;  // kForm: URL-encoded name, value
  std::vector<MultipartPart> multipart;                      // kMultipart
  std::string multipart_boundary;                            // kMultipart
  std::optional<RedirectSpec> follow_redirects;  // nullopt: a 3xx is the step's response
  AuthSpec auth;
  std::optional<RetrySpec> retry;
  std::optional<WhenSpec> when;
  bool clear_cookies = false;  // empty the run's jar before this step
  std::vector<Capture> captures;
  std::vector<Assertion> assertions;
  std::optional<PollSpec> poll;
  std::chrono::milliseconds think{0};        // pause after the step, before the next one
  std::chrono::milliseconds timeout{30000};  // per request
  bool sign_stripe =
      false;  // add Stripe-Signature over the rendered body (env.stripe.webhook_secret)
};

// A `variables` entry, evaluated at the start of each run in dependency order.
struct VariableInit {
  std::size_t slot = 0;
  e2e::Template value;
};

// Rows of a data-driven workflow: one run per row, row fields as variables.
struct Dataset {
  std::string file;
  std::vector<std::string> columns;
  std::vector<std::size_t> slots;              // slot of each column
  std::vector<std::vector<std::string>> rows;  // rows[r][c]
};

struct Workflow {
  std::string name;  // file stem; check ids are "e2e.<name>.<step>"
  std::string description;
  std::string file;
  e2e::TemplateSymbols symbols;  // env fields first (slot i = environment_field_names()[i])
  std::vector<VariableInit> variables;
  std::optional<Dataset> dataset;
  std::vector<Step> steps;
  std::vector<Step> cleanup;  // always run, even after a failure
  bool cookies = true;        // one cookie jar per run; "cookies": false turns it off
  std::string openapi;        // "openapi": the document responses are checked against (path resolved), or empty
};

// The env.* names templates may use, in slot order.
const std::vector<std::string>& environment_field_names();
// Their values for `environment`, in the same order.
std::vector<std::string> environment_field_values(const config::Environment& environment);
// Whether an empty value of field `slot` means the environment lacks that
// capability (service_role_key, stripe.webhook_secret, ...): a step using it
// is then skipped rather than sent with an empty value. False only for
// fields whose empty value is meaningful (auth.captcha_token when captcha is off).
bool environment_field_required_when_used(std::size_t slot);

}  // namespace golive::e2e
