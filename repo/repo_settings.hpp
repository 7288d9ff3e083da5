// RepoSettings: what the repository audit reads and the limits it applies,
// from the environment's "repo" section or from `golive audit repo PATH`.
//
//   "repo": {"path": "../app", "env_files": {"staging": ".env.staging",
//            "production": ".env.production"}, "env_example": ".env.example",
//            "required_vars": ["SUPABASE_URL"], "production_domain": "app.example.com",
//            "runbooks": "docs/RUNBOOKS.md", "runbook_sections": ["Stuck Jobs"],
//            "guides": {"deployment": "docs/DEPLOYMENT.md", ...},
//            "openapi": "docs/openapi.json",
//            "frontend_entry": "src/main.tsx", "dev_only_names": ["mockAI"],
//            "test_reports": ["test-results/junit.xml"], "coverage": ["coverage/lcov.info"],
//            "coverage_min_percent": 80, "dependency_audit": ["audit/npm-audit.json"],
//            "history": true}
//
// Relative paths inside the repository are relative to `path`; `path` itself
// is relative to the environment file's folder.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "config/environment.hpp"
#include "target/endpoint_surface.hpp"

namespace golive::repo {

struct RepoSettings {
  std::string path;         // the repository checkout (a git work tree); "" = not configured
  std::string origin;       // where the settings came from (environment file or "--path"), for messages
  std::string staging_env = ".env.staging";
  std::string production_env = ".env.production";
  std::string env_example = ".env.example";
  std::vector<std::string> required_vars;  // empty: the names .env.example declares
  std::string production_domain;           // "" = the host of the production site URL variable
  std::string runbooks = "docs/RUNBOOKS.md";
  std::vector<std::string> runbook_sections = {"Stuck Jobs", "Stripe Webhook Failures",
                                               "Database Restore"};
  std::map<std::string, std::string> guides = {{"deployment", "docs/DEPLOYMENT.md"},
                                               {"troubleshooting", "docs/TROUBLESHOOTING.md"},
                                               {"onboarding", "docs/ONBOARDING.md"}};
  // The API reference (OpenAPI 3, JSON or YAML) and the routes the target
  // declares, which `golive run` fills from the target (GET /_golive/routes or
  // contract.openapi); empty: the coverage check skips.
  std::string openapi = "docs/openapi.json";
  std::vector<target::DeclaredEndpoint> declared_endpoints;
  std::string declared_source;
  std::string frontend_entry = "src/main.tsx";
  std::string frontend_dir = "src";
  std::vector<std::string> dev_only_names = {"mockAI"};
  std::vector<std::string> legal_routes = {"/terms", "/privacy"};
  // Reports the app's CI wrote. Empty: the usual places are looked for
  // (test-results/, reports/, coverage/, audit/).
  std::vector<std::string> test_reports;
  std::vector<std::string> coverage;
  double coverage_min_percent = 80;  // line coverage the gate asks for, percent
  std::vector<std::string> dependency_audit;
  int npm_audit_timeout_s = 120;  // `npm audit --json` when no report is given, seconds
  bool history = true;       // scan every commit for secrets
  std::string database_url;  // from the environment: migrations applied and not edited
};

// Reads env.sections["repo"]. Throws core::InputError naming the environment
// file and the JSON pointer (e.g. /repo/coverage_min_percent).
RepoSettings read_repo_settings(const config::Environment& env);

// Settings for a checkout given on the command line (every default).
RepoSettings settings_for_path(const std::string& path);

// Resolves `relative` inside the repository.
std::string repo_file(const RepoSettings& settings, const std::string& relative);

}  // namespace golive::repo
