#include "core/redactor.hpp"

#include <algorithm>

namespace golive::core {

void Redactor::add_secret(const std::string& secret) {
  if (secret.size() < kMinimumSecretLength) return;
  std::lock_guard lock(mutex_);
  if (std::find(secrets_.begin(), secrets_.end(), secret) != secrets_.end()) return;
  secrets_.push_back(secret);
  std::sort(secrets_.begin(), secrets_.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

std::string Redactor::redact(std::string text) const {
  std::lock_guard lock(mutex_);
  for (const auto& secret : secrets_) {
    for (auto pos = text.find(secret); pos != std::string::npos;
         pos = text.find(secret, pos + std::char_traits<char>::length(kMask))) {
      text.replace(pos, secret.size(), kMask);
    }
  }
  return text;
}

nlohmann::json Redactor::redact(const nlohmann::json& value) const {
  switch (value.type()) {
    case nlohmann::json::value_t::string:
      return redact(value.get<std::string>());
    case nlohmann::json::value_t::object: {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& item : value.items()) out[redact(item.key())] = redact(item.value());
      return out;
    }
    case nlohmann::json::value_t::array: {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& item : value) out.push_back(redact(item));
      return out;
    }
    default:
      return value;
  }
}

std::size_t Redactor::secret_count() const {
  std::lock_guard lock(mutex_);
  return secrets_.size();
}

Redactor& Redactor::global() {
  static Redactor instance;
  return instance;
}

}  // namespace golive::core
