// Request, response and error categories shared by the HTTP engine and every
// suite that sends traffic. A failed transfer is a response with an error
// category, never an exception (failures are data).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace golive::http {

enum class HttpErrorCategory {
  kNone,        // the transfer completed; look at the status
  kDns,         // name resolution failed
  kConnect,     // TCP connect refused or unreachable
  kTls,         // handshake or certificate verification failed
  kTimeout,     // per-request timeout elapsed
  kReset,       // connection reset or closed mid-transfer
  kTooLarge,    // response exceeded max_response_bytes
  kProtocol,    // malformed HTTP from the peer
  kNotAllowed,  // refused by golive's safety rails (host not in allowed_hosts)
  kCancelled,   // the run was stopped before the transfer ended
  kOther,
};
const char* to_string(HttpErrorCategory category);

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  HeaderList headers;
  std::string body;
  std::chrono::milliseconds timeout{30000};        // whole transfer
  std::size_t max_response_bytes = 16 * 1024 * 1024;  // bytes of body kept before kTooLarge
  // Read the response's headers and body but keep neither: the response then
  // carries its status, timing and error only (the body cap still applies).
  // For load requests nothing inspects, so a large body costs no copy.
  bool discard_response = false;
};

// Phase times as curl reports them: each is elapsed since the transfer
// started, in milliseconds (so connect_ms >= dns_ms, etc.).
struct HttpTiming {
  double dns_ms = 0;
  double connect_ms = 0;
  double tls_ms = 0;
  double first_byte_ms = 0;
  double total_ms = 0;
  // The TLS handshake alone (tls_ms - connect_ms) when this request opened an
  // https:// connection; 0 on a reused connection and for http://.
  double handshake_ms = 0;
  bool new_connection = false;  // this request opened the connection it went out on
  bool tls_resumed = false;     // its TLS handshake resumed an earlier session (native client)
};

struct HttpResponse {
  int status = 0;      // 0 when the transfer failed before a status line
  HeaderList headers;  // names lowercased, in arrival order
  std::string body;
  HttpTiming timing;
  HttpErrorCategory error = HttpErrorCategory::kNone;
  std::string error_message;  // curl's text for transport errors

  bool transport_ok() const { return error == HttpErrorCategory::kNone; }
  // First header with this (case-insensitive) name.
  std::optional<std::string> header(const std::string& name) const;
};

using ResponseCallback = std::function<void(HttpResponse&&)>;

// What the workflow engine and the load generator need from an HTTP engine:
// non-blocking send with a completion callback run on executor(). Timers for
// think time and polling are created on the same executor.
class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual boost::asio::any_io_executor executor() = 0;
  virtual void send(HttpRequest request, ResponseCallback on_complete) = 0;
};

}  // namespace golive::http
