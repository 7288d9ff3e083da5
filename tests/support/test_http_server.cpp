#include "tests/support/test_http_server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <atomic>
#include <cctype>
#include <cstdint>
#include <chrono>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

namespace golive::testing {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

class Session;

std::size_t number_after(std::string_view path, std::string_view prefix) {
  std::size_t value = 0;
  for (char c : path.substr(prefix.size())) {
    if (c < '0' || c > '9') break;
    value = value * 10 + static_cast<std::size_t>(c - '0');
  }
  return value;
}

}  // namespace

struct TestHttpServer::Impl {
  explicit Impl(TestHttpServer& owner) : owner(owner), acceptor(io) {}

  void accept_next();
  Handler find_handler(std::string_view path);
  std::string everywhere_behaviour() {
    std::lock_guard<std::mutex> lock(handlers_mutex);
    return everywhere;
  }
  void count_request_started() {
    ++owner.requests_received_;
    const std::size_t now = ++owner.in_flight_;
    std::size_t peak = owner.peak_in_flight_.load();
    while (now > peak && !owner.peak_in_flight_.compare_exchange_weak(peak, now)) {
    }
  }
  void count_request_finished() { --owner.in_flight_; }
  void hold(std::shared_ptr<Session> session) {
    held.push_back(std::move(session));
    ++owner.held_;
  }

  TestHttpServer& owner;
  asio::io_context io{1};
  tcp::acceptor acceptor;
  std::mutex handlers_mutex;
  std::vector<std::pair<std::string, Handler>> handlers;  // tests' own routes
  std::string everywhere;                                 // behave_everywhere(); guarded by handlers_mutex
  std::atomic<unsigned> storm_count{0};                   // /storm answers so far
  std::vector<std::shared_ptr<Session>> never_answered;   // kept open until stop
  std::vector<std::shared_ptr<Session>> held;             // answered by release_held()
  std::vector<std::weak_ptr<Session>> sessions;           // to close on stop
};

namespace {

// One accepted connection: reads requests and answers them per the path.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(TestHttpServer::Impl& server, tcp::socket socket)
      : server_(server), socket_(std::move(socket)), delay_(server.io) {}

  void read_next_request() {
    parser_.emplace();
    parser_->body_limit(kMaxRequestBody);
    http::async_read(socket_, buffer_, *parser_,
                     [self = shared_from_this()](boost::system::error_code error, std::size_t) {
                       if (!error) self->request_ = self->parser_->release();
                       self->on_request_read(error);
                     });
  }

