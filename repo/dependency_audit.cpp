#include "repo/dependency_audit.hpp"

#include <unistd.h>

#include <charconv>
#include <map>
#include <optional>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/ascii_case.hpp"
#include "core/security_severity.hpp"
#include "core/external_tool.hpp"
#include "core/input_error.hpp"

namespace golive::repo {

namespace {

// A CVSS score as audit tools write it ("7.5" or 7.5), 0 to 10; nullopt for
// anything else, which then counts as an unknown severity.
std::optional<double> cvss_score(const nlohmann::json& value) {
  double score = -1;
  if (value.is_number()) {
    score = value.get<double>();
  } else if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    const auto [stop, error] = std::from_chars(text.data(), text.data() + text.size(), score);
    if (error != std::errc() || stop != text.data() + text.size()) return std::nullopt;
  }
  if (!(score >= 0 && score <= 10)) return std::nullopt;
  return score;
}

using core::CheckStatus;
using core::Severity;

std::string advisory_id_from_url(const std::string& url, const std::string& fallback) {
  static const std::regex kGhsa(R"((GHSA(-[a-z0-9]{4}){3}))");
  std::smatch match;
  if (std::regex_search(url, match, kGhsa)) return match[1].str();
  return fallback;
}

// OSV: GHSA's database_specific.severity, else the CVSS score of its group.
// npm's names for core's bands ("moderate" for medium).
std::string severity_from_cvss(double score) {
  const core::Severity severity = core::severity_from_score(score);
  return severity == core::Severity::kMedium ? "moderate" : core::to_string(severity);
}

std::string osv_severity(const nlohmann::json& vulnerability, const nlohmann::json& package) {
  if (vulnerability.contains("database_specific") && vulnerability["database_specific"].is_object()) {
    std::string text = core::ascii_lower(vulnerability["database_specific"].value("severity", ""));
    if (text == "moderate" || text == "medium") return "moderate";
    if (!text.empty()) return text;
  }
  const std::string id = vulnerability.value("id", "");
  if (package.contains("groups") && package["groups"].is_array()) {
    for (const auto& group : package["groups"]) {
      if (!group.contains("ids") || !group["ids"].is_array()) continue;
      for (const auto& member : group["ids"]) {
        if (!member.is_string() || member.get<std::string>() != id) continue;
        const auto score = cvss_score(group.contains("max_severity") ? group["max_severity"] : nlohmann::json());
        if (!score) continue;
        return severity_from_cvss(*score);
      }
    }
  }
  return "unknown";
}

// `npm audit --json` on the repository's lockfile, into `audits`.
void run_npm_audit(const RepoSettings& settings, AuditReports& audits) {
  audits.ran_npm_audit = true;
  const std::string npm = core::find_executable({"npm"});
  if (npm.empty()) {
    audits.npm_audit_error = "npm is not installed, and no audit report was given (repo.dependency_audit)";
    return;
  }
  const std::string out = (std::filesystem::temp_directory_path() /
                           ("golive-npm-audit-" + std::to_string(::getpid()) + ".json")).string();
  const core::ToolRun run = core::run_tool({npm, "audit", "--json", "--prefix", settings.path}, {},
                                           std::chrono::seconds(settings.npm_audit_timeout_s), out);
  std::ifstream in(out);
  std::stringstream text;
  text << in.rdbuf();
  std::error_code ec;
  std::filesystem::remove(out, ec);
  if (!run.started || run.timed_out || run.interrupted) {
    audits.npm_audit_error = "npm audit --json: " + run.describe();
    return;
  }
  try {
    // npm exits 1 when it found vulnerabilities: the report decides, not the status.
    audits.reports.push_back(parse_audit_report("npm audit --json (package-lock.json)", text.str()));
  } catch (const core::InputError&) {
    std::string reason = text.str().substr(0, 300);
    try {
      const auto doc = nlohmann::json::parse(text.str());
      if (doc.contains("error") && doc["error"].is_object()) {
        reason = doc["error"].value("code", "") + ": " + doc["error"].value("summary", "");
      }
    } catch (const std::exception&) {
    }
    audits.npm_audit_error = "npm audit --json gave no report (" + run.describe() + "): " + reason;
  }
}

AuditReport read_audit_report(const std::string& origin, const std::string& text) {
  nlohmann::json doc = core::parse_json_text(text, origin);
  AuditReport report;
  report.file = origin;
  if (doc.is_object() && doc.value("auditReportVersion", 0) == 2 && doc.contains("vulnerabilities")) {
    report.format = "npm-audit-v2";
    for (const auto& [name, vulnerability] : doc["vulnerabilities"].items()) {
      // `via` holds advisories (objects) or the names of vulnerable dependencies (strings);
      // only the advisories are counted, each once, at the package that carries it.
      for (const auto& via : vulnerability.value("via", nlohmann::json::array())) {
        if (!via.is_object()) continue;
        report.advisories.push_back({advisory_id_from_url(via.value("url", ""), std::to_string(via.value("source", 0))),
                                     via.value("name", name), core::ascii_lower(via.value("severity", "unknown")),
                                     via.value("title", "")});
      }
    }
    return report;
  }
  if (doc.is_object() && doc.contains("advisories") && doc["advisories"].is_object()) {
    report.format = "npm-audit-v1";
    for (const auto& [number, advisory] : doc["advisories"].items()) {
      report.advisories.push_back({advisory.value("github_advisory_id", number), advisory.value("module_name", ""),
                                   core::ascii_lower(advisory.value("severity", "unknown")), advisory.value("title", "")});
    }
    return report;
  }
  if (doc.is_object() && doc.contains("results") && doc["results"].is_array()) {
    report.format = "osv-scanner";
    for (const auto& result : doc["results"]) {
      for (const auto& package : result.value("packages", nlohmann::json::array())) {
        const std::string name = package.contains("package") ? package["package"].value("name", "") : "";
        for (const auto& vulnerability : package.value("vulnerabilities", nlohmann::json::array())) {
          report.advisories.push_back({vulnerability.value("id", ""), name, osv_severity(vulnerability, package),
                                       vulnerability.value("summary", "")});
        }
      }
    }
    return report;
  }
  if (doc.is_object() && doc.contains("runs") && doc["runs"].is_array() && doc.value("version", "") == "2.1.0") {
    report.format = "sarif";
    for (const auto& sarif_run : doc["runs"]) {
      std::map<std::string, double> rule_scores;  // rule id -> security-severity (CVSS)
      if (sarif_run.contains("tool") && sarif_run["tool"].contains("driver")) {
        for (const auto& rule : sarif_run["tool"]["driver"].value("rules", nlohmann::json::array())) {
          const auto properties = rule.value("properties", nlohmann::json::object());
          const auto score = cvss_score(properties.contains("security-severity") ? properties["security-severity"]
                                                                                : nlohmann::json());
          if (score && rule.contains("id") && rule["id"].is_string()) rule_scores[rule["id"].get<std::string>()] = *score;
        }
      }
      for (const auto& result : sarif_run.value("results", nlohmann::json::array())) {
        const std::string rule = result.value("ruleId", "");
        std::string severity;
        if (auto it = rule_scores.find(rule); it != rule_scores.end()) severity = severity_from_cvss(it->second);
        else severity = result.value("level", "warning") == "error" ? "high" : "moderate";
        const std::string message = result.contains("message") ? result["message"].value("text", "") : "";
        report.advisories.push_back({rule, "", severity, message});
      }
    }
    return report;
  }
  throw core::InputError(origin, "", "unknown dependency audit format: expected `npm audit --json` output (auditReportVersion 2 or \"advisories\"), OSV-Scanner JSON (\"results\") or SARIF 2.1.0");
}

}  // namespace

