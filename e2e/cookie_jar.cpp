#include "e2e/cookie_jar.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>

#include "core/ascii_case.hpp"

namespace golive::e2e {

namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool is_ip_literal(std::string_view host) {
  if (host.find(':') != std::string_view::npos) return true;  // IPv6
  return !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) || c == '.';
  });
}

// Section 5.1.4: the directory of the request path.
std::string default_path(std::string_view request_path) {
  if (request_path.empty() || request_path.front() != '/') return "/";
  const std::size_t last = request_path.rfind('/');
  if (last == 0) return "/";
  return std::string(request_path.substr(0, last));
}

}  // namespace

bool domain_matches(std::string_view host, std::string_view domain) {
  if (host == domain) return true;
  if (host.size() <= domain.size() || is_ip_literal(host)) return false;
  return host.substr(host.size() - domain.size()) == domain &&
         host[host.size() - domain.size() - 1] == '.';
}

bool path_matches(std::string_view request_path, std::string_view cookie_path) {
  if (request_path == cookie_path) return true;
  if (request_path.size() < cookie_path.size() ||
      request_path.substr(0, cookie_path.size()) != cookie_path) {
    return false;
  }
  return cookie_path.back() == '/' || request_path[cookie_path.size()] == '/';
}

std::optional<CookieJar::TimePoint> parse_cookie_date(std::string_view text) {
  static const char* const kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                        "jul", "aug", "sep", "oct", "nov", "dec"};
  auto is_delimiter = [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u == 0x09 || (u >= 0x20 && u <= 0x2F) || (u >= 0x3B && u <= 0x40) ||
           (u >= 0x5B && u <= 0x60) || (u >= 0x7B && u <= 0x7E);
  };
  bool found_time = false, found_day = false, found_month = false, found_year = false;
  int hour = 0, minute = 0, second = 0, day = 0, month = 0, year = 0;
  std::size_t at = 0;
  while (at < text.size()) {
    while (at < text.size() && is_delimiter(text[at])) ++at;
    std::size_t end = at;
    while (end < text.size() && !is_delimiter(text[end])) ++end;
    const std::string token(text.substr(at, end - at));
    at = end;
    if (token.empty()) continue;
    int h, m, s;
    if (!found_time && std::sscanf(token.c_str(), "%2d:%2d:%2d", &h, &m, &s) == 3) {
      found_time = true, hour = h, minute = m, second = s;
      continue;
    }
    const bool digits_first = std::isdigit(static_cast<unsigned char>(token[0]));
    if (!found_day && digits_first && token.size() <= 2) {
      found_day = true, day = std::stoi(token);
      continue;
    }
    if (!found_month && token.size() >= 3) {
      const std::string prefix = core::ascii_lower(token.substr(0, 3));
      const auto* month_it = std::find_if(std::begin(kMonths), std::end(kMonths),
                                          [&](const char* name) { return prefix == name; });
      if (month_it != std::end(kMonths)) {
        found_month = true, month = static_cast<int>(month_it - std::begin(kMonths)) + 1;
        continue;
      }
    }
    if (!found_year && digits_first && token.size() <= 4) {
      found_year = true, year = std::stoi(token);
      continue;
    }
  }
  if (!found_time || !found_day || !found_month || !found_year) return std::nullopt;
  if (year >= 70 && year <= 99) year += 1900;
  if (year >= 0 && year <= 69) year += 2000;
  if (day < 1 || day > 31 || year < 1601 || hour > 23 || minute > 59 || second > 59) {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = year - 1900, tm.tm_mon = month - 1, tm.tm_mday = day;
  tm.tm_hour = hour, tm.tm_min = minute, tm.tm_sec = second;
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

bool CookieJar::store(std::string_view set_cookie, const core::Url& request_url, TimePoint now) {
  evict_expired(now);
  // Section 5.2: name=value, then ;-separated attributes (the last of each wins).
  std::size_t semicolon = set_cookie.find(';');
  const std::string_view pair = set_cookie.substr(0, semicolon);
  const std::size_t equals = pair.find('=');
  if (equals == std::string_view::npos) return false;
  StoredCookie cookie;
  cookie.name = std::string(trim(pair.substr(0, equals)));
  cookie.value = std::string(trim(pair.substr(equals + 1)));
  if (cookie.name.empty()) return false;

  std::optional<TimePoint> expires_attribute;
  std::optional<TimePoint> max_age_attribute;
  std::string domain_attribute;
  std::string path_attribute;
  while (semicolon != std::string_view::npos) {
    std::size_t next = set_cookie.find(';', semicolon + 1);
    const std::string_view attribute =
        set_cookie.substr(semicolon + 1, next == std::string_view::npos ? std::string_view::npos
                                                                        : next - semicolon - 1);
    semicolon = next;
    const std::size_t eq = attribute.find('=');
    const std::string key = core::ascii_lower(std::string(trim(attribute.substr(0, eq))));
    const std::string_view value =
        eq == std::string_view::npos ? std::string_view() : trim(attribute.substr(eq + 1));
    if (key == "expires") {
      if (auto date = parse_cookie_date(value)) expires_attribute = date;
    } else if (key == "max-age") {
      if (value.empty() || !(std::isdigit(static_cast<unsigned char>(value[0])) || value[0] == '-'))
        continue;
      long long seconds = 0;
      try {
        seconds = std::stoll(std::string(value));
      } catch (const std::exception&) {
        continue;
      }
      max_age_attribute = seconds <= 0 ? TimePoint::min() : now + std::chrono::seconds(seconds);
    } else if (key == "domain") {
      std::string_view domain = value;
      if (!domain.empty() && domain.front() == '.') domain.remove_prefix(1);
      domain_attribute = core::ascii_lower(std::string(domain));
    } else if (key == "path") {
      path_attribute = (!value.empty() && value.front() == '/') ? std::string(value) : "";
    } else if (key == "secure") {
      cookie.secure = true;
    } else if (key == "httponly") {
      cookie.http_only = true;
    } else if (key == "samesite") {
      cookie.same_site = std::string(value);
    }
  }
  if (max_age_attribute) {
    cookie.expires = max_age_attribute;
  } else if (expires_attribute) {
    cookie.expires = expires_attribute;
  }
  if (domain_attribute.empty()) {
    cookie.host_only = true;
    cookie.domain = request_url.host;
  } else {
    if (!domain_matches(request_url.host, domain_attribute)) return false;
    cookie.host_only = false;
    cookie.domain = domain_attribute;
  }
  cookie.path = path_attribute.empty() ? default_path(request_url.path()) : path_attribute;

  // Section 5.3 step 11: replace the same (name, domain, path), keeping its creation time.
  auto same = std::find_if(cookies_.begin(), cookies_.end(), [&](const StoredCookie& c) {
    return c.name == cookie.name && c.domain == cookie.domain && c.path == cookie.path;
  });
  const bool expired = cookie.expires && *cookie.expires <= now;
  if (same != cookies_.end()) {
    cookie.created = same->created;
    if (expired) {
      cookies_.erase(same);
    } else {
      *same = std::move(cookie);
    }
    return true;
  }
  if (expired) return true;  // a deletion of a cookie we never had
  cookie.created = next_created_++;
  cookies_.push_back(std::move(cookie));
  return true;
}

std::string CookieJar::cookie_header(const core::Url& url, TimePoint now) const {
  std::vector<const StoredCookie*> matching;
  const std::string_view path = url.path();
  for (const auto& cookie : cookies_) {
    if (cookie.expires && *cookie.expires <= now) continue;
    if (cookie.host_only ? url.host != cookie.domain : !domain_matches(url.host, cookie.domain))
      continue;
    if (!path_matches(path.empty() ? "/" : path, cookie.path)) continue;
    if (cookie.secure && !url.tls()) continue;
    matching.push_back(&cookie);
  }
  std::stable_sort(matching.begin(), matching.end(),
                   [](const StoredCookie* a, const StoredCookie* b) {
                     if (a->path.size() != b->path.size()) return a->path.size() > b->path.size();
                     return a->created < b->created;
                   });
  std::string header;
  for (const StoredCookie* cookie : matching) {
    if (!header.empty()) header += "; ";
    header += cookie->name;
    header += '=';
    header += cookie->value;
  }
  return header;
}

const StoredCookie* CookieJar::find(std::string_view name, const core::Url* url,
                                    TimePoint now) const {
  const StoredCookie* best = nullptr;
  for (const auto& cookie : cookies_) {
    if (cookie.name != name || (cookie.expires && *cookie.expires <= now)) continue;
    if (url) {
      if (cookie.host_only ? url->host != cookie.domain
                           : !domain_matches(url->host, cookie.domain))
        continue;
    }
    if (!best || cookie.path.size() > best->path.size()) best = &cookie;
  }
  return best;
}

void CookieJar::evict_expired(TimePoint now) {
  cookies_.erase(std::remove_if(cookies_.begin(), cookies_.end(),
                                [now](const StoredCookie& c) { return c.expires && *c.expires <= now; }),
                 cookies_.end());
}

}  // namespace golive::e2e
