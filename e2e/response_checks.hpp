// Evaluating one response against a step: assertions (each failure names the
// assertion with expected vs actual) and captures (storing values for later
// steps). Pure functions over a response; the runner decides what follows.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/http_types.hpp"
#include "e2e/cookie_jar.hpp"
#include "e2e/html_query.hpp"
#include "e2e/template.hpp"
#include "e2e/workflow.hpp"

namespace golive::e2e {

// A response under evaluation. The body is parsed as JSON at most once, and
// only when a json assertion or capture asks for it.
class ResponseView {
 public:
  ResponseView(const http::HttpResponse& response, double latency_ms)
      : response_(response), latency_ms_(latency_ms) {}

  // What the runner knows beyond the response: the run's cookie jar (after
  // this response's Set-Cookie), the final URL and the redirects followed.
  void set_context(const CookieJar* cookies, std::string_view final_url, std::size_t redirects) {
    cookies_ = cookies;
    final_url_ = final_url;
    redirects_ = redirects;
  }

  const http::HttpResponse& response() const { return response_; }
  double latency_ms() const { return latency_ms_; }
  // nullptr when the body is not JSON.
  const nlohmann::json* json() const;
  // nullptr when the body is not readable as HTML.
  const HtmlDocument* html() const;
  const CookieJar* cookies() const { return cookies_; }
  std::string_view final_url() const { return final_url_; }
  std::size_t redirects() const { return redirects_; }

 private:
  const http::HttpResponse& response_;
  double latency_ms_;  // wall time from send to completion, milliseconds
  mutable std::optional<nlohmann::json> parsed_;
  mutable bool parse_attempted_ = false;
  mutable std::unique_ptr<HtmlDocument> html_;
  mutable bool html_attempted_ = false;
  const CookieJar* cookies_ = nullptr;
  std::string_view final_url_;
  std::size_t redirects_ = 0;
};

// One line that says what the assertion demands: "status in [200, 201]",
// "json /status equals \"active\"".
std::string describe(const Assertion& assertion, const e2e::TemplateValues& values);

// nullopt when the assertion holds; otherwise the failure, e.g.
// "json /status equals \"active\": actual \"incomplete\"".
std::optional<std::string> check_assertion(const Assertion& assertion, const ResponseView& response,
                                           const e2e::TemplateValues& values);

// The first failing assertion of `step`, or nullopt when all hold.
std::optional<std::string> first_failed_assertion(const Step& step, const ResponseView& response,
                                                  const e2e::TemplateValues& values);

// Extracts the capture's value, or nullopt with `failure` set ("capture token:
// /access_token not found in the response body").
std::optional<std::string> extract_capture(const Capture& capture, const ResponseView& response,
                                           std::string& failure);

// Stores every capture of `step` into `values`; returns the first failure.
std::optional<std::string> apply_captures(const Step& step, const ResponseView& response,
                                          e2e::TemplateValues& values);

// At most `limit` bytes of `text` (cut on a UTF-8 boundary), with a note of
// the full size when cut.
std::string excerpt(const std::string& text, std::size_t limit);

}  // namespace golive::e2e
