#include "http/native/native_tls.hpp"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <sys/socket.h>

#include <boost/asio/ip/address.hpp>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>

namespace golive::http {
namespace {

// The text of OpenSSL's most recent error (and clears the queue).
std::string openssl_error_text() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown TLS error";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

// SSL_get_error reads the thread's error queue, so it must be empty before
// each TLS operation; peeking first skips clearing all of its slots on the
// hot path, where it is almost always empty already.
void clear_stale_errors() {
  if (ERR_peek_error() != 0) ERR_clear_error();
}

// Takes every session ticket the server issues: the newest is the one the
// pool's next connection resumes. Returning 1 keeps the reference.
int on_new_session(SSL* ssl, SSL_SESSION* session) {
  auto* sink = static_cast<SslSessionPtr*>(SSL_get_app_data(ssl));
  if (sink == nullptr) return 0;
  sink->reset(session);
  return 1;
}

// A socket BIO whose writes never raise SIGPIPE: OpenSSL's own socket BIO
// write()s, and a write to a connection the server already closed (an HTTP/2
// WINDOW_UPDATE after its GOAWAY, a request on a connection it just dropped)
// would kill the process instead of failing the request. The descriptor is
// kept in the BIO's data and not owned.
int socket_bio_write(BIO* bio, const char* data, int length) {
  BIO_clear_retry_flags(bio);
  const int fd = static_cast<int>(reinterpret_cast<std::intptr_t>(BIO_get_data(bio)));
  const ssize_t sent = ::send(fd, data, static_cast<std::size_t>(length), MSG_NOSIGNAL);
  if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) BIO_set_retry_write(bio);
  return static_cast<int>(sent);
}

int socket_bio_read(BIO* bio, char* data, int length) {
  BIO_clear_retry_flags(bio);
  const int fd = static_cast<int>(reinterpret_cast<std::intptr_t>(BIO_get_data(bio)));
  const ssize_t received = ::recv(fd, data, static_cast<std::size_t>(length), 0);
  if (received == 0) BIO_set_flags(bio, BIO_FLAGS_IN_EOF);  // as OpenSSL's socket BIO: a bare EOF
  if (received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) BIO_set_retry_read(bio);
  return static_cast<int>(received);
}

long socket_bio_ctrl(BIO* bio, int command, long, void*) {
  switch (command) {
    case BIO_CTRL_FLUSH: return 1;
    case BIO_CTRL_EOF: return BIO_test_flags(bio, BIO_FLAGS_IN_EOF) != 0 ? 1 : 0;
    case BIO_C_GET_FD: return static_cast<long>(reinterpret_cast<std::intptr_t>(BIO_get_data(bio)));
    default: return 0;
  }
}

int socket_bio_create(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

int socket_bio_destroy(BIO*) { return 1; }  // the connection closes its own descriptor

struct BioMethodFree {
  void operator()(BIO_METHOD* method) const { BIO_meth_free(method); }
};

const BIO_METHOD* no_sigpipe_socket_method() {
  static const std::unique_ptr<BIO_METHOD, BioMethodFree> method = [] {
    BIO_METHOD* made = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR,
                                    "golive socket without SIGPIPE");
    BIO_meth_set_write(made, socket_bio_write);
    BIO_meth_set_read(made, socket_bio_read);
    BIO_meth_set_ctrl(made, socket_bio_ctrl);
    BIO_meth_set_create(made, socket_bio_create);
    BIO_meth_set_destroy(made, socket_bio_destroy);
    return std::unique_ptr<BIO_METHOD, BioMethodFree>(made);
  }();
  return method.get();
}

}  // namespace

NativeTlsContext::NativeTlsContext(const config::TlsSettings& settings, bool offer_h2)
    : verify_(!settings.insecure) {
  SslCtxPtr context(SSL_CTX_new(TLS_client_method()));
  if (!context) {
    error_ = "cannot create a TLS context: " + openssl_error_text();
    return;
  }
  SSL_CTX* ctx = context.get();
  // No SSL_MODE_RELEASE_BUFFERS: it frees and reallocates both 16 KiB record
  // buffers on every read and write of a busy connection. The connections
  // free them with release_buffers() once they are left idle instead.
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if (settings.min_version == "1.2") SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  if (settings.min_version == "1.3") SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
  const int alpn = offer_h2 ? SSL_CTX_set_alpn_protos(ctx, kNativeAlpnH2Http11, sizeof kNativeAlpnH2Http11)
                            : SSL_CTX_set_alpn_protos(ctx, kNativeAlpnHttp11, sizeof kNativeAlpnHttp11);
  if (alpn != 0) {
    error_ = "cannot offer ALPN: " + openssl_error_text();
    return;
  }
  if (verify_) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    const int loaded = settings.ca_file.empty()
                           ? SSL_CTX_set_default_verify_paths(ctx)
                           : SSL_CTX_load_verify_locations(ctx, settings.ca_file.c_str(), nullptr);
    if (loaded != 1) {
      error_ = "cannot load the trusted CAs" +
               (settings.ca_file.empty() ? std::string(" of the system store")
                                         : " from tls.ca_file " + settings.ca_file) +
               ": " + openssl_error_text();
      return;
    }
  } else {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  }
  if (!settings.client_cert.empty()) {
    const std::string& key = settings.client_key.empty() ? settings.client_cert : settings.client_key;
    if (SSL_CTX_use_certificate_chain_file(ctx, settings.client_cert.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1) {
      error_ = "cannot use tls.client_cert " + settings.client_cert + ": " + openssl_error_text();
      return;
    }
  }
  // Client sessions go to the connection's sink only; OpenSSL keeps no cache of its own.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_sess_set_new_cb(ctx, on_new_session);
  context_ = std::move(context);
}

