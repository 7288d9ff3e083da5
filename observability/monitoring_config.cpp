#include "observability/monitoring_config.hpp"

#include <filesystem>

#include "core/input_error.hpp"

namespace golive::observability {

namespace {

namespace fs = std::filesystem;

std::string resolve(const core::JsonReader& reader, const std::string& env_file) {
  const std::string path = reader.as_string();
  fs::path resolved(path);
  if (resolved.is_relative()) resolved = fs::path(env_file).parent_path() / resolved;
  std::error_code ec;
  if (!fs::is_regular_file(resolved, ec)) reader.fail("no such file: " + resolved.string());
  return fs::weakly_canonical(resolved, ec).string();
}

std::vector<std::string> resolve_list(const core::JsonReader& reader, const std::string& env_file) {
  std::vector<std::string> paths;
  if (reader.value().is_string()) {
    if (!reader.as_string().empty()) paths.push_back(resolve(reader, env_file));
    return paths;
  }
  const nlohmann::json& list = reader.as_array();
  for (std::size_t i = 0; i < list.size(); ++i) paths.push_back(resolve(reader.at(i), env_file));
  return paths;
}

}  // namespace

MonitoringConfig read_monitoring_config(const config::Environment& env) {
  MonitoringConfig config;
  const auto found = env.sections.find("observability");
  if (found == env.sections.end()) return config;
  const core::JsonReader reader(found->second, env.source_file, "/observability");
  if (reader.has("alert_rules")) config.alert_rules = resolve_list(reader.at("alert_rules"), env.source_file);
  if (reader.has("alertmanager_config") && !reader.at("alertmanager_config").as_string().empty()) {
    config.alertmanager_config = resolve(reader.at("alertmanager_config"), env.source_file);
  }
  if (reader.has("dashboards")) config.dashboards = resolve_list(reader.at("dashboards"), env.source_file);
  if (reader.has("alert_scenarios")) {
    const core::JsonReader scenarios = reader.at("alert_scenarios");
    scenarios.as_object();
    scenarios.reject_unknown_keys({"error_ratio", "latency_p99", "target_down"});
    config.error_ratio_alert = scenarios.string_or("error_ratio", config.error_ratio_alert);
    config.latency_alert = scenarios.string_or("latency_p99", config.latency_alert);
    config.target_down_alert = scenarios.string_or("target_down", config.target_down_alert);
  }
  return config;
}

}  // namespace golive::observability
