#include "browser/cdp_connection.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "core/url.hpp"

namespace golive::browser {

namespace beast = boost::beast;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct CdpConnection::State {
  asio::io_context io;
  beast::websocket::stream<tcp::socket> socket{io};
  beast::flat_buffer buffer;
  bool reading = false;   // one read is always outstanding once connected
  bool open = false;
};

namespace {

std::string trimmed(const std::string& text) {
  return text.size() <= 600 ? text : text.substr(0, 600) + "…";
}

}  // namespace

CdpConnection::CdpConnection(const std::string& websocket_url, std::chrono::milliseconds deadline)
    : state_(std::make_unique<State>()) {
  // ws:// is not an http URL for core::parse_url; the host and port are ours
  // (127.0.0.1 and the port DevToolsActivePort named), so split by hand.
  const std::string prefix = "ws://";
  if (websocket_url.rfind(prefix, 0) != 0) {
    error_ = "not a ws:// URL: " + websocket_url;
    return;
  }
  const std::string rest = websocket_url.substr(prefix.size());
  const std::size_t slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  const std::string target = slash == std::string::npos ? "/" : rest.substr(slash);
  const std::size_t colon = authority.rfind(':');
  const std::string host = authority.substr(0, colon);
  const std::string port = colon == std::string::npos ? "80" : authority.substr(colon + 1);
  bool done = false;
  beast::error_code failure;
  tcp::resolver resolver(state_->io);
  beast::error_code resolve_error;
  const auto endpoints = resolver.resolve(host, port, resolve_error);
  if (resolve_error) {
    error_ = "cannot resolve " + authority + ": " + resolve_error.message();
    return;
  }
  asio::async_connect(state_->socket.next_layer(), endpoints,
                      [&](beast::error_code ec, const tcp::endpoint&) {
                        if (ec) {
                          failure = ec;
                          done = true;
                          return;
                        }
                        state_->socket.set_option(beast::websocket::stream_base::decorator(
                            [](beast::websocket::request_type& request) {
                              request.set(beast::http::field::user_agent, "golive");
                            }));
                        state_->socket.read_message_max(64 * 1024 * 1024);
                        state_->socket.async_handshake(authority, target, [&](beast::error_code hs) {
                          failure = hs;
                          done = true;
                        });
                      });
  state_->io.run_for(deadline);
  if (!done) {
    error_ = "the DevTools WebSocket handshake with " + authority + " took longer than " +
             std::to_string(deadline.count()) + " ms";
    beast::error_code ignored;
    state_->socket.next_layer().close(ignored);
    return;
  }
  if (failure) {
    error_ = "DevTools WebSocket " + websocket_url + ": " + failure.message();
    return;
  }
  state_->socket.text(true);
  state_->open = true;
}

CdpConnection::~CdpConnection() {
  if (state_ && state_->open) {
    beast::error_code ignored;
    state_->socket.next_layer().shutdown(tcp::socket::shutdown_both, ignored);
    state_->socket.next_layer().close(ignored);
  }
}

bool CdpConnection::connected() const { return state_->open && error_.empty(); }

void CdpConnection::on_message(const std::string& text) {
  last_message_ = trimmed(text);
  nlohmann::json message = nlohmann::json::parse(text, nullptr, false);
  if (!message.is_object()) return;
  if (message.contains("id")) {
    if (!message["id"].is_number_integer()) return;
    const long id = message["id"].get<long>();
    replies_[id] = std::move(message);
    return;
  }
  if (!message.value("params", nlohmann::json::object()).is_object()) return;
  CdpEvent event;
  event.method = message.value("method", "");
  event.session_id = message.value("sessionId", "");
  event.params = message.value("params", nlohmann::json::object());
  events_.push_back(std::move(event));
}

// Runs the io_context until `done()` or the deadline. One read stays
// outstanding between calls (a cancelled WebSocket read would leave the
// stream unusable), so a deadline only stops waiting, it loses nothing.
bool CdpConnection::pump_until(std::chrono::steady_clock::time_point deadline,
                               const std::function<bool()>& done) {
  dispatch();
  while (!done()) {
    if (!connected()) return false;
    if (!state_->reading) {
      state_->reading = true;
      state_->socket.async_read(state_->buffer, [this](beast::error_code ec, std::size_t) {
        state_->reading = false;
        if (ec) {
          error_ = "the DevTools connection closed: " + ec.message();
          state_->open = false;
          return;
        }
        on_message(beast::buffers_to_string(state_->buffer.data()));
        state_->buffer.consume(state_->buffer.size());
      });
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return done();
    state_->io.restart();
    state_->io.run_one_for(deadline - now);
    dispatch();
  }
  return true;
}

void CdpConnection::dispatch() {
  if (!handler_ || dispatching_) return;
  dispatching_ = true;
  while (!events_.empty()) {
    CdpEvent event = std::move(events_.front());
    events_.pop_front();
    handler_(event);
  }
  dispatching_ = false;
}

CdpReply CdpConnection::call(const std::string& method, const nlohmann::json& params,
                             const std::string& session_id, std::chrono::milliseconds deadline) {
  CdpReply reply;
  if (!connected()) {
    reply.error = error_.empty() ? "not connected" : error_;
    return reply;
  }
  const long id = next_id_++;
  nlohmann::json message = {{"id", id}, {"method", method}, {"params", params}};
  if (!session_id.empty()) message["sessionId"] = session_id;
  const std::string text = message.dump();
  const auto until = std::chrono::steady_clock::now() + deadline;
  bool written = false;
  beast::error_code write_error;
  state_->socket.async_write(asio::buffer(text), [&](beast::error_code ec, std::size_t) {
    write_error = ec;
    written = true;
  });
  pump_until(until, [&] { return written; });
  if (!written || write_error) {
    reply.error = method + ": the command could not be sent" +
                  (write_error ? ": " + write_error.message() : std::string(" in time"));
    if (!written) {
      // A write still in flight would touch `text` after return: close the socket.
      error_ = reply.error;
      beast::error_code ignored;
      state_->socket.next_layer().close(ignored);
      state_->open = false;
      state_->io.restart();
      state_->io.run_for(std::chrono::milliseconds(100));
    }
    return reply;
  }
  if (!pump_until(until, [&] { return replies_.count(id) > 0; })) {
    reply.error = method + ": " +
                  (connected() ? "no answer within " + std::to_string(deadline.count()) + " ms" : error_);
    return reply;
  }
  nlohmann::json answer = std::move(replies_[id]);
  replies_.erase(id);
  if (answer.contains("error")) {
    reply.error = method + ": " + answer["error"].value("message", answer["error"].dump());
    return reply;
  }
  reply.ok = true;
  reply.result = answer.value("result", nlohmann::json::object());
  return reply;
}

std::optional<CdpEvent> CdpConnection::next_event(std::chrono::milliseconds wait) {
  if (events_.empty()) {
    pump_until(std::chrono::steady_clock::now() + wait, [&] { return !events_.empty(); });
  }
  if (events_.empty()) return std::nullopt;
  CdpEvent event = std::move(events_.front());
  events_.pop_front();
  return event;
}

}  // namespace golive::browser
