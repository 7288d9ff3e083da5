// HttpEngine against a real HTTP server on 127.0.0.1 (TestHttpServer): methods,
// bodies and headers, keep-alive reuse counted on the server side, 1000
// requests in flight on one engine, every error category the engine can
// produce locally, cancellation, the host allowlist and the timing breakdown.
#include "core/http_engine.hpp"

#include <dirent.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/curl_transfer.hpp"
#include "tests/support/test_http_server.hpp"
#include "tests/support/test_tls_server.hpp"

namespace golive::core {
namespace {

using namespace std::chrono_literals;
using golive::testing::TestHttpServer;

// Runs the io_context until `done()` holds or `limit` passes.
template <typename Predicate>
bool run_until(boost::asio::io_context& io, Predicate done, std::chrono::milliseconds limit = 20s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(5ms);
  }
  return done();
}

HttpRequest get(const std::string& url) {
  HttpRequest request;
  request.url = url;
  return request;
}

// Sends one request on `engine` and runs `io` until it completes.
HttpResponse send_and_wait(boost::asio::io_context& io, HttpEngine& engine, HttpRequest request) {
  std::optional<HttpResponse> result;
  engine.send(std::move(request), [&](HttpResponse&& response) { result = std::move(response); });
  EXPECT_TRUE(run_until(io, [&] { return result.has_value(); }));
  return result.value_or(HttpResponse{});
}

// Polls `condition` for up to two seconds (other threads close sockets).
template <typename Predicate>
bool eventually(Predicate condition) {
  for (int i = 0; i < 200 && !condition(); ++i) std::this_thread::sleep_for(10ms);
  return condition();
}

std::size_t open_descriptor_count() {
  std::size_t count = 0;
  if (DIR* dir = opendir("/proc/self/fd")) {
    while (readdir(dir) != nullptr) ++count;
    closedir(dir);
  }
  return count;
}

// A port on 127.0.0.1 with nothing listening (bound, then released).
unsigned short closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

class HttpEngineTest : public ::testing::Test {
 protected:
  // Descriptors open once the io_context's reactor and curl's globals exist
  // and every earlier connection is closed: the baseline for leak checks.
  std::size_t settled_descriptor_count() {
    {
      HttpEngine warm_up(io);
      EXPECT_EQ(send_and_wait(io, warm_up, get(server.url("/close"))).status, 200);
    }
    std::size_t count = open_descriptor_count();
    for (int i = 0; i < 100; ++i) {  // the server closes its side asynchronously
      std::this_thread::sleep_for(10ms);
      const std::size_t now = open_descriptor_count();
      if (now == count) break;
      count = now;
    }
    return count;
  }

  TestHttpServer server;
  boost::asio::io_context io{1};
};

TEST_F(HttpEngineTest, GetReturnsStatusBodyAndLowercaseHeaders) {
  HttpEngine engine(io);
  const HttpResponse response = send_and_wait(io, engine, get(server.url("/ok")));
  EXPECT_EQ(response.error, HttpErrorCategory::kNone) << response.error_message;
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "ok");
  EXPECT_EQ(response.header("Content-Type"), "text/plain");
  ASSERT_FALSE(response.headers.empty());
  for (const auto& [name, value] : response.headers) {
    for (char c : name) EXPECT_FALSE(c >= 'A' && c <= 'Z') << name;
  }
  EXPECT_EQ(response.header("server"), "golive-test");
}

TEST_F(HttpEngineTest, PostSendsBodyHeadersAndUserAgent) {
  HttpEngine engine(io);
  HttpRequest request = get(server.url("/echo?x=1"));
  request.method = "POST";
  request.headers = {{"Content-Type", "application/json"}, {"X-Test", "forty two"}};
  request.body = R"({"hello":"world"})";
  const HttpResponse response = send_and_wait(io, engine, request);
  ASSERT_EQ(response.status, 200) << response.error_message;
  const auto echo = nlohmann::json::parse(response.body);
  EXPECT_EQ(echo["method"], "POST");
  EXPECT_EQ(echo["target"], "/echo?x=1");
  EXPECT_EQ(echo["body"], R"({"hello":"world"})");
  EXPECT_EQ(echo["headers"]["x-test"], "forty two");
  EXPECT_EQ(echo["headers"]["content-type"], "application/json");
  EXPECT_EQ(echo["headers"]["user-agent"], default_user_agent());
  EXPECT_FALSE(echo["headers"].contains("expect"));
}

