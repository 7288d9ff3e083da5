// Redactor: masks every secret value golive resolved from the environment in
// anything it writes (result stream, reports, logs, console). Secrets are
// registered once, when the environment is loaded; redaction is by exact
// substring, longest secret first so overlapping secrets mask fully.
#pragma once

#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace golive::core {

class Redactor {
 public:
  static constexpr const char* kMask = "[REDACTED]";

  // Secrets shorter than this are not registered: masking "1" or "ok" would
  // shred every report while protecting nothing.
  static constexpr std::size_t kMinimumSecretLength = 6;

  void add_secret(const std::string& secret);
  std::string redact(std::string text) const;
  std::string redact(const char* text) const { return redact(std::string(text)); }
  nlohmann::json redact(const nlohmann::json& value) const;
  std::size_t secret_count() const;

  // The process-wide redactor used by writers that have no Environment at hand.
  static Redactor& global();

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> secrets_;  // sorted longest first
};

}  // namespace golive::core
