#include "load/slowest_requests.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "core/ascii_case.hpp"
#include "core/input_error.hpp"
#include "core/redactor.hpp"
#include "load/latency_histogram.hpp"

namespace golive::load {
namespace {

// Heap order: the top (front) is the fastest kept request; among equal
// latencies the latest completion is dropped first.
bool faster(const SlowRequest& a, const SlowRequest& b) {
  if (a.latency_us != b.latency_us) return a.latency_us > b.latency_us;
  return a.completed_unix_ms < b.completed_unix_ms;
}

nlohmann::json optional_ms(double ms) { return ms < 0 ? nlohmann::json(nullptr) : nlohmann::json(ms); }

double read_optional_ms(const core::JsonReader& reader, const char* key) {
  if (!reader.has(key) || reader.at(key).value().is_null()) return -1;
  const double value = reader.at(key).as_number();
  if (!std::isfinite(value) || value < 0) reader.at(key).fail("must be a number >= 0 or null");
  return value;
}

bool credential_name(std::string_view name) {
  static constexpr std::array<std::string_view, 11> kParts = {
      "token", "key", "secret", "password", "passwd", "signature", "sig", "code", "auth", "session", "jwt"};
  const std::string lower = core::ascii_lower(name);
  return std::any_of(kParts.begin(), kParts.end(),
                     [&](std::string_view part) { return lower.find(part) != std::string::npos; });
}

}  // namespace

nlohmann::json SlowRequest::to_json() const {
  return {{"latency_ms", static_cast<double>(latency_us) / 1000.0},
          {"completed_unix_ms", completed_unix_ms},
          {"step", step},
          {"method", method},
          {"url", url},
          {"status", status},
          {"error", error},
          {"request_id", request_id},
          {"trace_id", trace_id},
          {"timing_ms",
           {{"total", optional_ms(total_ms)},
            {"connect", optional_ms(connect_ms)},
            {"tls_handshake", optional_ms(handshake_ms)},
            {"first_byte", optional_ms(first_byte_ms)}}}};
}

SlowRequest SlowRequest::from_json(const nlohmann::json& value, const std::string& origin,
                                   const std::string& pointer) {
  const core::JsonReader reader(value, origin, pointer);
  reader.reject_unknown_keys({"latency_ms", "completed_unix_ms", "step", "method", "url", "status", "error",
                              "request_id", "trace_id", "timing_ms"});
  SlowRequest request;
  const double latency_ms = reader.at("latency_ms").as_number();
  if (!std::isfinite(latency_ms) || latency_ms < 0) reader.at("latency_ms").fail("must be a number >= 0");
  request.latency_us = static_cast<std::uint64_t>(std::llround(latency_ms * 1000.0));
  request.completed_unix_ms = reader.at("completed_unix_ms").as_integer();
  request.step = reader.at("step").as_string();
  request.method = reader.at("method").as_string();
  request.url = reader.at("url").as_string();
  const std::int64_t status = reader.at("status").as_integer();
  if (status < 0 || status > 999) reader.at("status").fail("must be 0..999");
  request.status = static_cast<int>(status);
  request.error = reader.at("error").as_string();
  request.request_id = reader.at("request_id").as_string();
  request.trace_id = reader.at("trace_id").as_string();
  const core::JsonReader timing = reader.at("timing_ms");
  timing.reject_unknown_keys({"total", "connect", "tls_handshake", "first_byte"});
  request.total_ms = read_optional_ms(timing, "total");
  request.connect_ms = read_optional_ms(timing, "connect");
  request.handshake_ms = read_optional_ms(timing, "tls_handshake");
  request.first_byte_ms = read_optional_ms(timing, "first_byte");
  return request;
}

void SlowestRequests::set_capacity(std::uint32_t capacity) {
  capacity_ = std::min(capacity, kMaxCapacity);
  while (heap_.size() > capacity_) {
    std::pop_heap(heap_.begin(), heap_.end(), faster);
    heap_.pop_back();
  }
}

void SlowestRequests::add(SlowRequest request) {
  if (!would_keep(request.latency_us)) return;
  if (heap_.size() >= capacity_) {
    std::pop_heap(heap_.begin(), heap_.end(), faster);
    heap_.pop_back();
  }
  heap_.push_back(std::move(request));
  std::push_heap(heap_.begin(), heap_.end(), faster);
}

void SlowestRequests::merge(const SlowestRequests& other) {
  if (other.capacity_ > capacity_) capacity_ = other.capacity_;
  for (const SlowRequest& request : other.heap_) add(request);
}

std::vector<SlowRequest> SlowestRequests::sorted() const {
  std::vector<SlowRequest> out = heap_;
  std::sort(out.begin(), out.end(), faster);
  return out;
}

nlohmann::json SlowestRequests::to_json() const {
  nlohmann::json requests = nlohmann::json::array();
  for (const SlowRequest& request : sorted()) requests.push_back(request.to_json());
  return {{"capacity", capacity_}, {"requests", std::move(requests)}};
}

SlowestRequests SlowestRequests::from_json(const nlohmann::json& value, const std::string& origin,
                                           const std::string& pointer) {
  const core::JsonReader reader(value, origin, pointer);
  reader.reject_unknown_keys({"capacity", "requests"});
  const std::int64_t capacity = reader.at("capacity").as_integer();
  if (capacity < 0 || capacity > kMaxCapacity) {
    reader.at("capacity").fail("must be 0.." + std::to_string(kMaxCapacity));
  }
  SlowestRequests slowest(static_cast<std::uint32_t>(capacity));
  const core::JsonReader requests = reader.at("requests");
  if (requests.as_array().size() > static_cast<std::size_t>(capacity)) {
    requests.fail("more requests than the capacity");
  }
  for (std::size_t i = 0; i < requests.as_array().size(); ++i) {
    slowest.add(SlowRequest::from_json(requests.at(i).value(), origin, requests.at(i).pointer()));
  }
  return slowest;
}

std::string redact_url(std::string_view url) {
  std::string out(url);
  const std::size_t query = out.find('?');
  if (query != std::string::npos) {
    std::string rebuilt = out.substr(0, query + 1);
    std::size_t start = query + 1;
    const std::size_t fragment = out.find('#', start);
    const std::size_t end = fragment == std::string::npos ? out.size() : fragment;
    while (start <= end) {
      std::size_t amp = out.find('&', start);
      if (amp == std::string::npos || amp > end) amp = end;
      const std::string_view pair(out.data() + start, amp - start);
      const std::size_t equals = pair.find('=');
      if (equals != std::string_view::npos && credential_name(pair.substr(0, equals))) {
        rebuilt.append(pair.substr(0, equals + 1)).append(core::Redactor::kMask);
      } else {
        rebuilt.append(pair);
      }
      if (amp == end) break;
      rebuilt.push_back('&');
      start = amp + 1;
    }
    rebuilt.append(out, end, std::string::npos);
    out = std::move(rebuilt);
  }
  return core::Redactor::global().redact(std::move(out));
}

std::string trace_id_of(std::string_view traceparent) {
  // version "-" trace-id(32) "-" parent-id(16) "-" flags
  if (traceparent.size() < 55 || traceparent[2] != '-' || traceparent[35] != '-') return "";
  const std::string_view trace = traceparent.substr(3, 32);
  const bool hex = std::all_of(trace.begin(), trace.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
  return hex ? std::string(trace) : "";
}

}  // namespace golive::load
