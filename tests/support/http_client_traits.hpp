// ClientTraits: where CurlHttpClient and NativeHttpClient legitimately differ
// in what a test can observe, for the typed tests that assert the
// http::HttpClient contract over both (http_client_contract_test.cpp for
// plain http, http_client_tls_contract_test.cpp for https).
#pragma once

#include <cstddef>
#include <string>

#include "http/curl/curl_http_client.hpp"
#include "http/native/native_http_client.hpp"

namespace golive::testing {

template <typename Client>
struct ClientTraits;

template <>
struct ClientTraits<http::CurlHttpClient> {
  static constexpr const char* kName = "CurlHttpClient";
  // curl's connection cache decides whether a request of a burst waits for a
  // connection of that burst or opens its own: only the upper bound is asserted.
  static constexpr bool kOpensOneConnectionPerConcurrentRequest = false;
  // Descriptors a live client holds with no connection open: the multi
  // handle's wake-up socketpair.
  static constexpr std::size_t kIdleDescriptors = 2;
  // curl reports a few microseconds of connect time even on a reused connection.
  static constexpr bool kReusedConnectionReportsZeroConnectTime = false;
  // Whether HttpTiming::tls_resumed is filled in.
  static constexpr bool kReportsTlsResumption = false;
  // libcurl before 8.0 cannot send a second request on a prior-knowledge h2c
  // connection: the engine opens one per request there (https:// h2 reuses).
  static constexpr bool kReusesH2cConnections = LIBCURL_VERSION_NUM >= 0x080000;
  // libcurl 7.88 fails a stream a GOAWAY declared unprocessed ("Error in the
  // HTTP2 framing layer") instead of sending it again.
  static constexpr bool kResendsStreamsAGoawayLeftUnprocessed = false;
};

template <>
struct ClientTraits<http::NativeHttpClient> {
  static constexpr const char* kName = "NativeHttpClient";
  // Each request that finds no idle connection (and is under the limit) opens one.
  static constexpr bool kOpensOneConnectionPerConcurrentRequest = true;
  // The epoll descriptor that watches its connections (NativeReadiness).
  static constexpr std::size_t kIdleDescriptors = 1;
  static constexpr bool kReusedConnectionReportsZeroConnectTime = true;
  static constexpr bool kReportsTlsResumption = true;
  static constexpr bool kReusesH2cConnections = true;
  static constexpr bool kResendsStreamsAGoawayLeftUnprocessed = true;
};

// Names the typed tests' instantiations after the client.
struct ClientName {
  template <typename Client>
  static std::string GetName(int) {
    return ClientTraits<Client>::kName;
  }
};

}  // namespace golive::testing
