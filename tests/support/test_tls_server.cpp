#include "tests/support/test_tls_server.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <future>
#include <stdexcept>
#include <vector>

namespace golive::testing {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct X509Deleter {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct ExtensionDeleter {
  void operator()(X509_EXTENSION* extension) const { X509_EXTENSION_free(extension); }
};

void require(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test TLS certificate: ") + what + " failed");
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(size));
}

struct SelfSignedCertificate {
  std::string certificate_pem;
  std::string private_key_pem;
};

// A self-signed certificate for IP 127.0.0.1, valid for one hour.
SelfSignedCertificate make_certificate() {
  std::unique_ptr<EVP_PKEY, PkeyDeleter> key(EVP_EC_gen("P-256"));
  require(key != nullptr, "EC key generation");
  std::unique_ptr<X509, X509Deleter> cert(X509_new());
  require(cert != nullptr, "X509_new");
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  require(X509_set_pubkey(cert.get(), key.get()) == 1, "X509_set_pubkey");
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);

  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, cert.get(), cert.get(), nullptr, nullptr, 0);
  for (const auto& [nid, value] : {std::pair{NID_subject_alt_name, "IP:127.0.0.1"},
                                   std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
    std::unique_ptr<X509_EXTENSION, ExtensionDeleter> extension(
        X509V3_EXT_conf_nid(nullptr, &context, nid, value));
    require(extension != nullptr, "X509 extension");
    require(X509_add_ext(cert.get(), extension.get(), -1) == 1, "X509_add_ext");
  }
  require(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0, "X509_sign");

  std::unique_ptr<BIO, BioDeleter> cert_bio(BIO_new(BIO_s_mem()));
  std::unique_ptr<BIO, BioDeleter> key_bio(BIO_new(BIO_s_mem()));
  require(PEM_write_bio_X509(cert_bio.get(), cert.get()) == 1, "PEM_write_bio_X509");
  require(PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1,
          "PEM_write_bio_PrivateKey");
  return {bio_text(cert_bio.get()), bio_text(key_bio.get())};
}

std::string write_temp_file(const std::string& contents) {
  char path[] = "/tmp/golive-test-ca-XXXXXX";
  const int fd = mkstemp(path);
  require(fd >= 0, "mkstemp");
  const bool written = ::write(fd, contents.data(), contents.size()) == static_cast<ssize_t>(contents.size());
  ::close(fd);
  require(written, "writing the CA file");
  return path;
}

}  // namespace

LoopbackCertificate make_loopback_certificate() {
  SelfSignedCertificate made = make_certificate();
  return {std::move(made.certificate_pem), std::move(made.private_key_pem)};
}

std::string write_temp_pem(const std::string& contents) { return write_temp_file(contents); }

struct TestTlsServer::Impl {
  explicit Impl(TestTlsServer& owner) : owner(owner), tls(asio::ssl::context::tls_server), acceptor(io) {}
  void accept_next();
  void count_handshake(SSL* ssl) {
    ++owner.handshakes_;
    if (SSL_session_reused(ssl) == 1) ++owner.resumed_;
    const unsigned char* protocol = nullptr;
    unsigned int length = 0;
    SSL_get0_alpn_selected(ssl, &protocol, &length);
    if (length == 8 && std::memcmp(protocol, "http/1.1", 8) == 0) ++owner.alpn_http11_;
  }
  void count_answer() { ++owner.answered_; }

  TestTlsServer& owner;
  asio::io_context io{1};
  asio::ssl::context tls;
  tcp::acceptor acceptor;
  std::vector<std::weak_ptr<void>> sessions;  // closed on stop
};

namespace {

// One TLS connection: handshake, then answer every request with 200 "ok".
class TlsSession : public std::enable_shared_from_this<TlsSession> {
 public:
  TlsSession(TestTlsServer::Impl& server, tcp::socket socket)
      : server_(server), stream_(std::move(socket), server.tls) {}

  void start() {
    stream_.async_handshake(asio::ssl::stream_base::server,
                            [self = shared_from_this()](boost::system::error_code error) {
                              if (error) return self->close();
                              self->on_handshake();
                            });
  }

  void close() {
    boost::system::error_code ignored;
    stream_.lowest_layer().close(ignored);
  }

 private:
  void on_handshake();
  void read_next_request() {
    request_ = {};
    http::async_read(stream_, buffer_, request_,
                     [self = shared_from_this()](boost::system::error_code error, std::size_t) {
                       if (error) return self->close();
                       self->answer();
                     });
  }
  void answer() {
    response_ = {http::status::ok, 11};
    response_.set(http::field::content_type, "text/plain");
    response_.body() = "ok";
    response_.keep_alive(request_.keep_alive());
    response_.prepare_payload();
    // Counted before the write: the client may read the answer (and the test
    // ask the count) before the write's completion handler runs.
    server_.count_answer();
    http::async_write(stream_, response_,
                      [self = shared_from_this()](boost::system::error_code error, std::size_t) {
                        self->on_answered(error);
                      });
  }
  void on_answered(boost::system::error_code error);

  TestTlsServer::Impl& server_;
  asio::ssl::stream<tcp::socket> stream_;
  boost::beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
};

void TlsSession::on_handshake() {
  server_.count_handshake(stream_.native_handle());
  read_next_request();
}

void TlsSession::on_answered(boost::system::error_code error) {
  if (error || !response_.keep_alive()) return close();
  read_next_request();
}

}  // namespace

void TestTlsServer::Impl::accept_next() {
  acceptor.async_accept([this](boost::system::error_code error, tcp::socket socket) {
    if (error) return;
    auto session = std::make_shared<TlsSession>(*this, std::move(socket));
    sessions.push_back(session);
    session->start();
    accept_next();
  });
}

namespace {

// Selects "http/1.1" when the client offers it; otherwise no ALPN at all.
int select_http11(SSL*, const unsigned char** out, unsigned char* out_length, const unsigned char* offered,
                  unsigned int offered_length, void*) {
  static const unsigned char kHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  unsigned char* chosen = nullptr;
  if (SSL_select_next_proto(&chosen, out_length, kHttp11, sizeof kHttp11, offered, offered_length) !=
      OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_NOACK;
  }
  *out = chosen;
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace

TestTlsServer::TestTlsServer(Alpn alpn) : impl_(std::make_unique<Impl>(*this)) {
  if (alpn == Alpn::kHttp11) SSL_CTX_set_alpn_select_cb(impl_->tls.native_handle(), select_http11, nullptr);
  const SelfSignedCertificate certificate = make_certificate();
  ca_file_ = write_temp_file(certificate.certificate_pem);
  impl_->tls.use_certificate_chain(asio::buffer(certificate.certificate_pem));
  impl_->tls.use_private_key(asio::buffer(certificate.private_key_pem), asio::ssl::context::pem);

  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  port_ = impl_->acceptor.local_endpoint().port();
  impl_->accept_next();
  thread_ = std::thread([this] { impl_->io.run(); });
}

TestTlsServer::~TestTlsServer() {
  std::promise<void> stopped;
  asio::post(impl_->io, [this, &stopped] {
    boost::system::error_code ignored;
    impl_->acceptor.close(ignored);
    for (auto& weak : impl_->sessions) {
      if (auto session = std::static_pointer_cast<TlsSession>(weak.lock())) session->close();
    }
    impl_->io.stop();
    stopped.set_value();
  });
  stopped.get_future().wait();
  thread_.join();
  std::remove(ca_file_.c_str());
}

std::string TestTlsServer::url(const std::string& path) const {
  return "https://127.0.0.1:" + std::to_string(port_) + path;
}

}  // namespace golive::testing