TEST_F(HttpEngineTest, RequestUserAgentReplacesTheDefault) {
  HttpEngine engine(io);
  HttpRequest request = get(server.url("/echo"));
  request.headers = {{"user-agent", "probe/1"}};
  const HttpResponse response = send_and_wait(io, engine, request);
  ASSERT_EQ(response.status, 200) << response.error_message;
  EXPECT_EQ(nlohmann::json::parse(response.body)["headers"]["user-agent"], "probe/1");
}

TEST_F(HttpEngineTest, ReusedHandleSwitchesMethodsAndHeadersCleanly) {
  HttpEngine engine(io);
  HttpRequest put = get(server.url("/echo"));
  put.method = "PUT";
  put.body = "replacement";
  put.headers = {{"X-Only-First", "1"}};
  auto echo = nlohmann::json::parse(send_and_wait(io, engine, put).body);
  EXPECT_EQ(echo["method"], "PUT");
  EXPECT_EQ(echo["body"], "replacement");
  EXPECT_EQ(echo["headers"]["x-only-first"], "1");

  HttpRequest head = get(server.url("/ok"));
  head.method = "HEAD";
  const HttpResponse head_response = send_and_wait(io, engine, head);
  EXPECT_EQ(head_response.status, 200);
  EXPECT_TRUE(head_response.body.empty());

  HttpRequest remove = get(server.url("/echo"));
  remove.method = "DELETE";
  echo = nlohmann::json::parse(send_and_wait(io, engine, remove).body);
  EXPECT_EQ(echo["method"], "DELETE");
  EXPECT_EQ(echo["body"], "");
  EXPECT_FALSE(echo["headers"].contains("x-only-first"));  // the old header list is gone

  echo = nlohmann::json::parse(send_and_wait(io, engine, get(server.url("/echo"))).body);
  EXPECT_EQ(echo["method"], "GET");

  HttpRequest patch = get(server.url("/echo"));
  patch.method = "PATCH";
  echo = nlohmann::json::parse(send_and_wait(io, engine, patch).body);
  EXPECT_EQ(echo["method"], "PATCH");
  EXPECT_EQ(echo["headers"]["content-length"], "0");
}

TEST_F(HttpEngineTest, LargeUploadAndDownloadArriveWhole) {
  HttpEngine engine(io);
  HttpRequest upload = get(server.url("/echo"));
  upload.method = "POST";
  upload.body = std::string(3 * 1024 * 1024, 'u');  // above curl's 1 MiB Expect threshold
  const HttpResponse echoed = send_and_wait(io, engine, upload);
  ASSERT_EQ(echoed.status, 200) << echoed.error_message;
  EXPECT_EQ(nlohmann::json::parse(echoed.body)["body"].get<std::string>().size(), upload.body.size());

  const HttpResponse download = send_and_wait(io, engine, get(server.url("/large/8388608")));
  EXPECT_EQ(download.error, HttpErrorCategory::kNone) << download.error_message;
  EXPECT_EQ(download.body.size(), 8388608u);
  const HttpResponse chunked = send_and_wait(io, engine, get(server.url("/chunked/5000000")));
  EXPECT_EQ(chunked.error, HttpErrorCategory::kNone) << chunked.error_message;
  EXPECT_EQ(chunked.body.size(), 5000000u);
}

TEST_F(HttpEngineTest, HttpErrorStatusIsNotATransportError) {
  HttpEngine engine(io);
  const HttpResponse response = send_and_wait(io, engine, get(server.url("/status/503")));
  EXPECT_EQ(response.status, 503);
  EXPECT_TRUE(response.transport_ok());
  EXPECT_EQ(response.body, "status 503");
}

