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
// Ids come from a per-client splitmix64 sequence seeded from std::random_device:
// unique in practice, cheap on the load generator's hot path (no locks; one
// client per io_context thread, like the clients it wraps).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "http/http_types.hpp"

namespace golive::http {

class CorrelatingClient final : public HttpClient {
 public:
  CorrelatingClient(HttpClient& inner, bool request_id_header);

  boost::asio::any_io_executor executor() override { return inner_.executor(); }
  void send(HttpRequest request, ResponseCallback on_complete) override;

  // Adds the headers to `request` (what send() does before forwarding).
  void stamp(HttpRequest& request);

  // True when `value` is a well-formed version-00 traceparent.
  static bool valid_traceparent(std::string_view value);

 private:
  std::uint64_t next();

  HttpClient& inner_;
  bool request_id_header_;
  std::uint64_t state_;
};

}  // namespace golive::http
