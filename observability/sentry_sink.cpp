#include "observability/sentry_sink.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

#include "core/ascii_case.hpp"
#include "core/random_id.hpp"
#include "observability/sentry_envelope.hpp"

namespace golive::observability {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

std::mutex registry_mutex;
std::map<std::string, SentrySink*>& registry() {
  static std::map<std::string, SentrySink*> sinks;
  return sinks;
}

std::string reason(int status) {
  switch (status) {
    case 200:
      return "OK";
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
    default:
      return "Status";
  }
}

// "/api/<project>/envelope/" -> {"<project>", "envelope"}; std::nullopt otherwise.
std::optional<std::pair<std::string, std::string>> ingest_route(const std::string& path) {
  const std::string prefix = "/api/";
  if (path.rfind(prefix, 0) != 0) return std::nullopt;
  std::string rest = path.substr(prefix.size());
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  const std::size_t slash = rest.find('/');
  if (slash == std::string::npos || slash == 0) return std::nullopt;
  const std::string project = rest.substr(0, slash);
  const std::string endpoint = rest.substr(slash + 1);
  if (endpoint != "envelope" && endpoint != "store") return std::nullopt;
  return std::make_pair(project, endpoint);
}

}  // namespace

struct SentrySink::State {
  asio::io_context io;  // first member: destroyed last
  tcp::acceptor acceptor{io};
  std::string host;
  std::uint16_t port = 0;
  std::string required_key;
  std::thread thread;

  mutable std::mutex mutex;  // guards deliveries
  std::vector<SentryDelivery> deliveries;

  // Reads one request into a delivery, decides the answer, records it.
  std::pair<int, std::string> on_request(const http::request<http::string_body>& request) {
    SentryDelivery delivery;
    delivery.at = std::chrono::steady_clock::now();
    const std::string target(request.target());
    const std::size_t question = target.find('?');
    const std::string path = target.substr(0, question);
    const std::string query = question == std::string::npos ? "" : target.substr(question + 1);
    delivery.endpoint = path;
    const auto route = ingest_route(path);
    auto finish = [&](int status, std::string error, nlohmann::json body) {
      delivery.status = status;
      delivery.error = std::move(error);
      {
        std::lock_guard lock(mutex);
        deliveries.push_back(std::move(delivery));
      }
      return std::make_pair(status, body.dump());
    };
    if (!route) return finish(404, "not an ingest endpoint: " + path, {{"detail", "not found"}});
    delivery.project_id = route->first;
    delivery.endpoint = route->second;
    if (request.method() != http::verb::post) {
      return finish(405, "method " + std::string(request.method_string()), {{"detail", "POST only"}});
    }
    delivery.public_key = sentry_key_from_query(query);
    if (const auto auth = request.find("X-Sentry-Auth"); auth != request.end()) {
      const std::string key = sentry_key_from_auth_header(auth->value());
      if (!key.empty()) delivery.public_key = key;
    }
    std::string error;
    delivery.body = request.body();
    if (const auto encoding = request.find(http::field::content_encoding);
        encoding != request.end()) {
      delivery.content_encoding = core::ascii_lower(std::string(encoding->value()));
      if (delivery.content_encoding == "gzip" || delivery.content_encoding == "deflate") {
        std::optional<std::string> inflated =
            inflate_body(request.body(), kSentryMaxInflatedBytes, error);
        if (!inflated) return finish(400, error, {{"detail", error}});
        delivery.body = std::move(*inflated);
      } else if (delivery.content_encoding != "identity") {
        error = "unsupported Content-Encoding " + delivery.content_encoding;
        return finish(400, error, {{"detail", error}});
      }
    }
    std::string event_id;
    if (delivery.endpoint == "envelope") {
      std::optional<Envelope> envelope = parse_envelope(delivery.body, error);
      if (!envelope) return finish(400, error, {{"detail", error}});
      if (delivery.public_key.empty() && envelope->header.contains("dsn") &&
          envelope->header["dsn"].is_string()) {
        delivery.public_key = sentry_key_from_dsn(envelope->header["dsn"].get<std::string>());
      }
      delivery.events = envelope_events(*envelope, error);
      event_id = envelope->header.value("event_id", "");
    } else {
      nlohmann::json event = nlohmann::json::parse(delivery.body, nullptr, false);
      if (!event.is_object()) {
        error = "the store body is not a JSON event";
        return finish(400, error, {{"detail", error}});
      }
      event_id = event.value("event_id", "");
      delivery.events.push_back(std::move(event));
    }
    if (delivery.public_key.empty()) {
      return finish(401, "no sentry_key in X-Sentry-Auth, the query or the envelope's dsn",
                    {{"detail", "missing authorization information"}});
    }
    if (!required_key.empty() && delivery.public_key != required_key) {
      return finish(401, "sentry_key \"" + delivery.public_key + "\" is not the DSN's key",
                    {{"detail", "invalid api key"}});
    }
    if (event_id.empty() && !delivery.events.empty()) {
      event_id = delivery.events.front().value("event_id", "");
    }
    if (event_id.empty()) event_id = core::random_hex(16);
    return finish(200, error, {{"id", event_id}});
  }
};

