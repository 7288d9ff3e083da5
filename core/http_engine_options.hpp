// HttpEngineOptions: the engine-wide settings of one HttpEngine (connection
// limits, protocol, TLS trust, identity and the host allowlist safety rail).
// Per-request settings (timeout, size cap) live in HttpRequest.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#ifndef GOLIVE_VERSION
#define GOLIVE_VERSION "0.0.0"
#endif

namespace golive::core {

enum class HttpVersion {
  kHttp1_1,              // HTTP/1.1 everywhere (the default; what wrk and ab speak)
  kHttp2,                // HTTP/2 over TLS when ALPN agrees, HTTP/1.1 for http:// URLs
  kHttp2PriorKnowledge,  // HTTP/2 without upgrade, also on cleartext (h2c)
};

inline std::string default_user_agent() { return std::string("golive/") + GOLIVE_VERSION; }

struct HttpEngineOptions {
  long max_connections_per_host = 0;  // open connections to one host:port; 0 = unlimited
  long max_connections_total = 0;     // open connections of this engine; 0 = unlimited
  // Idle keep-alive connections kept for reuse. curl's default (4x the
  // transfers currently added) shrinks as a burst of transfers completes and
  // closes connections the next burst wants; golive keeps them.
  long max_idle_connections = 10000;
  HttpVersion http_version = HttpVersion::kHttp1_1;

  // TLS: peers are always verified against the CA store unless `insecure` is
  // set explicitly (e.g. a staging host with a self-signed certificate).
  std::string ca_bundle;  // path of a PEM file of trusted CAs; empty = the system store
  bool insecure = false;  // skips certificate and host-name verification; never a default

  std::string user_agent = default_user_agent();
  std::chrono::milliseconds connect_timeout{10000};  // TCP + TLS handshake budget
  // curl honours http_proxy/https_proxy by default; a load generator and the
  // safety rails want traffic to go exactly where the URL says.
  bool use_proxy_from_environment = false;

  // Safety rail: when set, a request whose URL host (lowercase, without port
  // or brackets) is refused completes at once with kNotAllowed and never
  // opens a connection. Empty: every host is allowed.
  std::function<bool(std::string_view host)> host_allowed;
};

}  // namespace golive::core
