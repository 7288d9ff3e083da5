// NativeHostPool: NativeHttpClient's connections to one host:port and the
// requests waiting for one of them. A request takes an idle connection (the
// most recently freed first), else opens a new one up to max_connections,
// else waits in a FIFO queue whose deadlines one timer watches. A freed
// connection takes the next waiting request whose deadline has not passed;
// late ones complete with kTimeout.
//
// HTTP/2 (h2 set: the client's http_version asks for it): a request takes a
// NativeH2Connection without open streams, else opens a new connection up to
// max_connections, else becomes one more stream on the least busy connection
// with room (the server's SETTINGS_MAX_CONCURRENT_STREAMS), else waits. New
// connections open as NativeConnections and are adopted by adopt_h2() once
// the transport speaks h2; an ALPN answer of http/1.1 clears h2 and the pool
// goes on in HTTP/1.1.
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
#include "http/native/native_h2_connection.hpp"

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
  bool h2 = false;            // new connections speak HTTP/2 (prior knowledge, or ALPN over TLS)
  bool h2_prior_knowledge = false;  // http://: h2c without asking
  std::vector<std::shared_ptr<NativeH2Connection>> h2_connections;
  std::vector<NativeH2Connection*> h2_idle;  // HTTP/2 connections without open streams (LIFO)
  // The HTTP/2 connection delivering responses right now: the requests their
  // callbacks send take its freed streams first (null outside a delivery).
  NativeH2Connection* h2_preferred = nullptr;
  std::vector<boost::asio::ip::tcp::endpoint>
      endpoints;  // resolved once, reused by later connections
  std::vector<std::shared_ptr<NativeConnection>> connections;  // open or opening
  std::vector<NativeConnection*> idle;                         // open, no request (LIFO)
  std::deque<NativeExchange> waiting;                      // FIFO, when every connection is busy
  std::optional<boost::asio::steady_timer> waiting_timer;  // times out waiting requests
  bool waiting_timer_armed = false;
  std::shared_ptr<int> lifetime =
      std::make_shared<int>(0);  // expires with the pool; timer handlers check it

  std::size_t open_count() const { return connections.size() + h2_connections.size(); }

  void dispatch(NativeExchange&& exchange);
  // `opener` connected (and for https:// handshook with ALPN "h2"): its
  // transport becomes a NativeH2Connection carrying `exchange` first.
  void adopt_h2(NativeConnection& opener, boost::asio::ip::tcp::socket socket, NativeTlsStream& tls,
                NativeExchange&& exchange, const HttpTiming& timing);
  // ALPN chose http/1.1: the pool speaks HTTP/1.1 from now on.
  void fall_back_to_http1();
  // A stream of `connection` ended: waiting requests take its room, or it becomes idle.
  void on_h2_capacity(NativeH2Connection& connection);
  void on_h2_retired(NativeH2Connection& connection);
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
