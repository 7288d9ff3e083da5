// NativeHttpClient: a second http::HttpClient for load traffic (http:// and
// https://), without libcurl on the hot path. Same model as CurlHttpClient:
// one client per io_context thread, no locks, completions run on that io_context.
//
//   boost::asio::io_context io{1};
//   NativeHttpClient client(io, {});
//   client.send({.url = "http://127.0.0.1:8080/health"},
//               [](HttpResponse&& r) { /* r.status, r.error, r.timing */ });
//   io.run();
//
// Each (scheme, host, port) has a pool of keep-alive TCP connections (TCP_NODELAY),
// opened on demand up to max_connections_per_host (0 in the options means
// kDefaultMaxConnectionsPerHost) and reused after every complete response;
// further requests wait in the pool's queue. `Connection: close`, a
// close-delimited body, EOF or any error retires a connection. A request on
// a reused connection that the server had closed while it was idle is sent
// again, once, on a fresh connection when nothing of its response arrived.
// A request serialises into one buffer and leaves in one write. A host name
// is resolved once per (host, port) and cached for the client's life.
//
// HTTP/2 (http/native/native_h2_connection.hpp), with options.http_version:
// kHttp2 offers ALPN "h2,http/1.1" on https:// and speaks whatever the server
// chose (http:// stays HTTP/1.1); kHttp2PriorKnowledge does the same on
// https:// and speaks h2c on http:// without asking. Requests to one
// host:port then share its connections as streams (max_connections_per_host
// caps the connections, the server's SETTINGS_MAX_CONCURRENT_STREAMS the
// streams on each); RST_STREAM and GOAWAY become kReset.
//
// https:// (http/native/native_tls.hpp): OpenSSL on the same non-blocking
// socket and readiness loop, SNI, ALPN offering http/1.1, the peer verified
// against options.tls (ca_file or the system store; off only with insecure),
// a client certificate and min_version from the same settings; the session
// tickets a server issues are kept per pool so a reconnect resumes instead of
// running a full handshake; idle connections release their TLS buffers.
//
// Errors are data, as in CurlHttpClient: kNotAllowed (allowlist, or not
// http(s)://), kDns, kConnect, kTls (handshake, certificate, a server that
// closes mid-handshake), kTimeout (request.timeout, which also bounds the
// wait in the queue and options.connect_timeout the connect and handshake), kReset,
// kProtocol, kTooLarge (request.max_response_bytes, or a header block over
// kMaxHeaderBytes), kCancelled, kOther (CR/LF/NUL in the method, target or
// headers, which could split the request: never sent). Timing: dns_ms,
// connect_ms, tls_ms and handshake_ms are 0 on a reused connection (tls_ms =
// connect_ms on http://); new_connection and tls_resumed say what the request
// opened; first_byte_ms and total_ms from send().
//
// Not thread-safe. Destroying the client drops in-flight requests without
// calling their callbacks (cancel_all() first completes them with
// kCancelled); never destroy it from inside one of its own callbacks.
// ClientOptions fields used: max_connections_per_host, user_agent,
// connect_timeout, host_policy, tls, http_version (proxy settings do not apply).
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>

#include "http/client_options.hpp"
#include "http/http_types.hpp"
#include "http/native/native_readiness.hpp"
#include "core/url.hpp"

namespace golive::http {

class NativeConnection;
class NativeTlsContext;
struct NativeHostPool;

class NativeHttpClient final : public HttpClient {
 public:
  static constexpr long kDefaultMaxConnectionsPerHost = 1024;
  static constexpr std::size_t kMaxHeaderBytes = 64 * 1024;  // status line + headers, bytes

  NativeHttpClient(boost::asio::io_context& io, ClientOptions options = {});
  ~NativeHttpClient() override;
  NativeHttpClient(const NativeHttpClient&) = delete;
  NativeHttpClient& operator=(const NativeHttpClient&) = delete;

  boost::asio::any_io_executor executor() override;
  void send(HttpRequest request, ResponseCallback on_complete) override;

  // Completes every in-flight and queued request with kCancelled (callbacks
  // are posted, not run inside this call) and closes their connections. The
  // client stays usable.
  void cancel_all();

  // Requests sent and not yet completed (queued or on a connection).
  std::size_t in_flight() const { return in_flight_; }
  // Connections currently open or opening (busy or idle).
  std::size_t open_connections() const;

 private:
  friend class NativeConnection;
  friend class NativeH2Connection;
  friend struct NativeHostPool;
  void complete_later(ResponseCallback on_complete, HttpResponse response);
  // The TLS context, built from options_.tls on the first https:// request;
  // nullptr when it could not be built (tls_context_error() says why).
  const NativeTlsContext* tls_context();
  std::string tls_context_error() const;
  // The pool of url's origin, made on first use.
  NativeHostPool* pool_for(const core::Url& url);

  boost::asio::io_context& io_;
  ClientOptions options_;
  std::unique_ptr<NativeTlsContext> tls_context_;  // built on the first https:// request
  NativeReadiness
      readiness_;  // input on every connection; declared before pools_, so it outlives them
  std::unordered_map<std::string, std::unique_ptr<NativeHostPool>> pools_;  // key: "host:port"
  NativeHostPool* last_pool_ = nullptr;  // the pool of the previous send(): skips the map lookup
  // The previous send()'s URL as written and its parsed target: a load
  // scenario sends one URL over and over, so it is parsed (and its target
  // found in the pool map) once. Its pool is last_pool_.
  std::string last_url_;
  std::string last_target_;
  std::size_t in_flight_ = 0;
  int send_depth_ = 0;  // > 0 inside send()/cancel_all(): completions are posted, never run inline
};

}  // namespace golive::http
