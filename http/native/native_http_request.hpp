// The request side of the native HTTP/1.1 client (http/native/native_http_client.hpp):
// refusing request text that could split the request, and serialising a
// request into the one buffer that is written. URLs are parsed by core/url.hpp.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "http/http_types.hpp"

namespace golive::http {

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

}  // namespace golive::http
