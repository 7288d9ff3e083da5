// LoadProfile: what a load run does, read from a JSON file in load/profiles/.
//
//   {"description": "...", "warmup_s": 1,
//    "max_duration_s": 600, "max_requests": 1000000,
//    "scenarios": [
//      {"name": "health", "executor": "constant_arrival_rate",
//       "rate": 200, "duration_s": 5, "max_vus": 100,
//       "request": {"method": "GET", "url": "/health", "headers": {}},
//       "thresholds": ["p(99) < 200ms", {"expression": "error_rate < 1%", "abort_on_fail": true}]},
//      {"name": "ramp", "executor": "ramping_arrival_rate", "start_rate": 10,
//       "stages": [{"duration_s": 10, "target_rate": 100}], "max_vus": 200, "workflow": "legal_pages"},
//      {"name": "users", "executor": "ramping_vus", "start_vus": 0,
//       "stages": [{"duration_s": 30, "target_vus": 1000}, {"duration_s": 60, "target_vus": 1000}],
//       "workflow": "signup_login", "iteration_pause_ms": 0},
//      {"name": "storm", "executor": "constant_arrival_rate", "rate": 500, "duration_s": 10,
//       "keep_alive": false, "request": {"url": "/health"}},
//      {"name": "find-capacity", "executor": "capacity", "start_rate": 20, "step_rate": 20,
//       "step_duration_s": 5, "max_rate": 200, "request": {"url": "/health"},
//       "thresholds": ["p(95) < 200ms", "error_rate < 1%"]},
//      {"name": "api", "executor": "constant_arrival_rate", "rate": 50, "duration_s": 10,
//       "slowest_requests": 20, "request": {"url": "/rest/v1/items"}},
//      {"name": "h2", "executor": "ramping_vus", "stages": [{"duration_s": 10, "target_vus": 100}],
//       "http_version": "2", "max_connections": 4, "request": {"url": "/health"}}]}
//
// Open model (constant_arrival_rate, ramping_arrival_rate): iterations start
// at a rate per second whatever the target does; an iteration is one request
// or one workflow run. Closed model (ramping_vus): virtual users each loop a
// workflow (think time comes from the workflow's think_ms) or a request.
// `workflow` names a file of e2e/workflows; `workflow_file` is a path
// relative to the profile. Every error is a core::InputError naming the file
// and the JSON pointer (exit code 2).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "http/client_options.hpp"
#include "load/request_log.hpp"
#include "load/threshold.hpp"

namespace golive::load {

// kReplay: an open model whose arrivals are the recorded times of a request
// log (see request_log.hpp), each iteration one logged request.
// kCapacity: an open model whose rate steps up (start_rate, + step_rate every
// step_duration_s, up to max_rate) until a step breaks a threshold or the
// environment's SLA (load/capacity_search.hpp); it reports the last rate that held.
enum class ExecutorKind { kConstantArrivalRate, kRampingArrivalRate, kRampingVus, kReplay, kCapacity };
const char* to_string(ExecutorKind kind);

// One linear segment: from the previous stage's target (or the start value)
// to `target` over `duration_s`. Targets are iterations per second for the
// open model and virtual users for the closed one.
struct Stage {
  double duration_s = 0;  // seconds
  double target = 0;      // iterations/s or VUs at the end of the stage
};

struct RequestTarget {
  std::string name = "request";  // step name in the statistics ("step:<name>")
  std::string method = "GET";
  std::string url;  // absolute, or a path appended to the environment's base_url
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::uint32_t timeout_ms = 10000;  // whole transfer
  // A response with a status outside [200, 400) counts as an http_status error.
};

struct ScenarioProfile {
  std::string name;
  ExecutorKind executor = ExecutorKind::kConstantArrivalRate;
  double start = 0;            // iterations/s (ramping rate) or VUs (ramping VUs) at t = 0
  std::vector<Stage> stages;   // constant rate: one flat stage
  std::uint32_t max_vus = 0;   // open model: iterations in flight at most (0 = unlimited)
  std::uint32_t iteration_pause_ms = 0;  // closed model: pause between a VU's iterations
  // false: every request asks for `Connection: close`, so each iteration opens
  // (and for https:// handshakes) a connection of its own: a handshake storm.
  bool keep_alive = true;
  // How many of the slowest requests the report lists, with their correlation ids (0 = none).
  std::uint32_t slowest_requests = 10;
  // "http_version": "1.1" (default), "2" (h2c by prior knowledge on http://,
  // ALPN h2 on https://) or "auto" (ALPN h2 or http/1.1 on https://, HTTP/1.1
  // on http://). "max_connections": N caps the scenario's connections to one
  // host (0 = the engine's default); over HTTP/2 its VUs share them as streams.
  // Either setting gives the scenario HTTP engines of its own.
  http::HttpVersion http_version = http::HttpVersion::kHttp1_1;
  std::uint32_t max_connections = 0;
  std::optional<RequestTarget> request;  // exactly one of request / workflow_path
  std::string workflow_path;             // resolved file of the workflow
  std::vector<ThresholdSpec> thresholds;
  // kReplay: the log and its speed-up (2 = twice as fast). The stages then
  // describe the log's rate per second, for progress, peaks and max_rps.
  std::shared_ptr<const RequestLog> replay_log;
  double replay_speed = 1;
  // kCapacity: the stages are flat steps (each at its target from its first
  // instant, no ramp); step_rate is what each step adds.
  bool stepped = false;
  double step_rate = 0;

  bool open_model() const { return executor != ExecutorKind::kRampingVus; }
  double duration_s() const;  // sum of the stages
  double peak() const;        // highest rate or VU count over the stages
  // Rate (open) or VUs (closed) at `t_s` seconds into the scenario.
  double value_at(double t_s) const;
};

struct LoadProfile {
  std::string file;
  std::string name;  // file stem
  std::string description;
  double warmup_s = 0;           // samples completing before this are discarded
  double max_duration_s = 3600;  // hard cap on the run, seconds
  std::uint64_t max_requests = 10'000'000;  // hard cap over all scenarios and workers
  std::vector<ScenarioProfile> scenarios;

  double duration_s() const;  // the longest scenario, capped by max_duration_s
};

// `workflows_dir` resolves "workflow" names (normally e2e/workflows).
LoadProfile load_profile(const std::string& path, const std::string& workflows_dir);
LoadProfile parse_profile(const nlohmann::json& document, const std::string& path,
                          const std::string& workflows_dir);

// The profile `golive load --replay` runs: one "replay" scenario sending the
// log's requests at their recorded offsets divided by `speed`, each with
// `headers` added (e.g. the environment's apikey) unless the log has them.
LoadProfile replay_profile(std::shared_ptr<const RequestLog> log, double speed,
                           std::vector<std::pair<std::string, std::string>> headers,
                           std::vector<ThresholdSpec> thresholds, std::uint32_t max_vus);

}  // namespace golive::load
