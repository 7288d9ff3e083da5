#include "repo/docs_checks.hpp"

#include <nlohmann/json.hpp>
#include <map>
#include <regex>
#include <set>

#include "core/ascii_case.hpp"

namespace golive::repo {

namespace {

using core::Severity;

const std::set<std::string> kKnownCommands = {
    "supabase", "psql", "pg_dump", "pg_restore", "pg_basebackup", "npm", "npx", "pnpm", "yarn", "node",
    "deno", "git", "gh", "curl", "wget", "jq", "stripe", "golive", "docker", "kubectl", "helm", "bash",
    "sh", "make", "cd", "ls", "cat", "grep", "export", "echo", "sentry-cli", "vercel", "netlify",
    "prisma", "aws", "gcloud", "az", "redis-cli", "sudo", "systemctl", "tail", "watch", "sleep"};

// A fence line (```), also when indented under a list item.
bool is_fence(const std::string& line) {
  const auto start = line.find_first_not_of(" \t");
  return start != std::string::npos && line.compare(start, 3, "```") == 0;
}

// The first word of a command line, after environment assignments.
std::string command_word(const std::string& line) {
  static const std::regex kWord(R"(^\s*(?:\$\s+)?(?:[A-Z_][A-Z0-9_]*=\S*\s+)*([^\s|;&]+))");
  std::smatch match;
  if (std::regex_search(line, match, kWord)) return match[1].str();
  return "";
}

}  // namespace

std::vector<MarkdownSection> markdown_sections(const std::string& text) {
  std::vector<MarkdownSection> sections;
  const auto lines = split_lines(text);
  bool in_fence = false;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    if (is_fence(line)) in_fence = !in_fence;
    if (!in_fence && !line.empty() && line[0] == '#') {
      std::size_t level = line.find_first_not_of('#');
      if (level != std::string::npos && line[level] == ' ') {
        MarkdownSection section;
        section.level = static_cast<int>(level);
        section.heading = line.substr(level + 1);
        section.line = static_cast<int>(i + 1);
        sections.push_back(std::move(section));
        continue;
      }
    }
    if (!sections.empty()) sections.back().body.push_back(line);
  }
  return sections;
}

bool has_steps(const MarkdownSection& section) {
  static const std::regex kNumbered(R"(^\s*\d+[.)]\s+\S)");
  for (const auto& line : section.body) {
    if (std::regex_search(line, kNumbered) || is_fence(line)) return true;
  }
  return false;
}

