#include "repo/migration_history.hpp"

#include <cctype>
#include <map>
#include <set>

#include "repo/migration_files.hpp"
#include "target/crypto.hpp"
#include "target/postgres.hpp"

namespace golive::repo {

namespace {

using core::CheckStatus;

// What the database recorded for one applied migration.
struct AppliedMigration {
  std::string name;
  std::string checksum;    // SHA-256 hex; "" when not recorded
  std::string statements;  // normalised; "" when not recorded
  bool has_record = false;
};

}  // namespace

std::string normalise_sql(const std::string& sql) {
  std::string out;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    if (sql.compare(i, 2, "--") == 0) {
      while (i < sql.size() && sql[i] != '\n') ++i;
      continue;
    }
    if (sql.compare(i, 2, "/*") == 0) {
      const auto end = sql.find("*/", i + 2);
      i = end == std::string::npos ? sql.size() : end + 1;
      continue;
    }
    const char c = sql[i];
    if (std::isspace(static_cast<unsigned char>(c)) || c == ';') continue;
    out += c;
  }
  return out;
}

void check_applied_migrations(const RepoSettings& settings, core::ResultSink& sink) {
  Stopwatch watch;
  auto result = repo_result("repo.migrations.applied",
                            "Every migration file is applied and none was edited after applying",
                            core::Severity::kHigh, {"s001.R2.1", "s000.migrations.no_manual_edits"});
  auto finish = [&] {
    result.duration_ms = watch.elapsed_ms();
    sink.record(result);
  };
  std::vector<Finding> findings;
  const auto files = list_migrations(settings, findings);
  findings.clear();  // unversioned files are repo.migrations.versioned's findings
  if (settings.database_url.empty()) {
    result.status = CheckStatus::kSkip;
    result.message = "no database_url in the environment: whether the migrations are applied is not checked";
    return finish();
  }
  if (files.empty()) {
    result.status = CheckStatus::kSkip;
    result.message = "no migration files in the repository";
    return finish();
  }
  std::map<std::string, AppliedMigration> supabase;  // by version
  std::map<std::string, AppliedMigration> prisma;    // by migration_name
  bool supabase_table = false, prisma_table = false;
  try {
    auto db = target::connect_database(settings.database_url);
    if (!db.ok()) throw std::runtime_error("cannot connect to the database: " + db.error);
    target::with_rolled_back_transaction(*db.connection, [&](pqxx::work& txn) {
      supabase_table = txn.exec("SELECT to_regclass('supabase_migrations.schema_migrations') IS NOT NULL")[0][0].as<bool>();
      prisma_table = txn.exec("SELECT to_regclass('public._prisma_migrations') IS NOT NULL")[0][0].as<bool>();
      if (supabase_table) {
        std::set<std::string> columns;
        for (const auto& row : txn.exec(
                 "SELECT column_name FROM information_schema.columns "
                 "WHERE table_schema = 'supabase_migrations' AND table_name = 'schema_migrations'")) {
          columns.insert(row[0].as<std::string>());
        }
        const std::string query = std::string("SELECT version, ") + (columns.count("name") ? "name" : "''") + ", " +
                                  (columns.count("checksum") ? "checksum" : "NULL::text") + ", " +
                                  (columns.count("statements") ? "array_to_string(statements, ';')" : "NULL::text") +
                                  " FROM supabase_migrations.schema_migrations";
        for (const auto& row : txn.exec(query)) {
          AppliedMigration applied;
          applied.name = row[1].is_null() ? "" : row[1].as<std::string>();
          applied.checksum = row[2].is_null() ? "" : row[2].as<std::string>();
          applied.statements = row[3].is_null() ? "" : normalise_sql(row[3].as<std::string>());
          applied.has_record = !applied.checksum.empty() || !row[3].is_null();
          supabase[row[0].as<std::string>()] = applied;
        }
      }
      if (prisma_table) {
        for (const auto& row : txn.exec("SELECT migration_name, checksum FROM public._prisma_migrations "
                                        "WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL")) {
          AppliedMigration applied;
          applied.name = row[0].as<std::string>();
          applied.checksum = row[1].is_null() ? "" : row[1].as<std::string>();
          applied.has_record = !applied.checksum.empty();
          prisma[applied.name] = applied;
        }
      }
    });
  } catch (const std::exception& e) {
    result.status = CheckStatus::kError;
    result.message = std::string("cannot read the applied migrations: ") + e.what();
    return finish();
  }
  std::size_t compared = 0, unjudged = 0;
  std::set<std::string> in_repo_supabase, in_repo_prisma;
  for (const auto& file : files) {
    const bool is_prisma = file.file.rfind("prisma/", 0) == 0;
    const std::string key = is_prisma ? file.version + "_" + file.name : file.version;
    (is_prisma ? in_repo_prisma : in_repo_supabase).insert(key);
    const auto& applied_set = is_prisma ? prisma : supabase;
    auto it = applied_set.find(key);
    if (it == applied_set.end()) {
      findings.push_back({file.file, 0, "not applied on the database", ""});
      continue;
    }
    const auto text = read_repo_text(settings, file.file);
    if (!text) continue;
    const AppliedMigration& applied = it->second;
    if (!applied.checksum.empty()) {
      ++compared;
      if (target::sha256_hex(*text) != applied.checksum) {
        findings.push_back({file.file, 0, "edited after it was applied: its SHA-256 differs from the checksum the database recorded", ""});
      }
    } else if (!applied.statements.empty()) {
      ++compared;
      if (normalise_sql(*text) != applied.statements) {
        findings.push_back({file.file, 0, "edited after it was applied: its statements differ from the ones the database recorded", ""});
      }
    } else {
      ++unjudged;
    }
  }
  for (const auto& [version, applied] : supabase) {
    if (!in_repo_supabase.count(version) && !prisma_table) {
      findings.push_back({"supabase/migrations", 0, "version " + version + " (" + applied.name + ") is applied but not in the repository", ""});
    }
  }
  for (const auto& [name, applied] : prisma) {
    if (!in_repo_prisma.count(name)) {
      findings.push_back({"prisma/migrations", 0, name + " is applied but not in the repository", ""});
    }
  }
  result.evidence = {{"files", files.size()}, {"supabase_applied", supabase.size()}, {"prisma_applied", prisma.size()},
                     {"compared_with_record", compared}, {"without_record", unjudged}};
  if (!supabase_table && !prisma_table) {
    result.status = CheckStatus::kFail;
    result.message = "the database has no migration history table (supabase_migrations.schema_migrations or _prisma_migrations)";
    return finish();
  }
  conclude(result, findings,
           "all " + std::to_string(files.size()) + " migrations applied; " + std::to_string(compared) +
               " compared with what the database recorded" +
               (unjudged ? ", " + std::to_string(unjudged) + " without a recorded checksum or statements" : ""));
  finish();
}

}  // namespace golive::repo
