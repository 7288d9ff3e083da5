// Url: the one parser of absolute http:// and https:// URLs in golive. Every
// client, the host policy and every suite that needs a URL's parts use it.
//
//   auto url = core::parse_url("http://LOCALHOST.:8080/health?x=1");
//   url->host == "localhost"; url->port == 8080; url->target == "/health?x=1"
//
// Normalisation (RFC 3986 section 6.2.2, RFC 7230 section 2.7.3): the scheme
// and host are lowercased (ASCII only), one trailing dot of a host name is
// dropped, IPv6 literals lose their brackets in `host` (and keep them in
// authority()), and a missing port is the scheme's default (80, 443).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace golive::core {

struct Url {
  std::string scheme;      // "http" or "https", lowercase
  std::string host;        // lowercase; IPv6 without brackets; no trailing dot
  std::uint16_t port = 0;  // explicit or the scheme's default
  bool explicit_port = false;
  std::string target;      // path and query as sent on the request line; "/" when empty
  bool ipv6 = false;       // host is an IPv6 literal
  bool trailing_dot = false;  // the host was written with a trailing dot ("localhost.")

  bool tls() const { return scheme == "https"; }
  // "host:port" with IPv6 in brackets: the key a connection pool and the host
  // policy use, so "LOCALHOST:80" and "localhost" are one origin.
  std::string authority() const;
  // Path without query or fragment.
  std::string_view path() const;
};

// nullopt when `text` is not an absolute http(s) URL with a host: another
// scheme, no "//", an empty or malformed host, a port outside 1..65535,
// userinfo ("user@host" is refused: it hides the real host from a reader),
// or a space or control character before the path. The target is kept as
// written: the clients refuse characters that would split a request line.
std::optional<Url> parse_url(std::string_view text);

// Normalises a bare host name the way parse_url does ("Example.COM." ->
// "example.com", "[::1]" -> "::1"), for allowlists written by people.
std::string normalize_host(std::string_view host);

}  // namespace golive::core
