#include "http/loopback_server.hpp"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
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
    default:
      return "Status";
  }
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
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
      : socket_(std::move(socket)), state_(state) {}

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
      request.headers[lower(std::string(field.name_string()))] = std::string(field.value());
    }
    request.body = message.body();
    LoopbackResponse response;
    try {
      response = state_.handler(request);
    } catch (const std::exception& failure) {
      response = {500, "text/plain", failure.what()};
    }
    respond(response, message.keep_alive(), message.method() == bhttp::verb::head);
  }

  // A HEAD request gets the headers, Content-Length included, without the body.
  void respond(const LoopbackResponse& response, bool keep_alive, bool head = false) {
    keep_alive_ = keep_alive;
    std::string extra;
    for (const auto& [name, value] : response.headers) extra += "\r\n" + name + ": " + value;
    out_ = "HTTP/1.1 " + std::to_string(response.status) + " " + reason(response.status) +
           "\r\nContent-Type: " + response.content_type +
           extra +
           "\r\nContent-Length: " + std::to_string(response.body.size()) +
           "\r\nConnection: " + (keep_alive ? "keep-alive" : "close") + "\r\n\r\n" +
           (head ? std::string() : response.body);
    asio::async_write(socket_, asio::buffer(out_),
                      [self = shared_from_this()](beast::error_code error, std::size_t) {
                        self->on_response_written(error);
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
  LoopbackServer::State& state_;  // outlives every connection (they die with its io_context)
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bool keep_alive_ = true;
  std::string out_;
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
