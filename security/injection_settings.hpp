// Settings of the injection family (`golive probe injection`), read from
// env.sections["security"]["injection"]; every key is optional:
//
//   "injection": {
//     "targets": [                      // where SQL payloads go (default: see below)
//       {"name": "courses.search",      // id part: security.injection.sqli.<name>
//        "method": "GET", "path": "/rest/v1/courses",
//        "param": "search",             // query parameter carrying the payload, or
//        "field": "code",               // a JSON body field (POST/PATCH/PUT) carrying it
//        "prefix": "eq.",               // put before the payload (PostgREST operators)
//        "query": "select=id,title",    // fixed query string sent as well
//        "body": {"other": 1},          // fixed JSON body members sent as well
//        "auth": "user"}                // "user" (the probe's fresh user) or "anon"
//     ],
//     "sleep_seconds": 2,               // pg_sleep of the time-based payloads (1..5)
//     "max_requests": 200,              // hard cap on requests of the whole family
//     "xss": {"sanitized_storage_required": true},
//     "ai": {"path": "/functions/v1/extract-topics", "job_path": "/functions/v1/jobs/",
//            "max_input_chars": 16000, "over_limit": "reject_or_truncate",
//            "system_prompt_markers": ["You are StudyPlanner"], "job_timeout_s": 20}
//   }
//
// Without "targets" the reference target's three injection points are used:
// the REST `search` parameter of courses, a REST `eq.` filter on courses.title,
// and the `code` field of the redeem-token function.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/environment.hpp"

namespace golive::security {

// One place where the probe puts SQL payloads.
struct InjectionTarget {
  std::string name;    // stable id part, [a-z0-9_.] ("courses.search")
  std::string method;  // GET, POST, PATCH, PUT, DELETE
  std::string path;    // below base_url, starts with '/'
  std::string param;   // query parameter name, or "" when `field` is used
  std::string field;   // JSON body member name, or "" when `param` is used
  std::string prefix;  // prepended to every payload ("eq.")
  std::string query;   // fixed extra query string ("select=id"), without '?'
  nlohmann::json body = nlohmann::json::object();  // fixed JSON body members
  bool as_user = true;                             // false: anon key only
};

// What an over-long AI input may get back and still pass.
enum class OverLimitPolicy {
  kReject,            // only a 4xx (400/413/422) passes
  kRejectOrTruncate,  // a 4xx, or a 2xx that reports truncation to the limit
};

struct InjectionSettings {
  std::vector<InjectionTarget> targets;
  int sleep_seconds = 2;                   // pg_sleep argument of time-based payloads, seconds
  int max_requests = 200;                  // cap on every request the family sends
  bool sanitized_storage_required = true;  // raw markup in stored JSON is a finding

  std::string ai_path;             // submit endpoint ({"text": ...})
  std::string ai_job_path;         // job status prefix; the job id is appended
  int ai_max_input_chars = 16000;  // the target's documented input limit, characters
  OverLimitPolicy over_limit = OverLimitPolicy::kRejectOrTruncate;
  std::vector<std::string> system_prompt_markers;  // text that only a leaked prompt contains
  int ai_job_timeout_s = 20;                       // how long to poll a job for its result, seconds
};

// The reference target's injection points below env.paths.
std::vector<InjectionTarget> default_injection_targets(const config::Environment& env);

// Throws core::InputError naming the env file and the JSON pointer.
InjectionSettings read_injection_settings(const config::Environment& env);

}  // namespace golive::security
