// The https:// half of the http::HttpClient contract, one typed test body
// over CurlHttpClient and NativeHttpClient against real TLS servers on
// 127.0.0.1: TestTlsServer (a certificate made in memory for IP 127.0.0.1,
// its own private CA, trusted only through tls.ca_file) and a server that
// closes the connection in the middle of the handshake.
//   - a trusted private CA: 200, the handshake timed on its own, the
//     connection and its TLS session kept for the next request;
//   - an untrusted certificate and a certificate for another host: kTls, nothing answered;
//   - a server that hangs up mid-handshake: kTls;
//   - ALPN: a server that selects http/1.1 and one that answers no ALPN at
//     all are both spoken to in HTTP/1.1;
//   - a reconnect (the server closes after each response) resumes the session
//     (a ticket) instead of a full handshake;
//   - tls.insecure is an explicit opt-in; tls.min_version applies.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <string>
#include <thread>

#include "tests/support/http_client_test_helpers.hpp"
#include "tests/support/http_client_traits.hpp"
#include "tests/support/test_tls_server.hpp"

namespace golive::core {
namespace {

using golive::testing::ClientName;
using golive::testing::ClientTraits;
using golive::testing::get;
using golive::testing::send_and_wait;
using golive::testing::TestTlsServer;

// Accepts TCP connections on 127.0.0.1, reads the first bytes the client
// sends (its ClientHello) and closes: a TLS server dying mid-handshake.
class HandshakeDroppingServer {
 public:
  HandshakeDroppingServer() {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ::listen(listener_, 16);
    socklen_t length = sizeof address;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] {
      while (true) {
        const int connection = ::accept(listener_, nullptr, nullptr);
        if (connection < 0) return;  // shut down
        char hello[512];
        if (::recv(connection, hello, sizeof hello, 0) > 0) ++hellos_;
        ::close(connection);
      }
    });
  }
  ~HandshakeDroppingServer() {
    ::shutdown(listener_, SHUT_RDWR);  // accept() returns
    thread_.join();
    ::close(listener_);
  }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_) + "/ok"; }
  std::size_t hellos() const { return hellos_.load(); }

 private:
  int listener_ = -1;
  unsigned short port_ = 0;
  std::atomic<std::size_t> hellos_{0};
  std::thread thread_;
};

template <typename Client>
class HttpClientTlsContractTest : public ::testing::Test {
 protected:
  using Traits = ClientTraits<Client>;

  http::ClientOptions trusting(const TestTlsServer& server) {
    http::ClientOptions options;
    options.tls.ca_file = server.ca_file();
    return options;
  }

  boost::asio::io_context io{1};
};

using Clients = ::testing::Types<http::CurlHttpClient, http::NativeHttpClient>;
TYPED_TEST_SUITE(HttpClientTlsContractTest, Clients, ClientName);

TYPED_TEST(HttpClientTlsContractTest, PrivateCaIsTrustedHandshakeIsTimedAndKept) {
  TestTlsServer server;
  TypeParam client(this->io, this->trusting(server));
  const http::HttpResponse first = send_and_wait(this->io, client, get(server.url("/ok")));
  ASSERT_EQ(first.error, http::HttpErrorCategory::kNone) << first.error_message;
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.body, "ok");
  EXPECT_TRUE(first.timing.new_connection);
  EXPECT_GT(first.timing.handshake_ms, 0.0);
  EXPECT_GT(first.timing.tls_ms, first.timing.connect_ms);
  EXPECT_NEAR(first.timing.handshake_ms, first.timing.tls_ms - first.timing.connect_ms, 0.01);
  EXPECT_LE(first.timing.tls_ms, first.timing.first_byte_ms);

  const http::HttpResponse second = send_and_wait(this->io, client, get(server.url("/ok")));
  EXPECT_EQ(second.status, 200) << second.error_message;
  EXPECT_FALSE(second.timing.new_connection);
  EXPECT_EQ(second.timing.handshake_ms, 0.0);
  EXPECT_EQ(server.handshakes_completed(), 1u);  // one connection, one handshake
  EXPECT_EQ(server.requests_answered(), 2u);
}

