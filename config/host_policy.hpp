// HostPolicy: the one answer to "may golive send this URL?". Built once from
// an environment (its base_url and safety.allowed_hosts) and shared, read-only,
// by every client and suite. Hosts compare after core::normalize_host, so
// "http://LOCALHOST:8080", "http://localhost.:8080" and "http://localhost:8080"
// are one host, and "[::1]" is "::1".
//
//   auto policy = config::HostPolicy::for_target("http://127.0.0.1:8080", {});
//   policy->allows_url("http://127.0.0.1:9999/x");  // true: the host, any port
//   policy->allows_url("https://evil.example/");    // false: refused unsent
#pragma once

#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/url.hpp"

namespace golive::config {

class HostPolicy {
 public:
  // `allowed_hosts` empty: only the host of `base_url`. Otherwise exactly the
  // listed hosts (names or IP literals, any case, optional brackets or
  // trailing dot). Only http and https are ever allowed.
  static std::shared_ptr<const HostPolicy> for_target(std::string_view base_url,
                                                      const std::vector<std::string>& allowed_hosts);

  // The URL parses as http(s) and its host is allowed.
  bool allows_url(std::string_view url) const;
  bool allows(const core::Url& url) const;
  // A host already normalised (lowercase, no brackets, no trailing dot).
  bool allows_host(std::string_view normalized_host) const;

  // The allowed hosts, normalised and sorted (for messages and evidence).
  std::vector<std::string> hosts() const { return {hosts_.begin(), hosts_.end()}; }

 private:
  std::set<std::string, std::less<>> hosts_;
};

}  // namespace golive::config
