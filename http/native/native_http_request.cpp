#include "http/native/native_http_request.hpp"

#include <string>

#include "core/ascii_case.hpp"

namespace golive::http {
namespace {

// True when `text` holds CR, LF, NUL or `also`. A plain loop that stops at
// the first hit: find_first_of with a set runs memchr over the set for every
// character (it was the load generator's costliest libc call), and a lookup
// table measured slower on the short strings a request is made of.
bool contains_break_or(std::string_view text, char also) {
  for (const char c : text) {
    if (c == '\r' || c == '\n' || c == '\0' || c == also) return true;
  }
  return false;
}

}  // namespace

std::optional<std::string> unsafe_request_text(const HttpRequest& request, std::string_view target) {
  if (request.method.empty() || contains_break_or(request.method, ' ')) {
    return "method '" + request.method + "' is not an HTTP token";
  }
  if (contains_break_or(target, ' ')) return "the URL contains CR, LF, NUL or a space";
  for (const auto& [name, value] : request.headers) {
    // A name may not hold a colon; a value anything but CR, LF and NUL ('\r' adds nothing).
    if (name.empty() || contains_break_or(name, ':') || contains_break_or(value, '\r')) {
      return "header '" + name + "' has an empty or unsafe name, or CR/LF in its value";
    }
  }
  return std::nullopt;
}

void write_request_text(const HttpRequest& request, std::string_view target, std::string_view host_header,
                        std::string_view user_agent, std::string& out) {
  out.clear();
  out.append(request.method).append(" ");
  out.append(target.empty() ? std::string_view("/") : std::string_view(target));
  out.append(" HTTP/1.1\r\n");
  bool has_host = false;
  bool has_user_agent = false;
  bool has_accept = false;
  for (const auto& [name, value] : request.headers) {
    if (core::equals_ignoring_case(name, "content-length") || core::equals_ignoring_case(name, "transfer-encoding")) continue;
    if (core::equals_ignoring_case(name, "host")) has_host = true;
    if (core::equals_ignoring_case(name, "user-agent")) has_user_agent = true;
    if (core::equals_ignoring_case(name, "accept")) has_accept = true;
  }
  if (!has_host) out.append("Host: ").append(host_header).append("\r\n");
  if (!has_user_agent && !user_agent.empty()) {
    out.append("User-Agent: ").append(user_agent).append("\r\n");
  }
  if (!has_accept) out.append("Accept: */*\r\n");
  for (const auto& [name, value] : request.headers) {
    if (core::equals_ignoring_case(name, "content-length") || core::equals_ignoring_case(name, "transfer-encoding")) continue;
    out.append(name).append(": ").append(value).append("\r\n");
  }
  const bool body_expected = !request.body.empty() || core::equals_ignoring_case(request.method, "post") ||
                             core::equals_ignoring_case(request.method, "put") ||
                             core::equals_ignoring_case(request.method, "patch");
  if (body_expected) out.append("Content-Length: ").append(std::to_string(request.body.size())).append("\r\n");
  out.append("\r\n");
  out.append(request.body);

}

}  // namespace golive::http