TYPED_TEST(HttpClientTlsContractTest, UntrustedCertificateIsATlsError) {
  TestTlsServer server;
  TypeParam client(this->io);  // the system store does not know the test's private CA
  const http::HttpResponse response = send_and_wait(this->io, client, get(server.url("/ok")));
  EXPECT_EQ(response.error, http::HttpErrorCategory::kTls) << response.error_message;
  EXPECT_EQ(response.status, 0);
  EXPECT_FALSE(response.error_message.empty());
  EXPECT_EQ(server.requests_answered(), 0u);
}

TYPED_TEST(HttpClientTlsContractTest, CertificateForAnotherHostIsATlsError) {
  TestTlsServer server;  // its certificate names IP 127.0.0.1 only
  TypeParam client(this->io, this->trusting(server));
  const http::HttpResponse response = send_and_wait(
      this->io, client, get("https://localhost:" + std::to_string(server.port()) + "/ok"));
  EXPECT_EQ(response.error, http::HttpErrorCategory::kTls) << response.error_message;
  EXPECT_EQ(server.requests_answered(), 0u);
}

TYPED_TEST(HttpClientTlsContractTest, ServerClosingMidHandshakeIsATlsError) {
  HandshakeDroppingServer server;
  TypeParam client(this->io);
  const http::HttpResponse response = send_and_wait(this->io, client, get(server.url()));
  EXPECT_EQ(response.error, http::HttpErrorCategory::kTls) << response.error_message;
  EXPECT_EQ(response.status, 0);
  EXPECT_GE(server.hellos(), 1u);  // the client got as far as its ClientHello
}

TYPED_TEST(HttpClientTlsContractTest, AlpnSelectingHttp11AndNoAlpnBothSpeakHttp11) {
  TestTlsServer selecting(TestTlsServer::Alpn::kHttp11);
  TestTlsServer silent(TestTlsServer::Alpn::kNone);
  http::ClientOptions options = this->trusting(selecting);
  TypeParam selecting_client(this->io, options);
  const http::HttpResponse negotiated = send_and_wait(this->io, selecting_client, get(selecting.url("/ok")));
  EXPECT_EQ(negotiated.status, 200) << negotiated.error_message;
  EXPECT_EQ(selecting.alpn_http11_selected(), 1u);  // the client offered http/1.1 and got it

  TypeParam silent_client(this->io, this->trusting(silent));
  const http::HttpResponse fallback = send_and_wait(this->io, silent_client, get(silent.url("/ok")));
  EXPECT_EQ(fallback.status, 200) << fallback.error_message;
  EXPECT_EQ(silent.alpn_http11_selected(), 0u);
  EXPECT_EQ(silent.handshakes_completed(), 1u);
}

TYPED_TEST(HttpClientTlsContractTest, ReconnectResumesTheTlsSession) {
  TestTlsServer server;
  TypeParam client(this->io, this->trusting(server));
  for (int i = 0; i < 3; ++i) {
    http::HttpRequest request = get(server.url("/ok"));
    request.headers = {{"Connection", "close"}};  // a new connection (and handshake) each time
    const http::HttpResponse response = send_and_wait(this->io, client, request);
    ASSERT_EQ(response.status, 200) << response.error_message;
    EXPECT_TRUE(response.timing.new_connection);
    if constexpr (TestFixture::Traits::kReportsTlsResumption) {
      EXPECT_EQ(response.timing.tls_resumed, i > 0) << "request " << i;
    }
  }
  EXPECT_EQ(server.handshakes_completed(), 3u);
  EXPECT_EQ(server.handshakes_resumed(), 2u);  // only the first one was a full handshake
}

TYPED_TEST(HttpClientTlsContractTest, InsecureIsAnExplicitOptInAndMinVersionApplies) {
  TestTlsServer server;
  EXPECT_FALSE(http::ClientOptions{}.tls.insecure);
  http::ClientOptions insecure;
  insecure.tls.insecure = true;
  TypeParam unverifying(this->io, insecure);
  EXPECT_EQ(send_and_wait(this->io, unverifying, get(server.url("/ok"))).status, 200);

  http::ClientOptions modern = this->trusting(server);
  modern.tls.min_version = "1.3";
  TypeParam strict(this->io, modern);
  const http::HttpResponse response = send_and_wait(this->io, strict, get(server.url("/ok")));
  EXPECT_EQ(response.status, 200) << response.error_message;
}

}  // namespace
}  // namespace golive::core
