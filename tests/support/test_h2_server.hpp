// TestH2Server: an HTTP/2 server on 127.0.0.1 (a free port) built on
// nghttp2's server session, for the HTTP/2 half of the client contract and
// the HTTP/2 load tests. Cleartext (prior-knowledge h2c) or TLS (a fresh
// certificate for 127.0.0.1, trusted through ca_file(), ALPN selecting "h2").
// One thread per connection with blocking I/O; the destructor shuts every
// socket down and joins the threads.
//
//   TestH2Server server(TestH2Server::Transport::kTls);
//   client.send(get(server.url("/ok")), ...);   // 200 "ok", x-protocol: h2
//
// Paths: "/reset" answers RST_STREAM INTERNAL_ERROR; "/goaway" answers
// GOAWAY (INTERNAL_ERROR, its own stream as the last one processed) and
// closes the connection without a response; "/goaway-once" answers its first
// request with GOAWAY (NO_ERROR, last stream 0: nothing processed) and a close,
// later ones with 200 "ok"; "/gather" answers 200 "ok" only once the client
// has sent nothing for 20 ms, so every request it had in flight is an open
// stream at once (peak_open_streams()); "/never" is never answered;
// "/echo" returns the request
// body; anything else 200 "ok". The server advertises
// SETTINGS_MAX_CONCURRENT_STREAMS = max_concurrent_streams and refuses (with
// RST_STREAM REFUSED_STREAM, nghttp2's rule) streams beyond it.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace golive::testing {

class TestH2Server {
 public:
  enum class Transport { kCleartext, kTls };

  explicit TestH2Server(Transport transport = Transport::kCleartext, std::uint32_t max_concurrent_streams = 100);
  ~TestH2Server();
  TestH2Server(const TestH2Server&) = delete;
  TestH2Server& operator=(const TestH2Server&) = delete;

  unsigned short port() const { return port_; }
  // "http://127.0.0.1:<port>" or "https://..." + path
  std::string url(const std::string& path) const;
  // PEM of the server's self-signed certificate (kTls only; empty otherwise).
  const std::string& ca_file() const { return ca_file_; }

  std::size_t connections_accepted() const { return accepted_.load(); }
  std::size_t requests_answered() const { return answered_.load(); }
  // Streams the server refused because the client exceeded max_concurrent_streams.
  std::size_t streams_refused() const { return refused_.load(); }
  // The most streams open at once on one connection (requests begun, not yet closed).
  std::size_t peak_open_streams() const { return peak_streams_.load(); }

  struct Connection;  // nghttp2 and OpenSSL stay out of the header

 private:
  void accept_loop();
  void serve(int fd);

  Transport transport_;
  std::uint32_t max_concurrent_streams_;
  std::shared_ptr<void> tls_context_;  // SSL_CTX, kTls only
  int listener_ = -1;
  unsigned short port_ = 0;
  std::string ca_file_;
  std::thread accept_thread_;
  std::mutex mutex_;  // guards connection_fds_ and connection_threads_
  std::vector<int> connection_fds_;
  std::vector<std::thread> connection_threads_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::size_t> accepted_{0};
  std::atomic<std::size_t> answered_{0};
  std::atomic<std::size_t> refused_{0};
  std::atomic<std::size_t> peak_streams_{0};
  std::atomic<bool> goaway_sent_{false};  // "/goaway-once" already answered with GOAWAY

  friend struct Connection;
};

}  // namespace golive::testing