  void close() {
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

  void answer_held() { write_text(200, "ok"); }

 private:
  void on_request_read(boost::system::error_code error) {
    if (error) return close();
    server_.count_request_started();
    answering_ = true;

    const std::string target(request_.target());
    std::string_view path = std::string_view(target).substr(0, target.find('?'));
    auto handler = server_.find_handler(path);
    const std::string everywhere = server_.everywhere_behaviour();
    if (!handler && !everywhere.empty()) path = everywhere;
    if (handler) {
      TestRequest request{std::string(request_.method_string()), target, {}, request_.body()};
      for (const auto& field : request_) {
        std::string name(field.name_string());
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        request.headers.emplace_back(std::move(name), std::string(field.value()));
      }
      TestReply reply = handler(request);
      http::response<http::string_body> response{static_cast<http::status>(reply.status), 11};
      for (const auto& [name, value] : reply.headers) response.set(name, value);
      response.body() = std::move(reply.body);
      return write(std::move(response), false);
    }

    if (path == "/ok") return write_text(200, "ok");
    if (path == "/echo") return write_echo();
    if (path.rfind("/delay/", 0) == 0) {
      delay_.expires_after(std::chrono::milliseconds(number_after(path, "/delay/")));
      return delay_.async_wait([self = shared_from_this()](boost::system::error_code error) {
        if (error) return self->close();
        self->write_text(200, "ok");
      });
    }
    if (path.rfind("/status/", 0) == 0) {
      const auto code = static_cast<unsigned>(number_after(path, "/status/"));
      return write_text(code, "status " + std::to_string(code));
    }
    if (path.rfind("/large/", 0) == 0) {
      return write_text(200, std::string(number_after(path, "/large/"), 'x'));
    }
    if (path.rfind("/chunked/", 0) == 0) {
      http::response<http::string_body> response{http::status::ok, 11};
      response.body() = std::string(number_after(path, "/chunked/"), 'x');
      response.chunked(true);
      return write(std::move(response), false);
    }
    if (path == "/close") {
      http::response<http::string_body> response{http::status::ok, 11};
      response.body() = "ok";
      return write(std::move(response), true);
    }
    if (path == "/reset") {
      server_.count_request_finished();
      boost::system::error_code ignored;
      socket_.set_option(tcp::socket::linger(true, 0), ignored);  // close() now sends RST
      return close();
    }
    if (path == "/garbage") {
      static const std::string kGarbage = "this is not HTTP at all\r\n\r\n";
      return asio::async_write(socket_, asio::buffer(kGarbage),
                               [self = shared_from_this()](boost::system::error_code, std::size_t) {
                                 self->server_.count_request_finished();
                                 boost::system::error_code ignored;
                                 self->socket_.shutdown(tcp::socket::shutdown_both, ignored);
                                 self->close();
                               });
    }
    if (path.rfind("/huge-header/", 0) == 0) {
      // Written raw: Beast refuses to serialize a field this large.
      trickle_ = "HTTP/1.1 200 OK\r\nX-Padding: " +
                 std::string(number_after(path, "/huge-header/"), 'p') +
                 "\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
      return asio::async_write(socket_, asio::buffer(trickle_),
                               [self = shared_from_this()](boost::system::error_code, std::size_t) {
                                 self->server_.count_request_finished();
                                 self->answering_ = false;
                                 boost::system::error_code ignored;
                                 self->socket_.shutdown(tcp::socket::shutdown_both, ignored);
                                 self->close();
                               });
    }
    if (path == "/slowloris") {
      trickle_ = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 600\r\n\r\n" +
                 std::string(600, 's');
      trickled_ = 0;
      return trickle_next_byte();
    }
    if (path == "/storm") {
      static constexpr unsigned kStorm[] = {500, 502, 503, 504};
      const unsigned code = kStorm[server_.storm_count++ % 4];
      return write_text(code, "storm " + std::to_string(code));
    }
    if (path == "/hold") {
      server_.hold(shared_from_this());
      return;
    }
    if (path == "/never") {
      server_.never_answered.push_back(shared_from_this());
      return;
    }
    write_text(404, "no such behaviour");
  }

  // Slowloris in reverse: one byte of `trickle_` every 500 ms, so a client
  // sees a live connection that never finishes a response in time.
  void trickle_next_byte() {
    if (trickled_ >= trickle_.size()) {
      server_.count_request_finished();
      answering_ = false;
      return close();
    }
    asio::async_write(socket_, asio::buffer(trickle_.data() + trickled_, 1),
                      [self = shared_from_this()](boost::system::error_code error, std::size_t) {
                        if (error) return self->close();
                        ++self->trickled_;
                        self->delay_.expires_after(std::chrono::milliseconds(500));
                        self->delay_.async_wait([self](boost::system::error_code wait_error) {
                          if (wait_error) return self->close();
                          self->trickle_next_byte();
                        });
                      });
  }

  void write_echo() {
    nlohmann::json headers = nlohmann::json::object();
    for (const auto& field : request_) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      headers[name] = std::string(field.value());
    }
    const nlohmann::json echo = {{"method", std::string(request_.method_string())},
                                 {"target", std::string(request_.target())},
                                 {"headers", headers},
                                 {"body", request_.body()}};
    http::response<http::string_body> response{http::status::ok, 11};
    response.set(http::field::content_type, "application/json");
    response.body() = echo.dump();
    write(std::move(response), false);
  }

