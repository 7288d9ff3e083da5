// AiProviderStub: a fault-injecting stand-in for a target's AI provider
// (upstream fault injection). It speaks the reference provider
// protocol (fixtures/service/functions/ai_provider_client.hpp):
//
//   POST <any path> {"input": "<text>", "job_id": "<uuid>"}
//   200 {"topics": ["<title>", ...], "model": "golive-stub-1"}
//
// and answers healthily (like the built-in mock, including its 503 for an
// input containing MOCK_AI_FAIL) unless a script matches: a request whose
// input contains a scripted marker gets that marker's faults in order (5xx,
// no answer at all, a body trickled slowly), then healthy answers again.
// Every request's arrival time is recorded, so a check can measure the
// caller's retry count and backoff from the provider's side.
//
// Served by an http::LoopbackServer (its own thread) on one address only (127.0.0.1 and a
// free port by default). Stopped and joined by the destructor.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace golive::contract {

struct StubFault {
  enum class Kind {
    kServerError,  // answer `status` (5xx) with a JSON error body
    kNoAnswer,     // read the request, never answer; hold the connection until the caller gives up
    kSlowBody,     // 200 with the healthy body, trickled over `body_ms`
    kSuccess,      // the healthy answer (to interleave with faults)
  };
  Kind kind = Kind::kServerError;
  int status = 503;  // kServerError: the HTTP status sent
  int body_ms = 0;   // kSlowBody: time from the headers to the last body byte (ms)

  static StubFault server_error(int status = 503) { return {Kind::kServerError, status, 0}; }
  static StubFault no_answer() { return {Kind::kNoAnswer, 0, 0}; }
  static StubFault slow_body(int body_ms) { return {Kind::kSlowBody, 200, body_ms}; }
  static StubFault success() { return {Kind::kSuccess, 200, 0}; }
};

// One request as the stub saw it.
struct StubArrival {
  std::chrono::steady_clock::time_point at;  // when the whole request had been read
  std::string job_id;                        // "job_id" of the request body ("" if none)
  std::string marker;                        // the script marker that matched ("" if none)
  std::string action;  // what the stub did: "503", "no_answer", "slow_body", "200"
};

class AiProviderStub {
 public:
  // Binds host:port (port 0: a free port) and starts serving. Throws
  // std::runtime_error when the address cannot be bound.
  explicit AiProviderStub(const std::string& host = "127.0.0.1", std::uint16_t port = 0);
  ~AiProviderStub();
  AiProviderStub(const AiProviderStub&) = delete;
  AiProviderStub& operator=(const AiProviderStub&) = delete;

  std::uint16_t port() const;
  std::string address() const;  // "host:port"
  std::string url() const;      // "http://host:port/v1/extract": what a target is pointed at

  // Requests whose input contains `marker` get `faults` in order (one fault
  // per request), then healthy answers. Replaces an earlier script of `marker`.
  void script(const std::string& marker, std::vector<StubFault> faults);

  // Every request that matched `marker` so far, in arrival order.
  std::vector<StubArrival> arrivals(const std::string& marker) const;
  // Every request so far.
  std::vector<StubArrival> all_arrivals() const;

  // The stub of this process listening on `address` ("host:port"), or
  // nullptr: lets a check use the stub that the embedded target was started
  // against instead of binding the address a second time.
  static AiProviderStub* running_at(const std::string& address);

  struct State;  // shared with the server's handler

 private:
  std::unique_ptr<State> state_;
};

}  // namespace golive::contract
