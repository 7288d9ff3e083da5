// NativeHttpClient against a real HTTP server on 127.0.0.1 (TestHttpServer):
// methods, bodies and headers, keep-alive reuse counted on the server side,
// 1000 requests in flight, the retry of a request whose idle connection the
// server had closed, every error category the client produces, the host
// allowlist and the timing breakdown. Mirrors tests/core/http_engine_test.cpp.
#include "core/native_http_client.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

#include "tests/support/test_http_server.hpp"

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

HttpResponse send_and_wait(boost::asio::io_context& io, NativeHttpClient& client, HttpRequest request) {
  std::optional<HttpResponse> result;
  client.send(std::move(request), [&](HttpResponse&& response) { result = std::move(response); });
  EXPECT_TRUE(run_until(io, [&] { return result.has_value(); }));
  return result.value_or(HttpResponse{});
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

class NativeHttpClientTest : public ::testing::Test {
 protected:
  TestHttpServer server;
  boost::asio::io_context io{1};
};

TEST_F(NativeHttpClientTest, GetReturnsStatusBodyAndLowercaseHeaders) {
  NativeHttpClient client(io);
  const HttpResponse response = send_and_wait(io, client, get(server.url("/ok")));
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

TEST_F(NativeHttpClientTest, EchoSeesMethodTargetHeadersBodyAndUserAgent) {
  NativeHttpClient client(io);
  HttpRequest request = get(server.url("/echo?x=1"));
  request.method = "POST";
  request.headers = {{"Content-Type", "application/json"}, {"X-Test", "forty two"}};
  request.body = R"({"hello":"world"})";
  const HttpResponse response = send_and_wait(io, client, request);
  ASSERT_EQ(response.status, 200) << response.error_message;
  const auto echo = nlohmann::json::parse(response.body);
  EXPECT_EQ(echo["method"], "POST");
  EXPECT_EQ(echo["target"], "/echo?x=1");
  EXPECT_EQ(echo["body"], R"({"hello":"world"})");
  EXPECT_EQ(echo["headers"]["x-test"], "forty two");
  EXPECT_EQ(echo["headers"]["content-type"], "application/json");
  EXPECT_EQ(echo["headers"]["user-agent"], default_user_agent());
  EXPECT_EQ(echo["headers"]["host"], "127.0.0.1:" + std::to_string(server.port()));

  HttpRequest own_agent = get(server.url("/echo"));
  own_agent.headers = {{"user-agent", "probe/1"}};
  EXPECT_EQ(nlohmann::json::parse(send_and_wait(io, client, own_agent).body)["headers"]["user-agent"], "probe/1");
}

TEST_F(NativeHttpClientTest, MethodsAndHeadersChangeCleanlyOnOneConnection) {
  NativeHttpClient client(io);
  HttpRequest put = get(server.url("/echo"));
  put.method = "PUT";
  put.body = "replacement";
  put.headers = {{"X-Only-First", "1"}};
  auto echo = nlohmann::json::parse(send_and_wait(io, client, put).body);
  EXPECT_EQ(echo["method"], "PUT");
  EXPECT_EQ(echo["body"], "replacement");

  HttpRequest head = get(server.url("/ok"));
  head.method = "HEAD";
  const HttpResponse head_response = send_and_wait(io, client, head);
  EXPECT_EQ(head_response.status, 200);
  EXPECT_TRUE(head_response.body.empty());

  HttpRequest remove = get(server.url("/echo"));
  remove.method = "DELETE";
  echo = nlohmann::json::parse(send_and_wait(io, client, remove).body);
  EXPECT_EQ(echo["method"], "DELETE");
  EXPECT_EQ(echo["body"], "");
  EXPECT_FALSE(echo["headers"].contains("x-only-first"));

  HttpRequest patch = get(server.url("/echo"));
  patch.method = "PATCH";
  echo = nlohmann::json::parse(send_and_wait(io, client, patch).body);
  EXPECT_EQ(echo["method"], "PATCH");
  EXPECT_EQ(echo["headers"]["content-length"], "0");
  EXPECT_LE(server.connections_accepted(), 2u);  // at most the HEAD's connection is replaced
}

TEST_F(NativeHttpClientTest, LargeUploadAndDownloadArriveWhole) {
  NativeHttpClient client(io);
  HttpRequest upload = get(server.url("/echo"));
  upload.method = "POST";
  upload.body = std::string(3 * 1024 * 1024, 'u');
  const HttpResponse echoed = send_and_wait(io, client, upload);
  ASSERT_EQ(echoed.status, 200) << echoed.error_message;
  EXPECT_EQ(nlohmann::json::parse(echoed.body)["body"].get<std::string>().size(), upload.body.size());

  const HttpResponse download = send_and_wait(io, client, get(server.url("/large/8388608")));
  EXPECT_EQ(download.error, HttpErrorCategory::kNone) << download.error_message;
  EXPECT_EQ(download.body.size(), 8388608u);
  const HttpResponse chunked = send_and_wait(io, client, get(server.url("/chunked/5000000")));
  EXPECT_EQ(chunked.error, HttpErrorCategory::kNone) << chunked.error_message;
  EXPECT_EQ(chunked.body, std::string(5000000, 'x'));
  EXPECT_EQ(server.connections_accepted(), 1u);
}

TEST_F(NativeHttpClientTest, HttpErrorStatusIsNotATransportError) {
  NativeHttpClient client(io);
  const HttpResponse response = send_and_wait(io, client, get(server.url("/status/503")));
  EXPECT_EQ(response.status, 503);
  EXPECT_TRUE(response.transport_ok());
  EXPECT_EQ(response.body, "status 503");
}

TEST_F(NativeHttpClientTest, SequentialRequestsReuseOneKeepAliveConnection) {
  NativeHttpClient client(io);
  for (int i = 0; i < 200; ++i) {
    ASSERT_EQ(send_and_wait(io, client, get(server.url("/ok"))).status, 200);
  }
  EXPECT_EQ(server.connections_accepted(), 1u);
  EXPECT_EQ(server.requests_received(), 200u);
  EXPECT_EQ(client.open_connections(), 1u);
}

TEST_F(NativeHttpClientTest, ConcurrentBatchesReuseTheirConnections) {
  NativeHttpClient client(io);
  for (int batch = 0; batch < 5; ++batch) {
    int done = 0;
    for (int i = 0; i < 10; ++i) {
      client.send(get(server.url("/delay/20")), [&](HttpResponse&& response) {
        EXPECT_EQ(response.status, 200);
        ++done;
      });
    }
    ASSERT_TRUE(run_until(io, [&] { return done == 10; }));
  }
  EXPECT_EQ(server.requests_received(), 50u);
  EXPECT_EQ(server.connections_accepted(), 10u);
}

TEST_F(NativeHttpClientTest, ConnectionLimitQueuesInsteadOfOpening) {
  HttpEngineOptions options;
  options.max_connections_per_host = 2;
  NativeHttpClient client(io, options);
  int done = 0;
  for (int i = 0; i < 10; ++i) {
    client.send(get(server.url("/delay/10")), [&](HttpResponse&& response) {
      EXPECT_EQ(response.status, 200);
      ++done;
    });
  }
  EXPECT_EQ(client.in_flight(), 10u);
  ASSERT_TRUE(run_until(io, [&] { return done == 10; }));
  EXPECT_EQ(server.connections_accepted(), 2u);
  EXPECT_LE(server.peak_requests_in_flight(), 2u);
  EXPECT_EQ(client.in_flight(), 0u);
}

TEST_F(NativeHttpClientTest, ThousandRequestsInFlightOnOneClient) {
  NativeHttpClient client(io);
  constexpr int kRequests = 1000;
  int ok = 0;
  int done = 0;
  for (int i = 0; i < kRequests; ++i) {
    client.send(get(server.url("/hold")), [&](HttpResponse&& response) {
      if (response.status == 200 && response.transport_ok()) ++ok;
      ++done;
    });
  }
  EXPECT_EQ(client.in_flight(), static_cast<std::size_t>(kRequests));
  ASSERT_TRUE(run_until(io, [&] { return server.held_requests() == kRequests; }, 120s))
      << server.held_requests() << " held";
  EXPECT_EQ(done, 0);
  server.release_held();
  ASSERT_TRUE(run_until(io, [&] { return done == kRequests; }, 120s));
  EXPECT_EQ(ok, kRequests);
  EXPECT_EQ(server.connections_accepted(), static_cast<std::size_t>(kRequests));
  EXPECT_EQ(client.in_flight(), 0u);
  // A second wave rides the same 1000 keep-alive connections.
  done = 0;
  for (int i = 0; i < kRequests; ++i) client.send(get(server.url("/ok")), [&](HttpResponse&&) { ++done; });
  ASSERT_TRUE(run_until(io, [&] { return done == kRequests; }, 120s));
  EXPECT_EQ(server.connections_accepted(), static_cast<std::size_t>(kRequests));
}

TEST_F(NativeHttpClientTest, ConnectionCloseRetiresTheConnection) {
  NativeHttpClient client(io);
  for (int i = 0; i < 5; ++i) {
    const HttpResponse response = send_and_wait(io, client, get(server.url("/close")));
    ASSERT_EQ(response.status, 200) << response.error_message;
    EXPECT_EQ(response.body, "ok");
  }
  EXPECT_EQ(server.connections_accepted(), 5u);
  EXPECT_EQ(client.open_connections(), 0u);
}

TEST_F(NativeHttpClientTest, RefusedConnectionIsConnectError) {
  NativeHttpClient client(io);
  const std::string url = "http://127.0.0.1:" + std::to_string(closed_port()) + "/ok";
  const HttpResponse response = send_and_wait(io, client, get(url));
  EXPECT_EQ(response.error, HttpErrorCategory::kConnect) << response.error_message;
  EXPECT_EQ(response.status, 0);
  EXPECT_FALSE(response.error_message.empty());
  EXPECT_EQ(client.open_connections(), 0u);
}

TEST_F(NativeHttpClientTest, SlowAnswerIsTimeoutAtTheRequestBudget) {
  NativeHttpClient client(io);
  HttpRequest request = get(server.url("/delay/3000"));
  request.timeout = 200ms;
  const auto started = std::chrono::steady_clock::now();
  const HttpResponse response = send_and_wait(io, client, request);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(response.error, HttpErrorCategory::kTimeout) << response.error_message;
  EXPECT_GE(elapsed, 190ms);
  EXPECT_LT(elapsed, 1500ms);
  EXPECT_GE(response.timing.total_ms, 190.0);
  EXPECT_EQ(client.open_connections(), 0u);  // the timed-out connection is closed
  EXPECT_EQ(send_and_wait(io, client, get(server.url("/ok"))).status, 200);
}

TEST_F(NativeHttpClientTest, NeverAnsweredRequestTimesOutAfterFastOnes) {
  NativeHttpClient client(io);
  for (int i = 0; i < 20; ++i) ASSERT_EQ(send_and_wait(io, client, get(server.url("/ok"))).status, 200);
  HttpRequest request = get(server.url("/never"));
  request.timeout = 150ms;  // shorter than the default budget the connection's timer ran on
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(send_and_wait(io, client, request).error, HttpErrorCategory::kTimeout);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1500ms);
}

TEST_F(NativeHttpClientTest, RequestWaitingForAConnectionTimesOutOnItsOwnBudget) {
  HttpEngineOptions options;
  options.max_connections_per_host = 1;
  NativeHttpClient client(io, options);
  HttpRequest blocker = get(server.url("/delay/2000"));
  std::optional<HttpResponse> blocked;
  client.send(blocker, [&](HttpResponse&& response) { blocked = std::move(response); });
  HttpRequest queued = get(server.url("/ok"));
  queued.timeout = 150ms;  // the only connection stays busy for 2 s
  const auto started = std::chrono::steady_clock::now();
  const HttpResponse response = send_and_wait(io, client, queued);
  EXPECT_EQ(response.error, HttpErrorCategory::kTimeout) << response.error_message;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1500ms);
  ASSERT_TRUE(run_until(io, [&] { return blocked.has_value(); }));
  EXPECT_EQ(blocked->status, 200);
  EXPECT_EQ(server.requests_received(), 1u);  // the timed-out request never left
}

