// CurlTransfer: one reusable curl easy handle and the request/response it is
// currently carrying.
//
// Engine-wide options (TLS trust, protocol, user agent, socket callbacks, the
// body and header sinks) are set once when the handle is made; start() only
// sets what differs per request, so a reused handle keeps its settings without
// curl_easy_reset and reuses its header list while the headers are unchanged.
#pragma once

#include <curl/curl.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "http/curl/curl_handles.hpp"
#include "http/client_options.hpp"
#include "http/http_types.hpp"

namespace golive::http {

class CurlMultiDriver;

// CURLcode → error category. `size_cap_hit` tells a CURLE_WRITE_ERROR caused
// by the response size cap from other write failures.
HttpErrorCategory classify_curl_result(CURLcode code, bool size_cap_hit);

class CurlTransfer {
 public:
  CurlTransfer(const ClientOptions& options, CurlMultiDriver& driver);
  CurlTransfer(const CurlTransfer&) = delete;
  CurlTransfer& operator=(const CurlTransfer&) = delete;

  static CurlTransfer& from_easy(CURL* easy);
  CURL* easy() const { return easy_.get(); }

  // Applies the request's URL, method, body, headers, timeout and size cap.
  // The request is kept until finish(): curl reads the body in place.
  void start(HttpRequest&& request, ResponseCallback&& on_complete);

  // After curl finished: status, headers, body, timing and error category.
  // Leaves the handle ready for the next start().
  HttpResponse finish(CURLcode result);
  // The transfer never ran to curl's verdict (cancelled, refused by the multi).
  HttpResponse abandon(HttpErrorCategory category, std::string message);
  ResponseCallback take_callback() { return std::move(on_complete_); }

  // Engine bookkeeping: position in the engine's in-flight list.
  std::size_t in_flight_slot = 0;

 private:
  static std::size_t on_body_bytes(char* data, std::size_t size, std::size_t count, void* self);
  static std::size_t on_header_line(char* data, std::size_t size, std::size_t count, void* self);
  void apply_method_and_body();
  void apply_headers();
  void read_timing();
  void release_request_memory();

  static constexpr std::size_t kExpectedHeaderCount = 12;  // response headers reserved up front

  CurlEasyHandle easy_;
  std::string url_;              // CURLOPT_URL currently set on the handle
  std::string user_agent_line_;  // "User-Agent: golive/<version>" unless the request sets one
  CurlHeaderList header_list_;   // what curl sends: request headers, "Expect:", the user agent
  HeaderList header_list_source_;  // the headers header_list_ was built from
  bool header_list_built_ = false;
  std::string custom_method_;    // CUSTOMREQUEST currently set on the handle; empty = none
  bool head_request_ = false;    // CURLOPT_NOBODY currently set on the handle
  bool h2c_without_reuse_ = false;  // prior-knowledge h2c on a libcurl that cannot reuse it

  HttpRequest request_;
  HttpResponse response_;
  ResponseCallback on_complete_;
  bool size_cap_hit_ = false;
  std::size_t body_received_ = 0;  // response body bytes so far, kept or not (discard_response)
  char error_text_[CURL_ERROR_SIZE] = {};  // CURLOPT_ERRORBUFFER
};

}  // namespace golive::http
