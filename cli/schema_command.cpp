// `golive schema snapshot --db URL`: prints the schema snapshot of a database
// (db/schema_snapshot.hpp) to stdout, e.g. to refresh db/expected_schema.json
// from a database built from the migrations.
#include <iostream>

#include "cli/command_context.hpp"
#include "core/exit_codes.hpp"
#include "core/input_error.hpp"
#include "target/postgres.hpp"
#include "db/schema_snapshot.hpp"

namespace golive::cli {

namespace {

struct SnapshotOptions {
  std::string database_url;
  std::vector<std::string> schemas = db::default_snapshot_schemas();
};

int execute_snapshot(const SnapshotOptions& options) {
  core::Redactor::global().add_secret(options.database_url);
  if (options.database_url.rfind("postgres://", 0) != 0 &&
      options.database_url.rfind("postgresql://", 0) != 0) {
    // Not echoed: a mistyped URL may still hold a password.
    throw core::InputError("--db", "",
                           "expected a postgres:// or postgresql:// URL, e.g. "
                           "postgresql://USER@127.0.0.1:5432/DB");
  }
  auto connection = target::connect_database(options.database_url);
  if (!connection.ok()) {
    std::cerr << "golive schema snapshot: cannot connect: "
              << core::Redactor::global().redact(connection.error) << "\n";
    return core::kExitUnreachable;
  }
  std::cout << db::snapshot_text(db::snapshot_schema(*connection.connection, options.schemas));
  return std::cout ? core::kExitPass : core::kExitBadInput;
}

}  // namespace

void register_schema_command(CLI::App& app, int& exit_code) {
  auto* schema = app.add_subcommand("schema", "Database schema snapshots");
  schema->require_subcommand(1);
  auto options = std::make_shared<SnapshotOptions>();
  auto* snapshot = schema->add_subcommand(
      "snapshot", "Print the live schema (tables, columns, indexes, constraints, RLS, policies, "
                  "grants, triggers) as sorted JSON");
  snapshot->add_option("--db", options->database_url, "PostgreSQL connection URL")->required();
  snapshot->add_option("--schema", options->schemas,
                       "Schema to include (repeatable; default public, storage, auth)");
  snapshot->footer("Exit codes: 0 written, 3 database unreachable.");
  snapshot->callback([options, &exit_code] { exit_code = execute_snapshot(*options); });
}

}  // namespace golive::cli
