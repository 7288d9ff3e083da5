// The repository's migrations against the database they were applied to
// (seed 000 §1, seed 001 R2.1): with a database_url, every migration file of
// the repository is applied, nothing is applied that the repository lacks,
// and no file was edited after it was applied. Edits are judged from what the
// database recorded when it applied the file: a SHA-256 checksum (Prisma's
// _prisma_migrations.checksum; a `checksum` column of
// supabase_migrations.schema_migrations) or the applied statements (the
// Supabase CLI's `statements`, compared with comments and whitespace removed).
//   repo.migrations.applied
#pragma once

#include <string>

#include "core/result_stream.hpp"
#include "repo/repo_files.hpp"

namespace golive::repo {

// SQL without comments, whitespace or statement separators, for comparing a
// file with the statements the Supabase CLI recorded from it.
std::string normalise_sql(const std::string& sql);

void check_applied_migrations(const RepoSettings& settings, core::ResultSink& sink);

}  // namespace golive::repo
