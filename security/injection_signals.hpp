// The pure parts of the injection family: payload corpora and the detectors
// that decide whether a response shows an injection. No network here, so each
// detector is unit-tested on literal responses (tests/security/injection_signals_test.cpp).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/http_types.hpp"

namespace golive::security {

// ---- SQL injection -------------------------------------------------------

// Error-based payloads: each breaks out of a quoted or parenthesised SQL
// context, so a statement built by string concatenation fails to parse.
const std::vector<std::string>& sql_error_payloads();

// Boolean pair around a search token that matches nothing: true widens any
// WHERE to every visible row, false narrows it to none. Column-agnostic and
// balanced for both LIKE '%…%' and '…' contexts:
//   true  <token>%' OR 'a'<>'     false  <token>%' AND 'a'='b
std::string sql_boolean_true(const std::string& token);
std::string sql_boolean_false(const std::string& token);
// Time-based: <token>%' OR (SELECT 1 FROM pg_sleep(<seconds>))=1 OR 'a'='
std::string sql_sleep_payload(const std::string& token, int seconds);

// A PostgreSQL (or driver) parse error in a response body.
struct SqlErrorSignal {
  std::string signal;   // the signature matched ("42601", "syntax error at or near", ...)
  std::string excerpt;  // up to 160 characters of the body around the match, ASCII only
};
std::optional<SqlErrorSignal> find_sql_error(std::string_view body);

// What a response says, independent of echoed input and timestamps: status
// plus the row count of a JSON array, the "code" of a JSON error object, or
// the body length with `payload` removed.
std::string response_shape(const http::HttpResponse& response, const std::string& payload);

// ---- stored XSS ------------------------------------------------------------

// One payload stored into one user-text field and read back.
struct XssPayload {
  std::string field;       // "courses.title", "profiles.display_name", ...
  std::string text;        // what is stored
  std::string marker;      // the live-markup fragment that must not come back raw
  bool html_only = false;  // true: harmless as plain text (a quote), judged in HTML only
};

// The corpus, each payload tagged with `token` so it is found again:
// <script>, <img onerror>, a javascript: link, an attribute-breaking quote,
// and <svg onload> for the display name.
std::vector<XssPayload> xss_payloads(const std::string& token);

// Concatenation of every string value in `value` (decoded), separated by '\n'.
std::string json_strings(const nlohmann::json& value);

// The fields whose marker occurs raw in `text`; html selects whether the
// html_only payloads count.
std::vector<std::string> raw_markup_fields(const std::vector<XssPayload>& payloads,
                                           std::string_view text, bool html);

// ---- prompt injection ------------------------------------------------------

// An instruction that makes an obedient model print `canary` without the
// canary ever appearing in the instruction itself (it is split in two
// halves), so an echoing model cannot trip the check.
std::string prompt_canary_instruction(const std::string& canary_left,
                                      const std::string& canary_right);
// An instruction asking for the system prompt; contains none of the markers.
std::string prompt_system_leak_instruction();

// Markers (case-insensitive) present in `output` but absent from `input`.
std::vector<std::string> leaked_markers(std::string_view output, std::string_view input,
                                        const std::vector<std::string>& markers);

// A body of at least `chars` characters of plain study text (ASCII).
std::string over_long_syllabus(std::size_t chars);

}  // namespace golive::security
