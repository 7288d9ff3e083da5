// The request side of the native HTTP/1.1 client (core/native_http_client.hpp):
// splitting a plain http:// URL into what the connection pool and the
// request line need, refusing request text that could split the request,
// and serialising a request into the one buffer that is written.
//
//   auto url = parse_plain_http_url("http://127.0.0.1:8080/health?x=1");
//   // url->host "127.0.0.1", url->port 8080, url->target "/health?x=1"
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/http_types.hpp"

namespace golive::core {

// The parts of a plain http:// URL the client needs (views point into the URL).
struct PlainHttpUrl {
  std::string_view authority;  // host[:port] as written (the Host header), userinfo removed
  std::string host;            // lowercase, brackets removed
  unsigned short port = 80;
  std::string_view target;     // path and query, fragment removed; empty means "/"
};

// nullopt unless the URL is http:// (any case) with a host and a valid port.
std::optional<PlainHttpUrl> parse_plain_http_url(std::string_view url);

// Why the request's own text could end a line early (request splitting):
// CR, LF or NUL in the method, target or a header, a space in the method or
// target, an empty header name or one with a colon. nullopt when safe.
std::optional<std::string> unsafe_request_text(const HttpRequest& request, std::string_view target);

// Replaces `out` with the whole request: request line, Host (unless the
// request has one), User-Agent (unless it has one; none when `user_agent` is
// empty), Accept: */* (unless it has one), the request's headers (its own
// Content-Length and Transfer-Encoding dropped), Content-Length when there is
// a body or the method is POST, PUT or PATCH, the blank line, the body.
void write_request_text(const HttpRequest& request, std::string_view target, std::string_view host_header,
                        std::string_view user_agent, std::string& out);

}  // namespace golive::core
