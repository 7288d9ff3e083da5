// Migration files on disk (NNNN_name.up.sql / NNNN_name.down.sql, as
// fixtures/SCHEMA.md describes) and applying one to a database.
#pragma once

#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

namespace golive::db {

struct MigrationFile {
  std::string version;    // "0003"
  std::string name;       // "indexes"
  std::string up_path;    // absolute path of NNNN_name.up.sql
  std::string down_path;  // "" when the migration has no down file
};

// Every *.up.sql of `directory`, sorted by version. Throws core::InputError
// when the directory cannot be read or a file name has no "NNNN_" prefix.
std::vector<MigrationFile> list_migrations(const std::string& directory);

// Why applying a file failed: which statement PostgreSQL rejected and why.
struct MigrationFailure {
  std::string file;       // path of the file
  std::string statement;  // the statement PostgreSQL reported (may be empty)
  std::string message;    // PostgreSQL's message, trimmed
  std::string sqlstate;   // "42P01"; may be empty (libpqxx 6.4 loses it for some classes)
};

// Runs the whole file as one exec inside one transaction (as `psql -1 -f`),
// committing on success. nullopt on success.
std::optional<MigrationFailure> apply_migration_file(pqxx::connection& connection,
                                                     const std::string& path);

}  // namespace golive::db
