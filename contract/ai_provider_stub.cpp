#include "contract/ai_provider_stub.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cctype>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "core/ascii_case.hpp"

namespace golive::contract {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// The built-in mock's failure switch, honoured so workflows written for the
// embedded target keep their meaning when it calls the stub.
constexpr std::string_view kMockFailMarker = "MOCK_AI_FAIL";
// A slow body is sent in this many pieces.
constexpr int kSlowBodyPieces = 10;
constexpr std::size_t kMaxTopics = 50;

std::mutex registry_mutex;
std::map<std::string, AiProviderStub*>& registry() {
  static std::map<std::string, AiProviderStub*> stubs;
  return stubs;
}

// The healthy answer: one title per sentence or line, the part after its
// last ':', trimmed, first letter upper-cased, case-insensitive repeats dropped.
nlohmann::json healthy_body(const std::string& input) {
  std::vector<std::string> topics;
  std::vector<std::string> seen;
  std::string fragment;
  auto flush = [&] {
    std::string title =
        fragment.substr(fragment.rfind(':') == std::string::npos ? 0 : fragment.rfind(':') + 1);
    fragment.clear();
    const auto first = title.find_first_not_of(" \t-*#>");
    if (first == std::string::npos) return;
    title = title.substr(first, title.find_last_not_of(" \t") - first + 1);
    if (std::none_of(title.begin(), title.end(), [](unsigned char c) { return std::isalnum(c); }))
      return;
    title[0] = core::ascii_upper(title[0]);
    const std::string key = core::ascii_lower(title);
    if (std::find(seen.begin(), seen.end(), key) != seen.end() || topics.size() >= kMaxTopics)
      return;
    seen.push_back(key);
    topics.push_back(title);
  };
  for (char c : input) {
    if (c == '\n' || c == '.' || c == '!' || c == '?' || c == ';')
      flush();
    else
      fragment += c;
  }
  flush();
  return {{"topics", topics}, {"model", "golive-stub-1"}};
}

std::string reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
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

std::string response_head(int status, std::size_t content_length, bool keep_alive) {
  return "HTTP/1.1 " + std::to_string(status) + " " + reason(status) +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(content_length) +
         "\r\nConnection: " + (keep_alive ? "keep-alive" : "close") + "\r\n\r\n";
}

}  // namespace

struct AiProviderStub::State {
  asio::io_context io;  // first member: destroyed last, after nothing else needs it
  tcp::acceptor acceptor{io};
  std::string host;
  std::uint16_t port = 0;
  std::thread thread;

  mutable std::mutex mutex;                              // guards scripts and arrivals
  std::map<std::string, std::deque<StubFault>> scripts;  // marker -> faults still to serve
  std::vector<StubArrival> arrivals;

  // Picks the answer for one request and records its arrival.
  StubFault on_request(const std::string& input, const std::string& job_id) {
    std::lock_guard lock(mutex);
    StubArrival arrival{std::chrono::steady_clock::now(), job_id, "", ""};
    StubFault fault = StubFault::success();
    for (auto& [marker, faults] : scripts) {
      if (input.find(marker) == std::string::npos) continue;
      arrival.marker = marker;
      if (!faults.empty()) {
        fault = faults.front();
        faults.pop_front();
      }
      break;
    }
    if (arrival.marker.empty() && input.find(kMockFailMarker) != std::string::npos) {
      fault = StubFault::server_error(503);
    }
    switch (fault.kind) {
      case StubFault::Kind::kServerError:
        arrival.action = std::to_string(fault.status);
        break;
      case StubFault::Kind::kNoAnswer:
        arrival.action = "no_answer";
        break;
      case StubFault::Kind::kSlowBody:
        arrival.action = "slow_body";
        break;
      case StubFault::Kind::kSuccess:
        arrival.action = "200";
        break;
    }
    arrivals.push_back(std::move(arrival));
    return fault;
  }
};

namespace {

// One accepted connection: reads requests (keep-alive) and answers each as
// scripted. Owned by its pending handlers through shared_from_this.
class StubConnection : public std::enable_shared_from_this<StubConnection> {
 public:
  StubConnection(tcp::socket socket, AiProviderStub::State& state)
      : socket_(std::move(socket)), timer_(socket_.get_executor()), state_(state) {}

  void start() { read_request(); }

 private:
  void read_request() {
    request_ = {};
    http::async_read(socket_, buffer_, request_,
                     [self = shared_from_this()](beast::error_code error, std::size_t) {
                       self->on_request_read(error);
                     });
  }