TEST_F(HttpEngineTest, SequentialRequestsReuseOneKeepAliveConnection) {
  HttpEngine engine(io);
  for (int i = 0; i < 50; ++i) {
    ASSERT_EQ(send_and_wait(io, engine, get(server.url("/ok"))).status, 200);
  }
  EXPECT_EQ(server.connections_accepted(), 1u);
  EXPECT_EQ(server.requests_received(), 50u);
  EXPECT_EQ(engine.open_connections(), 1u);
}

TEST_F(HttpEngineTest, ConcurrentBatchesReuseTheirConnections) {
  HttpEngine engine(io);
  for (int batch = 0; batch < 5; ++batch) {
    int done = 0;
    for (int i = 0; i < 10; ++i) {
      engine.send(get(server.url("/delay/20")), [&](HttpResponse&& response) {
        EXPECT_EQ(response.status, 200);
        ++done;
      });
    }
    ASSERT_TRUE(run_until(io, [&] { return done == 10; }));
  }
  EXPECT_EQ(server.requests_received(), 50u);
  EXPECT_LE(server.connections_accepted(), 10u);
}

TEST_F(HttpEngineTest, ConnectionLimitQueuesInsteadOfOpening) {
  HttpEngineOptions options;
  options.max_connections_per_host = 2;
  HttpEngine engine(io, options);
  int done = 0;
  for (int i = 0; i < 10; ++i) {
    engine.send(get(server.url("/delay/10")), [&](HttpResponse&& response) {
      EXPECT_EQ(response.status, 200);
      ++done;
    });
  }
  ASSERT_TRUE(run_until(io, [&] { return done == 10; }));
  EXPECT_LE(server.connections_accepted(), 2u);
  EXPECT_LE(server.peak_requests_in_flight(), 2u);
}

TEST_F(HttpEngineTest, ThousandRequestsInFlightOnOneEngine) {
  HttpEngine engine(io);
  constexpr int kRequests = 1000;
  int ok = 0;
  int done = 0;
  for (int i = 0; i < kRequests; ++i) {
    engine.send(get(server.url("/hold")), [&](HttpResponse&& response) {
      if (response.status == 200 && response.transport_ok()) ++ok;
      ++done;
    });
  }
  EXPECT_EQ(engine.in_flight(), static_cast<std::size_t>(kRequests));
  // The server answers nothing until all 1000 are waiting on it at once.
  ASSERT_TRUE(run_until(io, [&] { return server.held_requests() == kRequests; }, 120s))
      << server.held_requests() << " held";
  EXPECT_EQ(done, 0);
  server.release_held();
  ASSERT_TRUE(run_until(io, [&] { return done == kRequests; }, 120s));
  EXPECT_EQ(ok, kRequests);
  EXPECT_EQ(server.peak_requests_in_flight(), static_cast<std::size_t>(kRequests));
  EXPECT_EQ(server.connections_accepted(), static_cast<std::size_t>(kRequests));
  EXPECT_EQ(engine.in_flight(), 0u);
}

TEST_F(HttpEngineTest, RefusedConnectionIsConnectError) {
  HttpEngine engine(io);
  const std::string url = "http://127.0.0.1:" + std::to_string(closed_port()) + "/ok";
  const HttpResponse response = send_and_wait(io, engine, get(url));
  EXPECT_EQ(response.error, HttpErrorCategory::kConnect) << response.error_message;
  EXPECT_EQ(response.status, 0);
  EXPECT_FALSE(response.error_message.empty());
}

TEST_F(HttpEngineTest, SlowAnswerIsTimeoutAtTheRequestBudget) {
  HttpEngine engine(io);
  HttpRequest request = get(server.url("/delay/3000"));
  request.timeout = 200ms;
  const auto started = std::chrono::steady_clock::now();
  const HttpResponse response = send_and_wait(io, engine, request);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(response.error, HttpErrorCategory::kTimeout) << response.error_message;
  EXPECT_GE(elapsed, 190ms);
  EXPECT_LT(elapsed, 1500ms);
  EXPECT_GE(response.timing.total_ms, 190.0);
}