TEST_F(NativeHttpClientTest, ZeroTimeoutMeansNone) {
  NativeHttpClient client(io);
  HttpRequest request = get(server.url("/delay/100"));
  request.timeout = 0ms;
  const HttpResponse response = send_and_wait(io, client, request);
  EXPECT_EQ(response.status, 200) << response.error_message;
}

TEST_F(NativeHttpClientTest, ResetConnectionIsReset) {
  NativeHttpClient client(io);
  const HttpResponse response = send_and_wait(io, client, get(server.url("/reset")));
  EXPECT_EQ(response.error, HttpErrorCategory::kReset) << response.error_message;
}

TEST_F(NativeHttpClientTest, GarbageReplyIsProtocolError) {
  NativeHttpClient client(io);
  const HttpResponse response = send_and_wait(io, client, get(server.url("/garbage")));
  EXPECT_EQ(response.error, HttpErrorCategory::kProtocol) << response.error_message;
}

TEST_F(NativeHttpClientTest, OversizedHeaderIsTooLarge) {
  // Three 30000-byte headers: 90 KB of header block, over the client's 64 KiB cap.
  server.on("/padded", [](const golive::testing::TestRequest&) {
    golive::testing::TestReply reply;
    for (int i = 0; i < 3; ++i) reply.headers.emplace_back("X-Pad-" + std::to_string(i), std::string(30000, 'p'));
    reply.body = "ok";
    return reply;
  });
  NativeHttpClient client(io);
  const HttpResponse response = send_and_wait(io, client, get(server.url("/padded")));
  EXPECT_EQ(response.error, HttpErrorCategory::kTooLarge) << response.error_message;
  EXPECT_EQ(send_and_wait(io, client, get(server.url("/ok"))).status, 200);
}

