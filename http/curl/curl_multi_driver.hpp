// CurlMultiDriver: one curl multi handle driven by a Boost.Asio io_context
// through curl's multi socket API (the pattern of curl's
// docs/examples/multi-uv.c): CURLMOPT_SOCKETFUNCTION feeds CurlSocketTable,
// CURLMOPT_TIMERFUNCTION feeds CurlTimer, readiness and expiry call
// curl_multi_socket_action, and finished transfers are drained with
// curl_multi_info_read after every action.
//
// One driver per thread and io_context; nothing here is thread-safe. The
// driver does not know what a transfer is for: it reports each finished easy
// handle, already removed from the multi, to its DoneHandler.
#pragma once

#include <curl/curl.h>

#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>

#include "http/curl/curl_handles.hpp"
#include "http/curl/curl_socket_table.hpp"
#include "http/curl/curl_timer.hpp"

namespace golive::http {

struct CurlMultiLimits {
  long max_connections_per_host = 0;  // CURLMOPT_MAX_HOST_CONNECTIONS; 0 = unlimited
  long max_connections_total = 0;     // CURLMOPT_MAX_TOTAL_CONNECTIONS; 0 = unlimited
  long max_idle_connections = 0;      // CURLMOPT_MAXCONNECTS (cache size); 0 = curl's default
};

class CurlMultiDriver {
 public:
  // Runs on the io_context thread with a handle that has just been removed
  // from the multi; `result` is the transfer's CURLcode.
  using DoneHandler = std::function<void(CURL* easy, CURLcode result)>;

  CurlMultiDriver(boost::asio::io_context& io, const CurlMultiLimits& limits, DoneHandler on_done);
  // Cleans up the multi handle (closing cached connections) before the socket
  // table and timer go, then expires the lifetime token so handlers still
  // queued in the io_context become no-ops.
  ~CurlMultiDriver();
  CurlMultiDriver(const CurlMultiDriver&) = delete;
  CurlMultiDriver& operator=(const CurlMultiDriver&) = delete;

  // Points the easy handle's socket open/close callbacks at this driver, so
  // its connections are owned by the socket table. Call once per easy handle.
  void adopt_easy(CURL* easy);

  // Starts a transfer; completion arrives through the DoneHandler (never
  // inside this call).
  CURLMcode add(CURL* easy);
  // Stops a transfer without reporting it to the DoneHandler.
  void remove(CURL* easy);

  std::size_t open_connection_count() const { return sockets_.owned_socket_count(); }

 private:
  static int on_socket_update(CURL* easy, curl_socket_t socket, int what, void* driver,
                              void* assigned);
  static int on_timer_update(CURLM* multi, long timeout_ms, void* driver);
  static curl_socket_t on_open_socket(void* driver, curlsocktype purpose, curl_sockaddr* address);
  static int on_close_socket(void* driver, curl_socket_t socket);

  void on_socket_ready(curl_socket_t socket, int curl_select_bits);
  void on_timeout();
  void drain_finished_transfers();

  // Declaration order is destruction order reversed: the multi handle goes
  // first because its cleanup calls back into the socket table and timer.
  std::shared_ptr<char> alive_;  // lifetime token; handlers hold weak copies
  DoneHandler on_done_;
  CurlSocketTable sockets_;
  CurlTimer timer_;
  CurlMultiHandle multi_;
};

}  // namespace golive::http
