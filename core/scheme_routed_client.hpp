// SchemeRoutedClient: one core::HttpClient in front of two. Plain http://
// URLs go to `plain` (e.g. NativeHttpClient, which speaks only http://),
// every other URL (https://, and anything the fallback refuses) to `fallback`
// (HttpEngine). Both must run on the same io_context; executor() is the
// fallback's. Used by the load workers for `golive load --engine native`.
//
//   HttpEngine engine(io, options);
//   NativeHttpClient native(io, options);
//   SchemeRoutedClient client(native, engine);  // http:// → native, https:// → curl
#pragma once

#include <string_view>
#include <utility>

#include "core/http_types.hpp"

namespace golive::core {

class SchemeRoutedClient final : public HttpClient {
 public:
  SchemeRoutedClient(HttpClient& plain, HttpClient& fallback) : plain_(plain), fallback_(fallback) {}

  boost::asio::any_io_executor executor() override { return fallback_.executor(); }

  void send(HttpRequest request, ResponseCallback on_complete) override {
    HttpClient& target = is_plain_http(request.url) ? plain_ : fallback_;
    target.send(std::move(request), std::move(on_complete));
  }

  // "http://" at the start, in any case.
  static bool is_plain_http(std::string_view url) {
    constexpr std::string_view kScheme = "http://";
    if (url.size() < kScheme.size()) return false;
    for (std::size_t i = 0; i < kScheme.size(); ++i) {
      char c = url[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != kScheme[i]) return false;
    }
    return true;
  }

 private:
  HttpClient& plain_;
  HttpClient& fallback_;
};

}  // namespace golive::core
