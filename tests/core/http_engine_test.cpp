// What only HttpEngine (libcurl) does, against real servers on 127.0.0.1: the
// 5xx storm and slowloris behaviours of hostile targets, the blocking fetch
// helpers, TLS verification and session reuse, curl error-code mapping and the
// allowlist's URL host parsing. Behaviour shared with NativeHttpClient (methods,
// bodies, keep-alive reuse, limits, error categories, cancel_all, allowlist,
// timing, descriptor hygiene) is asserted for both in http_client_contract_test.cpp.
#include "core/http_engine.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/curl_transfer.hpp"
#include "tests/support/http_client_test_helpers.hpp"
#include "tests/support/test_http_server.hpp"
#include "tests/support/test_tls_server.hpp"

namespace golive::core {
namespace {

using namespace std::chrono_literals;
using golive::testing::get;
using golive::testing::send_and_wait;
using golive::testing::TestHttpServer;

class HttpEngineTest : public ::testing::Test {
 protected:
  TestHttpServer server;
  boost::asio::io_context io{1};
};

// Issue 10: a 5xx storm is statuses, not transport errors; slowloris hits the request budget.
TEST(HttpFetchTest, FetchAndFetchAllKeepRequestOrder) {
  TestHttpServer server;
  const HttpResponse one = fetch(get(server.url("/ok")));
  EXPECT_EQ(one.status, 200);
  EXPECT_EQ(one.body, "ok");

  std::vector<HttpRequest> requests;
  for (int i = 0; i < 30; ++i) requests.push_back(get(server.url("/echo?i=" + std::to_string(i))));
  const std::vector<HttpResponse> responses = fetch_all(requests, 4);
  ASSERT_EQ(responses.size(), 30u);
  for (int i = 0; i < 30; ++i) {
    EXPECT_EQ(nlohmann::json::parse(responses[i].body)["target"], "/echo?i=" + std::to_string(i));
  }
  EXPECT_LE(server.connections_accepted(), 5u);
}

TEST(HttpEngineTlsTest, UntrustedCertificateIsRefusedByDefault) {
  golive::testing::TestTlsServer tls;
  boost::asio::io_context io{1};
  HttpEngine engine(io);
  const HttpResponse response = send_and_wait(io, engine, get(tls.url("/ok")));
  EXPECT_EQ(response.error, HttpErrorCategory::kTls) << response.error_message;
  EXPECT_EQ(response.status, 0);
  EXPECT_EQ(tls.requests_answered(), 0u);
}

TEST(HttpEngineTlsTest, CustomCaBundleIsTrustedAndConnectionsAreReused) {
  golive::testing::TestTlsServer tls;
  boost::asio::io_context io{1};
  HttpEngineOptions options;
  options.ca_bundle = tls.ca_file();
  options.http_version = HttpVersion::kHttp2;  // ALPN offers h2; this server only speaks 1.1
  HttpEngine engine(io, options);
  const HttpResponse first = send_and_wait(io, engine, get(tls.url("/ok")));
  ASSERT_EQ(first.error, HttpErrorCategory::kNone) << first.error_message;
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.body, "ok");
  EXPECT_GT(first.timing.tls_ms, first.timing.connect_ms);  // a real handshake took time
  EXPECT_LE(first.timing.tls_ms, first.timing.first_byte_ms);
  EXPECT_EQ(send_and_wait(io, engine, get(tls.url("/ok"))).status, 200);
  EXPECT_EQ(tls.handshakes_completed(), 1u);  // the second request reused the TLS session
}

TEST(HttpEngineTlsTest, InsecureIsAnExplicitOptIn) {
  golive::testing::TestTlsServer tls;
  boost::asio::io_context io{1};
  EXPECT_FALSE(HttpEngineOptions{}.insecure);
  HttpEngineOptions options;
  options.insecure = true;
  HttpEngine engine(io, options);
  EXPECT_EQ(send_and_wait(io, engine, get(tls.url("/ok"))).status, 200);
}

TEST(HttpErrorMappingTest, CurlCodesMapToCategories) {
  EXPECT_EQ(classify_curl_result(CURLE_OK, false), HttpErrorCategory::kNone);
  EXPECT_EQ(classify_curl_result(CURLE_COULDNT_RESOLVE_HOST, false), HttpErrorCategory::kDns);
  EXPECT_EQ(classify_curl_result(CURLE_COULDNT_CONNECT, false), HttpErrorCategory::kConnect);
  EXPECT_EQ(classify_curl_result(CURLE_PEER_FAILED_VERIFICATION, false), HttpErrorCategory::kTls);
  EXPECT_EQ(classify_curl_result(CURLE_SSL_CONNECT_ERROR, false), HttpErrorCategory::kTls);
  EXPECT_EQ(classify_curl_result(CURLE_OPERATION_TIMEDOUT, false), HttpErrorCategory::kTimeout);
  EXPECT_EQ(classify_curl_result(CURLE_RECV_ERROR, false), HttpErrorCategory::kReset);
  EXPECT_EQ(classify_curl_result(CURLE_GOT_NOTHING, false), HttpErrorCategory::kReset);
  EXPECT_EQ(classify_curl_result(CURLE_WRITE_ERROR, true), HttpErrorCategory::kTooLarge);
  EXPECT_EQ(classify_curl_result(CURLE_WRITE_ERROR, false), HttpErrorCategory::kOther);
  EXPECT_EQ(classify_curl_result(CURLE_WEIRD_SERVER_REPLY, false), HttpErrorCategory::kProtocol);
  // libcurl 7.x: a response header over 100 KB (issue 10, hostile targets).
  EXPECT_EQ(classify_curl_result(CURLE_OUT_OF_MEMORY, false), HttpErrorCategory::kTooLarge);
}

TEST(HttpUrlHostTest, ExtractsTheHostTheAllowlistSees) {
  EXPECT_EQ(http_url_host("http://127.0.0.1:8080/x"), "127.0.0.1");
  EXPECT_EQ(http_url_host("HTTPS://User:pw@API.Example.com/path?q=1"), "api.example.com");
  EXPECT_EQ(http_url_host("https://[::1]:443/"), "::1");
  EXPECT_EQ(http_url_host("http://example.com?x=@evil.com"), "example.com");
  EXPECT_EQ(http_url_host("ftp://example.com/"), std::nullopt);
  EXPECT_EQ(http_url_host("http:///nohost"), std::nullopt);
}

}  // namespace
}  // namespace golive::core
