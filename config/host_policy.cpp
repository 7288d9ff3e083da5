#include "config/host_policy.hpp"

namespace golive::config {

std::shared_ptr<const HostPolicy> HostPolicy::for_target(
    std::string_view base_url, const std::vector<std::string>& allowed_hosts) {
  auto policy = std::make_shared<HostPolicy>();
  if (allowed_hosts.empty()) {
    if (auto url = core::parse_url(base_url)) policy->hosts_.insert(url->host);
  } else {
    for (const std::string& host : allowed_hosts) policy->hosts_.insert(core::normalize_host(host));
  }
  return policy;
}

bool HostPolicy::allows_host(std::string_view normalized_host) const {
  return hosts_.find(normalized_host) != hosts_.end();
}

bool HostPolicy::allows(const core::Url& url) const { return allows_host(url.host); }

bool HostPolicy::allows_url(std::string_view url) const {
  const auto parsed = core::parse_url(url);
  return parsed && allows(*parsed);
}

}  // namespace golive::config
