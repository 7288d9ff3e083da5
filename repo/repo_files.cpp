#include "repo/repo_files.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace golive::repo {

nlohmann::json to_json(const Finding& finding) {
  nlohmann::json out = {{"file", finding.file}, {"line", finding.line}, {"problem", finding.problem}};
  if (!finding.job.empty()) out["job"] = finding.job;
  return out;
}

std::string describe(const Finding& finding) {
  std::string text = finding.file;
  if (finding.line > 0) text += ":" + std::to_string(finding.line);
  if (!finding.job.empty()) text += " (job " + finding.job + ")";
  return text + ": " + finding.problem;
}

std::optional<std::string> read_repo_text(const RepoSettings& settings, const std::string& relative) {
  std::ifstream in(repo_file(settings, relative), std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> list_repo_files(const RepoSettings& settings, const std::string& relative_dir) {
  std::vector<std::string> out;
  const std::filesystem::path root(settings.path);
  std::error_code ec;
  const std::filesystem::path dir = root / relative_dir;
  if (!std::filesystem::is_directory(dir, ec)) return out;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (it->is_directory() && (name == ".git" || name == "node_modules")) {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file()) out.push_back(it->path().lexically_relative(root).string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::string line;
  std::istringstream in(text);
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

bool is_secret_name(const std::string& name) {
  std::string upper;
  for (char c : name) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto has = [&](const char* part) { return upper.find(part) != std::string::npos; };
  auto ends = [&](const std::string& tail) {
    return upper.size() >= tail.size() && upper.compare(upper.size() - tail.size(), tail.size(), tail) == 0;
  };
  if (has("ANON_KEY") || has("PUBLISHABLE") || has("PUBLIC")) return false;
  return has("SECRET") || has("TOKEN") || has("PASSWORD") || has("PRIVATE") || ends("_KEY") ||
         upper == "KEY" || has("API_KEY") || ends("DATABASE_URL") || (ends("_DSN") && !has("SENTRY"));
}

bool is_reference(const std::string& raw) {
  std::string value = raw;
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) value.pop_back();
  std::size_t start = 0;
  while (start < value.size() && std::isspace(static_cast<unsigned char>(value[start]))) ++start;
  value = value.substr(start);
  if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front()) {
    value = value.substr(1, value.size() - 2);
  }
  if (value.empty()) return true;
  if (value.rfind("${{", 0) == 0 && value.size() >= 5 && value.compare(value.size() - 2, 2, "}}") == 0) return true;
  if (value.rfind("${", 0) == 0 && value.back() == '}' && value.find('}') == value.size() - 1) return true;
  for (const char* scheme : {"vault:", "op://", "sm://", "awssm://", "gcpsm://", "azkv://"}) {
    if (value.rfind(scheme, 0) == 0) return true;
  }
  return false;
}

core::CheckResult repo_result(std::string id, std::string title, core::Severity severity,
                              std::vector<std::string> checklist) {
  core::CheckResult result;
  result.id = std::move(id);
  result.suite = "repo";
  result.title = std::move(title);
  result.severity = severity;
  result.checklist = std::move(checklist);
  return result;
}

void conclude(core::CheckResult& result, const std::vector<Finding>& findings,
              const std::string& pass_message) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& finding : findings) list.push_back(to_json(finding));
  result.evidence["findings"] = list;
  if (findings.empty()) {
    result.status = core::CheckStatus::kPass;
    result.message = pass_message;
    return;
  }
  result.status = core::CheckStatus::kFail;
  std::string message;
  const std::size_t shown = std::min<std::size_t>(findings.size(), 3);
  for (std::size_t i = 0; i < shown; ++i) message += (i ? "; " : "") + describe(findings[i]);
  if (findings.size() > shown) message += " (and " + std::to_string(findings.size() - shown) + " more)";
  result.message = message;
}

}  // namespace golive::repo
