// The HTTP/2 half of the http::HttpClient contract, one typed test body over
// CurlHttpClient and NativeHttpClient against TestH2Server (nghttp2's server
// session on 127.0.0.1) and TestTlsServer (HTTP/1.1 only):
//   - prior-knowledge h2c on http:// (ClientOptions::http_version kHttp2PriorKnowledge);
//   - ALPN "h2" over TLS (kHttp2), and the fall back to HTTP/1.1 when the
//     server selects http/1.1;
//   - concurrent requests with one connection allowed share it as streams (https://),
//     within the server's SETTINGS_MAX_CONCURRENT_STREAMS (none refused);
//   - a stream reset by the server (RST_STREAM) and a GOAWAY that ends the
//     connection before the answer each become a kReset response, and the
//     client goes on working;
//   - a stream without an answer times out alone (kTimeout), the connection goes on;
//   - a stream a GOAWAY declares unprocessed is sent again on a new connection
//     (native; libcurl 7.88 reports it as an error).
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "tests/support/http_client_test_helpers.hpp"
#include "tests/support/http_client_traits.hpp"
#include "tests/support/test_h2_server.hpp"
#include "tests/support/test_tls_server.hpp"

namespace golive::core {
namespace {

using golive::testing::ClientName;
using golive::testing::get;
using golive::testing::run_until;
using golive::testing::send_and_wait;
using golive::testing::TestH2Server;
using golive::testing::TestTlsServer;

template <typename Client>
class HttpClientH2ContractTest : public ::testing::Test {
 protected:
  static http::ClientOptions h2c_options() {
    http::ClientOptions options;
    options.http_version = http::HttpVersion::kHttp2PriorKnowledge;
    return options;
  }
  static http::ClientOptions alpn_options(const std::string& ca_file) {
    http::ClientOptions options;
    options.http_version = http::HttpVersion::kHttp2;
    options.tls.ca_file = ca_file;
    return options;
  }

  boost::asio::io_context io{1};
};

using Clients = ::testing::Types<http::CurlHttpClient, http::NativeHttpClient>;
TYPED_TEST_SUITE(HttpClientH2ContractTest, Clients, ClientName);

TYPED_TEST(HttpClientH2ContractTest, PriorKnowledgeSpeaksH2cOnOneConnection) {
  TestH2Server server;
  TypeParam client(this->io, this->h2c_options());
  const http::HttpResponse response = send_and_wait(this->io, client, get(server.url("/ok")));
  ASSERT_EQ(response.error, http::HttpErrorCategory::kNone) << response.error_message;
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "ok");
  EXPECT_EQ(response.header("x-protocol"), "h2");
  EXPECT_EQ(response.header("content-type"), "text/plain");
  EXPECT_GT(response.timing.total_ms, 0);

  http::HttpRequest post = get(server.url("/echo"));
  post.method = "POST";
  post.headers = {{"Content-Type", "application/json"}};
  post.body = R"({"hello":"h2"})";
  const http::HttpResponse echoed = send_and_wait(this->io, client, post);
  ASSERT_EQ(echoed.status, 200) << echoed.error_message;
  EXPECT_EQ(echoed.body, post.body);
  if constexpr (golive::testing::ClientTraits<TypeParam>::kReusesH2cConnections) {
    EXPECT_EQ(server.connections_accepted(), 1u);  // the second request is a stream on the first connection
  } else {
    EXPECT_EQ(server.connections_accepted(), 2u);
  }
  EXPECT_EQ(server.requests_answered(), 2u);
}

TYPED_TEST(HttpClientH2ContractTest, DiscardedResponseKeepsStatusOnlyAndTheCapHolds) {
  TestH2Server server;
  TypeParam client(this->io, this->h2c_options());
  http::HttpRequest echo = get(server.url("/echo"));
  echo.method = "POST";
  echo.body = std::string(5000, 'x');
  echo.discard_response = true;
  const http::HttpResponse response = send_and_wait(this->io, client, echo);
  ASSERT_EQ(response.error, http::HttpErrorCategory::kNone) << response.error_message;
  EXPECT_EQ(response.status, 200);
  EXPECT_TRUE(response.headers.empty());
  EXPECT_TRUE(response.body.empty());

  echo.max_response_bytes = 1000;
  const http::HttpResponse capped = send_and_wait(this->io, client, echo);
  EXPECT_EQ(capped.error, http::HttpErrorCategory::kTooLarge) << capped.error_message;
}

TYPED_TEST(HttpClientH2ContractTest, AlpnNegotiatesH2OverTls) {
  TestH2Server server(TestH2Server::Transport::kTls);
  TypeParam client(this->io, this->alpn_options(server.ca_file()));
  const http::HttpResponse response = send_and_wait(this->io, client, get(server.url("/ok")));
  ASSERT_EQ(response.error, http::HttpErrorCategory::kNone) << response.error_message;
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "ok");
  EXPECT_EQ(response.header("x-protocol"), "h2");
  EXPECT_TRUE(response.timing.new_connection);
  EXPECT_GT(response.timing.tls_ms, 0);
  for (int i = 0; i < 3; ++i) {  // one after another: streams on the same connection
    const http::HttpResponse next = send_and_wait(this->io, client, get(server.url("/ok")));
    EXPECT_EQ(next.status, 200) << next.error_message;
    EXPECT_EQ(next.header("x-protocol"), "h2");
  }
  EXPECT_EQ(server.requests_answered(), 4u);
  EXPECT_EQ(server.connections_accepted(), 1u);
}

