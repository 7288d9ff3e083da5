// ConnectionClosingClient: an HttpClient that forwards to another one with
// `Connection: close` on every request (unless the request already says how
// its connection should end), so each request opens, and the server closes,
// a connection of its own: a scenario's `"keep_alive": false`, which
// reproduces a handshake storm (one TCP connect, and for https:// one TLS
// handshake, per iteration; resumed when the server issues session tickets).
// The figures go to ConnectionTotals (load/connection_totals.hpp).
//
//   ConnectionClosingClient closing(worker_client);
//   ArrivalExecutor executor(scenario, target, closing, stats, share);
#pragma once

#include <strings.h>

#include <algorithm>
#include <utility>

#include "http/http_types.hpp"

namespace golive::load {

class ConnectionClosingClient final : public http::HttpClient {
 public:
  explicit ConnectionClosingClient(http::HttpClient& inner) : inner_(inner) {}

  boost::asio::any_io_executor executor() override { return inner_.executor(); }

  void send(http::HttpRequest request, http::ResponseCallback on_complete) override {
    const bool said = std::any_of(request.headers.begin(), request.headers.end(), [](const auto& header) {
      return strcasecmp(header.first.c_str(), "connection") == 0;
    });
    if (!said) request.headers.emplace_back("Connection", "close");
    inner_.send(std::move(request), std::move(on_complete));
  }

 private:
  http::HttpClient& inner_;
};

}  // namespace golive::load
