#include "repo/frontend_checks.hpp"

#include <regex>

namespace golive::repo {

namespace {

using core::Severity;

bool source_file(const std::string& path) {
  for (const char* ext : {".ts", ".tsx", ".js", ".jsx", ".mjs", ".vue", ".svelte"}) {
    const std::string e(ext);
    if (path.size() > e.size() && path.compare(path.size() - e.size(), e.size(), e) == 0) return true;
  }
  return false;
}

// Test files and mocks never reach a production bundle.
bool test_only(const std::string& path) {
  return path.find(".test.") != std::string::npos || path.find(".spec.") != std::string::npos ||
         path.find("__mocks__") != std::string::npos || path.find("__tests__") != std::string::npos;
}

bool dev_flag(const std::string& line) {
  for (const char* flag : {"import.meta.env.DEV", "import.meta.env.MODE === 'development'",
                           "NODE_ENV === 'development'", "NODE_ENV !== 'production'",
                           "NODE_ENV === \"development\"", "NODE_ENV !== \"production\"", "__DEV__",
                           "isDevelopment"}) {
    if (line.find(flag) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

void check_frontend(const RepoSettings& settings, core::ResultSink& sink) {
  Stopwatch watch;
  auto finish = [&](core::CheckResult result, const std::vector<Finding>& findings, const std::string& pass) {
    conclude(result, findings, pass);
    result.duration_ms = watch.elapsed_ms();
    sink.record(result);
  };
  std::vector<std::pair<std::string, std::vector<std::string>>> sources;
  for (const auto& file : list_repo_files(settings, settings.frontend_dir)) {
    if (!source_file(file)) continue;
    if (auto text = read_repo_text(settings, file)) sources.emplace_back(file, split_lines(*text));
  }

  {
    auto result = repo_result("repo.frontend.sentry_init",
                              "The app entry initialises Sentry with a DSN from an environment variable",
                              Severity::kMedium, {"s000.checklist.logging.frontend"});
    std::vector<Finding> findings;
    const auto entry = read_repo_text(settings, settings.frontend_entry);
    static const std::regex kDsnFromEnv(R"(dsn\s*:\s*(import\.meta\.env\.|process\.env\.|Deno\.env\.get\())");
    static const std::regex kDsnLiteral(R"(dsn\s*:\s*['"`])");
    if (!entry) {
      findings.push_back({settings.frontend_entry, 0, "the app entry does not exist", ""});
    } else {
      const auto lines = split_lines(*entry);
      int init_line = 0;
      int dsn_line = 0;
      for (std::size_t i = 0; i < lines.size(); ++i) {
        if (lines[i].find("Sentry.init(") != std::string::npos && !init_line) init_line = static_cast<int>(i + 1);
        if (init_line && std::regex_search(lines[i], kDsnFromEnv) && !dsn_line) dsn_line = static_cast<int>(i + 1);
        if (init_line && std::regex_search(lines[i], kDsnLiteral)) {
          findings.push_back({settings.frontend_entry, static_cast<int>(i + 1), "the Sentry DSN is written literally, not read from an environment variable", ""});
        }
      }
      if (!init_line) findings.push_back({settings.frontend_entry, 0, "no Sentry.init( call", ""});
      else if (!dsn_line && findings.empty()) findings.push_back({settings.frontend_entry, init_line, "Sentry.init has no dsn from import.meta.env or process.env", ""});
      result.evidence["init_line"] = init_line;
      result.evidence["dsn_line"] = dsn_line;
    }
    result.evidence["entry"] = settings.frontend_entry;
    finish(result, findings, "Sentry.init in " + settings.frontend_entry + " reads its DSN from the environment");
  }

  {
    auto result = repo_result("repo.frontend.dev_only_code",
                              "Development-only code (mockAI) is absent or behind a development flag",
                              Severity::kHigh, {"s000.checklist.cleanup"});
    std::vector<Finding> findings;
    std::size_t guarded = 0;
    for (const auto& name : settings.dev_only_names) {
      const std::regex definition("(function\\s+" + name + "\\b|(const|let|var)\\s+" + name +
                                  "\\b|^\\s*import\\b|^\\s*export\\s+\\{)");
      const std::regex word("\\b" + name + "\\b");
      for (const auto& [file, lines] : sources) {
        if (test_only(file)) continue;
        for (std::size_t i = 0; i < lines.size(); ++i) {
          if (!std::regex_search(lines[i], word) || std::regex_search(lines[i], definition)) continue;
          const auto code = lines[i].find_first_not_of(" \t");
          if (code != std::string::npos && (lines[i].compare(code, 2, "//") == 0 || lines[i][code] == '*' ||
                                            lines[i].compare(code, 2, "/*") == 0)) {
            continue;  // a comment
          }
          bool behind_flag = false;
          for (std::size_t back = 0; back <= 3 && back <= i && !behind_flag; ++back) behind_flag = dev_flag(lines[i - back]);
          if (behind_flag) ++guarded;
          else findings.push_back({file, static_cast<int>(i + 1), name + " is used without a development flag (import.meta.env.DEV)", ""});
        }
      }
    }
    result.evidence["guarded_uses"] = guarded;
    result.evidence["names"] = settings.dev_only_names;
    finish(result, findings, guarded == 0 ? "no development-only code in the frontend"
                                          : std::to_string(guarded) + " use(s) of development-only code, each behind a development flag");
  }

  {
    auto result = repo_result("repo.frontend.legal_routes", "The frontend has routes for the legal pages",
                              Severity::kMedium, {"s000.checklist.legal", "s000.compliance.legal_pages"});
    std::vector<Finding> findings;
    nlohmann::json where = nlohmann::json::object();
    for (const auto& route : settings.legal_routes) {
      const std::regex declared("path\\s*[:=]\\s*\\{?\\s*['\"`]" + route + "['\"`]");
      for (const auto& [file, lines] : sources) {
        for (std::size_t i = 0; i < lines.size() && !where.contains(route); ++i) {
          if (std::regex_search(lines[i], declared)) where[route] = file + ":" + std::to_string(i + 1);
        }
      }
      if (!where.contains(route)) findings.push_back({settings.frontend_dir, 0, "no route declares path " + route, ""});
    }
    result.evidence["routes"] = where;
    finish(result, findings, "routes for every legal page exist");
  }

  {
    auto result = repo_result("repo.backend.structured_logger",
                              "The edge functions log through a shared structured (JSON) logger", Severity::kLow,
                              {"s000.checklist.logging.structured", "s000.observability.structured_logs"});
    std::vector<Finding> findings;
    const std::string logger = "supabase/functions/_shared/logger.ts";
    const auto text = read_repo_text(settings, logger);
    if (!text) findings.push_back({logger, 0, "the shared logger does not exist", ""});
    else if (text->find("JSON.stringify") == std::string::npos) findings.push_back({logger, 0, "the logger does not write JSON lines (no JSON.stringify)", ""});
    finish(result, findings, logger + " writes JSON log lines");
  }
}

}  // namespace golive::repo
