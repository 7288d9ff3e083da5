// TLS for NativeHttpClient: RAII owners of OpenSSL's handles, the client's
// SSL_CTX built from the environment's TLS settings, and one connection's
// non-blocking TLS stream.
//
//   NativeTlsContext context(options.tls);        // once per client, on its first https:// URL
//   NativeTlsStream stream;
//   stream.open(context, fd, "api.example.com", pool_session, error);  // SNI + host check
//   switch (stream.handshake(error)) { case NativeTlsStatus::kWantRead: ... }
//
// The socket is non-blocking and watched by the client's readiness loop: an
// operation that reports kWantRead resumes when input arrives, kWantWrite when
// the socket is writable (either can follow any operation: a handshake waits
// for the server's flight, a read may have to send a key update).
//
// The context offers ALPN "http/1.1", or "h2,http/1.1" when asked (a server
// that answers no ALPN at all is spoken to in HTTP/1.1 too), verifies the
// peer against tls.ca_file or the system store (off only with tls.insecure,
// which the environment refuses in production), presents tls.client_cert,
// honours tls.min_version, lets a connection free its read and write buffers
// while it is idle (release_buffers(), SSL_free_buffers) and hands every
// session ticket the server issues to the stream's session sink, so the next
// connection to the same host resumes instead of running a full handshake.
//
// Internal to NativeHttpClient: nothing outside http/native/ includes this header.
#pragma once

#include <openssl/ssl.h>

#include <cstddef>
#include <memory>
#include <string>

#include "config/tls_settings.hpp"

namespace golive::http {

struct SslCtxFree {
  void operator()(SSL_CTX* context) const { SSL_CTX_free(context); }
};
struct SslFree {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};
struct SslSessionFree {
  void operator()(SSL_SESSION* session) const { SSL_SESSION_free(session); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;
using SslPtr = std::unique_ptr<SSL, SslFree>;
using SslSessionPtr = std::unique_ptr<SSL_SESSION, SslSessionFree>;

// The ALPN protocols offered, in wire format.
inline constexpr unsigned char kNativeAlpnHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
// HTTP/2 first, HTTP/1.1 as the fallback a server without h2 selects.
inline constexpr unsigned char kNativeAlpnH2Http11[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};

// The SSL_CTX of one client. A context that could not be built (an unreadable
// CA file, a key that does not match its certificate) keeps the reason:
// every https:// request of the client then fails with kTls and that text.
class NativeTlsContext {
 public:
  // offer_h2: ALPN offers "h2" before "http/1.1" (a scenario's http_version "2" or "auto").
  explicit NativeTlsContext(const config::TlsSettings& settings, bool offer_h2 = false);

  bool ok() const { return context_ != nullptr; }
  const std::string& error() const { return error_; }
  SSL_CTX* get() const { return context_.get(); }
  bool verifies_peer() const { return verify_; }

 private:
  SslCtxPtr context_;
  std::string error_;
  bool verify_ = true;
};

// What one TLS operation asks of the event loop.
enum class NativeTlsStatus {
  kDone,       // the operation completed (bytes read or written, handshake finished)
  kWantRead,   // call again when the socket is readable
  kWantWrite,  // call again when the socket is writable
  kClosed,     // the peer closed the connection (close_notify or a bare EOF)
  kFailed,     // a TLS or socket error; the text says which
};

// One connection's TLS state; empty until open(), empty again after reset().
class NativeTlsStream {
 public:
  NativeTlsStream() = default;
  ~NativeTlsStream() { reset(); }
  NativeTlsStream(const NativeTlsStream&) = delete;
  NativeTlsStream& operator=(const NativeTlsStream&) = delete;
  // Takes over `other`'s session (a connection handed to HTTP/2 after ALPN chose h2).
  void adopt(NativeTlsStream& other) {
    reset();
    ssl_ = std::move(other.ssl_);
  }

  // Starts a client session on the connected, non-blocking `fd`: SNI and the
  // certificate's host (or IP) check for `host`; resumes `*session_sink` when
  // it holds a session, and stores each new session the server issues there.
  // `session_sink` must outlive the stream or be cleared with reset() first.
  bool open(const NativeTlsContext& context, int fd, const std::string& host,
            SslSessionPtr* session_sink, std::string& error);
  bool active() const { return ssl_ != nullptr; }

  NativeTlsStatus handshake(std::string& error);
  // Decrypted bytes into [data, data + size); `transferred` is set on kDone.
  NativeTlsStatus read(char* data, std::size_t size, std::size_t& transferred, std::string& error);
  // Encrypts part or all of [data, data + size); `transferred` is set on kDone.
  NativeTlsStatus write(const char* data, std::size_t size, std::size_t& transferred,
                        std::string& error);

  // Decrypted bytes already buffered inside OpenSSL.
  std::size_t pending() const { return ssl_ ? static_cast<std::size_t>(SSL_pending(ssl_.get())) : 0; }
  // Frees the record buffers of a connection left idle (about 34 KiB);
  // OpenSSL keeps them while they hold bytes and allocates them again on the
  // next read or write. Busy connections keep theirs, so 10,000 connections
  // that wait between requests stay small without a buffer churn per request.
  void release_buffers() {
    if (ssl_) SSL_free_buffers(ssl_.get());
  }
  // The handshake resumed an earlier session (no certificate exchange).
  bool resumed() const { return ssl_ && SSL_session_reused(ssl_.get()) == 1; }
  // The ALPN protocol the server chose; empty when it chose none.
  std::string alpn() const;

  // Frees the session without sending close_notify (the socket is about to close).
  void reset();

 private:
  NativeTlsStatus status_of(int result, const char* operation, std::string& error);

  SslPtr ssl_;
};

}  // namespace golive::http