TEST_F(NativeHttpClientTest, BodyOverTheCapIsTooLarge) {
  NativeHttpClient client(io);
  HttpRequest declared = get(server.url("/large/100000"));
  declared.max_response_bytes = 1000;
  EXPECT_EQ(send_and_wait(io, client, declared).error, HttpErrorCategory::kTooLarge);

  HttpRequest chunked = get(server.url("/chunked/100000"));
  chunked.max_response_bytes = 1000;
  const HttpResponse capped = send_and_wait(io, client, chunked);
  EXPECT_EQ(capped.error, HttpErrorCategory::kTooLarge) << capped.error_message;
  EXPECT_LE(capped.body.size(), 1000u);

  HttpRequest fits = get(server.url("/large/1000"));
  fits.max_response_bytes = 1000;
  EXPECT_EQ(send_and_wait(io, client, fits).body.size(), 1000u);
}

TEST_F(NativeHttpClientTest, CancelAllCompletesEveryInFlightRequest) {
  HttpEngineOptions options;
  options.max_connections_per_host = 3;  // two of the five wait in the queue
  NativeHttpClient client(io, options);
  int cancelled = 0;
  for (int i = 0; i < 5; ++i) {
    client.send(get(server.url("/never")), [&](HttpResponse&& response) {
      if (response.error == HttpErrorCategory::kCancelled) ++cancelled;
    });
  }
  ASSERT_TRUE(run_until(io, [&] { return server.requests_received() == 3; }));
  client.cancel_all();
  EXPECT_EQ(client.in_flight(), 0u);
  EXPECT_EQ(client.open_connections(), 0u);
  EXPECT_EQ(cancelled, 0);  // posted, not run inside cancel_all()
  ASSERT_TRUE(run_until(io, [&] { return cancelled == 5; }));
  EXPECT_EQ(send_and_wait(io, client, get(server.url("/ok"))).status, 200);
}

