// What the repository checks share: reading a file of the checkout, listing
// its files, a finding that names file, line (and job), and building a
// CheckResult of suite "repo" from findings.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/check_result.hpp"
#include "repo/repo_settings.hpp"

namespace golive::repo {

// One problem at one place of the repository.
struct Finding {
  std::string file;     // relative to the repository root
  int line = 0;         // 1-based; 0 = the whole file
  std::string problem;  // one sentence
  std::string job;      // workflow job id, when the finding is in a job
};

nlohmann::json to_json(const Finding& finding);

// "file:line (job x): problem"
std::string describe(const Finding& finding);

// The contents of a repository file, or nullopt when it does not exist.
std::optional<std::string> read_repo_text(const RepoSettings& settings, const std::string& relative);

// Every regular file under `relative_dir` (relative paths, sorted), .git and
// node_modules excluded.
std::vector<std::string> list_repo_files(const RepoSettings& settings, const std::string& relative_dir);

std::vector<std::string> split_lines(const std::string& text);

// A variable or key name that holds a secret: *_KEY, *SECRET*, *TOKEN*,
// *PASSWORD*, *_DSN, DATABASE_URL, ... (public keys such as *_ANON_KEY,
// *_PUBLISHABLE_KEY and VITE_/NEXT_PUBLIC_ names excluded).
bool is_secret_name(const std::string& name);

// True when `value` refers to a secret instead of holding it: `${{ secrets.X }}`
// (any `${{ }}` expression), `${VAR}`, `vault:`, `op://`, `sm://`, or empty.
bool is_reference(const std::string& value);

// Measures wall time from construction, in milliseconds.
class Stopwatch {
 public:
  double elapsed_ms() const {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// A result of suite "repo" evidencing `checklist` items.
core::CheckResult repo_result(std::string id, std::string title, core::Severity severity,
                              std::vector<std::string> checklist);

// Sets status and message from findings: pass with `pass_message` when there
// are none, fail listing the first few otherwise; findings go to the evidence.
void conclude(core::CheckResult& result, const std::vector<Finding>& findings,
              const std::string& pass_message);

}  // namespace golive::repo
