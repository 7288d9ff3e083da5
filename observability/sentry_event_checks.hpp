// What a Sentry event must carry (seed 000 §4, 001 R5.4), as pure functions
// over the event JSON and the delivery's decoded body, so the rules are
// tested without a target:
//
//   context     environment equal to the environment's name, user.id equal
//               to the test user's id, course_id (in tags or in any context)
//               equal to the course the error concerned, a non-empty release
//   stacktrace  an exception whose stack trace has at least one frame (in the
//               exception's "stacktrace" or in a thread's, as SDKs put it)
//   no_pii      none of the given secret values (the test user's email and
//               password, bearer tokens, the service's keys) and no
//               whsec_/sk_live_/sk_test_ value anywhere in what was sent
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace golive::observability {

struct SentryExpectation {
  std::string environment;  // the environment's "name"
  std::string user_id;      // the test user's id
  std::string course_id;    // "" when the error concerns no course
};

// Each missing or wrong piece of context, as one sentence; empty when all is there.
std::vector<std::string> sentry_context_failures(const nlohmann::json& event,
                                                 const SentryExpectation& expected);

// Why the event has no usable stack trace; "" when it has one.
std::string sentry_stacktrace_failure(const nlohmann::json& event);
// The number of frames of the event's first exception with a stack trace (0 if none).
std::size_t sentry_frame_count(const nlohmann::json& event);

// A value and what it is ("the test user's email"); the value itself is never
// printed by a finding.
struct SensitiveValue {
  std::string value;
  std::string what;
};
// Each sensitive value found in `sent` (what it is, and where: the JSON path
// when it is inside `event`), plus Stripe-shaped secrets (whsec_, sk_live_,
// sk_test_, rk_live_) by pattern.
std::vector<std::string> sentry_pii_findings(const std::string& sent, const nlohmann::json& event,
                                             const std::vector<SensitiveValue>& sensitive);

// The string value at the first JSON path (e.g. "/user/email") under which
// `needle` occurs in `event`; "" when it does not.
std::string json_path_of(const nlohmann::json& event, const std::string& needle);

}  // namespace golive::observability
