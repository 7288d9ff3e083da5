#include "observability/monitoring_fixture.hpp"

#include <stdlib.h>

#include <algorithm>
#include <filesystem>

#include "core/input_error.hpp"

namespace golive::observability {

namespace fs = std::filesystem;

const std::vector<std::string>& monitoring_variants() {
  static const std::vector<std::string> names = {"alert-never-fires", "alertmanager-no-route",
                                                 "dashboard-dead-metric"};
  return names;
}

bool is_monitoring_variant(const std::string& name) {
  const auto& names = monitoring_variants();
  return std::find(names.begin(), names.end(), name) != names.end();
}

ScratchMonitoring::ScratchMonitoring(const std::string& home, const std::vector<std::string>& variants) {
  const fs::path fixture = fs::path(home) / "fixtures/monitoring";
  std::error_code ec;
  if (!fs::is_directory(fixture, ec)) {
    throw core::InputError(fixture.string(), "", "the monitoring fixture is missing");
  }
  for (const auto& name : variants) {
    if (!is_monitoring_variant(name)) {
      throw core::InputError("--defect", "", "unknown monitoring variant \"" + name + "\"");
    }
  }
  std::string scratch = (fs::temp_directory_path() / "golive-monitoring-XXXXXX").string();
  if (::mkdtemp(scratch.data()) == nullptr) {
    throw core::InputError(scratch, "", "cannot create a scratch folder for the monitoring fixture");
  }
  path_ = scratch;
  auto copy_files = [&](const fs::path& from) {
    for (const auto& entry : fs::directory_iterator(from)) {
      if (entry.is_regular_file()) {
        fs::copy_file(entry.path(), fs::path(path_) / entry.path().filename(),
                      fs::copy_options::overwrite_existing);
      }
    }
  };
  copy_files(fixture);
  for (const auto& name : variants) copy_files(fixture / "variants" / name);
}

ScratchMonitoring::~ScratchMonitoring() {
  std::error_code ec;
  if (!path_.empty()) fs::remove_all(path_, ec);
}

}  // namespace golive::observability
