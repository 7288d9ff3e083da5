#include "tests/support/test_h2_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <nghttp2/nghttp2.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <stdexcept>
#include <vector>

#include "tests/support/test_tls_server.hpp"

namespace golive::testing {

namespace {

struct SessionFree {
  void operator()(nghttp2_session* session) const { nghttp2_session_del(session); }
};
struct SslFree {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};
struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};

int select_h2(SSL*, const unsigned char** out, unsigned char* out_length, const unsigned char* in,
              unsigned int in_length, void*) {
  // Offered protocols are length-prefixed; pick "h2" when the client offers it.
  for (unsigned int i = 0; i < in_length; i += in[i] + 1u) {
    if (in[i] == 2 && i + 2 < in_length && in[i + 1] == 'h' && in[i + 2] == '2') {
      *out = in + i + 1;
      *out_length = 2;
      return SSL_TLSEXT_ERR_OK;
    }
  }
  return SSL_TLSEXT_ERR_NOACK;
}

}  // namespace

// One accepted connection: its TLS session (if any), nghttp2 server session and streams.
struct TestH2Server::Connection {
  struct Stream {
    std::string path;
    std::string request_body;
    std::string response_body;
    std::size_t sent = 0;
  };

  TestH2Server& server;
  int fd;
  std::unique_ptr<SSL, SslFree> ssl;
  std::unique_ptr<nghttp2_session, SessionFree> session;
  std::map<std::int32_t, Stream> streams;
  bool close_after_flush = false;
  std::vector<std::int32_t> gathered;  // "/gather" requests waiting for the client to pause

  bool write_all(const std::uint8_t* data, std::size_t length) {
    while (length > 0) {
      const int n = ssl ? SSL_write(ssl.get(), data, static_cast<int>(length))
                        : static_cast<int>(::send(fd, data, length, MSG_NOSIGNAL));
      if (n <= 0) return false;
      data += n;
      length -= static_cast<std::size_t>(n);
    }
    return true;
  }
  bool flush() {
    while (true) {
      const std::uint8_t* data = nullptr;
      const ssize_t length = nghttp2_session_mem_send(session.get(), &data);
      if (length < 0) return false;
      if (length == 0) return true;
      if (!write_all(data, static_cast<std::size_t>(length))) return false;
    }
  }

  static ssize_t read_body(nghttp2_session*, std::int32_t stream_id, std::uint8_t* buffer, std::size_t length,
                           std::uint32_t* flags, nghttp2_data_source*, void* self) {
    auto& connection = *static_cast<Connection*>(self);
    Stream& stream = connection.streams[stream_id];
    const std::size_t count = std::min(length, stream.response_body.size() - stream.sent);
    std::memcpy(buffer, stream.response_body.data() + stream.sent, count);
    stream.sent += count;
    if (stream.sent == stream.response_body.size()) *flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(count);
  }

  void answer(std::int32_t stream_id) {
    Stream& stream = streams[stream_id];
    if (stream.path == "/reset") {
      nghttp2_submit_rst_stream(session.get(), NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_INTERNAL_ERROR);
      return;
    }
    if (stream.path == "/goaway-once" && !server.goaway_sent_.exchange(true)) {
      // The first time only: GOAWAY saying no stream was processed, then close.
      nghttp2_submit_goaway(session.get(), NGHTTP2_FLAG_NONE, 0, NGHTTP2_NO_ERROR, nullptr, 0);
      close_after_flush = true;
      return;
    }
    if (stream.path == "/goaway") {
      nghttp2_submit_goaway(session.get(), NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_INTERNAL_ERROR, nullptr, 0);
      close_after_flush = true;
      return;
    }
    if (stream.path == "/never") return;  // the stream stays open until the client resets it
    if (stream.path == "/gather") {
      gathered.push_back(stream_id);
      return;
    }
    respond_ok(stream_id);
  }

