// SchemeRoutedClient: one http::HttpClient in front of two. http:// and
// https:// URLs go to `plain` (e.g. NativeHttpClient, which speaks HTTP/1.1
// over TCP and TLS), every other URL (anything the fallback may refuse) to
// `fallback` (CurlHttpClient). Both must run on the same io_context;
// executor() is the fallback's. Used by the load workers for
// `golive load --engine native`.
//
//   CurlHttpClient engine(io, options);
//   NativeHttpClient native(io, options);
//   SchemeRoutedClient client(native, engine);  // http(s):// → native, the rest → curl
#pragma once

#include <string_view>
#include <utility>

#include "core/ascii_case.hpp"
#include "http/http_types.hpp"

namespace golive::http {

class SchemeRoutedClient final : public HttpClient {
 public:
  SchemeRoutedClient(HttpClient& plain, HttpClient& fallback) : plain_(plain), fallback_(fallback) {}

  boost::asio::any_io_executor executor() override { return fallback_.executor(); }

  void send(HttpRequest request, ResponseCallback on_complete) override {
    HttpClient& target = is_plain_http(request.url) || is_https(request.url) ? plain_ : fallback_;
    target.send(std::move(request), std::move(on_complete));
  }

  // "http://" at the start, in any case.
  static bool is_plain_http(std::string_view url) {
    return url.size() >= 7 && core::equals_ignoring_case(url.substr(0, 7), "http://");
  }
  // "https://" at the start, in any case.
  static bool is_https(std::string_view url) {
    return url.size() >= 8 && core::equals_ignoring_case(url.substr(0, 8), "https://");
  }

 private:
  HttpClient& plain_;
  HttpClient& fallback_;
};

}  // namespace golive::http
