#include "observability/dashboard_checks.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "observability/promql_names.hpp"

namespace golive::observability {

namespace {

constexpr const char* kExported = "observability.dashboards.metrics_exported";
constexpr const char* kDatasource = "observability.dashboards.datasource";
constexpr const char* kSeed = "observability.dashboards.seed_panels";

struct Panel {
  std::string dashboard;
  std::string title;
  bool has_datasource = false;
  std::set<std::string> metrics;  // read by its targets' expressions
};

void collect_panels(const nlohmann::json& panels, const std::string& dashboard,
                    const nlohmann::json& default_datasource, std::vector<Panel>& out) {
  if (!panels.is_array()) return;
  for (const auto& panel : panels) {
    if (!panel.is_object()) continue;
    if (panel.value("type", "") == "row") {
      collect_panels(panel.value("panels", nlohmann::json::array()), dashboard, default_datasource, out);
      continue;
    }
    Panel found;
    found.dashboard = dashboard;
    found.title = panel.value("title", "(untitled)");
    found.has_datasource = (panel.contains("datasource") && !panel["datasource"].is_null()) ||
                           !default_datasource.is_null();
    for (const auto& target : panel.value("targets", nlohmann::json::array())) {
      if (target.contains("datasource") && !target["datasource"].is_null()) found.has_datasource = true;
      const std::string expr = target.value("expr", "");
      for (const auto& name : promql_metric_names(expr)) found.metrics.insert(name);
    }
    out.push_back(std::move(found));
  }
}

bool reads_family(const Panel& panel, const std::string& family) {
  for (const auto& name : panel.metrics) {
    for (const char* suffix : {"", "_total", "_bucket", "_count", "_sum"}) {
      if (name == family + suffix) return true;
    }
  }
  return false;
}

core::CheckResult base_result(const char* id, const char* title) {
  core::CheckResult result;
  result.id = id;
  result.suite = "observability";
  result.title = title;
  result.severity = core::Severity::kMedium;
  return result;
}

std::string join(const std::vector<std::string>& parts) {
  std::string text;
  for (const auto& part : parts) text += (text.empty() ? "" : "; ") + part;
  return text;
}

}  // namespace

const std::vector<std::string>& dashboard_check_ids() {
  static const std::vector<std::string> ids = {kExported, kDatasource, kSeed};
  return ids;
}

void run_dashboard_checks(const MonitoringConfig& monitoring, const MetricsSettings& metrics,
                          const MetricExposition* exported, core::ResultSink& sink) {
  core::CheckResult exported_check = base_result(kExported, "Every dashboard panel reads only exported metrics");
  core::CheckResult datasource = base_result(kDatasource, "Every dashboard panel names a datasource");
  core::CheckResult seed = base_result(kSeed, "The dashboard shows active AI jobs, AI duration and MRR/churn");
  if (monitoring.dashboards.empty()) {
    for (core::CheckResult* result : {&exported_check, &datasource, &seed}) {
      result->status = core::CheckStatus::kSkip;
      result->message = "no observability.dashboards: no Grafana dashboard to check";
      sink.record(*result);
    }
    return;
  }
  std::vector<Panel> panels;
  for (const std::string& file : monitoring.dashboards) {
    std::ifstream in(file);
    const nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
    if (!doc.is_object()) {
      for (core::CheckResult* result : {&exported_check, &datasource, &seed}) {
        result->status = core::CheckStatus::kFail;
        result->message = file + " is not a JSON dashboard";
        sink.record(*result);
      }
      return;
    }
    // Exported dashboards wrap the model in "dashboard" (the HTTP API's shape).
    const nlohmann::json& model = doc.contains("dashboard") ? doc["dashboard"] : doc;
    const std::string title = model.value("title", file);
    collect_panels(model.value("panels", nlohmann::json::array()), title,
                   model.contains("datasource") ? model["datasource"] : nlohmann::json(nullptr), panels);
  }

  if (exported == nullptr) {
    exported_check.status = core::CheckStatus::kSkip;
    exported_check.message = "no observability.metrics.url: the target's metric names are unknown";
  } else {
    std::vector<std::string> dead;
    for (const auto& panel : panels) {
      for (const auto& name : panel.metrics) {
        if (name != "up" && !exported->has_family(name)) dead.push_back("\"" + panel.title + "\" reads " + name);
      }
    }
    exported_check.status = dead.empty() ? core::CheckStatus::kPass : core::CheckStatus::kFail;
    exported_check.message = dead.empty() ? std::to_string(panels.size()) + " panel(s) read only exported metrics"
                                          : join(dead) + ", which the target does not export";
  }
  sink.record(exported_check);

  std::vector<std::string> without;
  for (const auto& panel : panels) {
    if (!panel.has_datasource) without.push_back("\"" + panel.title + "\"");
  }
  datasource.status = without.empty() ? core::CheckStatus::kPass : core::CheckStatus::kFail;
  datasource.message = without.empty() ? "every panel names a datasource"
                                       : "no datasource: " + join(without);
  sink.record(datasource);

  std::vector<std::string> missing;
  auto has_panel = [&](const std::vector<std::string>& families) {
    for (const auto& panel : panels) {
      for (const auto& family : families) {
        if (reads_family(panel, family)) return true;
      }
    }
    return false;
  };
  if (!has_panel({metrics.ai_jobs_active})) missing.push_back("active AI jobs (" + metrics.ai_jobs_active + ")");
  if (!has_panel({metrics.ai_duration})) missing.push_back("AI duration (" + metrics.ai_duration + ")");
  if (!has_panel(metrics.business)) missing.push_back("MRR/churn (a business metric)");
  seed.status = missing.empty() ? core::CheckStatus::kPass : core::CheckStatus::kFail;
  seed.message = missing.empty() ? "panels for active AI jobs, AI duration and MRR/churn"
                                 : "no panel for: " + join(missing);
  sink.record(seed);
}

}  // namespace golive::observability
