// A scripted HttpClient for runner tests: each request is answered by a
// function of the request, delivered later on the io_context (as a real
// engine would), optionally after a delay. Records every request it saw.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "http/http_types.hpp"

namespace golive::e2e::testing {

class FakeHttpClient : public http::HttpClient {
 public:
  using Responder = std::function<http::HttpResponse(const http::HttpRequest&)>;

  FakeHttpClient(boost::asio::io_context& io, Responder responder,
                 std::chrono::milliseconds delay = std::chrono::milliseconds(0))
      : io_(io), responder_(std::move(responder)), delay_(delay) {}

  boost::asio::any_io_executor executor() override { return io_.get_executor(); }

  void send(http::HttpRequest request, http::ResponseCallback on_complete) override {
    if (record_requests) requests.push_back(request);
    ++sent;
    ++in_flight;
    max_in_flight = std::max(max_in_flight, in_flight);
    auto response = std::make_shared<http::HttpResponse>(responder_(request));
    auto deliver = [this, response, on_complete = std::move(on_complete)]() mutable {
      --in_flight;
      on_complete(std::move(*response));
    };
    if (delay_.count() == 0) {
      boost::asio::post(io_, std::move(deliver));
      return;
    }
    auto timer = std::make_shared<boost::asio::steady_timer>(io_, delay_);
    timer->async_wait([timer, deliver = std::move(deliver)](
                          const boost::system::error_code&) mutable { deliver(); });
  }

  bool record_requests = true;
  std::vector<http::HttpRequest> requests;
  std::size_t sent = 0;
  std::size_t in_flight = 0;
  std::size_t max_in_flight = 0;

 private:
  boost::asio::io_context& io_;
  Responder responder_;
  std::chrono::milliseconds delay_;
};

inline http::HttpResponse json_response(int status, const std::string& body,
                                        http::HeaderList headers = {}) {
  http::HttpResponse response;
  response.status = status;
  response.body = body;
  response.headers = std::move(headers);
  response.headers.emplace_back("content-type", "application/json");
  return response;
}

}  // namespace golive::e2e::testing
