#include "repo/workflow_checks.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <regex>

#include "core/ascii_case.hpp"
#include "core/input_error.hpp"

namespace golive::repo {

namespace {

using core::CheckStatus;
using core::Severity;

const std::vector<std::string> kPipelineChecklist = {"s000.checklist.environment.cicd",
                                                      "s000.deployment.github_actions"};

int line_of(const YAML::Node& node) { return node.Mark().line >= 0 ? node.Mark().line + 1 : 0; }

std::vector<std::string> scalars(const YAML::Node& node) {
  std::vector<std::string> out;
  if (!node) return out;
  if (node.IsScalar()) out.push_back(node.Scalar());
  if (node.IsSequence()) {
    for (const auto& item : node) {
      if (item.IsScalar()) out.push_back(item.Scalar());
    }
  }
  return out;
}

std::string lower(std::string text) { return core::ascii_lower(text); }

// Where a job deploys: its `environment:` name, else a deploy-ish job id.
std::string deploy_target(const std::string& job_id, const YAML::Node& job) {
  std::string name;
  if (const YAML::Node environment = job["environment"]) {
    if (environment.IsScalar()) name = environment.Scalar();
    else if (environment.IsMap() && environment["name"]) name = environment["name"].Scalar();
  }
  if (name.empty() && lower(job_id).find("deploy") != std::string::npos) name = job_id;
  name = lower(name);
  if (name.find("prod") != std::string::npos) return "production";
  if (name.find("staging") != std::string::npos || name.find("stage") != std::string::npos) return "staging";
  return "";
}

// Narrows the refs a job runs on by what its `if:` asks of github.ref.
void apply_condition(const std::string& condition, std::set<std::string>& branches,
                     std::set<std::string>& tags) {
  if (condition.empty()) return;
  static const std::regex kTagRef(R"(refs/tags/([A-Za-z0-9_.*/-]*))");
  static const std::regex kBranchRef(R"(refs/heads/([A-Za-z0-9_.*/-]+))");
  static const std::regex kRefName(R"(github\.ref_name\s*==\s*'([^']+)')");
  const bool mentions_tag = std::regex_search(condition, kTagRef) ||
                            condition.find("ref_type == 'tag'") != std::string::npos;
  std::smatch match;
  if (mentions_tag) {
    branches.clear();
    if (std::regex_search(condition, match, kTagRef)) {
      std::string prefix = match[1].str();
      std::set<std::string> narrowed;
      for (const auto& tag : tags) {
        if (tag == "*" || tag.rfind(prefix, 0) == 0) narrowed.insert(prefix.empty() ? tag : prefix + "*");
      }
      tags = narrowed;
    }
    return;
  }
  if (std::regex_search(condition, match, kBranchRef) || std::regex_search(condition, match, kRefName)) {
    const std::string branch = match[1].str();
    tags.clear();
    if (branches.count(branch) || branches.count("*")) branches = {branch};
    else branches.clear();
  }
}

bool glob_matches(const std::string& pattern, const std::string& text) {
  if (pattern == "*" || pattern == "**") return true;
  if (!pattern.empty() && pattern.back() == '*') {
    return text.rfind(pattern.substr(0, pattern.size() - 1), 0) == 0;
  }
  return pattern == text;
}

// Literal secrets in an env: or with: mapping.
void scan_values(const std::string& file, const std::string& job, const YAML::Node& map,
                 std::vector<Finding>& out) {
  if (!map || !map.IsMap()) return;
  for (const auto& entry : map) {
    const std::string key = entry.first.Scalar();
    if (!entry.second.IsScalar()) continue;
    const std::string value = entry.second.Scalar();
    if (is_secret_name(key) && !is_reference(value)) {
      out.push_back({file, line_of(entry.second),
                     key + " is a literal value (" + std::to_string(value.size()) +
                         " characters), not ${{ secrets." + key + " }}",
                     job});
    }
  }
}

bool runs_any(const WorkflowJob& job, std::initializer_list<const char*> commands) {
  for (const auto& step : job.steps) {
    const std::string text = step.run + " " + step.uses;
    for (const char* command : commands) {
      if (text.find(command) != std::string::npos) return true;
    }
  }
  return false;
}

bool is_test_gate(const WorkflowJob& job) {
  return runs_any(job, {"npm test", "npm run test", "npx vitest", "vitest run", "npx jest", "jest ",
                        "playwright test", "pytest", "go test", "cargo test", "golive run",
                        "golive/", "pnpm test", "yarn test"});
}

}  // namespace

Workflow parse_workflow(const std::string& relative_file, const std::string& text) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw core::InputError(relative_file,
                           "line " + std::to_string(e.mark.line + 1) + ", column " +
                               std::to_string(e.mark.column + 1),
                           "not valid YAML: " + e.msg);
  }
  if (!root.IsMap() || !root["jobs"] || !root["jobs"].IsMap() || !root["on"]) {
    throw core::InputError(relative_file, "line 1",
                           "not a GitHub Actions workflow: expected a mapping with \"on:\" and \"jobs:\"");
  }
  Workflow workflow;
  workflow.file = relative_file;
  // The refs a push or release runs this workflow on.
  std::set<std::string> branches;
  std::set<std::string> tags;
  const YAML::Node on = root["on"];
  auto note_push = [&](const YAML::Node& push) {
    auto b = scalars(push ? push["branches"] : YAML::Node());
    auto t = scalars(push ? push["tags"] : YAML::Node());
    if (b.empty() && t.empty()) {
      branches.insert("*");
      tags.insert("*");
    }
    branches.insert(b.begin(), b.end());
    tags.insert(t.begin(), t.end());
  };
  if (on.IsScalar() || on.IsSequence()) {
    for (const auto& event : scalars(on)) {
      if (event == "push") note_push(YAML::Node());
      if (event == "release") tags.insert("*");
    }
  } else if (on.IsMap()) {
    if (on["push"]) note_push(on["push"].IsMap() ? on["push"] : YAML::Node());
    if (on["release"]) tags.insert("*");
  }
  scan_values(relative_file, "", root["env"], workflow.literal_secrets);
  for (const auto& entry : root["jobs"]) {
    const YAML::Node node = entry.second;
    WorkflowJob job;
    job.id = entry.first.Scalar();
    job.line = line_of(entry.first);
    if (!node.IsMap()) {
      throw core::InputError(relative_file, "line " + std::to_string(job.line),
                             "job \"" + job.id + "\" is not a mapping");
    }
    job.environment = deploy_target(job.id, node);
    if (node["if"] && node["if"].IsScalar()) job.condition = node["if"].Scalar();
    job.needs = scalars(node["needs"]);
    job.branches = branches;
    job.tags = tags;
    apply_condition(job.condition, job.branches, job.tags);
    scan_values(relative_file, job.id, node["env"], workflow.literal_secrets);
    if (const YAML::Node steps = node["steps"]; steps && steps.IsSequence()) {
      for (const auto& step_node : steps) {
        if (!step_node.IsMap()) continue;
        WorkflowStep step;
        step.line = line_of(step_node);
        if (step_node["name"]) step.name = step_node["name"].Scalar();
        if (step_node["run"]) step.run = step_node["run"].Scalar();
        if (step_node["uses"]) step.uses = step_node["uses"].Scalar();
        scan_values(relative_file, job.id, step_node["env"], workflow.literal_secrets);
        scan_values(relative_file, job.id, step_node["with"], workflow.literal_secrets);
        job.steps.push_back(std::move(step));
      }
    }
    workflow.jobs.push_back(std::move(job));
  }
  return workflow;
}

