#include "http/native/native_h2_connection.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

#include "core/ascii_case.hpp"
#include "http/native/native_host_pool.hpp"
#include "http/native/native_http_client.hpp"

namespace golive::http {

using Clock = NativeClock;
using boost::asio::ip::tcp;

namespace {

constexpr std::size_t kReadBytes = 16 * 1024;
constexpr std::size_t kWriteBatchBytes = 64 * 1024;  // frames gathered before one write

struct CallbacksFree {
  void operator()(nghttp2_session_callbacks* callbacks) const { nghttp2_session_callbacks_del(callbacks); }
};

// Connection-specific headers HTTP/2 forbids, and those the client writes itself.
bool skipped_header(std::string_view lower_name) {
  return lower_name == "host" || lower_name == "connection" || lower_name == "keep-alive" ||
         lower_name == "proxy-connection" || lower_name == "transfer-encoding" || lower_name == "upgrade" ||
         lower_name == "content-length" || lower_name == "te";
}

// A header pair nghttp2 copies during nghttp2_submit_request. Values that
// differ on every request (the correlation ids) are sent as literals without
// indexing: entering them in the HPACK dynamic table would only evict the
// entries that do repeat, and cost a table search and insertion each time.
nghttp2_nv name_value(std::string_view name, std::string_view value) {
  const bool unique = name == "traceparent" || name == "x-request-id";
  return {reinterpret_cast<std::uint8_t*>(const_cast<char*>(name.data())),
          reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())), name.size(), value.size(),
          static_cast<std::uint8_t>(unique ? NGHTTP2_NV_FLAG_NO_INDEX : NGHTTP2_NV_FLAG_NONE)};
}

