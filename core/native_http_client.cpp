#include "core/native_http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <cstring>
#include <deque>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "core/native_http_parser.hpp"
#include "core/native_http_request.hpp"
#include "core/request_recorder.hpp"

namespace golive::core {

using Clock = std::chrono::steady_clock;
using boost::asio::ip::tcp;
using namespace std::string_view_literals;

namespace {

constexpr std::size_t kInitialReadBuffer = 16 * 1024;  // bytes; grows only for long header blocks

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool equals_ignoring_case(std::string_view text, std::string_view lowercase) {
  if (text.size() != lowercase.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (lower(text[i]) != lowercase[i]) return false;
  }
  return true;
}

double ms_since(Clock::time_point start, Clock::time_point now) {
  return std::chrono::duration<double, std::milli>(now - start).count();
}

}  // namespace

// One request from send() to its callback; kept whole so it can be sent again.
struct NativeExchange {
  HttpRequest request;
  std::string target;  // path and query sent on the request line
  ResponseCallback on_complete;
  Clock::time_point started;   // send() time: every timing field is measured from it
  Clock::time_point deadline;  // started + request.timeout
  bool retried = false;        // already sent again after a stale keep-alive connection
};

// The connections to one host:port and the requests waiting for one of them.
struct NativeHostPool {
  NativeHttpClient* client = nullptr;
  std::string key;          // "host:port"
  std::string host;         // lowercase, as resolved
  std::string host_header;  // authority as the URL wrote it
  unsigned short port = 80;
  std::size_t max_connections = 1;
  std::vector<tcp::endpoint> endpoints;  // resolved once, reused by later connections
  std::vector<std::shared_ptr<NativeConnection>> connections;  // open or opening
  std::vector<NativeConnection*> idle;                         // open, no request (LIFO)
  std::deque<NativeExchange> waiting;                          // FIFO, when every connection is busy
  std::optional<boost::asio::steady_timer> waiting_timer;      // times out waiting requests
  bool waiting_timer_armed = false;
  std::shared_ptr<int> lifetime = std::make_shared<int>(0);  // expires with the pool; timer handlers check it

  void dispatch(NativeExchange&& exchange);
  void open_fresh(NativeExchange&& exchange);
  void on_connection_free(NativeConnection& connection);
  void on_connection_retired(NativeConnection& connection);
  // The next waiting request whose deadline has not passed (late ones complete with kTimeout).
  std::optional<NativeExchange> next_waiting();
  void enqueue(NativeExchange&& exchange);
  void arm_waiting_timer();
  void on_waiting_timer();
};

// One keep-alive TCP connection: at most one request on it at a time.
class NativeConnection : public std::enable_shared_from_this<NativeConnection> {
 public:
  NativeConnection(boost::asio::io_context& io, NativeHostPool& pool)
      : pool_(&pool), socket_(io), timer_(io), resolver_(io), in_(kInitialReadBuffer) {}

  std::size_t slot = 0;  // index in pool.connections

  bool busy() const { return has_exchange_; }

  // Sends `exchange` on this connection, connecting first if needed.
  void start(NativeExchange&& exchange);
  // Completes the request on it (if any) with kCancelled, posted; closes and leaves the pool.
  void cancel();
  // The client is going away: close everything and call nothing back.
  void detach();

 private:
  void connect();
  void on_resolved(const boost::system::error_code& error, const tcp::resolver::results_type& results);
  void connect_to_endpoints();
  void on_connected(const boost::system::error_code& error);
  void write_request();
  void on_written(const boost::system::error_code& error);
  void read_more();
  void on_readable(const boost::system::error_code& error, std::size_t bytes);
  void on_eof();
  void on_transport_error(const boost::system::error_code& error);
  void arm_timer(Clock::time_point deadline);
  void on_timer(const boost::system::error_code& error);

  bool may_retry() const { return reused_ && !parser_.started() && !exchange_.retried; }
  void retry();
  void finish();
  void fail(HttpErrorCategory category, std::string message);
  void deliver_keeping(bool keep);
  void close_socket();
  NativeHttpClient& client() { return *pool_->client; }

