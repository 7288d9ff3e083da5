// TestTlsServer: an HTTPS server on 127.0.0.1 (a free port) with a fresh
// self-signed certificate for IP 127.0.0.1, for tests that prove TLS peers are
// verified: a client that trusts the system store must refuse it, a client
// given ca_file() must accept it. Every request gets 200 "ok" (keep-alive).
// The certificate (an EC P-256 key, valid one hour) is made in memory with
// OpenSSL; ca_file() is a temporary PEM file removed by the destructor.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <thread>

namespace golive::testing {

// A fresh self-signed certificate for IP 127.0.0.1 (EC P-256, valid one
// hour, its own CA) in PEM, for every TLS test server of tests/support.
struct LoopbackCertificate {
  std::string certificate_pem;
  std::string private_key_pem;
};
LoopbackCertificate make_loopback_certificate();
// Writes `contents` to a new /tmp file and returns its path (the caller removes it).
std::string write_temp_pem(const std::string& contents);

class TestTlsServer {
 public:
  // What the server answers a client's ALPN offer: nothing (a server that
  // predates ALPN), or "http/1.1" when the client offers it.
  enum class Alpn { kNone, kHttp11 };

  explicit TestTlsServer(Alpn alpn = Alpn::kNone);  // listening and serving when the constructor returns
  ~TestTlsServer();
  TestTlsServer(const TestTlsServer&) = delete;
  TestTlsServer& operator=(const TestTlsServer&) = delete;

  unsigned short port() const { return port_; }
  // "https://127.0.0.1:<port>" + path
  std::string url(const std::string& path) const;
  // PEM file holding the server's self-signed certificate (its own CA).
  const std::string& ca_file() const { return ca_file_; }

  std::size_t handshakes_completed() const { return handshakes_.load(); }
  std::size_t requests_answered() const { return answered_.load(); }
  // Handshakes that resumed an earlier session (a ticket), a subset of handshakes_completed().
  std::size_t handshakes_resumed() const { return resumed_.load(); }
  // Handshakes in which the server selected "http/1.1" by ALPN.
  std::size_t alpn_http11_selected() const { return alpn_http11_.load(); }

  struct Impl;  // Boost.Asio/Beast and OpenSSL stay out of test headers

 private:
  std::unique_ptr<Impl> impl_;
  std::thread thread_;
  unsigned short port_ = 0;
  std::string ca_file_;
  std::atomic<std::size_t> handshakes_{0};
  std::atomic<std::size_t> answered_{0};
  std::atomic<std::size_t> resumed_{0};
  std::atomic<std::size_t> alpn_http11_{0};
};

}  // namespace golive::testing
