// The release pipeline read from .github/workflows/*.yml (yaml-cpp): which
// job deploys where and on which refs, what gates the production deploy,
// whether migrations and the dependency audit run in the pipeline, and
// whether any workflow value is a literal secret. Seed 000 §1 and the
// Go-Live Checklist's CI/CD item; seed 001 R3.4 and R4.1.
//   repo.pipeline.staging_on_main         a job deploys to staging on push to main
//   repo.pipeline.production_on_tags      production deploys run only on tags v*
//   repo.pipeline.production_gated        every production deploy needs a test gate
//   repo.pipeline.migrations_by_pipeline  a step applies migrations
//   repo.pipeline.no_literal_secrets      only ${{ secrets.X }} references
//   repo.pipeline.dependency_audit_step   a step runs the dependency audit
#pragma once

#include <set>
#include <string>
#include <vector>

#include "core/result_stream.hpp"
#include "repo/repo_files.hpp"

namespace golive::repo {

struct WorkflowStep {
  int line = 0;
  std::string name;
  std::string run;   // the shell script, "" for a `uses:` step
  std::string uses;
};

// Where a job deploys to, and on which pushed refs it runs.
struct WorkflowJob {
  std::string id;
  int line = 0;
  std::string environment;  // "staging", "production" or "" (judged from environment: or the id)
  std::string condition;    // the job's `if:` expression
  std::vector<std::string> needs;
  std::vector<WorkflowStep> steps;
  std::set<std::string> branches;  // branch patterns it runs on for a push ("*" = any)
  std::set<std::string> tags;      // tag patterns it runs on for a push or release
};

struct Workflow {
  std::string file;  // relative to the repository root
  std::vector<WorkflowJob> jobs;
  std::vector<Finding> literal_secrets;  // env:/with: values that are not references
};

// Parses one workflow file. Throws core::InputError naming the file and line
// when it is not YAML or not a workflow (no `on:` or `jobs:` mapping).
Workflow parse_workflow(const std::string& relative_file, const std::string& text);

// Every .github/workflows/*.yml and *.yaml of the repository, parsed.
std::vector<Workflow> load_workflows(const RepoSettings& settings);

// Records the six repo.pipeline.* checks.
void check_release_pipeline(const RepoSettings& settings, core::ResultSink& sink);

}  // namespace golive::repo