void check_docs(const RepoSettings& settings, core::ResultSink& sink) {
  Stopwatch watch;
  auto finish = [&](core::CheckResult result, const std::vector<Finding>& findings, const std::string& pass) {
    conclude(result, findings, pass);
    result.duration_ms = watch.elapsed_ms();
    sink.record(result);
  };

  // The runbook: one section per required procedure, each with steps. A
  // section's steps may sit in its subsections.
  const auto runbook = read_repo_text(settings, settings.runbooks);
  std::vector<MarkdownSection> sections = runbook ? markdown_sections(*runbook) : std::vector<MarkdownSection>{};
  {
    auto result = repo_result("repo.docs.runbooks", "The runbook has a section with steps for each required procedure",
                              Severity::kHigh,
                              {"s000.checklist.runbooks", "s000.observability.runbooks", "s001.R7.5",
                               "s001.success.documentation_complete"});
    std::vector<Finding> findings;
    nlohmann::json found = nlohmann::json::object();
    if (!runbook) findings.push_back({settings.runbooks, 0, "the runbook file does not exist", ""});
    for (const auto& procedure : settings.runbook_sections) {
      if (!runbook) break;
      const std::string wanted = core::ascii_lower(procedure);
      bool present = false;
      for (std::size_t i = 0; i < sections.size() && !present; ++i) {
        if (core::ascii_lower(sections[i].heading).find(wanted) == std::string::npos) continue;
        present = true;
        found[procedure] = sections[i].line;
        bool steps = has_steps(sections[i]);
        for (std::size_t j = i + 1; j < sections.size() && sections[j].level > sections[i].level && !steps; ++j) {
          steps = has_steps(sections[j]);
        }
        if (!steps) findings.push_back({settings.runbooks, sections[i].line, "section \"" + procedure + "\" has no numbered steps or commands", ""});
      }
      if (!present) findings.push_back({settings.runbooks, 0, "no section for \"" + procedure + "\"", ""});
    }
    result.evidence["sections"] = found;
    finish(result, findings, std::to_string(settings.runbook_sections.size()) + " required procedures documented with steps");
  }

  // The guides.
  const std::map<std::string, std::string> guide_items = {{"deployment", "s001.R7.1"},
                                                          {"troubleshooting", "s001.R7.2"},
                                                          {"onboarding", "s001.R7.3"}};
  std::vector<std::pair<std::string, std::string>> documents;  // (file, text) for the command check
  if (runbook) documents.emplace_back(settings.runbooks, *runbook);
  for (const auto& [guide, file] : settings.guides) {
    std::vector<std::string> items = {"s001.success.documentation_complete"};
    if (auto it = guide_items.find(guide); it != guide_items.end()) items.push_back(it->second);
    auto result = repo_result("repo.docs." + guide + "_guide", "The " + guide + " guide exists with numbered steps",
                              Severity::kMedium, items);
    std::vector<Finding> findings;
    const auto text = read_repo_text(settings, file);
    if (!text) {
      findings.push_back({file, 0, "the " + guide + " guide does not exist", ""});
    } else {
      documents.emplace_back(file, *text);
      bool steps = false;
      for (const auto& section : markdown_sections("# x\n" + *text)) steps = steps || has_steps(section);
      if (!steps) findings.push_back({file, 0, "no numbered steps", ""});
    }
    result.evidence["file"] = file;
    finish(result, findings, file + " has numbered steps");
  }

  // Commands named in fenced blocks and `inline code` of the documents.
  {
    auto result = repo_result("repo.docs.runbook_commands",
                              "Every script or command the runbooks name exists or is a known CLI", Severity::kMedium,
                              {"s000.checklist.runbooks", "s001.R7.1"});
    std::vector<Finding> findings;
    std::size_t checked = 0;
    static const std::regex kInline(R"(`([^`]+)`)");
    for (const auto& [file, text] : documents) {
      const auto lines = split_lines(text);
      bool in_fence = false;
      for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string& line = lines[i];
        if (is_fence(line)) {
          in_fence = !in_fence;
          continue;
        }
        std::vector<std::string> commands;
        if (in_fence) {
          const auto start = line.find_first_not_of(" \t");
          if (start != std::string::npos && line[start] != '#') commands.push_back(line);
        } else {
          for (auto it = std::sregex_iterator(line.begin(), line.end(), kInline); it != std::sregex_iterator(); ++it) {
            const std::string code = (*it)[1].str();
            // Only code that reads like a command line: a script path or a known tool with arguments.
            if (code.find(' ') != std::string::npos || code.find('/') != std::string::npos) commands.push_back(code);
          }
        }
        for (const auto& command : commands) {
          const std::string word = command_word(command);
          if (word.empty()) continue;
          const bool path_like = word.find('/') != std::string::npos || word.rfind("./", 0) == 0;
          if (path_like) {
            // Only script paths are judged; other paths (URLs, doc links) are prose.
            const bool script = word.size() > 3 && (word.compare(word.size() - 3, 3, ".sh") == 0 ||
                                                    word.compare(word.size() - 3, 3, ".ts") == 0 ||
                                                    word.compare(word.size() - 3, 3, ".js") == 0 ||
                                                    word.rfind("scripts/", 0) == 0 || word.rfind("./scripts/", 0) == 0);
            if (!script || word.find("://") != std::string::npos) continue;
            ++checked;
            std::string relative = word.rfind("./", 0) == 0 ? word.substr(2) : word;
            if (!read_repo_text(settings, relative)) {
              findings.push_back({file, static_cast<int>(i + 1), "names " + word + ", which is not in the repository", ""});
            }
          } else if (in_fence) {
            ++checked;
            if (!kKnownCommands.count(word)) {
              findings.push_back({file, static_cast<int>(i + 1), "runs " + word + ", neither a repository script nor a known CLI", ""});
            }
          }
        }
      }
    }
    result.evidence["commands_checked"] = checked;
    finish(result, findings, std::to_string(checked) + " commands named by the runbooks exist");
  }
}

}  // namespace golive::repo