// True when `name` has an upper-case ASCII letter (HTTP/2 wants lower-case names).
bool has_upper(std::string_view name) {
  return std::any_of(name.begin(), name.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

std::string h2_error_name(std::uint32_t code) { return nghttp2_http2_strerror(code); }

}  // namespace

NativeH2Connection::NativeH2Connection(boost::asio::io_context& io, NativeHostPool& pool,
                                       NativeReadiness& readiness, tcp::socket socket, NativeTlsStream& tls)
    : pool_(&pool), home_(&pool), readiness_(&readiness), socket_(std::move(socket)), timer_(io), in_(kReadBytes) {
  tls_.adopt(tls);
}

nghttp2_session_callbacks* NativeH2Connection::callbacks() {
  static const std::unique_ptr<nghttp2_session_callbacks, CallbacksFree> shared = [] {
    nghttp2_session_callbacks* made = nullptr;
    nghttp2_session_callbacks_new(&made);
    nghttp2_session_callbacks_set_on_header_callback(made, &NativeH2Connection::on_header);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(made, &NativeH2Connection::on_data_chunk);
    nghttp2_session_callbacks_set_on_frame_recv_callback(made, &NativeH2Connection::on_frame_recv);
    nghttp2_session_callbacks_set_on_stream_close_callback(made, &NativeH2Connection::on_stream_close);
    return std::unique_ptr<nghttp2_session_callbacks, CallbacksFree>(made);
  }();
  return shared.get();
}

bool NativeH2Connection::open(std::string& error) {
  nghttp2_session* made = nullptr;
  if (const int rv = nghttp2_session_client_new(&made, callbacks(), this); rv != 0) {
    error = std::string("cannot start an HTTP/2 session: ") + nghttp2_strerror(rv);
    return false;
  }
  session_.reset(made);
  const nghttp2_settings_entry settings[] = {{NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
                                             {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, kWindowBytes}};
  nghttp2_submit_settings(made, NGHTTP2_FLAG_NONE, settings, std::size(settings));
  nghttp2_session_set_local_window_size(made, NGHTTP2_FLAG_NONE, 0, kWindowBytes);
  read_allowed_streams();
  boost::system::error_code watch_error;
  watch_ = readiness_->watch(socket_.native_handle(), this, watch_error);
  if (watch_ == 0) {
    error = "cannot watch the connection: " + watch_error.message();
    return false;
  }
  return true;
}

bool NativeH2Connection::has_capacity() const {
  if (pool_ == nullptr || goaway_ || !session_) return false;
  return streams_.size() < allowed_streams_;
}

void NativeH2Connection::read_allowed_streams() {
  allowed_streams_ = std::min<std::size_t>(
      kMaxStreams, nghttp2_session_get_remote_settings(session_.get(), NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS));
}

void NativeH2Connection::submit(NativeExchange&& exchange, const HttpTiming* timing) {
  auto self = shared_from_this();
  const HttpRequest& request = exchange.request;
  // The pairs point into the request and the pool; nghttp2 copies them, so
  // only the lowered names and the length made here need to outlive the call.
  std::vector<nghttp2_nv> pairs;
  pairs.reserve(request.headers.size() + 8);
  std::vector<std::string> lowered;  // reserved: pointers into it stay valid
  lowered.reserve(request.headers.size());
  pairs.push_back(name_value(":method", request.method));
  pairs.push_back(name_value(":scheme", pool_->tls ? "https" : "http"));
  pairs.push_back(name_value(":authority", pool_->host_header));
  pairs.push_back(name_value(":path", exchange.target.empty() ? std::string_view("/") : exchange.target));
  bool has_user_agent = false;
  bool has_accept = false;
  for (const auto& [name, value] : request.headers) {
    std::string_view lower = name;
    if (has_upper(name)) lower = lowered.emplace_back(core::ascii_lower(name));
    if (skipped_header(lower)) continue;
    has_user_agent = has_user_agent || lower == "user-agent";
    has_accept = has_accept || lower == "accept";
    pairs.push_back(name_value(lower, value));
  }
  const NativeHttpClient& owner = *pool_->client;
  if (!has_user_agent && !owner.options_.user_agent.empty()) pairs.push_back(name_value("user-agent", owner.options_.user_agent));
  if (!has_accept) pairs.push_back(name_value("accept", "*/*"));
  const bool body_expected = !request.body.empty() || core::equals_ignoring_case(request.method, "post") ||
                             core::equals_ignoring_case(request.method, "put") ||
                             core::equals_ignoring_case(request.method, "patch");
  const std::string length = body_expected ? std::to_string(request.body.size()) : std::string();
  if (body_expected) pairs.push_back(name_value("content-length", length));

  nghttp2_data_provider body{};
  body.read_callback = &NativeH2Connection::read_body;
  const std::int32_t id = nghttp2_submit_request(session_.get(), nullptr, pairs.data(), pairs.size(),
                                                 request.body.empty() ? nullptr : &body, nullptr);
  const NativeClock::time_point deadline = exchange.deadline;
  Stream stream;
  stream.exchange = std::move(exchange);
  if (timing != nullptr) stream.response.timing = *timing;
  if (id < 0) {
    stream.response.error = HttpErrorCategory::kOther;
    stream.response.error_message = std::string("cannot open an HTTP/2 stream: ") + nghttp2_strerror(id);
    done_.push_back({std::move(stream), false});
  } else {
    streams_.emplace(id, std::move(stream));
    if (!timer_armed_ || deadline < timer_expiry_) arm_timer();
  }
  if (!delivering_) flush();
  deliver_done(false);  // the pool is handing out requests: it refills itself
}

int NativeH2Connection::on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name,
                                  std::size_t name_length, const std::uint8_t* value, std::size_t value_length,
                                  std::uint8_t, void* self) {
  auto& connection = *static_cast<NativeH2Connection*>(self);
  if (frame->hd.type != NGHTTP2_HEADERS) return 0;
  const auto found = connection.streams_.find(frame->hd.stream_id);
  if (found == connection.streams_.end()) return 0;
  HttpResponse& response = found->second.response;
  const std::string_view header_name(reinterpret_cast<const char*>(name), name_length);
  const std::string_view header_value(reinterpret_cast<const char*>(value), value_length);
  if (header_name == ":status") {
    if (response.timing.first_byte_ms == 0) {
      response.timing.first_byte_ms = native_ms_since(found->second.exchange.started, Clock::now());
    }
    response.status = 0;
    for (char c : header_value) response.status = response.status * 10 + (c - '0');
    response.headers.clear();  // a 1xx interim response is replaced by the final one
    return 0;
  }
  if (!found->second.exchange.request.discard_response) {
    response.headers.emplace_back(std::string(header_name), std::string(header_value));
  }
  return 0;
}

int NativeH2Connection::on_data_chunk(nghttp2_session* session, std::uint8_t, std::int32_t stream_id,
                                      const std::uint8_t* data, std::size_t length, void* self) {
  auto& connection = *static_cast<NativeH2Connection*>(self);
  const auto found = connection.streams_.find(stream_id);
  if (found == connection.streams_.end()) return 0;
  Stream& stream = found->second;
  if (stream.body_received + length > stream.exchange.request.max_response_bytes) {
    stream.response.error = HttpErrorCategory::kTooLarge;
    stream.response.error_message = "response body over " +
                                    std::to_string(stream.exchange.request.max_response_bytes) + " bytes";
    stream.response.body.clear();
    stream.response.body.shrink_to_fit();
    stream.response.timing.total_ms = native_ms_since(stream.exchange.started, Clock::now());
    connection.done_.push_back({std::move(stream), false});
    connection.streams_.erase(found);
    nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_CANCEL);
    return 0;
  }
  stream.body_received += length;
  if (!stream.exchange.request.discard_response) {
    stream.response.body.append(reinterpret_cast<const char*>(data), length);
  }
  return 0;
}

