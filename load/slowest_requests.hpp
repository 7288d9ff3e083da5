// SlowestRequests: the N slowest requests of a scenario, each with what an
// engineer needs to find it in the target's logs and traces: the
// correlation ids it was sent with (X-Request-Id, the traceparent's trace
// id), method, URL (redacted), status, error category, and its timings.
//
// Bounded: a min-heap of at most `capacity` entries (the fastest of the
// kept ones on top), one per scenario per worker thread; shards and workers
// merge by pushing one heap's entries into the other. Hot path: would_keep()
// compares one latency with the heap's top and never allocates; only a
// request that makes the list is built (strings) and pushed.
//
//   SlowestRequests slowest(10);
//   if (slowest.would_keep(latency_us)) slowest.add(build_record());
//   for (const SlowRequest& r : slowest.sorted()) ...  // slowest first
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace golive::load {

struct SlowRequest {
  std::uint64_t latency_us = 0;      // as counted in the histograms (open model: from the intended start)
  std::int64_t completed_unix_ms = 0;  // wall clock at completion, to find it in logs
  std::string step;                  // the step (request name or workflow step)
  std::string method;
  std::string url;                   // redacted (see redact_url)
  int status = 0;                    // 0 when no response arrived
  std::string error;                 // "" for success, else the load error category ("timeout", ...)
  std::string request_id;            // X-Request-Id as sent ("" when none was sent)
  std::string trace_id;              // the traceparent's 32-hex trace id ("" when none)
  // The response's phase times, milliseconds; negative when the engine did not report one.
  double total_ms = -1;
  double connect_ms = -1;    // TCP connect (this request opened its connection), else -1
  double handshake_ms = -1;  // TLS handshake alone (opened an https:// connection), else -1
  double first_byte_ms = -1;

  bool operator==(const SlowRequest& other) const = default;
  nlohmann::json to_json() const;
  static SlowRequest from_json(const nlohmann::json& value, const std::string& origin,
                               const std::string& pointer);
};

class SlowestRequests {
 public:
  static constexpr std::uint32_t kDefaultCapacity = 10;
  static constexpr std::uint32_t kMaxCapacity = 1000;

  explicit SlowestRequests(std::uint32_t capacity = kDefaultCapacity) : capacity_(capacity) {}

  std::uint32_t capacity() const { return capacity_; }
  // Raises or lowers the bound (a merge keeps the larger of two).
  void set_capacity(std::uint32_t capacity);

  // True when a request this slow would enter the list (no allocation).
  bool would_keep(std::uint64_t latency_us) const {
    return capacity_ > 0 && (heap_.size() < capacity_ || latency_us > heap_.front().latency_us);
  }
  void add(SlowRequest request);
  void merge(const SlowestRequests& other);
  std::size_t size() const { return heap_.size(); }

  // Slowest first (ties: earlier completion first).
  std::vector<SlowRequest> sorted() const;

  // Shard file form: {"capacity": N, "requests": [...]}.
  nlohmann::json to_json() const;
  static SlowestRequests from_json(const nlohmann::json& value, const std::string& origin,
                                   const std::string& pointer);

 private:
  std::uint32_t capacity_;
  std::vector<SlowRequest> heap_;  // min-heap by latency_us
};

// A URL as reports may show it: secrets the redactor knows masked, and the
// values of query parameters whose names carry credentials (token, key,
// secret, password, signature, code, ...) replaced by "[REDACTED]".
std::string redact_url(std::string_view url);

// The trace id (32 hex) of a traceparent header value; "" when malformed.
std::string trace_id_of(std::string_view traceparent);

}  // namespace golive::load
