// NativeHostPool: NativeHttpClient's connections to one host:port and the
// requests waiting for one of them. A request takes an idle connection (the
// most recently freed first), else opens a new one up to max_connections,
// else waits in a FIFO queue whose deadlines one timer watches. A freed
// connection takes the next waiting request whose deadline has not passed;
// late ones complete with kTimeout.
//
// Internal to NativeHttpClient (http/native/native_http_client.hpp).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "http/native/native_connection.hpp"

namespace golive::http {

// The connections to one host:port and the requests waiting for one of them.
struct NativeHostPool {
  NativeHttpClient* client = nullptr;
  std::string key;          // "host:port"
  std::string host;         // lowercase, as resolved
  bool allowed = true;      // the client's host policy, asked once for this pool
  std::string host_header;  // authority as the URL wrote it
  unsigned short port = 80;
  bool tls = false;  // https://: every connection runs a TLS handshake after connect
  // The newest session the server issued on any connection of this pool: a new
  // connection resumes it (tickets) instead of a full handshake.
  SslSessionPtr tls_session;
  std::size_t max_connections = 1;
  std::vector<boost::asio::ip::tcp::endpoint>
      endpoints;  // resolved once, reused by later connections
  std::vector<std::shared_ptr<NativeConnection>> connections;  // open or opening
  std::vector<NativeConnection*> idle;                         // open, no request (LIFO)
  std::deque<NativeExchange> waiting;                      // FIFO, when every connection is busy
  std::optional<boost::asio::steady_timer> waiting_timer;  // times out waiting requests
  bool waiting_timer_armed = false;
  std::shared_ptr<int> lifetime =
      std::make_shared<int>(0);  // expires with the pool; timer handlers check it

  void dispatch(NativeExchange&& exchange);
  void open_fresh(NativeExchange&& exchange);
  void on_connection_free(NativeConnection& connection);
  void on_connection_retired(NativeConnection& connection);
  // An idle connection closed or misbehaved: it leaves the idle list, then retires.
  void on_idle_connection_lost(NativeConnection& connection);
  // The next waiting request whose deadline has not passed (late ones complete with kTimeout).
  std::optional<NativeExchange> next_waiting();
  void enqueue(NativeExchange&& exchange);
  void arm_waiting_timer();
  void on_waiting_timer();
};

}  // namespace golive::http