int NativeH2Connection::on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* self) {
  auto& connection = *static_cast<NativeH2Connection*>(self);
  if (frame->hd.type == NGHTTP2_GOAWAY) {
    connection.goaway_ = true;  // no new stream; nghttp2 then closes the ones above last_stream_id
    connection.goaway_error_ = frame->goaway.error_code;
    connection.goaway_last_stream_ = frame->goaway.last_stream_id;
  }
  return 0;
}

int NativeH2Connection::on_stream_close(nghttp2_session*, std::int32_t stream_id, std::uint32_t error_code,
                                        void* self) {
  auto& connection = *static_cast<NativeH2Connection*>(self);
  const auto found = connection.streams_.find(stream_id);
  if (found == connection.streams_.end()) return 0;  // completed here already (timeout, too large)
  Stream stream = std::move(found->second);
  connection.streams_.erase(found);
  HttpResponse& response = stream.response;
  response.timing.total_ms = native_ms_since(stream.exchange.started, Clock::now());
  const bool unprocessed = connection.goaway_ && stream_id > connection.goaway_last_stream_;
  bool retry = false;
  if (error_code == NGHTTP2_NO_ERROR && response.status != 0) {
    // complete
  } else if ((unprocessed || error_code == NGHTTP2_REFUSED_STREAM) && !stream.exchange.retried) {
    retry = true;  // the server did not process it: safe to send again on another connection
    stream.exchange.retried = true;
  } else if (unprocessed) {
    response.error = HttpErrorCategory::kReset;
    response.error_message = "the server sent GOAWAY (" + h2_error_name(connection.goaway_error_) +
                             ") before processing the stream";
  } else if (error_code != NGHTTP2_NO_ERROR) {
    response.error = HttpErrorCategory::kReset;
    response.error_message = "the server reset the HTTP/2 stream (RST_STREAM " + h2_error_name(error_code) + ")";
  } else {
    response.error = HttpErrorCategory::kProtocol;
    response.error_message = "HTTP/2 stream ended without a response";
  }
  if (!response.transport_ok()) response.status = 0;
  connection.done_.push_back({std::move(stream), retry});
  return 0;
}

ssize_t NativeH2Connection::read_body(nghttp2_session*, std::int32_t stream_id, std::uint8_t* buffer,
                                      std::size_t length, std::uint32_t* data_flags, nghttp2_data_source*,
                                      void* self) {
  auto& connection = *static_cast<NativeH2Connection*>(self);
  const auto found = connection.streams_.find(stream_id);
  if (found == connection.streams_.end()) {
    *data_flags |= NGHTTP2_DATA_FLAG_EOF;
    return 0;
  }
  Stream& stream = found->second;
  const std::string& body = stream.exchange.request.body;
  const std::size_t count = std::min(length, body.size() - stream.body_sent);
  std::memcpy(buffer, body.data() + stream.body_sent, count);
  stream.body_sent += count;
  if (stream.body_sent == body.size()) *data_flags |= NGHTTP2_DATA_FLAG_EOF;
  return static_cast<ssize_t>(count);
}

