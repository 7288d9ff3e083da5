// CdpConnection: one WebSocket (Boost.Beast) to a Chromium's DevTools
// endpoint, speaking the Chrome DevTools Protocol's JSON messages: commands
// ({"id", "method", "params", "sessionId"}) answered by {"id", "result"|"error"},
// and events ({"method", "params", "sessionId"}) that arrive in between and
// are queued for the caller. Synchronous with deadlines: nothing blocks
// longer than the deadline given, and a dead browser is an error, never a
// hang. The socket is owned (RAII) and closed by the destructor.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace golive::browser {

struct CdpReply {
  bool ok = false;                 // a "result" arrived
  nlohmann::json result;           // the command's result (ok)
  std::string error;               // the protocol's error message, a timeout or a lost socket
};

struct CdpEvent {
  std::string method;      // "Page.loadEventFired"
  std::string session_id;  // "" for browser-level events
  nlohmann::json params;
};

class CdpConnection {
 public:
  // Connects to "ws://127.0.0.1:PORT/devtools/browser/<id>". Throws nothing:
  // check connected() and error().
  CdpConnection(const std::string& websocket_url, std::chrono::milliseconds deadline);
  ~CdpConnection();
  CdpConnection(const CdpConnection&) = delete;
  CdpConnection& operator=(const CdpConnection&) = delete;

  bool connected() const;
  const std::string& error() const { return error_; }

  // Sends a command and waits for its answer (queuing events meanwhile).
  CdpReply call(const std::string& method, const nlohmann::json& params = nlohmann::json::object(),
                const std::string& session_id = "",
                std::chrono::milliseconds deadline = std::chrono::seconds(10));
  // The next event, waiting at most `wait` for one to arrive.
  std::optional<CdpEvent> next_event(std::chrono::milliseconds wait);

  // Events are handed to `handler` as they arrive (also while a call() waits
  // for its answer, so a paused request is answered while Page.navigate
  // waits); without a handler they queue for next_event(). The handler may
  // call(); events arriving meanwhile wait until it returns.
  void set_event_handler(std::function<void(const CdpEvent&)> handler) { handler_ = std::move(handler); }
  // Handles events until `done()` or the deadline; false at the deadline or
  // when the connection is lost.
  bool wait_until(std::chrono::steady_clock::time_point deadline, const std::function<bool()>& done) {
    return pump_until(deadline, done);
  }

  // The last message received (trimmed), for an error's evidence.
  const std::string& last_message() const { return last_message_; }

 private:
  struct State;
  bool pump_until(std::chrono::steady_clock::time_point deadline, const std::function<bool()>& done);
  void on_message(const std::string& text);

  void dispatch();

  std::unique_ptr<State> state_;
  std::function<void(const CdpEvent&)> handler_;
  bool dispatching_ = false;
  std::deque<CdpEvent> events_;
  std::map<long, nlohmann::json> replies_;
  long next_id_ = 1;
  std::string error_;
  std::string last_message_;
};

}  // namespace golive::browser
