// Parses the web constructs of a workflow step (private to e2e/): form and
// multipart bodies (files and generated content), redirect following, auth
// schemes, retry, when conditions, the cookie jar switch, and the cookie,
// HTML/XPath, URL and redirect-count assertions and captures. The workflow
// parser hands each step, assertion and capture over; every problem is a
// core::InputError naming the file and the JSON pointer of the value.
#pragma once

#include <string>

#include "core/input_error.hpp"
#include "e2e/workflow.hpp"
#include "e2e/workflow_parse_support.hpp"

namespace golive::e2e {

class WebStepParser {
 public:
  // Variables the steps refer to are looked up in `workflow.symbols`; cookie
  // constructs need `workflow.cookies`.
  explicit WebStepParser(Workflow& workflow);

  // form, multipart, follow_redirects, auth, retry, when and clear_cookies of
  // `reader` (a step read from the file `path`), in that order, into `step`.
  // The step's name and headers are already set.
  void parse_step_members(const core::JsonReader& reader, const std::string& path, Step& step);

  // An assertion with a cookie, html, xpath, url or redirects member.
  static bool is_web_assertion(const core::JsonReader& reader);
  void parse_assertion(const core::JsonReader& reader, Assertion& assertion);

  // A capture from a cookie, html, xpath or url (its variable is set by the caller).
  static bool is_web_capture(const core::JsonReader& reader);
  void parse_capture(const core::JsonReader& reader, Capture& capture);

 private:
  void parse_form(const core::JsonReader& form, Step& step);
  void parse_multipart(const core::JsonReader& parts, const std::string& path, Step& step);
  void parse_redirects(const core::JsonReader& reader, Step& step);
  Template secret_template(const core::JsonReader& at);
  void parse_auth(const core::JsonReader& reader, Step& step);
  void parse_retry(const core::JsonReader& reader, Step& step);
  void parse_when(const core::JsonReader& reader, Step& step);
  void parse_cookie_assertion(const core::JsonReader& reader, Assertion& assertion);
  HtmlQuery parse_html_query(const core::JsonReader& reader);

  Workflow& workflow_;
  TemplateCompiler compile_;
};

}  // namespace golive::e2e