void NativeH2Connection::on_readable() {
  auto self = shared_from_this();
  if (pool_ == nullptr) return;
  write_wants_read_ = false;
  flush();
  while (pool_ != nullptr) {
    std::size_t bytes = 0;
    if (tls_.active()) {
      std::string tls_error;
      const NativeTlsStatus status = tls_.read(in_.data(), in_.size(), bytes, tls_error);
      if (status == NativeTlsStatus::kWantRead) break;
      if (status == NativeTlsStatus::kWantWrite) {
        wait_writable();
        break;
      }
      if (status == NativeTlsStatus::kClosed) {
        fail_all(HttpErrorCategory::kReset, "");
        break;
      }
      if (status == NativeTlsStatus::kFailed) {
        fail_all(HttpErrorCategory::kReset, "connection to " + pool_->key + ": " + tls_error);
        break;
      }
    } else {
      boost::system::error_code error;
      bytes = socket_.read_some(boost::asio::buffer(in_), error);
      if (error == boost::asio::error::would_block || error == boost::asio::error::try_again) break;
      if (error == boost::asio::error::eof) {
        fail_all(HttpErrorCategory::kReset, "");
        break;
      }
      if (error) {
        fail_all(HttpErrorCategory::kReset, "connection to " + pool_->key + " failed: " + error.message());
        break;
      }
    }
    const ssize_t used =
        nghttp2_session_mem_recv(session_.get(), reinterpret_cast<const std::uint8_t*>(in_.data()), bytes);
    if (used < 0) {
      fail_all(HttpErrorCategory::kProtocol,
               std::string("HTTP/2 from ") + pool_->key + " rejected: " + nghttp2_strerror(static_cast<int>(used)));
      break;
    }
    read_allowed_streams();  // a SETTINGS frame may have changed it
    if (!tls_.active() && bytes < in_.size()) break;  // drained; over TLS, OpenSSL may hold more
  }
  flush();
  deliver_done();
}

void NativeH2Connection::flush() {
  while (pool_ != nullptr) {
    if (out_sent_ == out_.size()) {
      out_.clear();
      out_sent_ = 0;
      while (out_.size() < kWriteBatchBytes) {
        const std::uint8_t* data = nullptr;
        const ssize_t length = nghttp2_session_mem_send(session_.get(), &data);
        if (length < 0) {
          fail_all(HttpErrorCategory::kProtocol,
                   std::string("HTTP/2 session error: ") + nghttp2_strerror(static_cast<int>(length)));
          return;
        }
        if (length == 0) break;
        out_.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(length));
      }
      if (out_.empty()) return;
    }
    if (tls_.active()) {
      std::size_t written = 0;
      std::string error;
      switch (tls_.write(out_.data() + out_sent_, out_.size() - out_sent_, written, error)) {
        case NativeTlsStatus::kDone: out_sent_ += written; continue;
        case NativeTlsStatus::kWantWrite: wait_writable(); return;
        case NativeTlsStatus::kWantRead: write_wants_read_ = true; return;
        case NativeTlsStatus::kClosed:
        case NativeTlsStatus::kFailed:
          fail_all(HttpErrorCategory::kReset, "connection to " + pool_->key + ": " + error);
          return;
      }
    }
    boost::system::error_code error;
    const std::size_t written =
        socket_.write_some(boost::asio::buffer(out_.data() + out_sent_, out_.size() - out_sent_), error);
    if (error == boost::asio::error::would_block || error == boost::asio::error::try_again) {
      wait_writable();
      return;
    }
    if (error) {
      fail_all(HttpErrorCategory::kReset, "connection to " + pool_->key + " failed: " + error.message());
      return;
    }
    out_sent_ += written;
  }
}

void NativeH2Connection::wait_writable() {
  if (waiting_writable_) return;
  waiting_writable_ = true;
  socket_.async_wait(tcp::socket::wait_write, [self = shared_from_this()](const boost::system::error_code& error) {
    self->waiting_writable_ = false;
    if (error || self->pool_ == nullptr) return;
    self->on_readable();  // writes what is pending, then reads what a TLS read was waiting for
  });
}

void NativeH2Connection::arm_timer() {
  if (streams_.empty()) return;
  Clock::time_point earliest = Clock::time_point::max();
  for (const auto& [id, stream] : streams_) earliest = std::min(earliest, stream.exchange.deadline);
  if (timer_armed_ && timer_expiry_ <= earliest) return;
  timer_armed_ = true;
  timer_expiry_ = earliest;
  timer_.expires_at(earliest);
  timer_.async_wait([self = shared_from_this()](const boost::system::error_code& error) { self->on_timer(error); });
}

void NativeH2Connection::on_timer(const boost::system::error_code& error) {
  if (error == boost::asio::error::operation_aborted || pool_ == nullptr) return;
  timer_armed_ = false;
  const Clock::time_point now = Clock::now();
  for (auto it = streams_.begin(); it != streams_.end();) {
    if (now < it->second.exchange.deadline) {
      ++it;
      continue;
    }
    Stream stream = std::move(it->second);
    nghttp2_submit_rst_stream(session_.get(), NGHTTP2_FLAG_NONE, it->first, NGHTTP2_CANCEL);
    it = streams_.erase(it);
    const HttpTiming timing = stream.response.timing;
    stream.response = HttpResponse{};
    stream.response.timing = timing;
    stream.response.error = HttpErrorCategory::kTimeout;
    stream.response.error_message =
        "no complete response within " + std::to_string(stream.exchange.request.timeout.count()) + " ms";
    stream.response.timing.total_ms = native_ms_since(stream.exchange.started, now);
    done_.push_back({std::move(stream), false});
  }
  arm_timer();
  flush();
  deliver_done();
}

