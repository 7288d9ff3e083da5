#include "http/curl/curl_multi_driver.hpp"

#include <utility>

namespace golive::http {

CurlMultiDriver::CurlMultiDriver(boost::asio::io_context& io, const CurlMultiLimits& limits,
                                 DoneHandler on_done)
    : alive_(std::make_shared<char>(0)),
      on_done_(std::move(on_done)),
      sockets_(io, std::weak_ptr<void>(alive_),
               [this](curl_socket_t socket, int bits) { on_socket_ready(socket, bits); }),
      timer_(io, std::weak_ptr<void>(alive_), [this] { on_timeout(); }),
      multi_(make_curl_multi()) {
  CURLM* multi = multi_.get();
  curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &CurlMultiDriver::on_socket_update);
  curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &CurlMultiDriver::on_timer_update);
  curl_multi_setopt(multi, CURLMOPT_TIMERDATA, this);
  curl_multi_setopt(multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);  // HTTP/2 streams share a connection
  if (limits.max_connections_per_host > 0) {
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, limits.max_connections_per_host);
  }
  if (limits.max_connections_total > 0) {
    curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, limits.max_connections_total);
  }
  if (limits.max_idle_connections > 0) {
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, limits.max_idle_connections);
  }
}

CurlMultiDriver::~CurlMultiDriver() {
  multi_.reset();  // closes cached connections through on_close_socket
  alive_.reset();  // from here on, queued Asio handlers return untouched
}

void CurlMultiDriver::adopt_easy(CURL* easy) {
  curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, &CurlMultiDriver::on_open_socket);
  curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, this);
  curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, &CurlMultiDriver::on_close_socket);
  curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, this);
}

CURLMcode CurlMultiDriver::add(CURL* easy) { return curl_multi_add_handle(multi_.get(), easy); }

void CurlMultiDriver::remove(CURL* easy) { curl_multi_remove_handle(multi_.get(), easy); }

int CurlMultiDriver::on_socket_update(CURL* /*easy*/, curl_socket_t socket, int what, void* driver,
                                      void* assigned) {
  auto* self = static_cast<CurlMultiDriver*>(driver);
  void* slot = self->sockets_.update_interest(socket, what, assigned);
  if (slot != nullptr && self->multi_) curl_multi_assign(self->multi_.get(), socket, slot);
  return 0;
}

int CurlMultiDriver::on_timer_update(CURLM* /*multi*/, long timeout_ms, void* driver) {
  static_cast<CurlMultiDriver*>(driver)->timer_.schedule(timeout_ms);
  return 0;
}

curl_socket_t CurlMultiDriver::on_open_socket(void* driver, curlsocktype /*purpose*/,
                                              curl_sockaddr* address) {
  return static_cast<CurlMultiDriver*>(driver)->sockets_.open_socket(
      address->family, address->socktype, address->protocol);
}

int CurlMultiDriver::on_close_socket(void* driver, curl_socket_t socket) {
  return static_cast<CurlMultiDriver*>(driver)->sockets_.close_socket(socket);
}

void CurlMultiDriver::on_socket_ready(curl_socket_t socket, int curl_select_bits) {
  int running = 0;
  curl_multi_socket_action(multi_.get(), socket, curl_select_bits, &running);
  drain_finished_transfers();
}

void CurlMultiDriver::on_timeout() {
  int running = 0;
  curl_multi_socket_action(multi_.get(), CURL_SOCKET_TIMEOUT, 0, &running);
  drain_finished_transfers();
}

void CurlMultiDriver::drain_finished_transfers() {
  int queued = 0;
  while (CURLMsg* message = curl_multi_info_read(multi_.get(), &queued)) {
    if (message->msg != CURLMSG_DONE) continue;
    // The message dies with remove_handle: copy what we need first.
    CURL* easy = message->easy_handle;
    const CURLcode result = message->data.result;
    curl_multi_remove_handle(multi_.get(), easy);
    on_done_(easy, result);  // may add new transfers; info_read stays valid
  }
}

}  // namespace golive::http
