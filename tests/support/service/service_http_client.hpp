// A tiny blocking libcurl client for the reference service's integration
// tests: one easy handle per call, headers captured with every value (CORS
// and security header tests must see duplicates), nothing from golive's own
// HTTP engine, so these tests do not depend on the suites they serve.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace golive::testing {

struct ServiceReply {
  long status = 0;                                  // 0: no answer (connection refused, timeout)
  std::multimap<std::string, std::string> headers;  // names lowercased, every value kept
  std::string body;
  std::string transport_error;  // curl's message when status == 0
  double total_ms = 0;          // whole transfer, milliseconds

  std::optional<std::string> header(const std::string& lowercase_name) const;
  std::size_t header_count(const std::string& lowercase_name) const;
  nlohmann::json json() const;  // null when the body is not JSON
};

struct ServiceCall {
  std::string method = "GET";
  std::string url;
  // Full "Name: value" lines. X-Supabase-Api-Version: 2024-01-01 is added
  // unless given ("X-Supabase-Api-Version:" alone sends none).
  std::vector<std::string> headers;
  std::string body;
  long timeout_ms = 30000;
};

ServiceReply call_service(const ServiceCall& call);

// Shorthands: JSON bodies get "Content-Type: application/json".
ServiceReply http_get(const std::string& url, std::vector<std::string> headers = {});
ServiceReply http_send_json(const std::string& method, const std::string& url,
                            const nlohmann::json& body, std::vector<std::string> headers = {});

// Percent-encodes everything but unreserved characters (RFC 3986).
std::string url_encode(const std::string& text);

}  // namespace golive::testing
