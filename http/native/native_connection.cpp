#include "http/native/native_connection.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <cstring>
#include <string_view>
#include <utility>

#include "core/ascii_case.hpp"
#include "http/native/native_host_pool.hpp"
#include "http/native/native_http_client.hpp"
#include "http/native/native_http_request.hpp"

namespace golive::http {

using Clock = NativeClock;
using boost::asio::ip::tcp;

NativeHttpClient& NativeConnection::client() {
  return *pool_->client;
}

void NativeConnection::start(NativeExchange&& exchange) {
  exchange_ = std::move(exchange);
  has_exchange_ = true;
  response_ = HttpResponse{};
  parser_.reset(&response_, core::equals_ignoring_case(exchange_.request.method, "head"),
                exchange_.request.max_response_bytes, NativeHttpClient::kMaxHeaderBytes,
                !exchange_.request.discard_response);

  write_request_text(exchange_.request, exchange_.target, pool_->host_header,
                     client().options_.user_agent, out_);

  if (connected_) {
    arm_timer(exchange_.deadline);
    write_request();
  } else {
    connect();
  }
}

void NativeConnection::connect() {
  connecting_ = true;
  arm_timer(std::min(exchange_.deadline, Clock::now() + client().options_.connect_timeout));
  if (!pool_->endpoints.empty()) {
    connect_to_endpoints();
    return;
  }
  boost::system::error_code parse_error;
  const auto address = boost::asio::ip::make_address(pool_->host, parse_error);
  if (!parse_error) {
    pool_->endpoints.emplace_back(address, pool_->port);
    connect_to_endpoints();
    return;
  }
  resolver_.async_resolve(pool_->host, std::to_string(pool_->port),
                          [self = shared_from_this()](const boost::system::error_code& error,
                                                      const tcp::resolver::results_type& results) {
                            self->on_resolved(error, results);
                          });
}

void NativeConnection::on_resolved(const boost::system::error_code& error,
                                   const tcp::resolver::results_type& results) {
  if (pool_ == nullptr || !has_exchange_) return;
  if (error || results.empty()) {
    fail(HttpErrorCategory::kDns, "could not resolve " + pool_->host + ": " + error.message());
    return;
  }
  pool_->endpoints.clear();
  for (const auto& entry : results) pool_->endpoints.push_back(entry.endpoint());
  response_.timing.dns_ms = native_ms_since(exchange_.started, Clock::now());
  connect_to_endpoints();
}

void NativeConnection::connect_to_endpoints() {
  boost::asio::async_connect(
      socket_, pool_->endpoints,
      [self = shared_from_this()](const boost::system::error_code& error, const tcp::endpoint&) {
        self->on_connected(error);
      });
}

void NativeConnection::on_connected(const boost::system::error_code& error) {
  if (pool_ == nullptr || !has_exchange_) return;
  if (error) {
    fail(HttpErrorCategory::kConnect, "connect to " + pool_->key + " failed: " + error.message());
    return;
  }
  connected_ = true;
  boost::system::error_code ignored;
  socket_.set_option(tcp::no_delay(true), ignored);
  socket_.non_blocking(true, ignored);
  boost::system::error_code watch_error;
  watch_ = readiness_->watch(socket_.native_handle(), this, watch_error);
  if (watch_ == 0) {
    fail(HttpErrorCategory::kOther,
         "cannot watch the connection to " + pool_->key + ": " + watch_error.message());
    return;
  }
  const Clock::time_point now = Clock::now();
  response_.timing.new_connection = true;
  response_.timing.connect_ms = native_ms_since(exchange_.started, now);
  if (pool_->tls) {
    start_tls();  // still connecting_: the handshake shares the connect deadline
    return;
  }
  connecting_ = false;
  response_.timing.tls_ms = response_.timing.connect_ms;  // plain TCP: no handshake after connect
  if (pool_->h2_prior_knowledge) {
    hand_over_to_h2();
    return;
  }
  arm_timer(exchange_.deadline);
  write_request();
}

void NativeConnection::hand_over_to_h2() {
  auto self = shared_from_this();  // adopt_h2 drops the pool's reference
  NativeHostPool& pool = *pool_;
  NativeExchange exchange = std::move(exchange_);
  const HttpTiming timing = response_.timing;
  has_exchange_ = false;
  pool_ = nullptr;  // every handler still queued for this connection becomes a no-op
  connected_ = false;
  if (watch_ != 0) readiness_->unwatch(watch_, socket_.native_handle());
  watch_ = 0;
  timer_.cancel();
  resolver_.cancel();
  boost::system::error_code ignored;
  socket_.cancel(ignored);
  pool.adopt_h2(*this, std::move(socket_), tls_, std::move(exchange), timing);
}

void NativeConnection::start_tls() {
  std::string error;
  NativeHttpClient& owner = client();
  const NativeTlsContext* context = owner.tls_context();
  if (context == nullptr ||
      !tls_.open(*context, socket_.native_handle(), pool_->host, &pool_->tls_session, error)) {
    fail(HttpErrorCategory::kTls, context == nullptr ? owner.tls_context_error() : error);
    return;
  }
  handshaking_ = true;
  continue_handshake();
}

void NativeConnection::continue_handshake() {
  std::string error;
  switch (tls_.handshake(error)) {
    case NativeTlsStatus::kDone: {
      handshaking_ = false;
      connecting_ = false;
      response_.timing.tls_ms = native_ms_since(exchange_.started, Clock::now());
      response_.timing.handshake_ms = response_.timing.tls_ms - response_.timing.connect_ms;
      response_.timing.tls_resumed = tls_.resumed();
      if (pool_->h2) {
        if (tls_.alpn() == "h2") {
          hand_over_to_h2();
          return;
        }
        pool_->fall_back_to_http1();  // the server chose http/1.1 (or nothing)
      }
      arm_timer(exchange_.deadline);
      write_request();
      return;
    }
    case NativeTlsStatus::kWantRead: return;  // the readiness watch resumes it
    case NativeTlsStatus::kWantWrite: wait_writable(); return;
    case NativeTlsStatus::kClosed:
      fail(HttpErrorCategory::kTls,
           "TLS handshake with " + pool_->key + ": the server closed the connection");
      return;
    case NativeTlsStatus::kFailed:
      fail(HttpErrorCategory::kTls, "TLS handshake with " + pool_->key + ": " + error);
      return;
  }
}

void NativeConnection::continue_tls_write() {
  tls_write_wants_read_ = false;
  while (out_written_ < out_.size()) {
    std::size_t written = 0;
    std::string error;
    switch (tls_.write(out_.data() + out_written_, out_.size() - out_written_, written, error)) {
      case NativeTlsStatus::kDone: out_written_ += written; continue;
      case NativeTlsStatus::kWantWrite: writing_ = true; wait_writable(); return;
      case NativeTlsStatus::kWantRead: writing_ = true; tls_write_wants_read_ = true; return;
      case NativeTlsStatus::kClosed:
      case NativeTlsStatus::kFailed:
        writing_ = false;
        on_transport_error(boost::asio::error::connection_reset);
        return;
    }
  }
  writing_ = false;  // the response arrives through on_readable()
}

void NativeConnection::wait_writable() {
  if (waiting_writable_) return;
  waiting_writable_ = true;
  socket_.async_wait(tcp::socket::wait_write,
                     [self = shared_from_this()](const boost::system::error_code& error) {
                       self->waiting_writable_ = false;
                       if (error || self->pool_ == nullptr || !self->has_exchange_) return;
                       self->on_writable();
                     });
}

void NativeConnection::on_writable() {
  if (handshaking_) {
    continue_handshake();
    return;
  }
  if (writing_ && !tls_write_wants_read_) continue_tls_write();
  if (pool_ != nullptr && has_exchange_ && read_wants_write_) {
    read_wants_write_ = false;
    read_available();
  }
}

void NativeConnection::write_request() {
  if (tls_.active()) {
    out_written_ = 0;
    continue_tls_write();
    return;
  }
  // Most requests fit the socket buffer: one non-blocking send, no handler.
  boost::system::error_code error;
  const std::size_t written = socket_.write_some(boost::asio::buffer(out_), error);
  if (!error && written == out_.size()) return;  // the response arrives through on_readable()
  if (error && error != boost::asio::error::would_block && error != boost::asio::error::try_again) {
    on_transport_error(error);
    return;
  }
  writing_ = true;
  boost::asio::async_write(
      socket_, boost::asio::buffer(out_.data() + written, out_.size() - written),
      [self = shared_from_this()](const boost::system::error_code& write_error, std::size_t) {
        self->on_written(write_error);
      });
}

void NativeConnection::on_written(const boost::system::error_code& error) {
  writing_ = false;
  if (pool_ == nullptr || !has_exchange_) return;
  if (error) on_transport_error(error);
}

void NativeConnection::on_readable() {
  auto self = shared_from_this();  // retiring drops the pool's reference mid-call
  if (pool_ == nullptr) return;
  if (handshaking_) {
    if (has_exchange_) continue_handshake();
    return;
  }
  if (tls_write_wants_read_ && has_exchange_) {
    continue_tls_write();
    if (pool_ == nullptr || !has_exchange_) return;
  }
  if (has_exchange_) {
    read_available();
  } else {
    on_idle_readable();
  }
}

void NativeConnection::read_available() {
  while (true) {
    if (in_end_ == in_.size()) {
      if (in_begin_ > 0) {
        std::memmove(in_.data(), in_.data() + in_begin_, in_end_ - in_begin_);
        in_end_ -= in_begin_;
        in_begin_ = 0;
      } else {
        in_.resize(in_.size() * 2);  // a header block longer than the buffer; the parser caps it
      }
    }
    const std::size_t space = in_.size() - in_end_;
    boost::system::error_code error;
    std::size_t bytes = 0;
    if (tls_.active()) {
      std::string tls_error;
      switch (tls_.read(in_.data() + in_end_, space, bytes, tls_error)) {
        case NativeTlsStatus::kDone: break;
        case NativeTlsStatus::kWantRead: return;  // drained; readiness reports the next record
        case NativeTlsStatus::kWantWrite:
          read_wants_write_ = true;
          wait_writable();
          return;
        case NativeTlsStatus::kClosed: on_eof(); return;
        case NativeTlsStatus::kFailed:
          if (may_retry()) {
            retry();
          } else {
            fail(HttpErrorCategory::kReset, "connection to " + pool_->key + ": " + tls_error);
          }
          return;
      }
    } else {
      bytes = socket_.read_some(boost::asio::buffer(in_.data() + in_end_, space), error);
    }
    if (error == boost::asio::error::would_block || error == boost::asio::error::try_again) {
      return;  // drained; readiness reports the next bytes
    }
    if (error == boost::asio::error::eof) {
      on_eof();
      return;
    }
    if (error) {
      on_transport_error(error);
      return;
    }
    // A response that arrives in one read ends when it starts: one clock read serves both.
    Clock::time_point arrived{};
    if (!parser_.started() && bytes > 0) {  // the parser has seen nothing of this response yet
      arrived = Clock::now();
      response_.timing.first_byte_ms = native_ms_since(exchange_.started, arrived);
    }
    in_end_ += bytes;
    std::size_t consumed = 0;
    const NativeResponseParser::Result result =
        parser_.feed(in_.data() + in_begin_, in_end_ - in_begin_, consumed);
    in_begin_ += consumed;
    if (in_begin_ == in_end_) in_begin_ = in_end_ = 0;
    switch (result) {
      case NativeResponseParser::Result::kComplete:
        finish(arrived != Clock::time_point{} ? arrived : Clock::now());
        return;
      case NativeResponseParser::Result::kError:
        fail(parser_.error(), parser_.error_message());
        return;
      case NativeResponseParser::Result::kNeedMore:
        // A read that filled the buffer probably left bytes in the socket: read
        // on now rather than after another round of epoll_wait.
        // Over TLS, OpenSSL may hold decrypted bytes the socket no longer signals: read
        // until it wants input.
        if (bytes == space || tls_.active()) continue;
        return;
    }
  }
}

void NativeConnection::on_idle_readable() {
  // Nothing was asked on this connection, so anything on it (EOF from the server's
  // keep-alive timeout, a reset, stray bytes) means it cannot carry the next request.
  char probe[64];
  if (tls_.active()) {
    // TLS 1.3 session tickets arrive after the handshake, often while idle:
    // OpenSSL consumes them (and hands them to the pool) without producing bytes.
    std::size_t bytes = 0;
    std::string ignored;
    const NativeTlsStatus status = tls_.read(probe, sizeof probe, bytes, ignored);
    if (status == NativeTlsStatus::kWantRead || status == NativeTlsStatus::kWantWrite) return;
  } else {
    boost::system::error_code read_error;
    socket_.read_some(boost::asio::buffer(probe), read_error);
    if (read_error == boost::asio::error::would_block ||
        read_error == boost::asio::error::try_again) {
      return;  // a spurious wake-up: still a good connection
    }
  }
  auto self = shared_from_this();  // on_connection_retired drops the pool's reference
  NativeHostPool& pool = *pool_;
  close_socket();
  pool.on_idle_connection_lost(*this);
}

void NativeConnection::on_eof() {
  if (may_retry()) {
    retry();
    return;
  }
  if (parser_.finish_at_eof() == NativeResponseParser::Result::kComplete) {
    // A close-delimited body; keep_alive() is false, so the connection retires.
    finish(Clock::now());
  } else {
    fail(parser_.error(), parser_.error_message());
  }
}

void NativeConnection::on_transport_error(const boost::system::error_code& error) {
  if (error == boost::asio::error::operation_aborted) return;  // closed by us; already completed
  if (may_retry()) {
    retry();
    return;
  }
  fail(HttpErrorCategory::kReset, "connection to " + pool_->key + " failed: " + error.message());
}

void NativeConnection::arm_timer(Clock::time_point deadline) {
  // Lazy: a pending wait that ends earlier is left alone and re-armed when it fires,
  // so keep-alive traffic with one timeout costs one timer operation per timeout period.
  deadline_ = deadline;
  if (timer_armed_ && timer_expiry_ <= deadline) return;
  timer_armed_ = true;
  timer_expiry_ = deadline;
  timer_.expires_at(deadline);
  timer_.async_wait([self = shared_from_this()](const boost::system::error_code& error) {
    self->on_timer(error);
  });
}

void NativeConnection::on_timer(const boost::system::error_code& error) {
  if (error == boost::asio::error::operation_aborted || pool_ == nullptr) return;
  timer_armed_ = false;
  if (!has_exchange_) return;
  if (Clock::now() < deadline_) {
    arm_timer(deadline_);
    return;
  }
  if (handshaking_) {
    fail(HttpErrorCategory::kTimeout, "TLS handshake with " + pool_->key + " timed out");
  } else if (connecting_) {  // curl reports a connect timeout as a timeout too
    fail(HttpErrorCategory::kTimeout, "connect to " + pool_->key + " timed out");
  } else {
    fail(
        HttpErrorCategory::kTimeout,
        "no complete response within " + std::to_string(exchange_.request.timeout.count()) + " ms");
  }
}

void NativeConnection::retry() {
  auto self = shared_from_this();  // on_connection_retired drops the pool's reference
  NativeExchange exchange = std::move(exchange_);
  exchange.retried = true;
  has_exchange_ = false;
  NativeHostPool& pool = *pool_;
  close_socket();
  pool.on_connection_retired(*this);
  pool.open_fresh(std::move(exchange));
}

void NativeConnection::finish(Clock::time_point now) {
  response_.timing.total_ms = native_ms_since(exchange_.started, now);
  // Bytes after a complete response were never asked for: the connection is not trusted again.
  // Nor is one whose request was still being written when the response ended.
  const bool keep = parser_.keep_alive() && in_begin_ == in_end_ && !writing_ && tls_.pending() == 0;
  reused_ = true;
  deliver_keeping(keep);
}

void NativeConnection::fail(HttpErrorCategory category, std::string message) {
  response_.error = category;
  response_.error_message = std::move(message);
  response_.timing.total_ms = native_ms_since(exchange_.started, Clock::now());
  deliver_keeping(false);
}

void NativeConnection::deliver_keeping(bool keep) {
  // The connection is released before the callback, so a send() from it reuses this one.
  ResponseCallback callback = std::move(exchange_.on_complete);
  HttpResponse response = std::move(response_);
  exchange_.request = HttpRequest{};
  has_exchange_ = false;
  NativeHostPool& pool = *pool_;
  NativeHttpClient& owner = *pool.client;
  --owner.in_flight_;
  auto self = shared_from_this();  // alive until the callback returns, even if retired
  if (keep) {
    pool.on_connection_free(*this);  // still watched while idle: a server's close retires it
  } else {
    close_socket();
    pool.on_connection_retired(*this);
  }
  if (owner.send_depth_ > 0) {
    owner.complete_later(std::move(callback), std::move(response));
  } else if (callback) {
    callback(std::move(response));
  }
  // Still idle once the callback returned (no request of its own took it): free the TLS buffers.
  if (keep && !has_exchange_ && pool_ != nullptr) tls_.release_buffers();
}

void NativeConnection::cancel() {
  if (has_exchange_) {
    HttpResponse cancelled;
    cancelled.error = HttpErrorCategory::kCancelled;
    cancelled.error_message = "cancelled before completion";
    cancelled.timing.total_ms = native_ms_since(exchange_.started, Clock::now());
    has_exchange_ = false;
    --pool_->client->in_flight_;
    pool_->client->complete_later(std::move(exchange_.on_complete), std::move(cancelled));
  }
  NativeHostPool& pool = *pool_;
  auto self = shared_from_this();
  close_socket();
  pool.on_connection_retired(*this);
}

void NativeConnection::detach() {
  has_exchange_ = false;
  exchange_ = NativeExchange{};
  close_socket();
}

void NativeConnection::close_socket() {
  pool_ = nullptr;  // every handler still queued for this connection becomes a no-op
  connected_ = false;
  boost::system::error_code ignored;
  if (watch_ != 0) readiness_->unwatch(watch_, socket_.native_handle());
  watch_ = 0;
  tls_.reset();  // before the descriptor it writes to is closed
  handshaking_ = tls_write_wants_read_ = read_wants_write_ = false;
  timer_.cancel();
  resolver_.cancel();
  socket_.close(ignored);
}

}  // namespace golive::http
