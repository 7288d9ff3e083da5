#include "http/correlating_client.hpp"

#include <strings.h>

#include <algorithm>
#include <random>
#include <utility>

namespace golive::http {
namespace {

void append_hex(std::string& out, std::uint64_t value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (int shift = 60; shift >= 0; shift -= 4) out.push_back(kDigits[(value >> shift) & 0xF]);
}

bool has_header(const HeaderList& headers, const char* name) {
  return std::any_of(headers.begin(), headers.end(),
                     [name](const auto& header) { return strcasecmp(header.first.c_str(), name) == 0; });
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

void CorrelatingClient::stamp(HttpRequest& request) {
  const bool has_trace = has_header(request.headers, "traceparent");
  const bool wants_id = request_id_header_ && !has_header(request.headers, "x-request-id");
  if (has_trace && !wants_id) return;
  std::string trace_id;
  trace_id.reserve(32);
  std::uint64_t high = next();
  const std::uint64_t low = next();
  if (high == 0 && low == 0) high = 1;  // all-zero trace ids are invalid
  append_hex(trace_id, high);
  append_hex(trace_id, low);
  if (!has_trace) {
    std::string traceparent;
    traceparent.reserve(55);
    traceparent.append("00-").append(trace_id).push_back('-');
    append_hex(traceparent, next() | 1);  // span id: never all zeros
    traceparent.append("-01");
    request.headers.emplace_back("traceparent", std::move(traceparent));
  }
  if (wants_id) request.headers.emplace_back("X-Request-Id", std::move(trace_id));
}

void CorrelatingClient::send(HttpRequest request, ResponseCallback on_complete) {
  stamp(request);
  CorrelationIds ids;
  std::string_view request_id;
  bool request_id_seen = false;
  for (const auto& [name, value] : request.headers) {
    if (!ids.trace_known && strcasecmp(name.c_str(), "traceparent") == 0 && value.size() >= 35 &&
        value[2] == '-' && lower_hex(std::string_view(value).substr(3, 32))) {
      std::copy_n(value.begin() + 3, 32, ids.trace_id.begin());
      ids.trace_known = true;
    } else if (!request_id_seen && strcasecmp(name.c_str(), "x-request-id") == 0) {
      request_id = value;
      request_id_seen = true;
    }
  }
  // The usual case (X-Request-Id is the trace id) keeps no string: no allocation.
  ids.request_id_is_trace = ids.trace_known && request_id == std::string_view(ids.trace_id.data(), 32);
  if (!ids.request_id_is_trace) ids.request_id = std::string(request_id);
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
