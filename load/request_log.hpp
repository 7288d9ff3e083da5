// RequestLog: requests recorded by a production system (an nginx access log
// in the combined format, or JSONL with timestamps), read for incident
// reproduction: `golive load --replay LOG [--speed N]` sends them again, to
// the environment's base_url only, keeping the recorded inter-arrival times.
//
// nginx combined (the default log_format):
//   1.2.3.4 - - [10/Oct/2026:13:55:36 +0000] "GET /rest/v1/courses?select=* HTTP/1.1" 200 512 "-" "ua"
// Its timestamps have 1 s resolution: the requests of one second are spread
// evenly over that second (in file order), rather than sent as one burst that
// the original traffic never was.
//
// JSONL, one object per line (millisecond precision or better):
//   {"ts": 1796300000.125, "method": "POST", "path": "/functions/v1/checkout",
//    "headers": {"content-type": "application/json"}, "body": "{...}"}
//   "ts" is Unix seconds (a number) or an ISO 8601 text ("2026-11-22T10:00:00.125Z");
//   "url" may replace "path" (only its path and query are used).
//
// Lines are sorted by time; offsets start at 0 at the first request. A
// malformed line is a core::InputError naming the file and line (exit 2).
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace golive::load {

struct LoggedRequest {
  double at_s = 0;  // seconds after the first request of the log
  std::string method;
  std::string target;  // path and query, always starting with '/'
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::uint32_t line = 0;  // 1-based line in the log, for messages
};

struct RequestLog {
  std::string file;
  std::string format;  // "nginx-combined" or "jsonl"
  std::vector<LoggedRequest> requests;  // sorted by at_s
  std::uint64_t skipped_methods = 0;    // lines whose method was not selected
  double span_s() const { return requests.empty() ? 0 : requests.back().at_s; }
};

struct RequestLogOptions {
  std::set<std::string> methods = {"GET", "HEAD", "OPTIONS"};  // replayed; others skipped and counted
  std::size_t max_requests = 1'000'000;                         // more is an error (bounded runs)
};

RequestLog read_request_log(const std::string& path, const RequestLogOptions& options = {});

// The route a request counts under in the statistics: method and path, with
// the query dropped and id-like segments (numbers, UUIDs, long hex or token
// strings) replaced by ":id", e.g. "GET /rest/v1/courses/:id".
std::string route_of(const std::string& method, const std::string& target);

}  // namespace golive::load