std::vector<Workflow> load_workflows(const RepoSettings& settings) {
  std::vector<Workflow> workflows;
  for (const auto& file : list_repo_files(settings, ".github/workflows")) {
    const bool yaml = file.size() > 4 && (file.compare(file.size() - 4, 4, ".yml") == 0 ||
                                          file.compare(file.size() - 5, 5, ".yaml") == 0);
    if (!yaml) continue;
    const auto text = read_repo_text(settings, file);
    if (!text) continue;
    try {
      workflows.push_back(parse_workflow(file, *text));
    } catch (const core::InputError& e) {
      // Name the file as the user knows it: inside the repository they gave.
      throw core::InputError(repo_file(settings, file), e.location(), e.problem());
    }
  }
  return workflows;
}

void check_release_pipeline(const RepoSettings& settings, core::ResultSink& sink) {
  Stopwatch watch;
  const std::vector<Workflow> workflows = load_workflows(settings);
  std::vector<std::string> files;
  for (const auto& workflow : workflows) files.push_back(workflow.file);
  auto record = [&](core::CheckResult result, const std::vector<Finding>& findings,
                    const std::string& pass_message) {
    result.evidence["workflows"] = files;
    conclude(result, findings, pass_message);
    result.duration_ms = watch.elapsed_ms();
    sink.record(result);
  };
  const Finding no_workflow{".github/workflows", 0, "no workflow file (.yml or .yaml)", ""};

  // Staging on push to main.
  {
    auto result = repo_result("repo.pipeline.staging_on_main", "A workflow deploys to staging on push to main",
                              Severity::kHigh, kPipelineChecklist);
    std::vector<Finding> findings;
    std::vector<Finding> staging_jobs;
    bool on_main = false;
    for (const auto& workflow : workflows) {
      for (const auto& job : workflow.jobs) {
        if (job.environment != "staging") continue;
        const bool main = std::any_of(job.branches.begin(), job.branches.end(),
                                      [](const std::string& b) { return glob_matches(b, "main"); });
        on_main = on_main || main;
        std::string refs;
        for (const auto& b : job.branches) refs += (refs.empty() ? "" : ", ") + std::string("branch ") + b;
        for (const auto& t : job.tags) refs += (refs.empty() ? "" : ", ") + std::string("tag ") + t;
        if (!main) {
          staging_jobs.push_back({workflow.file, job.line,
                                  "deploys to staging on " + (refs.empty() ? std::string("no push") : refs) +
                                      ", not on push to main",
                                  job.id});
        } else if (!job.tags.empty()) {
          findings.push_back({workflow.file, job.line, "also deploys to staging on tags (" + refs + ")", job.id});
        }
      }
    }
    if (!on_main) {
      findings.insert(findings.end(), staging_jobs.begin(), staging_jobs.end());
      if (staging_jobs.empty()) {
        findings.push_back(workflows.empty() ? no_workflow
                                             : Finding{".github/workflows", 0, "no job deploys to a staging environment", ""});
      }
    }
    record(result, findings, "a staging deploy job runs on push to main");
  }

  // Production only on tags v*.
  {
    auto result = repo_result("repo.pipeline.production_on_tags",
                              "Production deploys run only for release tags (v*)", Severity::kHigh,
                              kPipelineChecklist);
    std::vector<Finding> findings;
    bool any = false;
    for (const auto& workflow : workflows) {
      for (const auto& job : workflow.jobs) {
        if (job.environment != "production") continue;
        any = true;
        for (const auto& branch : job.branches) {
          findings.push_back({workflow.file, job.line, "deploys to production on push to branch " + branch, job.id});
        }
        for (const auto& tag : job.tags) {
          if (tag.rfind("v", 0) != 0) {
            findings.push_back({workflow.file, job.line, "deploys to production on tag pattern " + tag + " (not v*)", job.id});
          }
        }
        if (job.tags.empty() && job.branches.empty()) {
          findings.push_back({workflow.file, job.line, "production deploy runs on no tag push", job.id});
        }
      }
    }
    if (!any) findings.push_back(workflows.empty() ? no_workflow
                                                   : Finding{".github/workflows", 0, "no job deploys to a production environment", ""});
    record(result, findings, "every production deploy job runs only for v* tags");
  }

  // Production gated by tests.
  {
    auto result = repo_result("repo.pipeline.production_gated",
                              "Every production deploy needs a passing test gate job", Severity::kHigh,
                              kPipelineChecklist);
    std::vector<Finding> findings;
    bool any = false;
    for (const auto& workflow : workflows) {
      std::map<std::string, const WorkflowJob*> by_id;
      for (const auto& job : workflow.jobs) by_id[job.id] = &job;
      for (const auto& job : workflow.jobs) {
        if (job.environment != "production") continue;
        any = true;
        // Breadth-first over needs: some upstream job must run tests.
        std::vector<std::string> queue = job.needs;
        std::set<std::string> seen;
        bool gated = false;
        while (!queue.empty() && !gated) {
          const std::string id = queue.back();
          queue.pop_back();
          if (!seen.insert(id).second) continue;
          auto it = by_id.find(id);
          if (it == by_id.end()) continue;
          gated = is_test_gate(*it->second);
          queue.insert(queue.end(), it->second->needs.begin(), it->second->needs.end());
        }
        if (!gated) {
          findings.push_back({workflow.file, job.line,
                              job.needs.empty() ? "production deploy has no needs: (no test gate runs first)"
                                                : "no job it needs runs the tests",
                              job.id});
        }
      }
    }
    if (!any) findings.push_back(workflows.empty() ? no_workflow
                                                   : Finding{".github/workflows", 0, "no job deploys to a production environment", ""});
    record(result, findings, "every production deploy job needs a job that runs the tests");
  }

  // Migrations applied by the pipeline.
  {
    auto result = repo_result("repo.pipeline.migrations_by_pipeline",
                              "Migrations are applied by the pipeline, not by hand", Severity::kMedium,
                              {"s000.checklist.environment.cicd", "s000.migrations.versioned"});
    std::vector<Finding> findings;
    nlohmann::json steps = nlohmann::json::array();
    for (const auto& workflow : workflows) {
      for (const auto& job : workflow.jobs) {
        for (const auto& step : job.steps) {
          for (const char* command : {"supabase db push", "supabase migration up", "prisma migrate deploy",
                                      "db-migrate up", "knex migrate:latest", "flyway migrate",
                                      "sqitch deploy", "alembic upgrade"}) {
            if (step.run.find(command) != std::string::npos) {
              steps.push_back({{"file", workflow.file}, {"job", job.id}, {"line", step.line}, {"command", command}});
            }
          }
        }
      }
    }
    if (steps.empty()) findings.push_back({".github/workflows", 0, "no workflow step applies migrations (supabase db push, prisma migrate deploy, ...)", ""});
    result.evidence["migration_steps"] = steps;
    record(result, findings, "migrations are applied by " + std::to_string(steps.size()) + " workflow step(s)");
  }

  // No literal secret in a workflow.
  {
    auto result = repo_result("repo.pipeline.no_literal_secrets",
                              "Workflows reference secrets (${{ secrets.X }}), never literal values",
                              Severity::kCritical, {"s001.R3.4"});
    std::vector<Finding> findings;
    for (const auto& workflow : workflows) {
      findings.insert(findings.end(), workflow.literal_secrets.begin(), workflow.literal_secrets.end());
    }
    record(result, findings, "every secret-named env/with value in the workflows is a reference");
  }

  // The dependency audit runs in CI (R4.1).
  {
    auto result = repo_result("repo.pipeline.dependency_audit_step", "A CI step runs the dependency audit",
                              Severity::kMedium, {"s001.R4.1"});
    std::vector<Finding> findings;
    nlohmann::json steps = nlohmann::json::array();
    for (const auto& workflow : workflows) {
      for (const auto& job : workflow.jobs) {
        for (const auto& step : job.steps) {
          for (const char* command : {"npm audit", "pnpm audit", "yarn audit", "osv-scanner", "snyk test",
                                      "audit-ci", "trivy fs"}) {
            if ((step.run + " " + step.uses).find(command) != std::string::npos) {
              steps.push_back({{"file", workflow.file}, {"job", job.id}, {"line", step.line}, {"command", command}});
            }
          }
        }
      }
    }
    if (steps.empty()) findings.push_back({".github/workflows", 0, "no workflow step runs npm audit, osv-scanner or a similar audit", ""});
    result.evidence["audit_steps"] = steps;
    record(result, findings, "the dependency audit runs in " + std::to_string(steps.size()) + " workflow step(s)");
  }
}

}  // namespace golive::repo