TEST_F(HttpEngineTest, NeverAnsweredRequestTimesOut) {
  HttpEngine engine(io);
  HttpRequest request = get(server.url("/never"));
  request.timeout = 150ms;
  EXPECT_EQ(send_and_wait(io, engine, request).error, HttpErrorCategory::kTimeout);
}

TEST_F(HttpEngineTest, ResetConnectionIsReset) {
  HttpEngine engine(io);
  const HttpResponse response = send_and_wait(io, engine, get(server.url("/reset")));
  EXPECT_EQ(response.error, HttpErrorCategory::kReset) << response.error_message;
}

TEST_F(HttpEngineTest, GarbageReplyIsProtocolError) {
  HttpEngine engine(io);
  const HttpResponse response = send_and_wait(io, engine, get(server.url("/garbage")));
  EXPECT_EQ(response.error, HttpErrorCategory::kProtocol) << response.error_message;
}

// Issue 10 (hostile targets): a 1 MB response header was reported as "other (Out of memory)".
TEST_F(HttpEngineTest, OversizedResponseHeaderIsTooLarge) {
  HttpEngine engine(io);
  const HttpResponse response = send_and_wait(io, engine, get(server.url("/huge-header/1048576")));
  EXPECT_EQ(response.error, HttpErrorCategory::kTooLarge) << response.error_message;
}

// Issue 10: a 5xx storm is statuses, not transport errors; slowloris hits the request budget.
TEST_F(HttpEngineTest, StormAnswersRotateThrough5xxAndSlowlorisTimesOut) {
  HttpEngine engine(io);
  std::vector<int> statuses;
  for (int i = 0; i < 4; ++i) {
    const HttpResponse response = send_and_wait(io, engine, get(server.url("/storm")));
    EXPECT_EQ(response.error, HttpErrorCategory::kNone) << response.error_message;
    statuses.push_back(response.status);
  }
  std::sort(statuses.begin(), statuses.end());
  EXPECT_EQ(statuses, (std::vector<int>{500, 502, 503, 504}));

  HttpRequest trickle = get(server.url("/slowloris"));
  trickle.timeout = 1200ms;  // a few bytes arrive, the response never completes in time
  const HttpResponse slow = send_and_wait(io, engine, trickle);
  EXPECT_EQ(slow.error, HttpErrorCategory::kTimeout) << slow.error_message;
}

TEST_F(HttpEngineTest, BodyOverTheCapIsTooLarge) {
  HttpEngine engine(io);
  HttpRequest declared = get(server.url("/large/100000"));  // Content-Length over the cap
  declared.max_response_bytes = 1000;
  const HttpResponse refused = send_and_wait(io, engine, declared);
  EXPECT_EQ(refused.error, HttpErrorCategory::kTooLarge) << refused.error_message;

  HttpRequest chunked = get(server.url("/chunked/100000"));  // no length: the write path caps it
  chunked.max_response_bytes = 1000;
  const HttpResponse capped = send_and_wait(io, engine, chunked);
  EXPECT_EQ(capped.error, HttpErrorCategory::kTooLarge) << capped.error_message;
  EXPECT_LE(capped.body.size(), 1000u);

  HttpRequest fits = get(server.url("/large/1000"));
  fits.max_response_bytes = 1000;
  EXPECT_EQ(send_and_wait(io, engine, fits).body.size(), 1000u);
}

TEST_F(HttpEngineTest, CancelAllCompletesEveryInFlightRequest) {
  HttpEngine engine(io);
  int cancelled = 0;
  for (int i = 0; i < 5; ++i) {
    engine.send(get(server.url("/never")), [&](HttpResponse&& response) {
      if (response.error == HttpErrorCategory::kCancelled) ++cancelled;
    });
  }
  ASSERT_TRUE(run_until(io, [&] { return server.requests_received() == 5; }));
  engine.cancel_all();
  EXPECT_EQ(engine.in_flight(), 0u);
  EXPECT_EQ(cancelled, 0);  // posted, not run inside cancel_all()
  ASSERT_TRUE(run_until(io, [&] { return cancelled == 5; }));
  EXPECT_EQ(send_and_wait(io, engine, get(server.url("/ok"))).status, 200);  // still usable
}

