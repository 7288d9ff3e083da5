// The app's migration files (seed 000 §1, seed 001 R2): Supabase's
// supabase/migrations/<version>_<name>.sql and Prisma's
// prisma/migrations/<version>_<name>/migration.sql, versioned with strictly
// increasing versions (no file without a version, no version used twice).
//   repo.migrations.versioned
//   repo.migrations.storage_documented  migrations configuring storage explain the
//                                       buckets in comments (seed 000 checklist)
#pragma once

#include <string>
#include <vector>

#include "core/result_stream.hpp"
#include "repo/repo_files.hpp"

namespace golive::repo {

struct MigrationFile {
  std::string file;     // relative to the repository root
  std::string version;  // the leading digits: "20260105090002"
  std::string name;     // "app_schema"
};

// Every migration file of both layouts, sorted by version; files in the
// migration folders that carry no version are returned as findings.
std::vector<MigrationFile> list_migrations(const RepoSettings& settings, std::vector<Finding>& unversioned);

// Records repo.migrations.versioned and repo.migrations.storage_documented.
void check_migration_files(const RepoSettings& settings, core::ResultSink& sink);

}  // namespace golive::repo
