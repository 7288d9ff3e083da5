// What only NativeHttpClient does, against real servers on 127.0.0.1: a request
// waiting in the pool's queue times out on its own budget, a zero timeout means
// none, its 64 KiB header cap, https refused, CR/LF in request text refused
// (also when the URL is the one parsed last time), repeated and alternating
// URLs each reaching their own target,
// host names resolved, the retry of a request whose idle connection the
// server had closed, an idle connection retired as soon as the server closes
// it, and a connection retired when its response ends before its upload did.
// Behaviour shared with CurlHttpClient (methods, bodies,
// keep-alive reuse, limits, error categories, cancel_all, allowlist, timing,
// descriptor hygiene) is asserted for both in http_client_contract_test.cpp.
#include "http/native/native_http_client.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "tests/support/http_client_test_helpers.hpp"
#include "tests/support/test_http_server.hpp"

namespace golive::core {
namespace {

using namespace std::chrono_literals;
using golive::testing::get;
using golive::testing::run_until;
using golive::testing::send_and_wait;
using golive::testing::TestHttpServer;

class NativeHttpClientTest : public ::testing::Test {
 protected:
  TestHttpServer server;
  boost::asio::io_context io{1};
};

TEST_F(NativeHttpClientTest, RequestWaitingForAConnectionTimesOutOnItsOwnBudget) {
  http::ClientOptions options;
  options.max_connections_per_host = 1;
  http::NativeHttpClient client(io, options);
  http::HttpRequest blocker = get(server.url("/delay/2000"));
  std::optional<http::HttpResponse> blocked;
  client.send(blocker, [&](http::HttpResponse&& response) { blocked = std::move(response); });
  http::HttpRequest queued = get(server.url("/ok"));
  queued.timeout = 150ms;  // the only connection stays busy for 2 s
  const auto started = std::chrono::steady_clock::now();
  const http::HttpResponse response = send_and_wait(io, client, queued);
  EXPECT_EQ(response.error, http::HttpErrorCategory::kTimeout) << response.error_message;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1500ms);
  ASSERT_TRUE(run_until(io, [&] { return blocked.has_value(); }));
  EXPECT_EQ(blocked->status, 200);
  EXPECT_EQ(server.requests_received(), 1u);  // the timed-out request never left
}

TEST_F(NativeHttpClientTest, ZeroTimeoutMeansNone) {
  http::NativeHttpClient client(io);
  http::HttpRequest request = get(server.url("/delay/100"));
  request.timeout = 0ms;
  const http::HttpResponse response = send_and_wait(io, client, request);
  EXPECT_EQ(response.status, 200) << response.error_message;
}

// Under curl's 100 KB header limit but over NativeHttpClient::kMaxHeaderBytes
// (the 1 MB header case is in http_client_contract_test.cpp).
TEST_F(NativeHttpClientTest, HeaderBlockOverTheNativeCapIsTooLarge) {
  // Three 30000-byte headers: 90 KB of header block, over the client's 64 KiB cap.
  server.on("/padded", [](const golive::testing::TestRequest&) {
    golive::testing::TestReply reply;
    for (int i = 0; i < 3; ++i) reply.headers.emplace_back("X-Pad-" + std::to_string(i), std::string(30000, 'p'));
    reply.body = "ok";
    return reply;
  });
  http::NativeHttpClient client(io);
  const http::HttpResponse response = send_and_wait(io, client, get(server.url("/padded")));
  EXPECT_EQ(response.error, http::HttpErrorCategory::kTooLarge) << response.error_message;
  EXPECT_EQ(send_and_wait(io, client, get(server.url("/ok"))).status, 200);
}

// https:// to a server that speaks plain HTTP fails the handshake as kTls;
// a scheme other than http(s) is refused before any connection.
TEST_F(NativeHttpClientTest, HttpsToAPlainServerIsATlsErrorAndOtherSchemesAreRefused) {
  http::NativeHttpClient client(io);
  const http::HttpResponse response =
      send_and_wait(io, client, get("https://127.0.0.1:" + std::to_string(server.port()) + "/ok"));
  EXPECT_EQ(response.error, http::HttpErrorCategory::kTls) << response.error_message;
  EXPECT_EQ(response.status, 0);
  const std::size_t accepted = server.connections_accepted();
  EXPECT_EQ(send_and_wait(io, client, get("ftp://127.0.0.1:" + std::to_string(server.port()) + "/ok")).error,
            http::HttpErrorCategory::kNotAllowed);
  EXPECT_EQ(server.connections_accepted(), accepted);
}

TEST_F(NativeHttpClientTest, LineBreaksInRequestTextAreRefusedNotSent) {
  http::NativeHttpClient client(io);
  http::HttpRequest header = get(server.url("/ok"));
  header.headers = {{"X-Test", "a\r\nX-Injected: 1"}};
  EXPECT_EQ(send_and_wait(io, client, header).error, http::HttpErrorCategory::kOther);
  http::HttpRequest method = get(server.url("/ok"));
  method.method = "GET / HTTP/1.1\r\n";
  EXPECT_EQ(send_and_wait(io, client, method).error, http::HttpErrorCategory::kOther);
  const std::vector<http::HeaderList> unsafe_headers = {
      {{"X-Test", std::string("a\0b", 3)}}, {{"X-Te:st", "a"}}, {{"", "a"}}, {{"X-Test\n", "a"}}};
  for (const http::HeaderList& headers : unsafe_headers) {
    http::HttpRequest request = get(server.url("/ok"));
    request.headers = headers;
    EXPECT_EQ(send_and_wait(io, client, request).error, http::HttpErrorCategory::kOther) << headers[0].first;
  }
  http::HttpRequest spaced = get(server.url("/ok"));
  spaced.method = "GET X";
  EXPECT_EQ(send_and_wait(io, client, spaced).error, http::HttpErrorCategory::kOther);
  EXPECT_EQ(send_and_wait(io, client, get(server.url("/ok x"))).error, http::HttpErrorCategory::kOther);
  // The client parses a URL it sent last time only once: sent again, it is still refused.
  EXPECT_EQ(send_and_wait(io, client, get(server.url("/ok x"))).error, http::HttpErrorCategory::kOther);
  EXPECT_EQ(server.requests_received(), 0u);
}

// The client keeps the previous request's parsed URL: a repeated URL, a
// different path on the same origin and another origin each reach their own
// target and Host.
TEST_F(NativeHttpClientTest, RepeatedAndAlternatingUrlsReachTheirOwnTargets) {
  TestHttpServer other;
  http::NativeHttpClient client(io);
  const auto echoed = [&](const std::string& url) {
    const http::HttpResponse response = send_and_wait(io, client, get(url));
    EXPECT_EQ(response.status, 200) << url << ": " << response.error_message;
    return nlohmann::json::parse(response.body, nullptr, false);
  };
  for (int round = 0; round < 2; ++round) {
    EXPECT_EQ(echoed(server.url("/echo?a=1"))["target"], "/echo?a=1");
    EXPECT_EQ(echoed(server.url("/echo?a=1"))["target"], "/echo?a=1");
    EXPECT_EQ(echoed(server.url("/echo?b=2"))["target"], "/echo?b=2");
    const nlohmann::json elsewhere = echoed(other.url("/echo?c=3"));
    EXPECT_EQ(elsewhere["target"], "/echo?c=3");
    EXPECT_EQ(elsewhere["headers"]["host"], other.url("").substr(std::string("http://").size()));
  }
  EXPECT_EQ(server.requests_received(), 6u);
  EXPECT_EQ(other.requests_received(), 2u);
}

TEST_F(NativeHttpClientTest, HostNamesAreResolved) {
  http::NativeHttpClient client(io);
  const http::HttpResponse response =
      send_and_wait(io, client, get("http://localhost:" + std::to_string(server.port()) + "/ok"));
  // localhost may resolve to ::1 first; the server listens on 127.0.0.1 only, so the client
  // must try every resolved address.
  EXPECT_EQ(response.status, 200) << response.error_message;
  EXPECT_GE(response.timing.dns_ms, 0.0);
}

// A raw server that answers each connection's first request as soon as its
// header block has arrived, with keep-alive headers and `reply_status`, then:
// kCloseAfterReply closes the connection, the way a server's idle timeout
// does; kHoldWithoutReading keeps it open and never reads the request body,
// the way a server refusing an upload (413) answers before the body is in.
class OneReplyServer {
 public:
  enum class After { kCloseAfterReply, kHoldWithoutReading };