  void on_request_read(beast::error_code error) {
    if (error) return close();
    keep_alive_ = request_.keep_alive();
    const nlohmann::json body = nlohmann::json::parse(request_.body(), nullptr, false);
    std::string input;
    std::string job_id;
    if (body.is_object()) {
      if (body.contains("input") && body["input"].is_string()) input = body["input"];
      if (body.contains("job_id") && body["job_id"].is_string()) job_id = body["job_id"];
    }
    const StubFault fault = state_.on_request(input, job_id);
    switch (fault.kind) {
      case StubFault::Kind::kServerError:
        return respond(fault.status, nlohmann::json{{"error", "injected_fault"},
                                                    {"message", "golive stub: scripted " +
                                                                    std::to_string(fault.status)}}
                                         .dump());
      case StubFault::Kind::kNoAnswer:
        return hold_until_peer_closes();
      case StubFault::Kind::kSlowBody:
        return trickle(healthy_body(input).dump(), fault.body_ms);
      case StubFault::Kind::kSuccess:
        return respond(200, healthy_body(input).dump());
    }
  }

  void respond(int status, const std::string& body) {
    out_ = response_head(status, body.size(), keep_alive_) + body;
    asio::async_write(socket_, asio::buffer(out_),
                      [self = shared_from_this()](beast::error_code error, std::size_t) {
                        self->on_response_written(error);
                      });
  }

  void on_response_written(beast::error_code error) {
    if (error || !keep_alive_) return close();
    read_request();
  }

  // No answer: keep reading (and discarding) until the caller closes.
  void hold_until_peer_closes() {
    socket_.async_read_some(asio::buffer(discard_),
                            [self = shared_from_this()](beast::error_code error, std::size_t) {
                              if (error) return self->close();
                              self->hold_until_peer_closes();
                            });
  }

  // Headers at once, then the body in kSlowBodyPieces pieces over body_ms.
  void trickle(const std::string& body, int body_ms) {
    out_ = response_head(200, body.size(), keep_alive_);
    pending_body_ = body;
    piece_delay_ = std::chrono::milliseconds(std::max(0, body_ms) / kSlowBodyPieces);
    piece_size_ = std::max<std::size_t>(1, (body.size() + kSlowBodyPieces - 1) / kSlowBodyPieces);
    asio::async_write(socket_, asio::buffer(out_),
                      [self = shared_from_this()](beast::error_code error, std::size_t) {
                        if (error) return self->close();
                        self->on_piece_timer();
                      });
  }

  void on_piece_timer() {
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
                        self->on_piece_timer();
                      });
  }

  void close() {
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  tcp::socket socket_;
  asio::steady_timer timer_;
  AiProviderStub::State& state_;  // outlives every connection (they die with its io_context)
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  bool keep_alive_ = true;
  std::string out_;           // bytes being written
  std::string pending_body_;  // slow body: what is still to send
  std::chrono::milliseconds piece_delay_{0};
  std::size_t piece_size_ = 1;  // bytes per slow-body piece
  std::array<char, 4096> discard_{};
};

void accept_next(AiProviderStub::State& state) {
  state.acceptor.async_accept([&state](beast::error_code error, tcp::socket socket) {
    if (error) return;  // acceptor closed: the stub is stopping
    std::make_shared<StubConnection>(std::move(socket), state)->start();
    accept_next(state);
  });
}

}  // namespace

AiProviderStub::AiProviderStub(const std::string& host, std::uint16_t port)
    : state_(std::make_unique<State>()) {
  try {
    const tcp::endpoint endpoint(asio::ip::make_address(host), port);
    state_->acceptor.open(endpoint.protocol());
    state_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    state_->acceptor.bind(endpoint);
    state_->acceptor.listen();
  } catch (const std::exception& error) {
    throw std::runtime_error("AI provider stub cannot listen on " + host + ":" +
                             std::to_string(port) + ": " + error.what());
  }
  state_->host = host;
  state_->port = state_->acceptor.local_endpoint().port();
  accept_next(*state_);
  state_->thread = std::thread([state = state_.get()] { state->io.run(); });
  std::lock_guard lock(registry_mutex);
  registry()[address()] = this;
}

AiProviderStub::~AiProviderStub() {
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

std::uint16_t AiProviderStub::port() const {
  return state_->port;
}

std::string AiProviderStub::address() const {
  return state_->host + ":" + std::to_string(state_->port);
}

std::string AiProviderStub::url() const {
  return "http://" + address() + "/v1/extract";
}

void AiProviderStub::script(const std::string& marker, std::vector<StubFault> faults) {
  std::lock_guard lock(state_->mutex);
  state_->scripts[marker] = std::deque<StubFault>(faults.begin(), faults.end());
}

std::vector<StubArrival> AiProviderStub::arrivals(const std::string& marker) const {
  std::lock_guard lock(state_->mutex);
  std::vector<StubArrival> matched;
  for (const auto& arrival : state_->arrivals) {
    if (arrival.marker == marker) matched.push_back(arrival);
  }
  return matched;
}

std::vector<StubArrival> AiProviderStub::all_arrivals() const {
  std::lock_guard lock(state_->mutex);
  return state_->arrivals;
}

AiProviderStub* AiProviderStub::running_at(const std::string& address) {
  std::lock_guard lock(registry_mutex);
  const auto found = registry().find(address);
  return found == registry().end() ? nullptr : found->second;
}

}  // namespace golive::contract