  void respond_ok(std::int32_t stream_id) {
    Stream& stream = streams[stream_id];
    stream.response_body = stream.path == "/echo" ? stream.request_body : std::string("ok");
    static const std::string kStatus = ":status", kOk = "200", kType = "content-type", kText = "text/plain",
                             kProtocol = "x-protocol", kH2 = "h2";
    auto pair = [](const std::string& name, const std::string& value) {
      return nghttp2_nv{reinterpret_cast<std::uint8_t*>(const_cast<char*>(name.data())),
                        reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())), name.size(),
                        value.size(), NGHTTP2_NV_FLAG_NONE};
    };
    const nghttp2_nv headers[] = {pair(kStatus, kOk), pair(kType, kText), pair(kProtocol, kH2)};
    nghttp2_data_provider body{};
    body.read_callback = &Connection::read_body;
    nghttp2_submit_response(session.get(), stream_id, headers, std::size(headers), &body);
    ++server.answered_;
  }

  static int on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* self) {
    if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
      auto& connection = *static_cast<Connection*>(self);
      connection.streams[frame->hd.stream_id] = Stream{};
      std::size_t peak = connection.server.peak_streams_.load();
      while (connection.streams.size() > peak &&
             !connection.server.peak_streams_.compare_exchange_weak(peak, connection.streams.size())) {
      }
    }
    return 0;
  }
  static int on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name,
                       std::size_t name_length, const std::uint8_t* value, std::size_t value_length,
                       std::uint8_t, void* self) {
    if (std::string_view(reinterpret_cast<const char*>(name), name_length) == ":path") {
      static_cast<Connection*>(self)->streams[frame->hd.stream_id].path.assign(
          reinterpret_cast<const char*>(value), value_length);
    }
    return 0;
  }
  static int on_data(nghttp2_session*, std::uint8_t, std::int32_t stream_id, const std::uint8_t* data,
                     std::size_t length, void* self) {
    static_cast<Connection*>(self)->streams[stream_id].request_body.append(reinterpret_cast<const char*>(data),
                                                                             length);
    return 0;
  }
  static int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* self) {
    auto& connection = *static_cast<Connection*>(self);
    if ((frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) &&
        (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0 && connection.streams.count(frame->hd.stream_id) != 0) {
      connection.answer(frame->hd.stream_id);
    }
    return 0;
  }
  static int on_stream_close(nghttp2_session*, std::int32_t stream_id, std::uint32_t, void* self) {
    static_cast<Connection*>(self)->streams.erase(stream_id);
    return 0;
  }
  static int on_frame_not_sent(nghttp2_session*, const nghttp2_frame*, int, void*) { return 0; }
  static int on_invalid_frame(nghttp2_session*, const nghttp2_frame* frame, int error, void* self) {
    if (frame->hd.type == NGHTTP2_HEADERS && error == NGHTTP2_ERR_PROTO) ++static_cast<Connection*>(self)->server.refused_;
    return 0;
  }

  void run() {
    nghttp2_session_callbacks* callbacks = nullptr;
    nghttp2_session_callbacks_new(&callbacks);
    nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, &on_begin_headers);
    nghttp2_session_callbacks_set_on_header_callback(callbacks, &on_header);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, &on_data);
    nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, &on_frame_recv);
    nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, &on_stream_close);
    nghttp2_session_callbacks_set_on_invalid_frame_recv_callback(callbacks, &on_invalid_frame);
    nghttp2_session* made = nullptr;
    nghttp2_session_server_new(&made, callbacks, this);
    nghttp2_session_callbacks_del(callbacks);
    session.reset(made);
    const nghttp2_settings_entry settings[] = {
        {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, server.max_concurrent_streams_}};
    nghttp2_submit_settings(made, NGHTTP2_FLAG_NONE, settings, std::size(settings));
    std::uint8_t buffer[16 * 1024];
    while (flush() && !close_after_flush) {
      if (!nghttp2_session_want_read(made) && !nghttp2_session_want_write(made)) break;
      if (!gathered.empty()) {
        bool more = ssl && SSL_pending(ssl.get()) > 0;
        if (!more) {
          pollfd readable{fd, POLLIN, 0};
          more = ::poll(&readable, 1, 20) > 0;
        }
        if (!more) {  // the client sent all it will before an answer: answer everything gathered
          for (std::int32_t id : gathered) respond_ok(id);
          gathered.clear();
          continue;
        }
      }
      const int n = ssl ? SSL_read(ssl.get(), buffer, sizeof buffer)
                        : static_cast<int>(::recv(fd, buffer, sizeof buffer, 0));
      if (n <= 0) break;
      if (nghttp2_session_mem_recv(made, buffer, static_cast<std::size_t>(n)) < 0) break;
    }
    flush();
  }
};

