// RAII owners for the libgit2 handles the repository audit uses, and the
// library's process-wide init. Private to repo/.
#pragma once

#include <git2.h>

#include <memory>
#include <string>

namespace golive::repo {

// git_libgit2_init/shutdown, reference counted by libgit2 itself.
class GitLibrary {
 public:
  GitLibrary() { git_libgit2_init(); }
  ~GitLibrary() { git_libgit2_shutdown(); }
  GitLibrary(const GitLibrary&) = delete;
  GitLibrary& operator=(const GitLibrary&) = delete;
};

template <typename T, void (*Free)(T*)>
struct GitDeleter {
  void operator()(T* handle) const {
    if (handle) Free(handle);
  }
};

using GitRepository = std::unique_ptr<git_repository, GitDeleter<git_repository, git_repository_free>>;
using GitIndex = std::unique_ptr<git_index, GitDeleter<git_index, git_index_free>>;
using GitTree = std::unique_ptr<git_tree, GitDeleter<git_tree, git_tree_free>>;
using GitCommit = std::unique_ptr<git_commit, GitDeleter<git_commit, git_commit_free>>;
using GitSignature = std::unique_ptr<git_signature, GitDeleter<git_signature, git_signature_free>>;
using GitRevwalk = std::unique_ptr<git_revwalk, GitDeleter<git_revwalk, git_revwalk_free>>;
using GitDiff = std::unique_ptr<git_diff, GitDeleter<git_diff, git_diff_free>>;
using GitBlob = std::unique_ptr<git_blob, GitDeleter<git_blob, git_blob_free>>;

// The last libgit2 error as text.
inline std::string git_error_text() {
  const git_error* error = git_error_last();
  return error && error->message ? error->message : "unknown libgit2 error";
}

}  // namespace golive::repo
