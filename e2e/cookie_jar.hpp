// CookieJar: the cookies one workflow run (one virtual user) holds, kept as
// RFC 6265 section 5 says a user agent keeps them: Set-Cookie parsed with
// Domain (host-only when absent; refused when it does not domain-match the
// request host), Path (the request's directory when absent), Expires and
// Max-Age (Max-Age wins; zero or past deletes), Secure (sent over https
// only), HttpOnly and SameSite (kept for assertions; golive is an HTTP API
// client, so HttpOnly cookies are sent). Cookie headers list the matching
// cookies longest path first, then oldest first (section 5.4).
// Not done: the public suffix list (a Domain=com cookie is refused only by
// the domain-match rule) and third-party rules.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/url.hpp"

namespace golive::e2e {

struct StoredCookie {
  std::string name;
  std::string value;
  std::string domain;  // lowercase, no leading dot
  std::string path;
  bool host_only = true;  // no Domain attribute: sent to exactly `domain`
  bool secure = false;
  bool http_only = false;
  std::string same_site;  // as written ("Lax", "Strict", "None") or empty
  std::optional<std::chrono::system_clock::time_point> expires;  // nullopt: session cookie
  std::uint64_t created = 0;                                     // insertion order
};

class CookieJar {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  // Applies one Set-Cookie header value received for `request_url`.
  // Returns false when the cookie was refused (malformed, or a Domain the
  // host does not match).
  bool store(std::string_view set_cookie, const core::Url& request_url, TimePoint now);

  // Every Set-Cookie header of a response (names lowercased, as HttpResponse has them).
  template <typename HeaderList>
  void store_all(const HeaderList& headers, const core::Url& request_url, TimePoint now) {
    for (const auto& [name, value] : headers) {
      if (name == "set-cookie") store(value, request_url, now);
    }
  }

  // "a=1; b=2" for a request to `url`, or "" when no cookie applies.
  std::string cookie_header(const core::Url& url, TimePoint now) const;

  // The cookie named `name` that a request to `url` would send (the most
  // specific one); when `url` is null, any live cookie of that name.
  const StoredCookie* find(std::string_view name, const core::Url* url, TimePoint now) const;

  void clear() { cookies_.clear(); }
  std::size_t size() const { return cookies_.size(); }
  const std::vector<StoredCookie>& cookies() const { return cookies_; }

 private:
  void evict_expired(TimePoint now);

  std::vector<StoredCookie> cookies_;
  std::uint64_t next_created_ = 0;
};

// RFC 6265 section 5.1.3 / 5.1.4.
bool domain_matches(std::string_view host, std::string_view domain);
bool path_matches(std::string_view request_path, std::string_view cookie_path);
// RFC 6265 section 5.1.1 (the lenient cookie-date algorithm); nullopt when
// it does not parse.
std::optional<CookieJar::TimePoint> parse_cookie_date(std::string_view text);

}  // namespace golive::e2e