AuditReport parse_audit_report(const std::string& origin, const std::string& text) {
  // A document of the right kind but the wrong shape (a string where a
  // number belongs, an array where an object does) is the file's fault, not
  // a crash: say so, naming the file.
  try {
    return read_audit_report(origin, text);
  } catch (const nlohmann::json::exception& error) {
    throw core::InputError(origin, "", std::string("not the shape of any audit report golive reads: ") + error.what());
  }
}

AuditReports load_audit_reports(const RepoSettings& settings) {
  AuditReports audits;
  std::vector<std::string> files = settings.dependency_audit;
  const bool configured = !files.empty();
  if (!configured) {
    for (const auto& file : list_repo_files(settings, "audit")) {
      const bool json = file.size() > 5 && file.compare(file.size() - 5, 5, ".json") == 0;
      const bool sarif = file.size() > 6 && file.compare(file.size() - 6, 6, ".sarif") == 0;
      if (json || sarif) files.push_back(file);
    }
    for (const char* candidate : {"npm-audit.json", "osv-scanner.json", "audit.sarif"}) {
      if (read_repo_text(settings, candidate)) files.push_back(candidate);
    }
  }
  if (files.empty() && read_repo_text(settings, "package-lock.json")) run_npm_audit(settings, audits);
  for (const auto& file : files) {
    const auto text = read_repo_text(settings, file);
    if (!text) throw core::InputError(repo_file(settings, file), "", "the audit report named in the repo section does not exist");
    try {
      audits.reports.push_back(parse_audit_report(file, *text));
    } catch (const core::InputError& e) {
      throw core::InputError(repo_file(settings, file), e.location(), e.problem());
    }
  }
  return audits;
}

void check_dependency_audit(const RepoSettings& settings, const AuditReports& audits, core::ResultSink& sink) {
  Stopwatch watch;
  auto result = repo_result("repo.dependencies.audit", "No critical or high advisory in the dependency audit",
                            Severity::kCritical, {"s001.R4.1", "s001.success.zero_critical_vulnerabilities"});
  std::map<std::string, std::set<std::string>> by_severity;
  std::vector<Finding> findings;
  nlohmann::json files = nlohmann::json::array();
  for (const auto& report : audits.reports) {
    files.push_back({{"file", report.file}, {"format", report.format}, {"advisories", report.advisories.size()}});
    for (const auto& advisory : report.advisories) {
      by_severity[advisory.severity].insert(advisory.id);
      if (advisory.severity == "critical" || advisory.severity == "high") {
        findings.push_back({report.file, 0, advisory.severity + " advisory " + advisory.id + " in " + advisory.package +
                                                (advisory.title.empty() ? "" : ": " + advisory.title), ""});
      }
    }
  }
  nlohmann::json ids = nlohmann::json::object();
  for (const auto& [severity, set] : by_severity) ids[severity] = set;
  result.evidence["npm_audit_ran"] = audits.ran_npm_audit;
  if (!audits.npm_audit_error.empty()) {
    result.evidence["reports"] = files;
    result.status = CheckStatus::kError;
    result.message = audits.npm_audit_error;
  } else if (audits.reports.empty()) {
    result.evidence["reports"] = files;
    result.status = CheckStatus::kSkip;
    result.message = "no dependency audit report (npm audit --json, OSV-Scanner JSON, SARIF) in audit/ and no package-lock.json; set repo.dependency_audit";
  } else {
    result.evidence["reports"] = files;
    conclude(result, findings, "no critical or high advisory in " + std::to_string(audits.reports.size()) + " report(s)");
  }
  result.evidence["advisories"] = ids;
  result.duration_ms = watch.elapsed_ms();
  sink.record(result);
  (void)settings;
}

}  // namespace golive::repo