TYPED_TEST(HttpClientH2ContractTest, AlpnFallsBackToHttp11WhenTheServerChoosesIt) {
  TestTlsServer server(TestTlsServer::Alpn::kHttp11);
  TypeParam client(this->io, this->alpn_options(server.ca_file()));
  for (int i = 0; i < 3; ++i) {
    const http::HttpResponse response = send_and_wait(this->io, client, get(server.url("/ok")));
    ASSERT_EQ(response.error, http::HttpErrorCategory::kNone) << response.error_message;
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.body, "ok");
    EXPECT_FALSE(response.header("x-protocol").has_value());
  }
  EXPECT_GE(server.alpn_http11_selected(), 1u);
  EXPECT_EQ(server.requests_answered(), 3u);
}

TYPED_TEST(HttpClientH2ContractTest, ConcurrentRequestsShareOneConnectionWithinTheStreamLimit) {
  TestH2Server server(TestH2Server::Transport::kTls, /*max_concurrent_streams=*/4);
  http::ClientOptions options = this->alpn_options(server.ca_file());
  options.max_connections_per_host = 1;
  TypeParam client(this->io, options);
  // One request first: the server's SETTINGS (4 streams) are known before the burst.
  ASSERT_EQ(send_and_wait(this->io, client, get(server.url("/ok"))).status, 200);
  constexpr int kRequests = 40;
  std::vector<http::HttpResponse> responses;
  for (int i = 0; i < kRequests; ++i) {
    client.send(get(server.url("/gather")), [&](http::HttpResponse&& r) { responses.push_back(std::move(r)); });
  }
  run_until(this->io, [&] { return responses.size() == kRequests; });
  ASSERT_EQ(responses.size(), static_cast<std::size_t>(kRequests));
  for (const http::HttpResponse& response : responses) {
    EXPECT_EQ(response.status, 200) << http::to_string(response.error) << ": " << response.error_message;
  }
  EXPECT_EQ(server.connections_accepted(), 1u);
  EXPECT_EQ(server.streams_refused(), 0u);
  EXPECT_GE(server.peak_open_streams(), 2u);  // multiplexed, not one request after another
  EXPECT_LE(server.peak_open_streams(), 4u);  // never above the server's SETTINGS_MAX_CONCURRENT_STREAMS
  EXPECT_EQ(server.requests_answered(), kRequests + 1u);
}

TYPED_TEST(HttpClientH2ContractTest, StreamResetByTheServerIsAResetError) {
  TestH2Server server;
  TypeParam client(this->io, this->h2c_options());
  const http::HttpResponse reset = send_and_wait(this->io, client, get(server.url("/reset")));
  EXPECT_EQ(reset.error, http::HttpErrorCategory::kReset) << reset.error_message;
  EXPECT_EQ(reset.status, 0);
  EXPECT_FALSE(reset.error_message.empty());
  // Only the stream ended: the next request is answered.
  const http::HttpResponse next = send_and_wait(this->io, client, get(server.url("/ok")));
  EXPECT_EQ(next.status, 200) << next.error_message;
}

TYPED_TEST(HttpClientH2ContractTest, GoawayBeforeTheAnswerIsAResetError) {
  TestH2Server server;
  TypeParam client(this->io, this->h2c_options());
  const http::HttpResponse refused = send_and_wait(this->io, client, get(server.url("/goaway")));
  EXPECT_EQ(refused.error, http::HttpErrorCategory::kReset) << refused.error_message;
  EXPECT_EQ(refused.status, 0);
  // The connection is gone; the next request opens another one.
  const http::HttpResponse next = send_and_wait(this->io, client, get(server.url("/ok")));
  EXPECT_EQ(next.status, 200) << next.error_message;
  EXPECT_EQ(server.connections_accepted(), 2u);
}

TYPED_TEST(HttpClientH2ContractTest, AStreamWithoutAnAnswerTimesOutAloneAndTheConnectionGoesOn) {
  TestH2Server server(TestH2Server::Transport::kTls);
  TypeParam client(this->io, this->alpn_options(server.ca_file()));
  ASSERT_EQ(send_and_wait(this->io, client, get(server.url("/ok"))).status, 200);
  http::HttpRequest never = get(server.url("/never"));
  never.timeout = std::chrono::milliseconds(200);
  const http::HttpResponse timed_out = send_and_wait(this->io, client, never);
  EXPECT_EQ(timed_out.error, http::HttpErrorCategory::kTimeout) << timed_out.error_message;
  EXPECT_EQ(timed_out.status, 0);
  EXPECT_GE(timed_out.timing.total_ms, 150);
  const http::HttpResponse next = send_and_wait(this->io, client, get(server.url("/ok")));
  EXPECT_EQ(next.status, 200) << next.error_message;
  EXPECT_EQ(server.connections_accepted(), 1u);  // only the stream was given up
}

TYPED_TEST(HttpClientH2ContractTest, StreamAGoawayLeftUnprocessedIsSentAgainOnANewConnection) {
  TestH2Server server;
  TypeParam client(this->io, this->h2c_options());
  const http::HttpResponse response = send_and_wait(this->io, client, get(server.url("/goaway-once")));
  if constexpr (golive::testing::ClientTraits<TypeParam>::kResendsStreamsAGoawayLeftUnprocessed) {
    EXPECT_EQ(response.error, http::HttpErrorCategory::kNone) << response.error_message;
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(server.connections_accepted(), 2u);
    EXPECT_EQ(server.requests_answered(), 1u);
  } else {  // a categorised error, never a crash or a hang
    EXPECT_TRUE(response.error == http::HttpErrorCategory::kProtocol ||
                response.error == http::HttpErrorCategory::kReset)
        << http::to_string(response.error) << ": " << response.error_message;
    EXPECT_EQ(response.status, 0);
    const http::HttpResponse next = send_and_wait(this->io, client, get(server.url("/goaway-once")));
    EXPECT_EQ(next.status, 200) << next.error_message;  // the server sends GOAWAY only once
  }
}

}  // namespace
}  // namespace golive::core