TestH2Server::TestH2Server(Transport transport, std::uint32_t max_concurrent_streams)
    : transport_(transport), max_concurrent_streams_(max_concurrent_streams) {
  if (transport_ == Transport::kTls) {
    const LoopbackCertificate certificate = make_loopback_certificate();
    ca_file_ = write_temp_pem(certificate.certificate_pem);
    SSL_CTX* context = SSL_CTX_new(TLS_server_method());
    tls_context_ = std::shared_ptr<void>(context, [](void* made) { SSL_CTX_free(static_cast<SSL_CTX*>(made)); });
    std::unique_ptr<BIO, BioFree> cert_bio(
        BIO_new_mem_buf(certificate.certificate_pem.data(), static_cast<int>(certificate.certificate_pem.size())));
    std::unique_ptr<BIO, BioFree> key_bio(
        BIO_new_mem_buf(certificate.private_key_pem.data(), static_cast<int>(certificate.private_key_pem.size())));
    X509* cert = PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr);
    EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr);
    const bool loaded = cert != nullptr && key != nullptr && SSL_CTX_use_certificate(context, cert) == 1 &&
                        SSL_CTX_use_PrivateKey(context, key) == 1;
    X509_free(cert);
    EVP_PKEY_free(key);
    if (!loaded) throw std::runtime_error("TestH2Server: cannot load its certificate");
    SSL_CTX_set_alpn_select_cb(context, &select_h2, nullptr);
  }
  listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
  const int one = 1;
  ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listener_, 128) != 0) {
    ::close(listener_);
    throw std::runtime_error("TestH2Server: cannot listen on 127.0.0.1");
  }
  socklen_t length = sizeof address;
  ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
  accept_thread_ = std::thread([this] { accept_loop(); });
}

TestH2Server::~TestH2Server() {
  stopping_.store(true);
  ::shutdown(listener_, SHUT_RDWR);  // accept() returns
  accept_thread_.join();
  ::close(listener_);
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mutex_);
    for (int fd : connection_fds_) ::shutdown(fd, SHUT_RDWR);  // blocked reads return
    threads.swap(connection_threads_);
  }
  for (std::thread& thread : threads) thread.join();
  for (int fd : connection_fds_) ::close(fd);
  if (!ca_file_.empty()) std::remove(ca_file_.c_str());
}

std::string TestH2Server::url(const std::string& path) const {
  return std::string(transport_ == Transport::kTls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) +
         path;
}

void TestH2Server::accept_loop() {
  while (!stopping_.load()) {
    const int fd = ::accept(listener_, nullptr, nullptr);
    if (fd < 0) return;
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ++accepted_;
    std::lock_guard lock(mutex_);
    connection_fds_.push_back(fd);
    connection_threads_.emplace_back([this, fd] { serve(fd); });
  }
}

void TestH2Server::serve(int fd) {
  // SSL_write on a connection the client already closed raises SIGPIPE in this
  // thread; blocked here, the write fails with EPIPE and the session ends.
  sigset_t pipe_signal;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_signal, nullptr);
  Connection connection{*this, fd, nullptr, nullptr, {}, false, {}};
  bool ready = true;
  if (transport_ == Transport::kTls) {
    connection.ssl.reset(SSL_new(static_cast<SSL_CTX*>(tls_context_.get())));
    SSL_set_fd(connection.ssl.get(), fd);
    ready = SSL_accept(connection.ssl.get()) == 1;
    ERR_clear_error();
  }
  if (ready) connection.run();
  connection.session.reset();
  connection.ssl.reset();
  ::shutdown(fd, SHUT_RDWR);  // the client sees the end now; the destructor closes the descriptor
}

}  // namespace golive::testing