  NativeHostPool* pool_;  // nullptr once retired or detached: handlers then do nothing
  tcp::socket socket_;
  boost::asio::steady_timer timer_;
  tcp::resolver resolver_;
  bool connected_ = false;
  bool connecting_ = false;
  bool reused_ = false;  // a response already completed on this connection
  bool has_exchange_ = false;
  bool timer_armed_ = false;
  Clock::time_point timer_expiry_{};
  Clock::time_point deadline_{};  // of the current phase (connect or whole request)
  NativeExchange exchange_;
  HttpResponse response_;
  NativeResponseParser parser_;
  bool first_byte_seen_ = false;
  std::string out_;       // the serialised request; capacity reused
  std::vector<char> in_;  // received bytes; [in_begin_, in_end_) not yet parsed
  std::size_t in_begin_ = 0;
  std::size_t in_end_ = 0;
};

// ---- NativeHostPool ---------------------------------------------------------

void NativeHostPool::dispatch(NativeExchange&& exchange) {
  if (!idle.empty()) {
    NativeConnection* connection = idle.back();
    idle.pop_back();
    connection->start(std::move(exchange));
  } else if (connections.size() < max_connections) {
    open_fresh(std::move(exchange));
  } else {
    enqueue(std::move(exchange));
  }
}

void NativeHostPool::enqueue(NativeExchange&& exchange) {
  const bool earlier = waiting_timer_armed && exchange.deadline < waiting_timer->expiry();
  waiting.push_back(std::move(exchange));
  if (!waiting_timer_armed || earlier) arm_waiting_timer();
}

void NativeHostPool::arm_waiting_timer() {
  if (waiting.empty()) return;
  Clock::time_point earliest = waiting.front().deadline;
  for (const NativeExchange& exchange : waiting) earliest = std::min(earliest, exchange.deadline);
  if (!waiting_timer) waiting_timer.emplace(client->io_);
  waiting_timer_armed = true;
  waiting_timer->expires_at(earliest);
  waiting_timer->async_wait([this, alive = std::weak_ptr<int>(lifetime)](const boost::system::error_code& error) {
    if (error || alive.expired()) return;  // re-armed, or the pool is gone: touch nothing
    on_waiting_timer();
  });
}

void NativeHostPool::on_waiting_timer() {
  waiting_timer_armed = false;
  const Clock::time_point now = Clock::now();
  std::deque<NativeExchange> kept;
  for (NativeExchange& exchange : waiting) {
    if (now < exchange.deadline) {
      kept.push_back(std::move(exchange));
      continue;
    }
    HttpResponse late;
    late.error = HttpErrorCategory::kTimeout;
    late.error_message = "timed out waiting for a free connection to " + key;
    late.timing.total_ms = ms_since(exchange.started, now);
    --client->in_flight_;
    client->complete_later(std::move(exchange.on_complete), std::move(late));
  }
  waiting.swap(kept);
  arm_waiting_timer();
}

void NativeHostPool::open_fresh(NativeExchange&& exchange) {
  if (connections.size() >= max_connections) {
    waiting.push_front(std::move(exchange));
    if (!waiting_timer_armed) arm_waiting_timer();
    return;
  }
  auto connection = std::make_shared<NativeConnection>(client->io_, *this);
  connection->slot = connections.size();
  connections.push_back(connection);
  connection->start(std::move(exchange));
}

std::optional<NativeExchange> NativeHostPool::next_waiting() {
  const Clock::time_point now = Clock::now();
  while (!waiting.empty()) {
    NativeExchange exchange = std::move(waiting.front());
    waiting.pop_front();
    if (now < exchange.deadline) return exchange;
    HttpResponse late;
    late.error = HttpErrorCategory::kTimeout;
    late.error_message = "timed out waiting for a free connection";
    late.timing.total_ms = ms_since(exchange.started, now);
    --client->in_flight_;
    client->complete_later(std::move(exchange.on_complete), std::move(late));
  }
  return std::nullopt;
}

void NativeHostPool::on_connection_free(NativeConnection& connection) {
  if (std::optional<NativeExchange> next = next_waiting()) {
    connection.start(std::move(*next));
  } else {
    idle.push_back(&connection);
  }
}

void NativeHostPool::on_connection_retired(NativeConnection& connection) {
  // Swap-remove; the shared_ptr stays alive in the caller's handler.
  const std::size_t index = connection.slot;
  connections[index] = std::move(connections.back());
  connections[index]->slot = index;
  connections.pop_back();
  if (connections.size() < max_connections) {
    if (std::optional<NativeExchange> next = next_waiting()) open_fresh(std::move(*next));
  }
}

// ---- NativeConnection -------------------------------------------------------

void NativeConnection::start(NativeExchange&& exchange) {
  exchange_ = std::move(exchange);
  has_exchange_ = true;
  response_ = HttpResponse{};
  first_byte_seen_ = false;
  parser_.reset(&response_, equals_ignoring_case(exchange_.request.method, "head"),
                exchange_.request.max_response_bytes, NativeHttpClient::kMaxHeaderBytes);

  write_request_text(exchange_.request, exchange_.target, pool_->host_header, client().options_.user_agent, out_);

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

void NativeConnection::on_resolved(const boost::system::error_code& error, const tcp::resolver::results_type& results) {
  if (pool_ == nullptr || !has_exchange_) return;
  if (error || results.empty()) {
    fail(HttpErrorCategory::kDns, "could not resolve " + pool_->host + ": " + error.message());
    return;
  }
  pool_->endpoints.clear();
  for (const auto& entry : results) pool_->endpoints.push_back(entry.endpoint());
  response_.timing.dns_ms = ms_since(exchange_.started, Clock::now());
  connect_to_endpoints();
}

void NativeConnection::connect_to_endpoints() {
  boost::asio::async_connect(socket_, pool_->endpoints,
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
  connecting_ = false;
  connected_ = true;
  boost::system::error_code ignored;
  socket_.set_option(tcp::no_delay(true), ignored);
  socket_.non_blocking(true, ignored);
  const Clock::time_point now = Clock::now();
  response_.timing.connect_ms = ms_since(exchange_.started, now);
  response_.timing.tls_ms = response_.timing.connect_ms;  // plain TCP: no handshake after connect
  arm_timer(exchange_.deadline);
  write_request();
}

void NativeConnection::write_request() {
  // Most requests fit the socket buffer: one non-blocking send, no handler.
  boost::system::error_code error;
  const std::size_t written = socket_.write_some(boost::asio::buffer(out_), error);
  if (!error && written == out_.size()) {
    read_more();
    return;
  }
  if (error && error != boost::asio::error::would_block && error != boost::asio::error::try_again) {
    on_transport_error(error);
    return;
  }
  boost::asio::async_write(socket_, boost::asio::buffer(out_.data() + written, out_.size() - written),
                           [self = shared_from_this()](const boost::system::error_code& write_error, std::size_t) {
                             self->on_written(write_error);
                           });
}

void NativeConnection::on_written(const boost::system::error_code& error) {
  if (pool_ == nullptr || !has_exchange_) return;
  if (error) {
    on_transport_error(error);
    return;
  }
  read_more();
}

void NativeConnection::read_more() {
  if (in_end_ == in_.size()) {
    if (in_begin_ > 0) {
      std::memmove(in_.data(), in_.data() + in_begin_, in_end_ - in_begin_);
      in_end_ -= in_begin_;
      in_begin_ = 0;
    } else {
      in_.resize(in_.size() * 2);  // a header block longer than the buffer; the parser caps it
    }
  }
  socket_.async_read_some(boost::asio::buffer(in_.data() + in_end_, in_.size() - in_end_),
                          [self = shared_from_this()](const boost::system::error_code& error, std::size_t bytes) {
                            self->on_readable(error, bytes);
                          });
}

void NativeConnection::on_readable(const boost::system::error_code& error, std::size_t bytes) {
  if (pool_ == nullptr || !has_exchange_) return;
  if (error == boost::asio::error::eof) {
    on_eof();
    return;
  }
  if (error) {
    on_transport_error(error);
    return;
  }
  if (!first_byte_seen_ && bytes > 0) {
    first_byte_seen_ = true;
    response_.timing.first_byte_ms = ms_since(exchange_.started, Clock::now());
  }
  in_end_ += bytes;
  std::size_t consumed = 0;
  const NativeResponseParser::Result result = parser_.feed(in_.data() + in_begin_, in_end_ - in_begin_, consumed);
  in_begin_ += consumed;
  if (in_begin_ == in_end_) in_begin_ = in_end_ = 0;
  switch (result) {
    case NativeResponseParser::Result::kComplete:
      finish();
      return;
    case NativeResponseParser::Result::kError:
      fail(parser_.error(), parser_.error_message());
      return;
    case NativeResponseParser::Result::kNeedMore:
      read_more();
      return;
  }
}

void NativeConnection::on_eof() {
  if (may_retry()) {
    retry();
    return;
  }
  if (parser_.finish_at_eof() == NativeResponseParser::Result::kComplete) {
    finish();  // a close-delimited body; keep_alive() is false, so the connection retires
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
  timer_.async_wait([self = shared_from_this()](const boost::system::error_code& error) { self->on_timer(error); });
}

void NativeConnection::on_timer(const boost::system::error_code& error) {
  if (error == boost::asio::error::operation_aborted || pool_ == nullptr) return;
  timer_armed_ = false;
  if (!has_exchange_) return;
  if (Clock::now() < deadline_) {
    arm_timer(deadline_);
    return;
  }
  if (connecting_) {  // curl reports a connect timeout as a timeout too
    fail(HttpErrorCategory::kTimeout, "connect to " + pool_->key + " timed out");
  } else {
    fail(HttpErrorCategory::kTimeout, "no complete response within " +
                                          std::to_string(exchange_.request.timeout.count()) + " ms");
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

void NativeConnection::finish() {
  response_.timing.total_ms = ms_since(exchange_.started, Clock::now());
  // Bytes after a complete response were never asked for: the connection is not trusted again.
  const bool keep = parser_.keep_alive() && in_begin_ == in_end_;
  reused_ = true;
  deliver_keeping(keep);
}

void NativeConnection::fail(HttpErrorCategory category, std::string message) {
  response_.error = category;
  response_.error_message = std::move(message);
  response_.timing.total_ms = ms_since(exchange_.started, Clock::now());
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
    pool.on_connection_free(*this);
  } else {
    close_socket();
    pool.on_connection_retired(*this);
  }
  if (owner.send_depth_ > 0) {
    owner.complete_later(std::move(callback), std::move(response));
  } else if (callback) {
    callback(std::move(response));
  }
}

void NativeConnection::cancel() {
  if (has_exchange_) {
    HttpResponse cancelled;
    cancelled.error = HttpErrorCategory::kCancelled;
    cancelled.error_message = "cancelled before completion";
    cancelled.timing.total_ms = ms_since(exchange_.started, Clock::now());
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
  timer_.cancel();
  resolver_.cancel();
  socket_.close(ignored);
}

// ---- NativeHttpClient -------------------------------------------------------

NativeHttpClient::NativeHttpClient(boost::asio::io_context& io, HttpEngineOptions options)
    : io_(io), options_(std::move(options)) {}

NativeHttpClient::~NativeHttpClient() {
  for (auto& [key, pool] : pools_) {
    pool->waiting.clear();
    pool->waiting_timer.reset();  // its pending wait completes as cancelled and touches nothing
    pool->idle.clear();
    for (auto& connection : pool->connections) connection->detach();
    pool->connections.clear();
  }
}

boost::asio::any_io_executor NativeHttpClient::executor() { return io_.get_executor(); }

std::size_t NativeHttpClient::open_connections() const {
  std::size_t count = 0;
  for (const auto& [key, pool] : pools_) count += pool->connections.size();
  return count;
}

void NativeHttpClient::send(HttpRequest request, ResponseCallback on_complete) {
  const Clock::time_point started = Clock::now();
  std::optional<PlainHttpUrl> url = parse_plain_http_url(request.url);
  if (!url) {
    HttpResponse refused;
    refused.error = HttpErrorCategory::kNotAllowed;
    refused.error_message = "the native client sends plain http:// URLs only: " + request.url;
    complete_later(std::move(on_complete), std::move(refused));
    return;
  }
  if (options_.host_allowed && !options_.host_allowed(url->host)) {
    HttpResponse refused;
    refused.error = HttpErrorCategory::kNotAllowed;
    refused.error_message = "host '" + url->host + "' is not in the allowed hosts";
    complete_later(std::move(on_complete), std::move(refused));
    return;
  }
  if (std::optional<std::string> unsafe = unsafe_request_text(request, url->target)) [[unlikely]] {
    HttpResponse refused;
    refused.error = HttpErrorCategory::kOther;
    refused.error_message = "request not sent: " + *unsafe;
    complete_later(std::move(on_complete), std::move(refused));
    return;
  }
  if (RequestRecorder::global().enabled()) [[unlikely]] {
    RequestRecorder::global().record(request.method, request.url);
  }

  NativeHostPool* pool = last_pool_;
  if (pool == nullptr || pool->port != url->port || pool->host != url->host) {
    std::string key = url->host + ":" + std::to_string(url->port);
    auto [it, inserted] = pools_.try_emplace(key);
    if (inserted) {
      it->second = std::make_unique<NativeHostPool>();
      it->second->client = this;
      it->second->key = key;
      it->second->host = url->host;
      it->second->host_header = std::string(url->authority);
      it->second->port = url->port;
      it->second->max_connections = static_cast<std::size_t>(
          options_.max_connections_per_host > 0 ? options_.max_connections_per_host : kDefaultMaxConnectionsPerHost);
    }
    pool = it->second.get();
    last_pool_ = pool;
  }

  NativeExchange exchange;
  exchange.target.assign(url->target.data(), url->target.size());
  if (!exchange.target.empty() && exchange.target.front() == '?') exchange.target.insert(0, "/");
  exchange.request = std::move(request);
  exchange.on_complete = std::move(on_complete);
  exchange.started = started;
  // As with curl, a timeout of 0 (or less) means none: a year stands in for "never".
  exchange.deadline = started + (exchange.request.timeout.count() > 0
                                     ? std::chrono::duration_cast<Clock::duration>(exchange.request.timeout)
                                     : std::chrono::duration_cast<Clock::duration>(std::chrono::hours(24 * 365)));
  ++in_flight_;
  ++send_depth_;
  pool->dispatch(std::move(exchange));
  --send_depth_;
}

void NativeHttpClient::cancel_all() {
  ++send_depth_;
  for (auto& [key, pool] : pools_) {
    while (!pool->waiting.empty()) {
      NativeExchange exchange = std::move(pool->waiting.front());
      pool->waiting.pop_front();
      HttpResponse cancelled;
      cancelled.error = HttpErrorCategory::kCancelled;
      cancelled.error_message = "cancelled before completion";
      --in_flight_;
      complete_later(std::move(exchange.on_complete), std::move(cancelled));
    }
    std::vector<std::shared_ptr<NativeConnection>> busy;
    for (auto& connection : pool->connections) {
      if (connection->busy()) busy.push_back(connection);
    }
    for (auto& connection : busy) connection->cancel();
  }
  --send_depth_;
}

void NativeHttpClient::complete_later(ResponseCallback on_complete, HttpResponse response) {
  if (!on_complete) return;
  boost::asio::post(io_, [callback = std::move(on_complete), response = std::move(response)]() mutable {
    callback(std::move(response));
  });
}

}  // namespace golive::core
