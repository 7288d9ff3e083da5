#include "http/correlating_client.hpp"

#include <algorithm>
#include <cstring>
#include <random>
#include <utility>

#include "core/ascii_case.hpp"

namespace golive::http {
namespace {

// Writes `value` as 16 lower-case hex digits at `out`.
void write_hex(char* out, std::uint64_t value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (int i = 15; i >= 0; --i, value >>= 4) out[i] = kDigits[value & 0xF];
}

bool lower_hex(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

CorrelatingClient::CorrelatingClient(HttpClient& inner, bool request_id_header)
    : inner_(inner), request_id_header_(request_id_header) {
  std::random_device device;
  state_ = (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

std::uint64_t CorrelatingClient::next() {
  std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

CorrelationIds CorrelatingClient::stamp(HttpRequest& request) {
  // One pass over the request's own headers: its first traceparent and X-Request-Id.
  const std::string* own_trace = nullptr;
  const std::string* own_id = nullptr;
  for (const auto& [name, value] : request.headers) {
    if (own_trace == nullptr && core::equals_ignoring_case(name, "traceparent")) {
      own_trace = &value;
    } else if (own_id == nullptr && core::equals_ignoring_case(name, "x-request-id")) {
      own_id = &value;
    }
  }
  CorrelationIds ids;
  const bool wants_id = request_id_header_ && own_id == nullptr;
  if (own_trace != nullptr) {
    const std::string& value = *own_trace;
    if (value.size() >= 35 && value[2] == '-' && lower_hex(std::string_view(value).substr(3, 32))) {
      std::copy_n(value.begin() + 3, 32, ids.trace_id.begin());
      ids.trace_known = true;
    }
  } else {
    std::uint64_t high = next();
    const std::uint64_t low = next();
    if (high == 0 && low == 0) high = 1;  // all-zero trace ids are invalid
    write_hex(ids.trace_id.data(), high);
    write_hex(ids.trace_id.data() + 16, low);
    ids.trace_known = true;
  }
  // The usual case (X-Request-Id is the trace id) keeps no string: no allocation.
  if (own_id != nullptr) {
    ids.request_id_is_trace = ids.trace_known && *own_id == std::string_view(ids.trace_id.data(), 32);
    if (!ids.request_id_is_trace) ids.request_id = *own_id;
  } else {
    ids.request_id_is_trace = wants_id && ids.trace_known;
  }
  if (own_trace != nullptr && !wants_id) return ids;
  request.headers.reserve(request.headers.size() + 2);
  if (own_trace == nullptr) {
    // 00-<trace id>-<span id>-01
    char traceparent[55];
    std::memcpy(traceparent, "00-", 3);
    std::memcpy(traceparent + 3, ids.trace_id.data(), 32);
    traceparent[35] = '-';
    write_hex(traceparent + 36, next() | 1);  // span id: never all zeros
    std::memcpy(traceparent + 52, "-01", 3);
    request.headers.emplace_back("traceparent", std::string(traceparent, sizeof traceparent));
  }
  if (wants_id) {
    // An own traceparent that is malformed leaves no trace id to reuse: a fresh one.
    if (!ids.trace_known) {
      char fresh[32];
      write_hex(fresh, next() | 1);
      write_hex(fresh + 16, next());
      request.headers.emplace_back("X-Request-Id", std::string(fresh, sizeof fresh));
      ids.request_id = std::string(fresh, sizeof fresh);
    } else {
      request.headers.emplace_back("X-Request-Id", std::string(ids.trace_id.data(), 32));
    }
  }
  return ids;
}

void CorrelatingClient::send(HttpRequest request, ResponseCallback on_complete) {
  CorrelationIds ids = stamp(request);
  inner_.send(std::move(request),
              [this, ids = std::move(ids), on_complete = std::move(on_complete)](HttpResponse&& response) {
                struct Restore {
                  const CorrelationIds*& slot;
                  const CorrelationIds* outer;
                  ~Restore() { slot = outer; }
                } restore{completing_, completing_};
                completing_ = &ids;
                on_complete(std::move(response));
              });
}

bool CorrelatingClient::valid_traceparent(std::string_view value) {
  if (value.size() != 55 || value.substr(0, 3) != "00-" || value[35] != '-' || value[52] != '-') return false;
  const std::string_view trace = value.substr(3, 32);
  const std::string_view span = value.substr(36, 16);
  return lower_hex(trace) && lower_hex(span) && lower_hex(value.substr(53, 2)) &&
         trace != std::string(32, '0') && span != std::string(16, '0');
}

}  // namespace golive::http