namespace {

// One accepted connection: reads requests (keep-alive) and answers each.
class SinkConnection : public std::enable_shared_from_this<SinkConnection> {
 public:
  SinkConnection(tcp::socket socket, SentrySink::State& state)
      : socket_(std::move(socket)), state_(state) {}

  void start() { read_request(); }

 private:
  void read_request() {
    parser_.emplace();
    parser_->body_limit(kSentryMaxBodyBytes);
    http::async_read(socket_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code error, std::size_t) {
                       self->on_request_read(error);
                     });
  }

  void on_request_read(beast::error_code error) {
    if (error == http::error::body_limit) return respond(413, R"({"detail":"too large"})", false);
    if (error) return close();
    const http::request<http::string_body>& request = parser_->get();
    keep_alive_ = request.keep_alive();
    const auto [status, body] = state_.on_request(request);
    respond(status, body, keep_alive_);
  }

  void respond(int status, const std::string& body, bool keep_alive) {
    keep_alive_ = keep_alive;
    out_ = "HTTP/1.1 " + std::to_string(status) + " " + reason(status) +
           "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\nConnection: " + (keep_alive ? "keep-alive" : "close") + "\r\n\r\n" + body;
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
  SentrySink::State& state_;  // outlives every connection (they die with its io_context)
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool keep_alive_ = true;
  std::string out_;
};

void accept_next(SentrySink::State& state) {
  state.acceptor.async_accept([&state](beast::error_code error, tcp::socket socket) {
    if (error) return;  // acceptor closed: the sink is stopping
    std::make_shared<SinkConnection>(std::move(socket), state)->start();
    accept_next(state);
  });
}

}  // namespace

SentrySink::SentrySink(const std::string& host, std::uint16_t port, std::string required_key)
    : state_(std::make_unique<State>()) {
  try {
    const tcp::endpoint endpoint(asio::ip::make_address(host), port);
    state_->acceptor.open(endpoint.protocol());
    state_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    state_->acceptor.bind(endpoint);
    state_->acceptor.listen();
  } catch (const std::exception& error) {
    throw std::runtime_error("Sentry sink cannot listen on " + host + ":" + std::to_string(port) +
                             ": " + error.what());
  }
  state_->host = host;
  state_->port = state_->acceptor.local_endpoint().port();
  state_->required_key = std::move(required_key);
  accept_next(*state_);
  state_->thread = std::thread([state = state_.get()] { state->io.run(); });
  std::lock_guard lock(registry_mutex);
  registry()[address()] = this;
}

SentrySink::~SentrySink() {
  {
    std::lock_guard lock(registry_mutex);
    auto found = registry().find(address());
    if (found != registry().end() && found->second == this) registry().erase(found);
  }
  asio::post(state_->io, [state = state_.get()] {
    beast::error_code ignored;
    state->acceptor.close(ignored);
  });
  state_->io.stop();
  if (state_->thread.joinable()) state_->thread.join();
}

std::uint16_t SentrySink::port() const {
  return state_->port;
}

std::string SentrySink::address() const {
  return state_->host + ":" + std::to_string(state_->port);
}

const std::string& SentrySink::required_key() const {
  return state_->required_key;
}

std::string SentrySink::dsn(const std::string& project_id) const {
  const std::string key = state_->required_key.empty() ? "golive" : state_->required_key;
  return "http://" + key + "@" + address() + "/" + project_id;
}

std::vector<SentryDelivery> SentrySink::deliveries() const {
  std::lock_guard lock(state_->mutex);
  return state_->deliveries;
}

SentrySink* SentrySink::running_at(const std::string& address) {
  std::lock_guard lock(registry_mutex);
  const auto found = registry().find(address);
  return found == registry().end() ? nullptr : found->second;
}

}  // namespace golive::observability