TEST_F(NativeHttpClientTest, HostAllowlistRefusesOtherHostsWithoutConnecting) {
  HttpEngineOptions options;
  options.host_allowed = [](std::string_view host) { return host == "127.0.0.1"; };
  NativeHttpClient client(io, options);

  bool called = false;
  std::optional<HttpResponse> refused;
  client.send(get("http://LocalHost:" + std::to_string(server.port()) + "/ok"), [&](HttpResponse&& response) {
    called = true;
    refused = std::move(response);
  });
  EXPECT_FALSE(called);  // never inside send()
  ASSERT_TRUE(run_until(io, [&] { return refused.has_value(); }));
  EXPECT_EQ(refused->error, HttpErrorCategory::kNotAllowed);
  EXPECT_NE(refused->error_message.find("localhost"), std::string::npos);

  EXPECT_EQ(send_and_wait(io, client, get("file:///etc/passwd")).error, HttpErrorCategory::kNotAllowed);
  EXPECT_EQ(send_and_wait(io, client, get("https://127.0.0.1/")).error, HttpErrorCategory::kNotAllowed);
  EXPECT_EQ(server.connections_accepted(), 0u);
  EXPECT_EQ(send_and_wait(io, client, get(server.url("/ok"))).status, 200);
}

TEST_F(NativeHttpClientTest, LineBreaksInRequestTextAreRefusedNotSent) {
  NativeHttpClient client(io);
  HttpRequest header = get(server.url("/ok"));
  header.headers = {{"X-Test", "a\r\nX-Injected: 1"}};
  EXPECT_EQ(send_and_wait(io, client, header).error, HttpErrorCategory::kOther);
  HttpRequest method = get(server.url("/ok"));
  method.method = "GET / HTTP/1.1\r\n";
  EXPECT_EQ(send_and_wait(io, client, method).error, HttpErrorCategory::kOther);
  EXPECT_EQ(send_and_wait(io, client, get(server.url("/ok x"))).error, HttpErrorCategory::kOther);
  EXPECT_EQ(server.requests_received(), 0u);
}

