#include "repo/check_ids.hpp"

namespace golive::repo {

std::vector<std::string> repo_check_ids() {
  return {
      // The release pipeline: .github/workflows/*.yml (workflow_checks.cpp).
      "repo.pipeline.staging_on_main",
      "repo.pipeline.production_on_tags",
      "repo.pipeline.production_gated",
      "repo.pipeline.migrations_by_pipeline",
      "repo.pipeline.no_literal_secrets",
      "repo.pipeline.dependency_audit_step",
      // Environment files (env_file_checks.cpp).
      "repo.env.required_vars",
      "repo.env.secrets_are_references",
      "repo.env.stripe_key_mode",
      "repo.env.production_domain",
      // Runbooks and guides (docs_checks.cpp).
      "repo.docs.runbooks",
      "repo.docs.runbook_commands",
      "repo.docs.{guide}_guide",
      // The API reference against the target's declared routes (openapi_docs.cpp).
      "repo.docs.openapi_covers_routes",
      // Frontend source (frontend_checks.cpp).
      "repo.frontend.sentry_init",
      "repo.frontend.dev_only_code",
      "repo.frontend.legal_routes",
      "repo.backend.structured_logger",
      // The app's own tests and coverage (test_reports.cpp).
      "repo.tests.results",
      "repo.tests.coverage",
      // Dependency audit reports (dependency_audit.cpp).
      "repo.dependencies.audit",
      // Secrets in every commit (git_history.cpp).
      "repo.history.secrets",
      // Versioned migration files (migration files in the repository).
      "repo.migrations.versioned",
      "repo.migrations.storage_documented",
      "repo.migrations.applied",
      // The live schema against prisma/schema.prisma (prisma_drift.cpp).
      "repo.prisma.drift",
  };
}

}  // namespace golive::repo
