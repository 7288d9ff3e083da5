// Secrets in git history (seed 000 §2, seed 001 R3.4): every commit reachable
// from any ref, read with libgit2. Each blob a commit adds or changes is
// scanned once with the secret rules of target/secret_scanner.hpp plus
// Stripe webhook secrets; a committed .env file (.env, .env.local,
// .env.*.local) is a finding too. A finding names the commit, the path and
// the line; the secret is shown only as its prefix and its length.
//   repo.history.secrets   no secret in any commit
#pragma once

#include <cstddef>

#include "core/result_stream.hpp"
#include "repo/repo_files.hpp"

namespace golive::repo {

struct HistoryScan {
  std::size_t commits = 0;
  std::size_t blobs_scanned = 0;
  std::size_t bytes_scanned = 0;
  std::vector<Finding> findings;
};

// Throws core::InputError when the repository cannot be opened.
HistoryScan scan_git_history(const std::string& repository_path);

void check_git_history(const RepoSettings& settings, core::ResultSink& sink);

}  // namespace golive::repo
