#include "http/http_types.hpp"

#include <algorithm>
#include <cctype>

#include "core/ascii_case.hpp"

namespace golive::http {

const char* to_string(HttpErrorCategory category) {
  switch (category) {
    case HttpErrorCategory::kNone: return "none";
    case HttpErrorCategory::kDns: return "dns";
    case HttpErrorCategory::kConnect: return "connect";
    case HttpErrorCategory::kTls: return "tls";
    case HttpErrorCategory::kTimeout: return "timeout";
    case HttpErrorCategory::kReset: return "reset";
    case HttpErrorCategory::kTooLarge: return "too_large";
    case HttpErrorCategory::kProtocol: return "protocol";
    case HttpErrorCategory::kNotAllowed: return "not_allowed";
    case HttpErrorCategory::kCancelled: return "cancelled";
    case HttpErrorCategory::kOther: return "other";
  }
  return "other";
}

std::optional<std::string> HttpResponse::header(const std::string& name) const {
  auto equal = [](const std::string& a, const std::string& b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
             return core::ascii_lower(x) == core::ascii_lower(y);
           });
  };
  for (const auto& [key, value] : headers) {
    if (equal(key, name)) return value;
  }
  return std::nullopt;
}

}  // namespace golive::http