TEST_F(HttpEngineTest, HostAllowlistRefusesOtherHostsWithoutConnecting) {
  HttpEngineOptions options;
  options.host_allowed = [](std::string_view host) { return host == "127.0.0.1"; };
  HttpEngine engine(io, options);

  bool called = false;
  std::optional<HttpResponse> refused;
  engine.send(get("http://LocalHost:" + std::to_string(server.port()) + "/ok"),
              [&](HttpResponse&& response) {
                called = true;
                refused = std::move(response);
              });
  EXPECT_FALSE(called);  // never inside send()
  ASSERT_TRUE(run_until(io, [&] { return refused.has_value(); }));
  EXPECT_EQ(refused->error, HttpErrorCategory::kNotAllowed);
  EXPECT_NE(refused->error_message.find("localhost"), std::string::npos);

  EXPECT_EQ(send_and_wait(io, engine, get("file:///etc/passwd")).error, HttpErrorCategory::kNotAllowed);
  EXPECT_EQ(server.connections_accepted(), 0u);
  EXPECT_EQ(send_and_wait(io, engine, get(server.url("/ok"))).status, 200);
}

TEST_F(HttpEngineTest, TimingBreakdownIsMonotonic) {
  HttpEngine engine(io);
  for (int i = 0; i < 2; ++i) {  // a fresh connection, then a reused one
    const HttpResponse response = send_and_wait(io, engine, get(server.url("/delay/30")));
    ASSERT_EQ(response.status, 200);
    const HttpTiming& t = response.timing;
    EXPECT_GE(t.dns_ms, 0.0);
    EXPECT_LE(t.dns_ms, t.connect_ms);
    EXPECT_LE(t.connect_ms, t.tls_ms);
    EXPECT_LE(t.tls_ms, t.first_byte_ms);
    EXPECT_LE(t.first_byte_ms, t.total_ms);
    EXPECT_GE(t.first_byte_ms, 29.0);  // the server waited 30 ms before answering
    EXPECT_LT(t.total_ms, 2000.0);
  }
}

TEST_F(HttpEngineTest, DestroyingWithRequestsInFlightLeavesNothingBehind) {
  const std::size_t descriptors_before = settled_descriptor_count();
  int called = 0;
  {
    HttpEngine engine(io);
    for (int i = 0; i < 20; ++i) {
      engine.send(get(server.url(i % 2 ? "/never" : "/ok")), [&](HttpResponse&&) { ++called; });
    }
    ASSERT_TRUE(run_until(io, [&] { return server.requests_received() >= 20 && called == 10; }));
  }
  // Handlers queued for the dead engine must be harmless no-ops.
  io.restart();
  io.run_for(50ms);
  EXPECT_EQ(called, 10);  // the /ok ones completed before; /never ones are dropped
  // Every client socket is closed; the in-process server still holds its 10
  // never-answered connections (it closes the others once it reads EOF).
  EXPECT_TRUE(eventually([&] { return open_descriptor_count() == descriptors_before + 10; }))
      << open_descriptor_count() << " descriptors, expected " << descriptors_before + 10;
}

TEST_F(HttpEngineTest, ClosedConnectionsReleaseTheirDescriptors) {
  const std::size_t descriptors_before = settled_descriptor_count();
  HttpEngine engine(io);
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(send_and_wait(io, engine, get(server.url("/close"))).status, 200);
  }
  EXPECT_EQ(server.connections_accepted(), 21u);  // one of them was the warm-up's
  EXPECT_EQ(engine.open_connections(), 0u);  // curl closed each one through our callback
  // The live engine's only descriptors are its multi handle's wake-up socketpair.
  EXPECT_TRUE(eventually([&] { return open_descriptor_count() == descriptors_before + 2; }))
      << open_descriptor_count() << " descriptors, " << descriptors_before + 2 << " expected";
}

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
