// The embedded default's monitoring configuration (fixtures/monitoring:
// alerts.yml, alertmanager.yml, dashboard.json) and its fixture variants,
// each a seeded mistake (fixtures/DEFECTS.md):
//
//   alert-never-fires       the error-ratio rule compares a ratio with 1.5
//   alertmanager-no-route   critical alerts fall to a receiver that notifies nobody
//   dashboard-dead-metric   the MRR panel reads a metric the target does not export
//
// ScratchMonitoring copies the fixture into a scratch folder with the
// variants' files laid over it; envs/local.json reads it as
// GOLIVE_MONITORING_DIR.
#pragma once

#include <string>
#include <vector>

namespace golive::observability {

const std::vector<std::string>& monitoring_variants();
bool is_monitoring_variant(const std::string& name);

class ScratchMonitoring {
 public:
  // Throws core::InputError for an unknown variant or a missing fixture.
  ScratchMonitoring(const std::string& home, const std::vector<std::string>& variants);
  ~ScratchMonitoring();
  ScratchMonitoring(const ScratchMonitoring&) = delete;
  ScratchMonitoring& operator=(const ScratchMonitoring&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace golive::observability
