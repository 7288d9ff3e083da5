// Small helpers shared by the db checks: building a CheckResult of suite
// "db" and timing it.
#pragma once

#include <chrono>
#include <string>

#include "core/check_result.hpp"

namespace golive::db {

// Measures wall time from construction, in milliseconds.
class Stopwatch {
 public:
  double elapsed_ms() const {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_)
        .count();
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

inline core::CheckResult db_result(std::string id, std::string title, core::CheckStatus status,
                                   core::Severity severity, std::string checklist_item) {
  core::CheckResult result;
  result.id = std::move(id);
  result.suite = "db";
  result.title = std::move(title);
  result.status = status;
  result.severity = severity;
  if (!checklist_item.empty()) result.checklist.push_back(std::move(checklist_item));
  return result;
}

}  // namespace golive::db
