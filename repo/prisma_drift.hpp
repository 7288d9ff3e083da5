// The live schema against the app's Prisma schema (seed 001 R2.5): with a
// database_url and a prisma/schema.prisma, every model has its table (@@map),
// every scalar field its column with a matching type and nullability, @id and
// @@id a primary key, @unique and @@unique a unique index, @@index an index,
// each relation a foreign key; and no table of the schema `public` and no
// column is missing from the Prisma schema. Each difference is one finding.
//   repo.prisma.drift
#pragma once

#include <optional>
#include <string>

#include "core/result_stream.hpp"
#include "repo/prisma_schema.hpp"
#include "repo/repo_files.hpp"

namespace golive::repo {

// The repository's Prisma schema, or nullopt when it has none. Throws
// core::InputError naming the file and line when it cannot be read.
std::optional<PrismaSchema> load_prisma_schema(const RepoSettings& settings);

// The PostgreSQL data types (information_schema.columns.data_type) a Prisma
// field may have: {"uuid"} for String @db.Uuid, {"text", "character varying"} for String.
std::set<std::string> postgres_types_for(const PrismaField& field, const PrismaSchema& schema);

void check_prisma_drift(const RepoSettings& settings, const std::optional<PrismaSchema>& schema,
                        core::ResultSink& sink);

}  // namespace golive::repo
