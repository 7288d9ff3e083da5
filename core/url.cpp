#include "core/url.hpp"

#include <charconv>

#include "core/ascii_case.hpp"

namespace golive::core {
namespace {

bool has_forbidden_character(std::string_view text) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7f) return true;
  }
  return false;
}

// RFC 3986 reg-name characters we accept in a host (letters, digits, "-",
// ".", "_"); anything else (including "%" escapes) is refused rather than
// guessed at.
bool valid_host_name(std::string_view host) {
  if (host.empty()) return false;
  for (const char c : host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
                    c == '_';
    if (!ok) return false;
  }
  return host.front() != '.';
}

bool valid_ipv6_literal(std::string_view host) {
  if (host.size() < 2) return false;
  for (const char c : host) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == ':' || c == '.';
    if (!ok) return false;
  }
  return host.find(':') != std::string_view::npos;
}

}  // namespace

std::string Url::authority() const {
  std::string out;
  out.reserve(host.size() + 8);
  if (ipv6) out += '[';
  out += host;
  if (ipv6) out += ']';
  out += ':';
  out += std::to_string(port);
  return out;
}

std::string_view Url::path() const {
  std::string_view view(target);
  const auto end = view.find_first_of("?#");
  return end == std::string_view::npos ? view : view.substr(0, end);
}

std::string normalize_host(std::string_view host) {
  std::string out = ascii_lower(host);
  if (out.size() >= 2 && out.front() == '[' && out.back() == ']') {
    out = out.substr(1, out.size() - 2);
  }
  if (out.size() > 1 && out.back() == '.') out.pop_back();
  return out;
}

std::optional<Url> parse_url(std::string_view text) {
  const auto scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) return std::nullopt;
  Url url;
  url.scheme = ascii_lower(text.substr(0, scheme_end));
  if (url.scheme != "http" && url.scheme != "https") return std::nullopt;
  std::string_view rest = text.substr(scheme_end + 3);
  const auto authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view tail =
      authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) return std::nullopt;
  if (has_forbidden_character(text.substr(0, scheme_end + 3 + authority.size()))) return std::nullopt;

  std::string_view host;
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::nullopt;
      port_text = after.substr(1);
      url.explicit_port = true;
    }
    url.ipv6 = true;
  } else {
    const auto colon = authority.rfind(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      url.explicit_port = true;
    }
  }
  url.host = ascii_lower(host);
  if (url.ipv6) {
    if (!valid_ipv6_literal(url.host)) return std::nullopt;
  } else {
    if (url.host.size() > 1 && url.host.back() == '.') {
      url.host.pop_back();
      url.trailing_dot = true;
    }
    if (!valid_host_name(url.host)) return std::nullopt;
  }
  if (url.explicit_port) {
    unsigned value = 0;
    const auto [end, error] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (port_text.empty() || error != std::errc() || end != port_text.data() + port_text.size() ||
        value == 0 || value > 65535) {
      return std::nullopt;
    }
    url.port = static_cast<std::uint16_t>(value);
  } else {
    url.port = url.tls() ? 443 : 80;
  }
  // The fragment is never sent; the request target starts with "/".
  const auto fragment = tail.find('#');
  if (fragment != std::string_view::npos) tail = tail.substr(0, fragment);
  if (tail.empty() || tail.front() != '/') {
    url.target = "/";
    url.target += tail;
  } else {
    url.target = std::string(tail);
  }
  return url;
}

}  // namespace golive::core