  explicit OneReplyServer(After after, int reply_status = 200) : after_(after), reply_status_(reply_status) {
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
  ~OneReplyServer() {
    stop_ = true;
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    thread_.join();
    for (int fd : held_) ::close(fd);
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
      const std::string body = reply_status_ == 200 ? "ok" : "";
      const std::string reply = "HTTP/1.1 " + std::to_string(reply_status_) +
                                " X\r\nContent-Length: " + std::to_string(body.size()) +
                                "\r\nConnection: keep-alive\r\n\r\n" + body;
      (void)!::write(fd, reply.data(), reply.size());
      if (after_ == After::kCloseAfterReply) {
        ::close(fd);
      } else {
        held_.push_back(fd);  // closed by the destructor; the body is never read
      }
    }
  }
  After after_;
  int reply_status_;
  int listener_ = -1;
  unsigned short port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::vector<int> held_;  // the serving thread's only; read after join
  std::thread thread_;
};

TEST_F(NativeHttpClientTest, StaleIdleConnectionIsRetriedOnceOnAFreshOne) {
  OneReplyServer closing(OneReplyServer::After::kCloseAfterReply);
  http::NativeHttpClient client(io);
  const std::string url = "http://127.0.0.1:" + std::to_string(closing.port()) + "/";
  for (int i = 0; i < 3; ++i) {
    const http::HttpResponse response = send_and_wait(io, client, get(url));
    EXPECT_EQ(response.status, 200) << i << ": " << response.error_message;
    EXPECT_EQ(response.body, "ok");
    std::this_thread::sleep_for(20ms);  // the server's close reaches the idle connection
  }
  EXPECT_EQ(closing.accepted(), 3);
}

// The idle connection keeps a readability wait: the server's close is noticed
// while nothing is on it, and the connection leaves the pool before reuse.
TEST_F(NativeHttpClientTest, IdleConnectionClosedByTheServerIsRetiredBeforeReuse) {
  OneReplyServer closing(OneReplyServer::After::kCloseAfterReply);
  http::NativeHttpClient client(io);
  const std::string url = "http://127.0.0.1:" + std::to_string(closing.port()) + "/";
  EXPECT_EQ(send_and_wait(io, client, get(url)).status, 200);
  EXPECT_TRUE(testing::eventually([&] {
    io.restart();
    io.run_for(10ms);
    return client.open_connections() == 0;
  }));
  const http::HttpResponse second = send_and_wait(io, client, get(url));
  EXPECT_EQ(second.status, 200) << second.error_message;
  EXPECT_GT(second.timing.connect_ms, 0);  // a fresh connection, not a retried stale one
  EXPECT_EQ(closing.accepted(), 2);
}

// The server answered while the request body was still being written: the
// response is delivered, and the connection, with a write still pending on it,
// is never offered to another request.
TEST_F(NativeHttpClientTest, ResponseBeforeTheUploadEndsRetiresTheConnection) {
  OneReplyServer refusing(OneReplyServer::After::kHoldWithoutReading, 413);
  http::NativeHttpClient client(io);
  http::HttpRequest upload;
  upload.method = "POST";
  upload.url = "http://127.0.0.1:" + std::to_string(refusing.port()) + "/upload";
  upload.body.assign(32 << 20, 'x');  // more than loopback's socket buffers take at once
  upload.timeout = 10s;
  const http::HttpResponse response = send_and_wait(io, client, upload);
  EXPECT_EQ(response.error, http::HttpErrorCategory::kNone) << response.error_message;
  EXPECT_EQ(response.status, 413);
  EXPECT_EQ(client.open_connections(), 0u);
  EXPECT_EQ(client.in_flight(), 0u);
}


}  // namespace
}  // namespace golive::core
