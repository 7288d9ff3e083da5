#include "http/loopback_server.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cctype>
#include <optional>
#include <stdexcept>
#include <thread>

#include "core/ascii_case.hpp"

namespace golive::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

namespace {

std::string reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Status";
  }
}


}  // namespace

std::string LoopbackRequest::path() const {
  return target.substr(0, target.find('?'));
}

std::string LoopbackRequest::query() const {
  const std::size_t question = target.find('?');
  return question == std::string::npos ? "" : target.substr(question + 1);
}

std::string LoopbackRequest::header(const std::string& lowercase_name) const {
  const auto found = headers.find(lowercase_name);
  return found == headers.end() ? "" : found->second;
}

struct LoopbackServer::State {
  asio::io_context io;  // first member: destroyed last
  tcp::acceptor acceptor{io};
  std::string host;
  std::uint16_t port = 0;
  std::size_t body_limit = 0;
  LoopbackHandler handler;
  std::thread thread;
};

namespace {

// One accepted connection: reads requests (keep-alive) and answers each.
class LoopbackConnection : public std::enable_shared_from_this<LoopbackConnection> {
 public:
  LoopbackConnection(tcp::socket socket, LoopbackServer::State& state)
      : socket_(std::move(socket)), timer_(socket_.get_executor()), state_(state) {}

  void start() { read_request(); }

 private:
  void read_request() {
    parser_.emplace();
    parser_->body_limit(state_.body_limit);
    bhttp::async_read(socket_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code error, std::size_t) {
                        self->on_request_read(error);
                      });
  }

  void on_request_read(beast::error_code error) {
    if (error == bhttp::error::body_limit) {
      return respond({413, "application/json", R"({"detail":"too large"})"}, false);
    }
    if (error) return close();
    const bhttp::request<bhttp::string_body>& message = parser_->get();
    LoopbackRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    for (const auto& field : message) {
      request.headers[core::ascii_lower(field.name_string())] = std::string(field.value());
    }
    request.body = message.body();
    LoopbackResponse response;
    try {
      response = state_.handler(request);
    } catch (const std::exception& failure) {
      response = {500, "text/plain", failure.what()};
    }
    if (response.never_answer) return hold_until_peer_closes();
    if (response.trickle.count() > 0) return trickle(response, message.keep_alive());
    respond(response, message.keep_alive(), message.method() == bhttp::verb::head);
  }

  static std::string head_of(const LoopbackResponse& response, bool keep_alive) {
    std::string extra;
    for (const auto& [name, value] : response.headers) extra += "\r\n" + name + ": " + value;
    return "HTTP/1.1 " + std::to_string(response.status) + " " + reason(response.status) +
           "\r\nContent-Type: " + response.content_type + extra +
           "\r\nContent-Length: " + std::to_string(response.body.size()) +
           "\r\nConnection: " + (keep_alive ? "keep-alive" : "close") + "\r\n\r\n";
  }

  // A HEAD request gets the headers, Content-Length included, without the body.
  void respond(const LoopbackResponse& response, bool keep_alive, bool head = false) {
    keep_alive_ = keep_alive;
    out_ = head_of(response, keep_alive) + (head ? std::string() : response.body);
    asio::async_write(socket_, asio::buffer(out_),
                      [self = shared_from_this()](beast::error_code error, std::size_t) {
                        self->on_response_written(error);
                      });
  }

  // No answer: keep reading (and discarding) until the client closes.
  void hold_until_peer_closes() {
    socket_.async_read_some(asio::buffer(discard_),
                            [self = shared_from_this()](beast::error_code error, std::size_t) {
                              if (error) return self->close();
                              self->hold_until_peer_closes();
                            });
  }

  // The headers at once, then the body in kTricklePieces pieces over response.trickle.
  void trickle(const LoopbackResponse& response, bool keep_alive) {
    keep_alive_ = keep_alive;
    out_ = head_of(response, keep_alive);
    pending_body_ = response.body;
    piece_delay_ = response.trickle / kTricklePieces;
    piece_size_ = std::max<std::size_t>(1, (pending_body_.size() + kTricklePieces - 1) / kTricklePieces);
    asio::async_write(socket_, asio::buffer(out_),
                      [self = shared_from_this()](beast::error_code error, std::size_t) {
                        if (error) return self->close();
                        self->after_piece_delay();
                      });
  }

