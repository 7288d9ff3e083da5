// CurlHttpClient: golive's HTTP client. libcurl's multi socket API on a
// Boost.Asio io_context, one engine (and one curl multi handle) per thread.
// Thousands of requests can be in flight on one engine; each completes
// through its callback on the engine's io_context, never inside send().
//
//   boost::asio::io_context io{1};
//   CurlHttpClient engine(io, {});
//   engine.send({.url = "http://127.0.0.1:8080/health"},
//               [](HttpResponse&& r) { /* r.status, r.error, r.timing */ });
//   io.run();
//
// Connections are kept alive and reused by the multi handle's connection
// cache; easy handles and their header lists are recycled from a free list.
// Not thread-safe: call everything from the io_context's thread. Destroying
// the engine drops in-flight requests without calling their callbacks (call
// cancel_all() first to have them completed with kCancelled); never destroy
// it from inside one of its own callbacks.
#pragma once

#include <curl/curl.h>

#include <boost/asio/io_context.hpp>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <optional>
#include <string>
#include <unordered_map>

#include "http/client_options.hpp"
#include "http/http_types.hpp"

namespace golive::http {

class CurlMultiDriver;
class CurlTransfer;

class CurlHttpClient final : public HttpClient {
 public:
  CurlHttpClient(boost::asio::io_context& io, ClientOptions options = {});
  ~CurlHttpClient() override;
  CurlHttpClient(const CurlHttpClient&) = delete;
  CurlHttpClient& operator=(const CurlHttpClient&) = delete;

  boost::asio::any_io_executor executor() override;
  void send(HttpRequest request, ResponseCallback on_complete) override;

  // Completes every in-flight request with kCancelled (callbacks are posted,
  // not run inside this call). The engine stays usable.
  void cancel_all();

  std::size_t in_flight() const { return in_flight_.size(); }
  // Connections currently open (busy or idle in the keep-alive cache).
  std::size_t open_connections() const;

 private:
  // Why `url` may not be sent (not http(s), or a host the policy refuses);
  // nullopt when it may, with `url` normalised where curl needs it. The
  // policy is asked once per host:port.
  std::optional<std::string> refusal_for(std::string& url);
  void on_transfer_done(CURL* easy, CURLcode result);
  void complete_later(ResponseCallback on_complete, HttpResponse response);
  CurlTransfer& acquire_transfer();
  void track(CurlTransfer& transfer);
  void untrack(CurlTransfer& transfer);

  boost::asio::io_context& io_;
  ClientOptions options_;
  std::unique_ptr<CurlMultiDriver> driver_;
  std::vector<std::unique_ptr<CurlTransfer>> transfers_;  // owns every easy handle made
  std::vector<CurlTransfer*> idle_;                       // ready for reuse (LIFO: warm caches)
  std::vector<CurlTransfer*> in_flight_;                  // added to the multi handle
  std::unordered_map<std::string, bool> host_decisions_;  // authority -> allowed
};

// Blocking conveniences for the CLI and one-off probes: each runs its own
// io_context and engine on the calling thread. fetch_all keeps up to
// `concurrency` requests in flight and returns responses in request order.
HttpResponse fetch(HttpRequest request, const ClientOptions& options = {});
std::vector<HttpResponse> fetch_all(std::vector<HttpRequest> requests, std::size_t concurrency,
                                    const ClientOptions& options = {});

}  // namespace golive::http
