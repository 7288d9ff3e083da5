#include "repo/git_history.hpp"

#include <algorithm>
#include <set>
#include <string_view>

#include "core/input_error.hpp"
#include "core/redactor.hpp"
#include "repo/git_handles.hpp"
#include "target/secret_scanner.hpp"

namespace golive::repo {

namespace {

constexpr std::size_t kMaxBlobBytes = std::size_t{4} * 1024 * 1024;  // larger blobs are data, not source

bool committed_env_file(const std::string& path) {
  const auto slash = path.rfind('/');
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  if (name == ".env" || name == ".env.local") return true;
  return name.rfind(".env.", 0) == 0 && name.size() > 6 && name.compare(name.size() - 6, 6, ".local") == 0;
}

std::string short_id(const git_oid* id) {
  char text[GIT_OID_HEXSZ + 1] = {};
  git_oid_tostr(text, sizeof(text), id);
  return std::string(text).substr(0, 12);
}

int line_at(std::string_view text, std::size_t offset) {
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(offset), '\n'));
}

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw core::InputError(path, "", what + ": " + git_error_text());
}

}  // namespace

HistoryScan scan_git_history(const std::string& repository_path) {
  GitLibrary library;
  HistoryScan scan;
  git_repository* raw_repo = nullptr;
  if (git_repository_open_ext(&raw_repo, repository_path.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr) != 0) {
    fail(repository_path, "not a git repository");
  }
  GitRepository repo(raw_repo);
  git_revwalk* raw_walk = nullptr;
  if (git_revwalk_new(&raw_walk, repo.get()) != 0) fail(repository_path, "cannot walk the history");
  GitRevwalk walk(raw_walk);
  git_revwalk_sorting(walk.get(), GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
  // Every branch and tag (a secret on an unmerged branch is still pushed); an
  // empty repository has no refs and nothing to scan.
  if (git_revwalk_push_glob(walk.get(), "refs/*") != 0 && git_repository_head_unborn(repo.get()) != 1) {
    fail(repository_path, "cannot read the refs");
  }
  std::set<std::string> seen_blobs;
  std::set<std::string> seen_env_paths;
  const target::SecretRules rules{.webhook_secrets = true};
  git_oid commit_id;
  while (git_revwalk_next(&commit_id, walk.get()) == 0) {
    ++scan.commits;
    git_commit* raw_commit = nullptr;
    if (git_commit_lookup(&raw_commit, repo.get(), &commit_id) != 0) fail(repository_path, "cannot read a commit");
    GitCommit commit(raw_commit);
    git_tree* raw_tree = nullptr;
    if (git_commit_tree(&raw_tree, commit.get()) != 0) fail(repository_path, "cannot read a tree");
    GitTree tree(raw_tree);
    GitTree parent_tree;
    if (git_commit_parentcount(commit.get()) > 0) {
      git_commit* raw_parent = nullptr;
      if (git_commit_parent(&raw_parent, commit.get(), 0) != 0) fail(repository_path, "cannot read a parent");
      GitCommit parent(raw_parent);
      git_tree* raw_parent_tree = nullptr;
      if (git_commit_tree(&raw_parent_tree, parent.get()) != 0) fail(repository_path, "cannot read a tree");
      parent_tree.reset(raw_parent_tree);
    }
    git_diff* raw_diff = nullptr;
    git_diff_options options = GIT_DIFF_OPTIONS_INIT;
    options.flags = GIT_DIFF_SKIP_BINARY_CHECK;
    if (git_diff_tree_to_tree(&raw_diff, repo.get(), parent_tree.get(), tree.get(), &options) != 0) {
      fail(repository_path, "cannot diff a commit");
    }
    GitDiff diff(raw_diff);
    const std::string commit_text = short_id(&commit_id);
    for (std::size_t i = 0; i < git_diff_num_deltas(diff.get()); ++i) {
      const git_diff_delta* delta = git_diff_get_delta(diff.get(), i);
      if (delta->status != GIT_DELTA_ADDED && delta->status != GIT_DELTA_MODIFIED &&
          delta->status != GIT_DELTA_RENAMED && delta->status != GIT_DELTA_COPIED) {
        continue;
      }
      const std::string path = delta->new_file.path ? delta->new_file.path : "";
      if (committed_env_file(path) && seen_env_paths.insert(path).second) {
        scan.findings.push_back({path, 0, "commit " + commit_text + ": a .env file with real values was committed", ""});
      }
      char blob_hex[GIT_OID_HEXSZ + 1] = {};
      git_oid_tostr(blob_hex, sizeof(blob_hex), &delta->new_file.id);
      if (!seen_blobs.insert(blob_hex).second) continue;  // this content was scanned already
      git_blob* raw_blob = nullptr;
      if (git_blob_lookup(&raw_blob, repo.get(), &delta->new_file.id) != 0) continue;  // a submodule commit
      GitBlob blob(raw_blob);
      if (git_blob_is_binary(blob.get())) continue;
      const auto size = static_cast<std::size_t>(git_blob_rawsize(blob.get()));
      const std::string_view text(static_cast<const char*>(git_blob_rawcontent(blob.get())), std::min(size, kMaxBlobBytes));
      ++scan.blobs_scanned;
      scan.bytes_scanned += text.size();
      for (const auto& finding : target::scan_for_secrets(text, rules)) {
        core::Redactor::global().add_secret(finding.secret);
        scan.findings.push_back({path, line_at(text, finding.offset),
                                 "commit " + commit_text + ": " + target::describe(finding.kind) + " (" +
                                     finding.redacted + ", " + std::to_string(finding.length) + " characters)",
                                 ""});
      }
    }
  }
  return scan;
}

void check_git_history(const RepoSettings& settings, core::ResultSink& sink) {
  Stopwatch watch;
  auto result = repo_result("repo.history.secrets", "No secret in any commit of the repository's history",
                            core::Severity::kCritical, {"s001.R3.4", "s000.security.stripe_keys_not_exposed"});
  const HistoryScan scan = scan_git_history(settings.path);
  result.evidence = {{"commits", scan.commits}, {"blobs_scanned", scan.blobs_scanned}, {"bytes_scanned", scan.bytes_scanned}};
  conclude(result, scan.findings,
           "no secret in " + std::to_string(scan.commits) + " commits (" + std::to_string(scan.blobs_scanned) + " file versions)");
  result.duration_ms = watch.elapsed_ms();
  sink.record(result);
}

}  // namespace golive::repo
