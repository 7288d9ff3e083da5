// CorrelatingClient: an HttpClient in front of another that gives every
// request a correlation id, so an engineer reproducing an incident can find
// a load or e2e request in the target's logs and traces:
//   traceparent: 00-<32 hex trace id>-<16 hex span id>-01   (W3C Trace Context)
//   X-Request-Id: <the same 32 hex trace id>                (unless turned off)
// A request that already carries a header of that name keeps its own. The
// environment turns X-Request-Id off with "http": {"request_id_header": false}
// (ClientOptions::request_id_header); traceparent is always sent.
//
//   http::CurlHttpClient curl(io, options);
//   http::CorrelatingClient client(curl, options.request_id_header);
//
// A completion callback can ask which ids its request went out with
// (completing()): the load generator lists its slowest requests by them.
//
// Ids come from a per-client splitmix64 sequence seeded from std::random_device:
// unique in practice, cheap on the load generator's hot path (no locks; one
// client per io_context thread, like the clients it wraps).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/http_types.hpp"

namespace golive::http {

// The correlation ids one request went out with.
struct CorrelationIds {
  std::array<char, 32> trace_id{};   // the traceparent's trace id (lower-case hex)
  bool trace_known = false;          // false: the request's own traceparent was malformed
  bool request_id_is_trace = false;  // X-Request-Id carried trace_id (the stamped case)
  std::string request_id;            // otherwise the request's own X-Request-Id ("" = none sent)

  std::string trace_id_text() const { return trace_known ? std::string(trace_id.data(), 32) : ""; }
  std::string request_id_text() const { return request_id_is_trace ? trace_id_text() : request_id; }
};

class CorrelatingClient final : public HttpClient {
 public:
  CorrelatingClient(HttpClient& inner, bool request_id_header);

  boost::asio::any_io_executor executor() override { return inner_.executor(); }
  void send(HttpRequest request, ResponseCallback on_complete) override;

  // Adds the headers to `request` (what send() does before forwarding) and
  // returns the ids it now goes out with.
  CorrelationIds stamp(HttpRequest& request);

  // While a completion callback of a request sent through this client runs
  // (on the executor's thread): the ids that request went out with; null
  // otherwise. Valid only during the call.
  const CorrelationIds* completing() const { return completing_; }

  // True when `value` is a well-formed version-00 traceparent.
  static bool valid_traceparent(std::string_view value);

 private:
  std::uint64_t next();

  HttpClient& inner_;
  bool request_id_header_;
  std::uint64_t state_;
  const CorrelationIds* completing_ = nullptr;
};

}  // namespace golive::http
