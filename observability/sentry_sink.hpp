// SentrySink: a Sentry ingest endpoint inside golive, so a check can see the
// events a target sends to its DSN. Speaks the real protocol
// (sentry_envelope.hpp): POST /api/<project>/envelope/ and the legacy
// /api/<project>/store/, the DSN's public key from X-Sentry-Auth, the query
// or the envelope header, gzip and deflate bodies. Answers 200 {"id": ...}
// as Sentry does, 401 for a wrong key (when a key is required), 400 for a
// body it cannot read, 404 elsewhere. Every delivery is kept, refused ones
// too, so a check can say why an event did not count. It also answers
// Sentry's read API for what it accepted (GET /api/0/projects/<org>/<project>/events/
// with a bearer token, `query` matched against each event), so the checks'
// API mode (sentry_api.hpp) runs against the embedded target too.
//
// Boost.Asio on its own thread, listening on one address (127.0.0.1 and a
// free port by default); stopped and joined by the destructor.
//
//   SentrySink sink("127.0.0.1", 0, "<public key>");
//   start the target with --sentry-dsn sink.dsn("1") ...
//   auto deliveries = sink.deliveries();
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace golive::observability {

// One POST to an ingest endpoint, as the sink read it.
struct SentryDelivery {
  std::chrono::steady_clock::time_point at;  // when the whole request had been read
  std::string endpoint;         // "envelope", "store" or the path when it was neither
  std::string project_id;       // from the path
  std::string public_key;       // the key the sender presented ("" if none)
  std::string content_encoding; // "gzip", "deflate" or ""
  int status = 0;               // what the sink answered
  std::string error;            // why it was refused or only partly read ("" if accepted)
  std::string body;             // the decoded (inflated) body, for searching
  std::vector<nlohmann::json> events;  // the error events it carried
  bool accepted() const { return status == 200; }
};

class SentrySink {
 public:
  // Binds host:port (port 0: a free port) and starts serving. `required_key`
  // empty: any key is accepted. Throws std::runtime_error when the address
  // cannot be bound (a port in use).
  explicit SentrySink(const std::string& host = "127.0.0.1", std::uint16_t port = 0,
                      std::string required_key = "");
  ~SentrySink();
  SentrySink(const SentrySink&) = delete;
  SentrySink& operator=(const SentrySink&) = delete;

  std::uint16_t port() const;
  std::string address() const;  // "host:port"
  const std::string& required_key() const;
  // A DSN pointing here: "http://<required key or 'golive'>@host:port/<project>".
  std::string dsn(const std::string& project_id = "1") const;

  std::vector<SentryDelivery> deliveries() const;

  // The sink of this process listening on `address` ("host:port"), or nullptr:
  // lets a check use the sink the embedded target was started against.
  static SentrySink* running_at(const std::string& address);
  // The sink running at `address` ("host:port"), or one started there and
  // owned by `started`. Throws std::runtime_error when it cannot listen.
  static SentrySink& running_or_start(const std::string& address, const std::string& required_key,
                                      std::unique_ptr<SentrySink>& started);

  struct State;  // shared with the connection handlers

 private:
  std::unique_ptr<State> state_;
};

// Largest request body read (compressed bytes), and largest inflated body.
inline constexpr std::size_t kSentryMaxBodyBytes = 20 * 1024 * 1024;
inline constexpr std::size_t kSentryMaxInflatedBytes = 100 * 1024 * 1024;

}  // namespace golive::observability
