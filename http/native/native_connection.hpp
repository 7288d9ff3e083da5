// NativeConnection: one keep-alive TCP connection of NativeHttpClient and
// the state machine of the request on it (connect, write, read and parse,
// timeout, retry of a request that met a stale idle connection). At most one
// request is on a connection at a time; NativeHostPool (http/native/native_host_pool.hpp)
// owns the connections to one host:port and hands them requests.
//
// Internal to NativeHttpClient (http/native/native_http_client.hpp): nothing outside
// http/native/ includes this header.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "http/http_types.hpp"
#include "http/native/native_http_parser.hpp"
#include "http/native/native_readiness.hpp"
#include "http/native/native_tls.hpp"

namespace golive::http {

class NativeHttpClient;
struct NativeHostPool;

using NativeClock = std::chrono::steady_clock;

// Milliseconds from `start` to `now`: every timing field of a native response.
inline double native_ms_since(NativeClock::time_point start, NativeClock::time_point now) {
  return std::chrono::duration<double, std::milli>(now - start).count();
}

// One request from send() to its callback; kept whole so it can be sent again.
struct NativeExchange {
  HttpRequest request;
  std::string target;  // path and query sent on the request line
  ResponseCallback on_complete;
  NativeClock::time_point started;   // send() time: every timing field is measured from it
  NativeClock::time_point deadline;  // started + request.timeout
  bool retried = false;              // already sent again after a stale keep-alive connection
};

// One keep-alive TCP connection: at most one request on it at a time. On a
// pool that wants HTTP/2 it only opens the transport and hands it over.
class NativeConnection final : public std::enable_shared_from_this<NativeConnection>,
                               public NativeReadable {
 public:
  static constexpr std::size_t kInitialReadBytes = 16 * 1024;  // grows only for long header blocks

  NativeConnection(boost::asio::io_context& io, NativeHostPool& pool, NativeReadiness& readiness)
      : pool_(&pool),
        readiness_(&readiness),
        socket_(io),
        timer_(io),
        resolver_(io),
        in_(kInitialReadBytes) {}

  std::size_t slot = 0;  // index in pool.connections

  bool busy() const { return has_exchange_; }

  // Sends `exchange` on this connection, connecting first if needed.
  void start(NativeExchange&& exchange);
  // Completes the request on it (if any) with kCancelled, posted; closes and leaves the pool.
  void cancel();
  // The client is going away: close everything and call nothing back.
  void detach();

 private:
  void connect();
  void on_resolved(const boost::system::error_code& error,
                   const boost::asio::ip::tcp::resolver::results_type& results);
  void connect_to_endpoints();
  void on_connected(const boost::system::error_code& error);
  void write_request();
  void on_written(const boost::system::error_code& error);
  // TLS (https:// pools): the handshake after connect, then every read and
  // write through tls_. A TLS operation that wants the other direction waits:
  // for input on the readiness watch (tls_wants_read_), for output on one
  // async_wait(wait_write) (wait_writable()).
  // The transport is ready and speaks HTTP/2: socket, TLS session and request go to
  // a NativeH2Connection (NativeHostPool::adopt_h2); this connection leaves the pool.
  void hand_over_to_h2();
  void start_tls();
  void continue_handshake();
  void continue_tls_write();
  void wait_writable();
  void on_writable();
  // Reading. From connect to close the socket is watched by the client's
  // NativeReadiness (level-triggered); what arrived is read with one
  // non-blocking recv, busy or idle. (async_read_some would first try a recv
  // right after the request went out, which finds nothing, and a per-socket
  // async_wait costs an epoll_ctl per response.)
  void on_readable() override;
  void read_available();
  void on_idle_readable();
  void on_eof();
  void on_transport_error(const boost::system::error_code& error);
  void arm_timer(NativeClock::time_point deadline);
  void on_timer(const boost::system::error_code& error);

  bool may_retry() const { return reused_ && !parser_.started() && !exchange_.retried; }
  void retry();
  void finish(NativeClock::time_point now);  // `now`: when the last byte was read
  void fail(HttpErrorCategory category, std::string message);
  void deliver_keeping(bool keep);
  void close_socket();
  NativeHttpClient& client();

  NativeHostPool* pool_;  // nullptr once retired or detached: handlers then do nothing
  NativeReadiness* readiness_;
  NativeReadiness::Watch watch_ = 0;  // while the socket is watched
  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer timer_;
  boost::asio::ip::tcp::resolver resolver_;
  bool connected_ = false;
  bool connecting_ = false;
  bool reused_ = false;  // a response already completed on this connection
  bool has_exchange_ = false;
  bool timer_armed_ = false;
  bool writing_ = false;  // an async_write (or a TLS write) of the request is still pending
  bool handshaking_ = false;      // TLS handshake in progress
  bool tls_write_wants_read_ = false;  // a TLS write resumes on input
  bool read_wants_write_ = false;      // a TLS read resumes when writable
  bool waiting_writable_ = false;      // an async_wait(wait_write) is pending
  std::size_t out_written_ = 0;        // bytes of out_ already handed to TLS
  NativeTlsStream tls_;
  NativeClock::time_point timer_expiry_{};
  NativeClock::time_point deadline_{};  // of the current phase (connect or whole request)
  NativeExchange exchange_;
  HttpResponse response_;
  NativeResponseParser parser_;
  std::string out_;       // the serialised request; capacity reused
  std::vector<char> in_;  // received bytes; [in_begin_, in_end_) not yet parsed
  std::size_t in_begin_ = 0;
  std::size_t in_end_ = 0;
};

}  // namespace golive::http
