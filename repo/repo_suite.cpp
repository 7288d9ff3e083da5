#include "repo/repo_suite.hpp"

#include "core/input_error.hpp"
#include "repo/dependency_audit.hpp"
#include "repo/docs_checks.hpp"
#include "repo/openapi_docs.hpp"
#include "repo/env_file_checks.hpp"
#include "repo/frontend_checks.hpp"
#include "repo/git_handles.hpp"
#include "repo/git_history.hpp"
#include "repo/migration_files.hpp"
#include "repo/migration_history.hpp"
#include "repo/prisma_drift.hpp"
#include "repo/test_reports.hpp"
#include "repo/workflow_checks.hpp"

namespace golive::repo {

namespace {

// Counts failed checks on their way to the caller's sink.
class CountingSink : public core::ResultSink {
 public:
  explicit CountingSink(core::ResultSink& inner) : inner_(inner) {}
  void record(const core::CheckResult& result) override {
    if (result.failed()) ++failed_;
    inner_.record(result);
  }
  void record_meta(const std::string& kind, const nlohmann::json& fields) override {
    inner_.record_meta(kind, fields);
  }
  std::size_t failed() const { return failed_; }

 private:
  core::ResultSink& inner_;
  std::size_t failed_ = 0;
};

}  // namespace

void require_git_repository(const std::string& path) {
  GitLibrary library;
  git_repository* raw = nullptr;
  const int status = git_repository_open_ext(&raw, path.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr);
  GitRepository repository(raw);
  if (status != 0) {
    throw core::InputError(path, "", "not a git repository (no .git here): give the top folder of the app's checkout");
  }
  if (git_repository_is_bare(repository.get())) {
    throw core::InputError(path, "", "a bare git repository: give a checkout with a work tree");
  }
}

std::size_t run_repo_suite(const RepoSettings& settings, core::ResultSink& sink) {
  require_git_repository(settings.path);
  // Parse what can be bad input first, so a broken file stops the audit
  // before any result is recorded.
  load_workflows(settings);
  const TestReports reports = load_test_reports(settings);
  const AuditReports audits = load_audit_reports(settings);
  const auto prisma = load_prisma_schema(settings);
  CountingSink counting(sink);
  check_release_pipeline(settings, counting);
  check_env_files(settings, counting);
  check_docs(settings, counting);
  check_openapi_docs(settings, counting);
  check_frontend(settings, counting);
  check_test_reports(settings, reports, counting);
  check_dependency_audit(settings, audits, counting);
  check_migration_files(settings, counting);
  check_applied_migrations(settings, counting);
  check_prisma_drift(settings, prisma, counting);
  if (settings.history) check_git_history(settings, counting);
  return counting.failed();
}

config::Capability repo_capability(const config::Environment& env) {
  if (!env.sections.count("repo")) {
    return {"repo", false, "no \"repo\" section: the repository audit is skipped (set \"repo\": {\"path\": \"../app\"})"};
  }
  const RepoSettings settings = read_repo_settings(env);  // throws for bad settings
  if (settings.path.empty()) {
    return {"repo", false, "repo.path is empty: the repository audit is skipped"};
  }
  return {"repo", true, "audits the repository at " + settings.path};
}

}  // namespace golive::repo