void NativeH2Connection::fail_all(HttpErrorCategory category, const std::string& message) {
  if (pool_ == nullptr) return;
  const Clock::time_point now = Clock::now();
  for (auto& [id, stream] : streams_) {
    const bool unprocessed = goaway_ && id > goaway_last_stream_;
    HttpResponse& response = stream.response;
    response.status = 0;
    response.error = category;
    if (!message.empty()) {
      response.error_message = message;
    } else if (goaway_) {
      response.error_message = "the server sent GOAWAY (" + h2_error_name(goaway_error_) +
                               ") and closed the connection before answering";
    } else {
      response.error_message = "the server closed the HTTP/2 connection to " + pool_->key + " before answering";
    }
    response.timing.total_ms = native_ms_since(stream.exchange.started, now);
    const bool retry = unprocessed && !stream.exchange.retried;
    if (retry) stream.exchange.retried = true;
    done_.push_back({std::move(stream), retry});
  }
  streams_.clear();
  retire();
}

void NativeH2Connection::deliver_done(bool refill) {
  if (pool_ != nullptr && (goaway_ ? streams_.empty()
                                   : !nghttp2_session_want_read(session_.get()) &&
                                         !nghttp2_session_want_write(session_.get()))) {
    retire();  // drained after GOAWAY, or the session ended
  }
  if (done_.empty()) return;
  std::vector<Done> batch;
  batch.swap(done_);
  NativeHostPool& home = *home_;
  NativeHttpClient& owner = *home.client;
  // Requests the callbacks send go to this connection first (it just freed
  // streams) and are written together after the loop.
  auto self = shared_from_this();
  const bool outer_delivering = delivering_;
  delivering_ = true;
  NativeH2Connection* const outer_preferred = home.h2_preferred;
  if (pool_ != nullptr) home.h2_preferred = this;
  for (Done& done : batch) {
    if (done.retry) {
      home.dispatch(std::move(done.stream.exchange));
      continue;
    }
    --owner.in_flight_;
    if (owner.send_depth_ > 0) {
      owner.complete_later(std::move(done.stream.exchange.on_complete), std::move(done.stream.response));
    } else if (done.stream.exchange.on_complete) {
      done.stream.exchange.on_complete(std::move(done.stream.response));
    }
  }
  delivering_ = outer_delivering;
  if (home.h2_preferred == this) home.h2_preferred = outer_preferred;
  if (!delivering_) flush();
  if (refill && pool_ != nullptr) pool_->on_h2_capacity(*this);
  // Left idle with nothing queued to write: free the TLS buffers until the next stream.
  if (!delivering_ && streams_.empty() && pool_ != nullptr && out_sent_ == out_.size()) {
    tls_.release_buffers();
  }
}

void NativeH2Connection::retire() {
  if (pool_ == nullptr) return;
  auto self = shared_from_this();
  NativeHostPool& pool = *pool_;
  close_transport();
  pool.on_h2_retired(*this);
}

void NativeH2Connection::cancel() {
  auto self = shared_from_this();
  if (pool_ == nullptr) return;
  NativeHttpClient& owner = *pool_->client;
  for (auto& [id, stream] : streams_) {
    HttpResponse cancelled;
    cancelled.error = HttpErrorCategory::kCancelled;
    cancelled.error_message = "cancelled before completion";
    cancelled.timing.total_ms = native_ms_since(stream.exchange.started, Clock::now());
    --owner.in_flight_;
    owner.complete_later(std::move(stream.exchange.on_complete), std::move(cancelled));
  }
  streams_.clear();
  retire();
}

void NativeH2Connection::detach() {
  streams_.clear();
  done_.clear();
  close_transport();
}

void NativeH2Connection::close_transport() {
  pool_ = nullptr;  // queued handlers become no-ops
  if (watch_ != 0) readiness_->unwatch(watch_, socket_.native_handle());
  watch_ = 0;
  tls_.reset();
  timer_.cancel();
  boost::system::error_code ignored;
  socket_.close(ignored);
}

}  // namespace golive::http