  void after_piece_delay() {
    timer_.expires_after(piece_delay_);
    timer_.async_wait([self = shared_from_this()](beast::error_code error) {
      if (error) return self->close();
      self->write_piece();
    });
  }

  void write_piece() {
    const std::size_t size = std::min(piece_size_, pending_body_.size());
    out_ = pending_body_.substr(0, size);
    pending_body_.erase(0, size);
    asio::async_write(socket_, asio::buffer(out_),
                      [self = shared_from_this()](beast::error_code error, std::size_t) {
                        if (error) return self->close();
                        if (self->pending_body_.empty()) return self->on_response_written(error);
                        self->after_piece_delay();
                      });
  }

  void on_response_written(beast::error_code error) {
    if (error || !keep_alive_) return close();
    read_request();
  }

  void close() {
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  tcp::socket socket_;
  asio::steady_timer timer_;      // between trickled pieces
  LoopbackServer::State& state_;  // outlives every connection (they die with its io_context)
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bool keep_alive_ = true;
  std::string out_;                           // bytes being written
  std::string pending_body_;                  // trickle: what is still to send
  std::chrono::milliseconds piece_delay_{0};  // trickle: between two pieces
  std::size_t piece_size_ = 1;                // trickle: bytes per piece
  std::array<char, 4096> discard_{};          // never_answer: input read and dropped
};

void accept_next(LoopbackServer::State& state) {
  state.acceptor.async_accept([&state](beast::error_code error, tcp::socket socket) {
    if (error) return;  // acceptor closed: the server is stopping
    std::make_shared<LoopbackConnection>(std::move(socket), state)->start();
    accept_next(state);
  });
}

}  // namespace

LoopbackServer::LoopbackServer(const std::string& what, const std::string& host, std::uint16_t port,
                               std::size_t body_limit, LoopbackHandler handler)
    : state_(std::make_unique<State>()) {
  try {
    const tcp::endpoint endpoint(asio::ip::make_address(host), port);
    state_->acceptor.open(endpoint.protocol());
    state_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    state_->acceptor.bind(endpoint);
    state_->acceptor.listen();
  } catch (const std::exception& error) {
    throw std::runtime_error(what + " cannot listen on " + host + ":" + std::to_string(port) + ": " +
                             error.what());
  }
  state_->host = host;
  state_->port = state_->acceptor.local_endpoint().port();
  state_->body_limit = body_limit;
  state_->handler = std::move(handler);
  accept_next(*state_);
  state_->thread = std::thread([state = state_.get()] { state->io.run(); });
}

LoopbackServer::~LoopbackServer() {
  asio::post(state_->io, [state = state_.get()] {
    beast::error_code ignored;
    state->acceptor.close(ignored);
  });
  state_->io.stop();
  if (state_->thread.joinable()) state_->thread.join();
}

std::uint16_t LoopbackServer::port() const {
  return state_->port;
}

const std::string& LoopbackServer::host() const {
  return state_->host;
}

std::string LoopbackServer::address() const {
  return state_->host + ":" + std::to_string(state_->port);
}

bool split_listen_address(const std::string& address, std::string& host, std::uint16_t& port,
                          bool allow_any_port) {
  const std::size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 >= address.size()) return false;
  const std::string digits = address.substr(colon + 1);
  if (digits.size() > 5 ||
      !std::all_of(digits.begin(), digits.end(), [](unsigned char c) { return std::isdigit(c); })) {
    return false;
  }
  const int value = std::stoi(digits);
  if (value < (allow_any_port ? 0 : 1) || value > 65535) return false;
  std::string name = address.substr(0, colon);
  if (name.size() >= 2 && name.front() == '[' && name.back() == ']') name = name.substr(1, name.size() - 2);
  if (name.empty()) return false;
  host = name;
  port = static_cast<std::uint16_t>(value);
  return true;
}

}  // namespace golive::http
