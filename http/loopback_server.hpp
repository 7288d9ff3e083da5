// LoopbackServer: a small HTTP/1.1 server golive runs in its own process for
// the parts of a deployment it stands in for or listens as: the Sentry ingest
// sink, the HTTP log drain, `golive watch`'s /metrics. One handler answers
// every request; connections are kept alive as the client asks; a HEAD gets
// the headers without the body; a body over `body_limit` is answered 413
// without calling the handler.
//
// Boost.Asio on one thread of its own, listening on one address (127.0.0.1
// and a free port by default). The handler runs on that thread, one request
// at a time, so it needs a lock only for state it shares with other threads.
// The destructor stops accepting, drops open connections and joins the thread.
//
//   http::LoopbackServer server("127.0.0.1", 0, 1 << 20, [](const http::LoopbackRequest& r) {
//     return http::LoopbackResponse{200, "application/json", "{}"};
//   });
//   ... send to server.address() ...
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace golive::http {

struct LoopbackRequest {
  std::string method;  // "POST", ...
  std::string target;  // the request target as sent: path and query
  std::map<std::string, std::string> headers;  // names lower-cased; a repeated header keeps its last value
  std::string body;

  std::string path() const;   // target without the query
  std::string query() const;  // after '?', "" when none
  // The named header (lower-case name), "" when absent.
  std::string header(const std::string& lowercase_name) const;
};

struct LoopbackResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers = {};  // more response headers
  // Faults a stand-in injects: never answer (the request is read, then the
  // connection is held, discarding input, until the client closes it), or
  // send the headers at once and the body in kTricklePieces pieces spread
  // over `trickle`.
  bool never_answer = false;
  std::chrono::milliseconds trickle{0};
};

inline constexpr int kTricklePieces = 10;

using LoopbackHandler = std::function<LoopbackResponse(const LoopbackRequest&)>;

class LoopbackServer {
 public:
  // Binds host:port (port 0: a free one) and starts serving. Throws
  // std::runtime_error naming `what` and the address when it cannot bind.
  LoopbackServer(const std::string& what, const std::string& host, std::uint16_t port,
                 std::size_t body_limit, LoopbackHandler handler);
  ~LoopbackServer();
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  std::uint16_t port() const;
  const std::string& host() const;
  std::string address() const;  // "host:port"

  struct State;  // shared with the connections

 private:
  std::unique_ptr<State> state_;
};

// "host:port" split for a listener setting ("127.0.0.1:9000", "[::1]:9000");
// false when it is not of that form or the port is not 1..65535 (0..65535
// with `allow_any_port`: port 0 asks the kernel for a free one).
bool split_listen_address(const std::string& address, std::string& host, std::uint16_t& port,
                          bool allow_any_port = false);

}  // namespace golive::http
