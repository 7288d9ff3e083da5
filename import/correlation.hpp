// Correlation: the values a recorded response returned that a later request
// sends back (a session token, a new row's id, a CSRF token). Each becomes a
// capture on the step whose response first returned it and "{{var}}" in every
// later request, so the workflow replays with the values of its own run.
//
// A candidate is a JSON string leaf of a response body (capture by JSON
// pointer), a response header whose name says it carries a token or id
// (capture by header), or an HTML form field's or csrf meta tag's value
// (capture by CSS selector and attribute). Only values that look like
// generated identifiers count: at least 8 characters with a digit, not a
// date, and not something an earlier request already sent (the client knew it).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "import/recorded_exchange.hpp"

namespace golive::imports {

struct CorrelationCandidate {
  std::string value;
  nlohmann::ordered_json capture;  // the capture object without "var": {"json": "/0/id"}, ...
  std::string suggested_name;      // "access_token", "course_id", "csrf_token"
};

// The candidates of one response, in document order. `resource` names what
// the request addressed ("courses" for /rest/v1/courses): a bare "id" becomes
// "course_id".
std::vector<CorrelationCandidate> correlation_candidates(const RecordedResponse& response,
                                                         const std::string& resource);

// True for text that looks like a generated identifier (see above).
bool looks_generated(const std::string& value);

// A workflow variable name from free text: lowercase letters, digits and '_'.
std::string variable_name(const std::string& text);

}  // namespace golive::imports