bool NativeTlsStream::open(const NativeTlsContext& context, int fd, const std::string& host,
                           SslSessionPtr* session_sink, std::string& error) {
  reset();
  ERR_clear_error();
  SslPtr ssl(SSL_new(context.get()));
  BIO* socket_bio = ssl ? BIO_new(no_sigpipe_socket_method()) : nullptr;
  if (socket_bio == nullptr) {
    error = "cannot start TLS: " + openssl_error_text();
    return false;
  }
  BIO_set_data(socket_bio, reinterpret_cast<void*>(static_cast<std::intptr_t>(fd)));
  SSL_set_bio(ssl.get(), socket_bio, socket_bio);  // the SSL owns the BIO from here
  SSL_set_connect_state(ssl.get());
  boost::system::error_code not_an_address;
  boost::asio::ip::make_address(host, not_an_address);
  const bool ip_literal = !not_an_address;
  if (!ip_literal && SSL_set_tlsext_host_name(ssl.get(), host.c_str()) != 1) {  // SNI: names only
    error = "cannot set the TLS server name " + host + ": " + openssl_error_text();
    return false;
  }
  if (context.verifies_peer()) {
    const int checked = ip_literal ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl.get()), host.c_str())
                                   : SSL_set1_host(ssl.get(), host.c_str());
    if (checked != 1) {
      error = "cannot check the certificate against " + host + ": " + openssl_error_text();
      return false;
    }
  }
  SSL_set_app_data(ssl.get(), session_sink);
  if (session_sink != nullptr && *session_sink) SSL_set_session(ssl.get(), session_sink->get());
  ssl_ = std::move(ssl);
  return true;
}

NativeTlsStatus NativeTlsStream::handshake(std::string& error) {
  clear_stale_errors();
  const int result = SSL_do_handshake(ssl_.get());
  if (result == 1) return NativeTlsStatus::kDone;
  return status_of(result, "TLS handshake", error);
}

NativeTlsStatus NativeTlsStream::read(char* data, std::size_t size, std::size_t& transferred,
                                      std::string& error) {
  clear_stale_errors();
  transferred = 0;
  const int result = SSL_read_ex(ssl_.get(), data, size, &transferred);
  if (result == 1) return NativeTlsStatus::kDone;
  return status_of(result, "TLS read", error);
}

NativeTlsStatus NativeTlsStream::write(const char* data, std::size_t size, std::size_t& transferred,
                                       std::string& error) {
  clear_stale_errors();
  transferred = 0;
  const int result = SSL_write_ex(ssl_.get(), data, size, &transferred);
  if (result == 1) return NativeTlsStatus::kDone;
  return status_of(result, "TLS write", error);
}

NativeTlsStatus NativeTlsStream::status_of(int result, const char* operation, std::string& error) {
  const int saved_errno = errno;
  switch (SSL_get_error(ssl_.get(), result)) {
    case SSL_ERROR_WANT_READ: return NativeTlsStatus::kWantRead;
    case SSL_ERROR_WANT_WRITE: return NativeTlsStatus::kWantWrite;
    case SSL_ERROR_ZERO_RETURN: return NativeTlsStatus::kClosed;
    case SSL_ERROR_SYSCALL:
      if (ERR_peek_error() == 0 && (saved_errno == 0 || saved_errno == ECONNRESET)) {
        error = std::string(operation) + ": the peer closed the connection";
        return saved_errno == 0 ? NativeTlsStatus::kClosed : NativeTlsStatus::kFailed;
      }
      error = std::string(operation) + " failed: " +
              (ERR_peek_error() != 0 ? openssl_error_text() : std::strerror(saved_errno));
      return NativeTlsStatus::kFailed;
    case SSL_ERROR_SSL: {
      if (ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
        ERR_clear_error();
        error = std::string(operation) + ": the peer closed the connection without close_notify";
        return NativeTlsStatus::kClosed;
      }
      error = std::string(operation) + " failed: " + openssl_error_text();
      const long verified = SSL_get_verify_result(ssl_.get());
      if (verified != X509_V_OK) {
        error += " (certificate: " + std::string(X509_verify_cert_error_string(verified)) + ")";
      }
      return NativeTlsStatus::kFailed;
    }
    default:
      error = std::string(operation) + " failed: " + openssl_error_text();
      return NativeTlsStatus::kFailed;
  }
}

std::string NativeTlsStream::alpn() const {
  if (!ssl_) return {};
  const unsigned char* protocol = nullptr;
  unsigned int length = 0;
  SSL_get0_alpn_selected(ssl_.get(), &protocol, &length);
  return protocol == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(protocol), length);
}

void NativeTlsStream::reset() {
  if (!ssl_) return;
  SSL_set_app_data(ssl_.get(), nullptr);
  // A quiet shutdown sends nothing but marks the session as cleanly ended, so
  // OpenSSL does not invalidate it for resumption when the SSL is freed.
  if (SSL_is_init_finished(ssl_.get())) {
    SSL_set_quiet_shutdown(ssl_.get(), 1);
    SSL_shutdown(ssl_.get());
  }
  ERR_clear_error();
  ssl_.reset();
}

}  // namespace golive::http