TEST_F(NativeHttpClientTest, HostNamesAreResolved) {
  NativeHttpClient client(io);
  const HttpResponse response =
      send_and_wait(io, client, get("http://localhost:" + std::to_string(server.port()) + "/ok"));
  // localhost may resolve to ::1 first; the server listens on 127.0.0.1 only, so the client
  // must try every resolved address.
  EXPECT_EQ(response.status, 200) << response.error_message;
  EXPECT_GE(response.timing.dns_ms, 0.0);
}

TEST_F(NativeHttpClientTest, TimingBreakdownIsMonotonic) {
  NativeHttpClient client(io);
  for (int i = 0; i < 2; ++i) {  // a fresh connection, then a reused one
    const HttpResponse response = send_and_wait(io, client, get(server.url("/delay/30")));
    ASSERT_EQ(response.status, 200);
    const HttpTiming& t = response.timing;
    EXPECT_GE(t.dns_ms, 0.0);
    EXPECT_LE(t.dns_ms, t.connect_ms);
    EXPECT_LE(t.connect_ms, t.tls_ms);
    EXPECT_LE(t.tls_ms, t.first_byte_ms);
    EXPECT_LE(t.first_byte_ms, t.total_ms);
    EXPECT_GE(t.first_byte_ms, 29.0);
    EXPECT_LT(t.total_ms, 2000.0);
    if (i == 0) {
      EXPECT_GT(t.connect_ms, 0.0);  // a fresh connection
    } else {
      EXPECT_EQ(t.connect_ms, 0.0);  // reused: no connect phase
    }
  }
}

TEST_F(NativeHttpClientTest, DestroyingWithRequestsInFlightCallsNothingBack) {
  int called = 0;
  {
    NativeHttpClient client(io);
    for (int i = 0; i < 20; ++i) {
      client.send(get(server.url(i % 2 ? "/never" : "/ok")), [&](HttpResponse&&) { ++called; });
    }
    ASSERT_TRUE(run_until(io, [&] { return server.requests_received() >= 20 && called == 10; }));
  }
  io.restart();
  io.run_for(50ms);  // handlers queued for the dead client must be harmless no-ops
  EXPECT_EQ(called, 10);
}

// A raw server that answers each connection's first request with keep-alive
// headers and then closes it, the way a server's idle timeout does.
class ClosingAfterOneServer {
 public:
  ClosingAfterOneServer() {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ::listen(listener_, 16);
    socklen_t length = sizeof address;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~ClosingAfterOneServer() {
    stop_ = true;
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    thread_.join();
  }
  unsigned short port() const { return port_; }
  int accepted() const { return accepted_.load(); }

 private:
  void serve() {
    while (!stop_) {
      const int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) return;
      ++accepted_;
      std::string request;
      char buffer[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n <= 0) break;
        request.append(buffer, static_cast<std::size_t>(n));
      }
      const std::string reply = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok";
      (void)!::write(fd, reply.data(), reply.size());
      ::close(fd);
    }
  }
  int listener_ = -1;
  unsigned short port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::thread thread_;
};

TEST_F(NativeHttpClientTest, StaleIdleConnectionIsRetriedOnceOnAFreshOne) {
  ClosingAfterOneServer closing;
  NativeHttpClient client(io);
  const std::string url = "http://127.0.0.1:" + std::to_string(closing.port()) + "/";
  for (int i = 0; i < 3; ++i) {
    const HttpResponse response = send_and_wait(io, client, get(url));
    EXPECT_EQ(response.status, 200) << i << ": " << response.error_message;
    EXPECT_EQ(response.body, "ok");
    std::this_thread::sleep_for(20ms);  // the server's close reaches the idle connection
  }
  EXPECT_EQ(closing.accepted(), 3);
}

}  // namespace
}  // namespace golive::core