  void write_text(unsigned status, std::string body) {
    http::response<http::string_body> response{static_cast<http::status>(status), 11};
    response.set(http::field::content_type, "text/plain");
    response.body() = std::move(body);
    write(std::move(response), false);
  }

  void write(http::response<http::string_body>&& response, bool close_after) {
    response.set(http::field::server, "golive-test");
    response.keep_alive(request_.keep_alive() && !close_after);
    response.prepare_payload();
    response_ = std::move(response);
    http::async_write(socket_, response_,
                      [self = shared_from_this()](boost::system::error_code error, std::size_t) {
                        self->on_response_written(error);
                      });
  }

  void on_response_written(boost::system::error_code error) {
    if (answering_) {
      answering_ = false;
      server_.count_request_finished();
    }
    if (error || !response_.keep_alive()) {
      boost::system::error_code ignored;
      socket_.shutdown(tcp::socket::shutdown_send, ignored);
      return close();
    }
    read_next_request();
  }

  TestHttpServer::Impl& server_;
  tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
  static constexpr std::uint64_t kMaxRequestBody = 64 * 1024 * 1024;  // bytes
  std::optional<http::request_parser<http::string_body>> parser_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
  asio::steady_timer delay_;
  std::string trickle_;       // /slowloris, /huge-header: the raw response written
  std::size_t trickled_ = 0;  // bytes of trickle_ written so far
  bool answering_ = false;
};

}  // namespace

void TestHttpServer::Impl::accept_next() {
  acceptor.async_accept([this](boost::system::error_code error, tcp::socket socket) {
    if (error) return;  // the acceptor was closed: the server is stopping
    ++owner.connections_accepted_;
    auto session = std::make_shared<Session>(*this, std::move(socket));
    sessions.push_back(session);
    session->read_next_request();
    accept_next();
  });
}

TestHttpServer::Handler TestHttpServer::Impl::find_handler(std::string_view path) {
  std::lock_guard<std::mutex> lock(handlers_mutex);
  for (const auto& [prefix, handler] : handlers) {
    if (path.rfind(prefix, 0) == 0) return handler;
  }
  return nullptr;
}

TestHttpServer::TestHttpServer(const std::string& address)
    : address_(address), impl_(std::make_unique<Impl>(*this)) {
  const tcp::endpoint endpoint(asio::ip::make_address(address_), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen(asio::socket_base::max_listen_connections);
  port_ = impl_->acceptor.local_endpoint().port();
  impl_->accept_next();
  thread_ = std::thread([this] { impl_->io.run(); });
}

TestHttpServer::~TestHttpServer() {
  std::promise<void> stopped;
  asio::post(impl_->io, [this, &stopped] {
    boost::system::error_code ignored;
    impl_->acceptor.close(ignored);
    for (auto& weak : impl_->sessions) {
      if (auto session = weak.lock()) session->close();
    }
    impl_->never_answered.clear();
    impl_->held.clear();
    impl_->io.stop();
    stopped.set_value();
  });
  stopped.get_future().wait();
  thread_.join();
}

std::string TestHttpServer::url(const std::string& path) const {
  const std::string host = address_.find(':') != std::string::npos ? "[" + address_ + "]" : address_;
  return "http://" + host + ":" + std::to_string(port_) + path;
}

void TestHttpServer::release_held() {
  asio::post(impl_->io, [this] {
    std::vector<std::shared_ptr<Session>> held;
    held.swap(impl_->held);
    held_ = 0;
    for (auto& session : held) session->answer_held();
  });
}

void TestHttpServer::behave_everywhere(const std::string& behaviour_path) {
  std::lock_guard<std::mutex> lock(impl_->handlers_mutex);
  impl_->everywhere = behaviour_path;
}

void TestHttpServer::on(const std::string& path_prefix, Handler handler) {
  std::lock_guard<std::mutex> lock(impl_->handlers_mutex);
  impl_->handlers.emplace_back(path_prefix, std::move(handler));
}

}  // namespace golive::testing
