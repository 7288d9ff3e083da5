#include "core/security_severity.hpp"

namespace golive::core {

double security_severity_score(Severity severity) {
  switch (severity) {
    case Severity::kCritical: return 9.5;
    case Severity::kHigh: return 8.0;
    case Severity::kMedium: return 5.5;
    case Severity::kLow: return 2.0;
    case Severity::kInfo: return 0.0;
  }
  return 5.5;
}

Severity severity_from_score(double score) {
  if (score >= 9) return Severity::kCritical;
  if (score >= 7) return Severity::kHigh;
  if (score >= 4) return Severity::kMedium;
  return score > 0 ? Severity::kLow : Severity::kInfo;
}

}  // namespace golive::core
