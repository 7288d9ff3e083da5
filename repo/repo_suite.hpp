// The repository audit suite: the app's repository read from its files, the
// checks of workflow_checks.hpp, env_file_checks.hpp, docs_checks.hpp,
// frontend_checks.hpp, test_reports.hpp, dependency_audit.hpp and
// git_history.hpp. Every check is a core::CheckResult of suite "repo".
// `golive audit repo PATH` and the repo stage of `golive run` call it.
#pragma once

#include <cstddef>

#include "config/environment.hpp"
#include "core/result_stream.hpp"
#include "repo/repo_settings.hpp"

namespace golive::repo {

// Throws core::InputError naming `path` when it is not the top of a git work
// tree (a plain folder, a file, a subfolder of a repository).
void require_git_repository(const std::string& path);

// Runs every repository check. Returns the number of failed (fail or error)
// checks. Throws core::InputError for bad input: a path that is not a git
// repository, a workflow that is not YAML, a report of an unknown format.
std::size_t run_repo_suite(const RepoSettings& settings, core::ResultSink& sink);

// Available when the environment's repo.path names a checkout.
config::Capability repo_capability(const config::Environment& env);

}  // namespace golive::repo
