// ObservingClient: an HttpClient in front of another that tells a
// RequestObserver of every request before passing it on. RequestLog is the
// observer `golive run` uses for the report's surface coverage ("API
// endpoints exercised"): the distinct (method, URL without query) pairs sent.
// Load stages build their clients without an observer, so the hot path pays
// nothing for it.
//
//   http::RequestLog log;
//   http::CurlHttpClient curl(io, options);
//   http::ObservingClient client(curl, &log);  // every send is logged, then sent
#pragma once

#include <cstddef>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/http_types.hpp"

namespace golive::http {

class RequestObserver {
 public:
  virtual ~RequestObserver() = default;
  // Called on the sending thread before the request leaves; must be thread-safe.
  virtual void on_request(std::string_view method, std::string_view url) = 0;
};

class ObservingClient final : public HttpClient {
 public:
  // `observer` may be null (then this only forwards). Neither is owned.
  ObservingClient(HttpClient& inner, RequestObserver* observer) : inner_(inner), observer_(observer) {}

  boost::asio::any_io_executor executor() override { return inner_.executor(); }
  void send(HttpRequest request, ResponseCallback on_complete) override {
    if (observer_ != nullptr) observer_->on_request(request.method, request.url);
    inner_.send(std::move(request), std::move(on_complete));
  }

 private:
  HttpClient& inner_;
  RequestObserver* observer_;
};

// The distinct requests seen, thread-safe. At most kMaxDistinct entries; the
// rest only count in dropped().
class RequestLog final : public RequestObserver {
 public:
  void on_request(std::string_view method, std::string_view url) override;

  std::vector<std::pair<std::string, std::string>> requests() const;  // sorted
  std::size_t dropped() const;
  void clear();

  static constexpr std::size_t kMaxDistinct = 100000;

 private:
  mutable std::mutex mutex_;
  std::set<std::pair<std::string, std::string>> requests_;
  std::size_t dropped_ = 0;
};

}  // namespace golive::http
