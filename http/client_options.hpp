// ClientOptions: the engine-wide settings of one CurlHttpClient (connection
// limits, protocol, TLS trust, identity and the host allowlist safety rail).
// Per-request settings (timeout, size cap) live in HttpRequest.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "config/environment.hpp"
#include "config/host_policy.hpp"
#include "config/tls_settings.hpp"

#ifndef GOLIVE_VERSION
#define GOLIVE_VERSION "0.0.0"
#endif

namespace golive::http {

class RequestObserver;

enum class HttpVersion {
  kHttp1_1,              // HTTP/1.1 everywhere (the default; what wrk and ab speak)
  kHttp2,                // HTTP/2 over TLS when ALPN agrees, HTTP/1.1 for http:// URLs
  kHttp2PriorKnowledge,  // HTTP/2 without upgrade, also on cleartext (h2c)
};

inline std::string default_user_agent() { return std::string("golive/") + GOLIVE_VERSION; }

struct ClientOptions {
  long max_connections_per_host = 0;  // open connections to one host:port; 0 = unlimited
  long max_connections_total = 0;     // open connections of this engine; 0 = unlimited
  // Idle keep-alive connections kept for reuse. curl's default (4x the
  // transfers currently added) shrinks as a burst of transfers completes and
  // closes connections the next burst wants; golive keeps them.
  long max_idle_connections = 10000;
  HttpVersion http_version = HttpVersion::kHttp1_1;

  // TLS trust and client identity (config/tls_settings.hpp): peers are
  // verified against tls.ca_file or the system store unless tls.insecure.
  config::TlsSettings tls;

  std::string user_agent = default_user_agent();
  std::chrono::milliseconds connect_timeout{10000};  // TCP + TLS handshake budget
  // curl honours http_proxy/https_proxy by default; a load generator and the
  // safety rails want traffic to go exactly where the URL says.
  bool use_proxy_from_environment = false;

  // Safety rail: a request whose URL the policy refuses completes at once
  // with kNotAllowed and never opens a connection. Clients ask once per
  // host:port and remember the answer. Null: every http(s) host is allowed
  // (tests and tools that build their own requests).
  std::shared_ptr<const config::HostPolicy> host_policy;

  // Told of every request a client built from these options sends, through
  // ObservingClient (http/observing_client.hpp); null: nobody listens.
  // Not owned; must outlive the client.
  RequestObserver* observer = nullptr;

  // CorrelatingClient (http/correlating_client.hpp) in front of the load and
  // e2e clients adds X-Request-Id next to traceparent unless this is false
  // (the environment's "http": {"request_id_header": false}).
  bool request_id_header = true;
};

// Options for talking to `env`'s target: its host policy (built from
// base_url and safety.allowed_hosts when the environment has none yet) and
// its TLS settings; every other field at its default.
ClientOptions client_options_for(const config::Environment& env);

}  // namespace golive::http
