// What only CurlHttpClient (libcurl) does, against real servers on 127.0.0.1: the
// 5xx storm and slowloris behaviours of hostile targets, the blocking fetch
// helpers, TLS verification and session reuse, curl error-code mapping and the
// allowlist's URL host parsing. Behaviour shared with NativeHttpClient (methods,
// bodies, keep-alive reuse, limits, error categories, cancel_all, allowlist,
// timing, descriptor hygiene) is asserted for both in http_client_contract_test.cpp.
#include "http/curl/curl_http_client.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "http/curl/curl_transfer.hpp"
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

// A 5xx storm is statuses, not transport errors; slowloris hits the request budget.
TEST(HttpFetchTest, FetchAndFetchAllKeepRequestOrder) {
  TestHttpServer server;
  const http::HttpResponse one = http::fetch(get(server.url("/ok")));
  EXPECT_EQ(one.status, 200);
  EXPECT_EQ(one.body, "ok");

  std::vector<http::HttpRequest> requests;
  for (int i = 0; i < 30; ++i) requests.push_back(get(server.url("/echo?i=" + std::to_string(i))));
  const std::vector<http::HttpResponse> responses = http::fetch_all(requests, 4);
  ASSERT_EQ(responses.size(), 30u);
  for (int i = 0; i < 30; ++i) {
    EXPECT_EQ(nlohmann::json::parse(responses[i].body)["target"], "/echo?i=" + std::to_string(i));
  }
  EXPECT_LE(server.connections_accepted(), 5u);
}

TEST(HttpEngineTlsTest, UntrustedCertificateIsRefusedByDefault) {
  golive::testing::TestTlsServer tls;
  boost::asio::io_context io{1};
  http::CurlHttpClient engine(io);
  const http::HttpResponse response = send_and_wait(io, engine, get(tls.url("/ok")));
  EXPECT_EQ(response.error, http::HttpErrorCategory::kTls) << response.error_message;
  EXPECT_EQ(response.status, 0);
  EXPECT_EQ(tls.requests_answered(), 0u);
}

TEST(HttpEngineTlsTest, CustomCaBundleIsTrustedAndConnectionsAreReused) {
  golive::testing::TestTlsServer tls;
  boost::asio::io_context io{1};
  http::ClientOptions options;
  options.tls.ca_file = tls.ca_file();
  options.http_version = http::HttpVersion::kHttp2;  // ALPN offers h2; this server only speaks 1.1
  http::CurlHttpClient engine(io, options);
  const http::HttpResponse first = send_and_wait(io, engine, get(tls.url("/ok")));
  ASSERT_EQ(first.error, http::HttpErrorCategory::kNone) << first.error_message;
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
  EXPECT_FALSE(http::ClientOptions{}.tls.insecure);
  http::ClientOptions options;
  options.tls.insecure = true;
  http::CurlHttpClient engine(io, options);
  EXPECT_EQ(send_and_wait(io, engine, get(tls.url("/ok"))).status, 200);
}

TEST(HttpErrorMappingTest, CurlCodesMapToCategories) {
  EXPECT_EQ(http::classify_curl_result(CURLE_OK, false), http::HttpErrorCategory::kNone);
  EXPECT_EQ(http::classify_curl_result(CURLE_COULDNT_RESOLVE_HOST, false), http::HttpErrorCategory::kDns);
  EXPECT_EQ(http::classify_curl_result(CURLE_COULDNT_CONNECT, false), http::HttpErrorCategory::kConnect);
  EXPECT_EQ(http::classify_curl_result(CURLE_PEER_FAILED_VERIFICATION, false), http::HttpErrorCategory::kTls);
  EXPECT_EQ(http::classify_curl_result(CURLE_SSL_CONNECT_ERROR, false), http::HttpErrorCategory::kTls);
  EXPECT_EQ(http::classify_curl_result(CURLE_OPERATION_TIMEDOUT, false), http::HttpErrorCategory::kTimeout);
  EXPECT_EQ(http::classify_curl_result(CURLE_RECV_ERROR, false), http::HttpErrorCategory::kReset);
  EXPECT_EQ(http::classify_curl_result(CURLE_GOT_NOTHING, false), http::HttpErrorCategory::kReset);
  EXPECT_EQ(http::classify_curl_result(CURLE_WRITE_ERROR, true), http::HttpErrorCategory::kTooLarge);
  EXPECT_EQ(http::classify_curl_result(CURLE_WRITE_ERROR, false), http::HttpErrorCategory::kOther);
  EXPECT_EQ(http::classify_curl_result(CURLE_WEIRD_SERVER_REPLY, false), http::HttpErrorCategory::kProtocol);
  // libcurl 7.x: a response header over 100 KB (hostile targets).
  EXPECT_EQ(http::classify_curl_result(CURLE_OUT_OF_MEMORY, false), http::HttpErrorCategory::kTooLarge);
}

// Without the CA the same self-signed server is a categorised tls failure,
// never a crash or a silent pass; with tls.ca_file and min_version 1.3 it works.
TEST(HttpEngineTlsTest, UntrustedCertificateIsATlsErrorAndMinVersionApplies) {
  golive::testing::TestTlsServer tls;
  boost::asio::io_context io{1};
  http::CurlHttpClient untrusting(io, http::ClientOptions{});
  const http::HttpResponse refused = send_and_wait(io, untrusting, get(tls.url("/ok")));
  EXPECT_EQ(refused.error, http::HttpErrorCategory::kTls) << refused.error_message;
  EXPECT_EQ(refused.status, 0);
  http::ClientOptions options;
  options.tls.ca_file = tls.ca_file();
  options.tls.min_version = "1.3";
  http::CurlHttpClient trusting(io, options);
  EXPECT_EQ(send_and_wait(io, trusting, get(tls.url("/ok"))).status, 200);
}

}  // namespace
}  // namespace golive::core
