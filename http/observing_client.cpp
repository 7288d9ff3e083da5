#include "http/observing_client.hpp"

namespace golive::http {

void RequestLog::on_request(std::string_view method, std::string_view url) {
  url = url.substr(0, url.find_first_of("?#"));
  std::lock_guard lock(mutex_);
  if (requests_.size() >= kMaxDistinct) {
    if (!requests_.count({std::string(method), std::string(url)})) ++dropped_;
    return;
  }
  requests_.emplace(std::string(method), std::string(url));
}

std::vector<std::pair<std::string, std::string>> RequestLog::requests() const {
  std::lock_guard lock(mutex_);
  return {requests_.begin(), requests_.end()};
}

std::size_t RequestLog::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

void RequestLog::clear() {
  std::lock_guard lock(mutex_);
  requests_.clear();
  dropped_ = 0;
}

}  // namespace golive::http
