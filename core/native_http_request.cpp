#include "core/native_http_request.hpp"

#include <string>

#include "core/ascii_case.hpp"

namespace golive::core {
namespace {

using namespace std::string_view_literals;

}  // namespace

std::optional<PlainHttpUrl> parse_plain_http_url(std::string_view url) {
  if (url.size() < 7 || !equals_ignoring_case(url.substr(0, 7), "http://")) return std::nullopt;
  std::string_view rest = url.substr(7);
  std::size_t authority_end = 0;  // a plain loop: find_first_of calls memchr once per byte
  while (authority_end < rest.size() && rest[authority_end] != '/' && rest[authority_end] != '?' &&
         rest[authority_end] != '#') {
    ++authority_end;
  }
  if (authority_end == rest.size()) authority_end = std::string_view::npos;
  PlainHttpUrl parsed;
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view target = authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
  if (const std::size_t hash = target.find('#'); hash != std::string_view::npos) target = target.substr(0, hash);
  parsed.target = target;
  if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  parsed.authority = authority;
  std::string_view host;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::nullopt;
      port = after.substr(1);
    }
  } else {
    const std::size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (host.empty()) return std::nullopt;
  if (!port.empty()) {
    unsigned long value = 0;
    for (char c : port) {
      if (c < '0' || c > '9' || value > 65535) return std::nullopt;
      value = value * 10 + static_cast<unsigned long>(c - '0');
    }
    if (value == 0 || value > 65535) return std::nullopt;
    parsed.port = static_cast<unsigned short>(value);
  }
  parsed.host.reserve(host.size());
  for (char c : host) parsed.host.push_back(ascii_lower(c));
  return parsed;
}

std::optional<std::string> unsafe_request_text(const HttpRequest& request, std::string_view target) {
  const auto has_line_break = [](std::string_view text) { return text.find_first_of("\r\n\0"sv) != std::string_view::npos; };
  if (request.method.empty() || has_line_break(request.method) || request.method.find(' ') != std::string::npos) {
    return "method '" + request.method + "' is not an HTTP token";
  }
  if (has_line_break(target) || target.find(' ') != std::string_view::npos) return "the URL contains CR, LF, NUL or a space";
  for (const auto& [name, value] : request.headers) {
    if (name.empty() || has_line_break(name) || name.find(':') != std::string::npos || has_line_break(value)) {
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
    if (equals_ignoring_case(name, "content-length") || equals_ignoring_case(name, "transfer-encoding")) continue;
    if (equals_ignoring_case(name, "host")) has_host = true;
    if (equals_ignoring_case(name, "user-agent")) has_user_agent = true;
    if (equals_ignoring_case(name, "accept")) has_accept = true;
  }
  if (!has_host) out.append("Host: ").append(host_header).append("\r\n");
  if (!has_user_agent && !user_agent.empty()) {
    out.append("User-Agent: ").append(user_agent).append("\r\n");
  }
  if (!has_accept) out.append("Accept: */*\r\n");
  for (const auto& [name, value] : request.headers) {
    if (equals_ignoring_case(name, "content-length") || equals_ignoring_case(name, "transfer-encoding")) continue;
    out.append(name).append(": ").append(value).append("\r\n");
  }
  const bool body_expected = !request.body.empty() || equals_ignoring_case(request.method, "post") ||
                             equals_ignoring_case(request.method, "put") ||
                             equals_ignoring_case(request.method, "patch");
  if (body_expected) out.append("Content-Length: ").append(std::to_string(request.body.size())).append("\r\n");
  out.append("\r\n");
  out.append(request.body);

}

}  // namespace golive::core
