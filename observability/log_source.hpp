// Where the target's structured log lines come from while the observability
// stage runs. One of three sources, named in the environment:
//
//   "observability": {"logs": {"file": "/var/log/api/events.log"}}
//       the file is followed from its size when the stage starts;
//   "observability": {"logs": {"command": "vercel logs my-app --json"}}
//       a platform's log command, run by /bin/sh for the stage and stopped
//       (its process group, SIGTERM) at the end; its standard output is read;
//   "observability": {"logs": {"drain_listen": "127.0.0.1:9400"}}
//       golive listens there and the platform's HTTP log drain POSTs to it:
//       NDJSON (one JSON object per line) or a JSON array of objects, as
//       Supabase, Vercel and Heroku drains send. Answered 200.
//
// Every source yields the JSON objects that arrived since it was opened. A
// platform that wraps the application's line (`{"message": "{\"event\":...}",
// "source": "lambda", ...}`) is unwrapped: an object without "event" whose
// "message", "msg" or "log" string is itself a JSON object yields that object.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/environment.hpp"

namespace golive::observability {

struct LogSettings {
  std::string file;          // "" = not a file source
  std::string command;       // "" = not a command source
  std::string drain_listen;  // "" = not a drain; else "HOST:PORT"
  std::int64_t timeout_ms = 10000;

  bool configured() const { return !file.empty() || !command.empty() || !drain_listen.empty(); }
};

// Reads observability.logs; at most one source may be named (exit 2 naming
// the JSON pointer otherwise).
LogSettings read_log_settings(const config::Environment& env);

class LogSource {
 public:
  // Starts following the configured source. Throws std::runtime_error when it
  // cannot (a drain address in use, a command that cannot be started).
  static std::unique_ptr<LogSource> open(const LogSettings& settings);

  virtual ~LogSource() = default;
  // The JSON objects received since open(), in arrival order.
  virtual std::vector<nlohmann::json> lines() = 0;
  // For a report: "file /var/log/x.log", "command `...`", "HTTP drain on 127.0.0.1:9400 (3 deliveries)".
  virtual std::string describe() const = 0;
};

// The JSON objects in `text`: one per line (NDJSON, or any line with a JSON
// object after a prefix such as a syslog header), or the objects of a JSON
// array when the whole text is one; wrapped application lines unwrapped.
std::vector<nlohmann::json> json_log_objects(const std::string& text);

}  // namespace golive::observability
