// scripts/reference-env and fixtures/migrations, exercised for real: the
// script's lifecycle (up is idempotent, down leaves nothing), the migrations
// bookkeeping, and the exactness of every down migration, proven by comparing
// a catalog fingerprint before each up with the one after its down.
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <set>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "config/environment.hpp"
#include "tests/support/reference_env.hpp"

namespace {

namespace fs = std::filesystem;
using golive::testing::ReferenceEnv;
using golive::testing::shared_reference_env;

const ReferenceEnv::Options kDatabaseOnly = ReferenceEnv::Options::database_only();

// A zombie (exited, not yet reaped by a slow init) counts as stopped, as in
// scripts/reference-env's alive().
bool process_alive(const std::string& pid) {
  if (pid.empty() || ::kill(std::stoi(pid), 0) != 0) return false;
  std::ifstream stat("/proc/" + pid + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const auto paren = text.rfind(") ");
  return paren == std::string::npos || text.compare(paren + 2, 1, "Z") != 0;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct MigrationFile {
  std::string version;  // "0001"
  std::string name;     // "supabase_roles_and_auth"
  fs::path up;
  fs::path down;
};

// The migrations next to the script under test (the source tree's, or a
// mutated copy's when GOLIVE_REFERENCE_ENV_SCRIPT points there).
fs::path migrations_dir() {
  return fs::path(golive::testing::reference_env_script()).parent_path().parent_path() / "fixtures" / "migrations";
}

// NNNN_name.up.sql with their .down.sql, in version order.
std::vector<MigrationFile> migration_files() {
  std::vector<MigrationFile> files;
  for (const auto& entry : fs::directory_iterator(migrations_dir())) {
    std::string file = entry.path().filename().string();
    const std::string suffix = ".up.sql";
    if (file.size() <= suffix.size() || file.compare(file.size() - suffix.size(), suffix.size(), suffix) != 0) continue;
    std::string base = file.substr(0, file.size() - suffix.size());
    MigrationFile m;
    m.version = base.substr(0, base.find('_'));
    m.name = base.substr(base.find('_') + 1);
    m.up = entry.path();
    m.down = entry.path().parent_path() / (base + ".down.sql");
    files.push_back(m);
  }
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.version < b.version; });
  return files;
}

// Everything a migration can create or change, as sorted text lines: schemas,
// relations with RLS flag and grants, columns, constraints, indexes, policies,
// functions (by definition hash), triggers, default privileges, the API roles
// and their memberships, and the row count of every table.
std::vector<std::string> schema_fingerprint(pqxx::connection& connection) {
  const std::string user_namespaces =
      "NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg_temp%' "
      "AND n.nspname NOT LIKE 'pg_toast_temp%'";
  const std::vector<std::string> queries = {
      "SELECT 'schema ' || n.nspname || ' acl=' || coalesce(n.nspacl::text, '') FROM pg_namespace n "
      "WHERE n.nspname " + user_namespaces,
      "SELECT 'relation ' || n.nspname || '.' || c.relname || ' kind=' || c.relkind::text || ' rls=' || c.relrowsecurity "
      "|| ' acl=' || coalesce(c.relacl::text, '') FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE n.nspname " + user_namespaces,
      "SELECT 'column ' || n.nspname || '.' || c.relname || '.' || a.attname || ' ' || "
      "format_type(a.atttypid, a.atttypmod) || ' notnull=' || a.attnotnull || ' default=' || "
      "coalesce(pg_get_expr(d.adbin, d.adrelid), '') FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
      "JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid "
      "AND d.adnum = a.attnum WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'v', 'p') "
      "AND n.nspname " + user_namespaces,
      "SELECT 'constraint ' || n.nspname || '.' || k.conname || ' ' || pg_get_constraintdef(k.oid) "
      "FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace WHERE n.nspname " + user_namespaces,
      "SELECT 'index ' || pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
      "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname " + user_namespaces,
      "SELECT 'policy ' || schemaname || '.' || tablename || '.' || policyname || ' ' || permissive || ' ' || "
      "roles::text || ' ' || cmd || ' using=' || coalesce(qual, '') || ' check=' || coalesce(with_check, '') "
      "FROM pg_policies",
      "SELECT 'function ' || p.oid::regprocedure::text || ' ' || md5(pg_get_functiondef(p.oid)) || ' acl=' || "
      "coalesce(p.proacl::text, '') FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
      "WHERE p.prokind IN ('f', 'p') AND n.nspname " + user_namespaces,
      "SELECT 'trigger ' || pg_get_triggerdef(t.oid) FROM pg_trigger t WHERE NOT t.tgisinternal",
      "SELECT 'default acl ' || d.defaclrole::regrole::text || ' ' || coalesce(d.defaclnamespace::regnamespace::text, "
      "'') || ' ' || d.defaclobjtype::text || ' ' || d.defaclacl::text FROM pg_default_acl d",
      "SELECT 'role ' || r.rolname || ' login=' || r.rolcanlogin || ' inherit=' || r.rolinherit || ' bypassrls=' || "
      "r.rolbypassrls || ' member_of=' || coalesce((SELECT string_agg(g.rolname, ',' ORDER BY g.rolname) "
      "FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid), '') FROM pg_roles r "
      "WHERE r.rolname IN ('anon', 'authenticated', 'service_role', 'authenticator')",
      "SELECT 'extension ' || extname FROM pg_extension",
  };
  pqxx::work tx(connection);
  std::vector<std::string> lines;
  for (const auto& query : queries) {
    for (const auto& row : tx.exec(query)) lines.push_back(row[0].c_str());
  }
  for (const auto& row : tx.exec("SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c "
                                 "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' "
                                 "AND n.nspname " + user_namespaces)) {
    std::string table = row[0].c_str();
    lines.push_back("rows " + table + " " + tx.exec1("SELECT count(*) FROM " + table)[0].c_str());
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

// Lines only in `expected` (-) or only in `actual` (+), for failure messages.
std::string fingerprint_diff(const std::vector<std::string>& expected, const std::vector<std::string>& actual) {
  std::vector<std::string> missing, extra;
  std::set_difference(expected.begin(), expected.end(), actual.begin(), actual.end(), std::back_inserter(missing));
  std::set_difference(actual.begin(), actual.end(), expected.begin(), expected.end(), std::back_inserter(extra));
  std::string diff;
  for (const auto& line : missing) diff += "  - " + line + "\n";
  for (const auto& line : extra) diff += "  + " + line + "\n";
  return diff;
}

void apply_file(pqxx::connection& connection, const fs::path& file) {
  pqxx::work tx(connection);
  tx.exec(read_file(file));  // one transaction per file, as reference-env's psql -1
  tx.commit();
}

// A database created on the reference cluster and dropped on scope exit.
class ScratchDatabase {
 public:
  ScratchDatabase(const std::string& admin_url, const std::string& name) : admin_url_(admin_url), name_(name) {
    pqxx::connection admin(admin_url_);
    pqxx::nontransaction tx(admin);
    tx.exec("CREATE DATABASE " + tx.quote_name(name_));
  }
  ~ScratchDatabase() {
    try {
      pqxx::connection admin(admin_url_);
      pqxx::nontransaction tx(admin);
      tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(name_) + " WITH (FORCE)");
    } catch (const std::exception& e) {
      ADD_FAILURE() << "cannot drop scratch database " << name_ << ": " << e.what();
    }
  }
  // admin_url with the database name replaced.
  std::string url() const { return admin_url_.substr(0, admin_url_.rfind('/') + 1) + name_; }

 private:
  std::string admin_url_;
  std::string name_;
};

TEST(ReferenceEnvScript, UpIsIdempotentAndDownLeavesNothing) {
  ReferenceEnv env(kDatabaseOnly);
  const std::string pid = env.var("GOLIVE_REF_PG_PID");
  const std::string url = env.database_url();
  const fs::path data_root = env.var("GOLIVE_REF_PG_ROOT");
  ASSERT_TRUE(process_alive(pid));
  ASSERT_TRUE(fs::exists(data_root / "data" / "PG_VERSION"));

  auto again = env.run_script({"up", "--no-service"});
  EXPECT_TRUE(again.succeeded()) << again.stderr_text;
  EXPECT_NE(again.stderr_text.find("already running"), std::string::npos) << again.stderr_text;
  EXPECT_EQ(env.var("GOLIVE_REF_PG_PID"), pid);
  EXPECT_EQ(env.database_url(), url);
  {
    pqxx::connection db(url);
    pqxx::work tx(db);
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM supabase_migrations.schema_migrations")[0].as<size_t>(),
              migration_files().size());
  }

  auto status = env.run_script({"status"});
  EXPECT_EQ(status.exit_code, 0);
  EXPECT_NE(status.stdout_text.find("database: running (pid " + pid), std::string::npos) << status.stdout_text;

  auto down = env.run_script({"down"});
  EXPECT_TRUE(down.succeeded()) << down.stderr_text;
  EXPECT_FALSE(process_alive(pid)) << "postgres still running after down";
  EXPECT_FALSE(fs::exists(data_root)) << data_root << " left behind";
  EXPECT_FALSE(fs::exists(fs::path(env.state_dir()) / "state.env"));

  auto stopped = env.run_script({"status"});
  EXPECT_NE(stopped.exit_code, 0);
  EXPECT_NE(stopped.stdout_text.find("database: stopped"), std::string::npos) << stopped.stdout_text;
  auto down_again = env.run_script({"down"});
  EXPECT_TRUE(down_again.succeeded()) << down_again.stderr_text;
}

TEST(ReferenceEnvScript, FailedStartThrowsWithTheScriptsStderr) {
  const fs::path fake = fs::temp_directory_path() / ("golive-fake-reference-env-" + std::to_string(::getpid()));
  {
    std::ofstream script(fake);
    script << "#!/bin/sh\n[ \"$1\" = up ] || exit 0\necho 'initdb exploded on purpose' >&2\nexit 2\n";
  }
  fs::permissions(fake, fs::perms::owner_all);
  ::setenv("GOLIVE_REFERENCE_ENV_SCRIPT", fake.c_str(), 1);
  std::string message;
  try {
    ReferenceEnv env(kDatabaseOnly);
  } catch (const std::runtime_error& e) {
    message = e.what();
  }
  ::unsetenv("GOLIVE_REFERENCE_ENV_SCRIPT");
  fs::remove(fake);
  EXPECT_NE(message.find("initdb exploded on purpose"), std::string::npos) << message;
  EXPECT_NE(message.find("exit code 2"), std::string::npos) << message;
}

TEST(ReferenceEnvScript, EnvFileBindsLocalJsonToThisStateDir) {
  ReferenceEnv& env = shared_reference_env(kDatabaseOnly);
  fs::path path = env.write_env_file();
  ASSERT_EQ(path, fs::path(env.state_dir()) / "env.json");
  nlohmann::json written = nlohmann::json::parse(read_file(path));
  nlohmann::json local = nlohmann::json::parse(read_file(GOLIVE_SOURCE_DIR "/envs/local.json"));
  EXPECT_EQ(written["vars_file"], env.state_dir() + "/state.env");
  for (const char* key : {"name", "base_url", "database_url", "anon_key", "paths", "safety"}) {
    EXPECT_EQ(written[key], local[key]) << key;
  }
  auto vars = golive::config::read_vars_file(written["vars_file"].get<std::string>());
  EXPECT_EQ(vars["GOLIVE_REF_DATABASE_URL"], env.database_url());
}

TEST(Migrations, EveryFileIsPairedAndRecordedInOrder) {
  auto files = migration_files();
  ASSERT_GE(files.size(), 6u);
  for (const auto& m : files) {
    EXPECT_TRUE(fs::exists(m.down)) << m.up << " has no down migration";
    EXPECT_EQ(m.version.size(), 4u) << m.up;
  }
  for (const auto& entry : fs::directory_iterator(migrations_dir())) {
    std::string file = entry.path().filename().string();
    if (file.find(".down.sql") == std::string::npos) continue;
    std::string up = file.substr(0, file.find(".down.sql")) + ".up.sql";
    EXPECT_TRUE(fs::exists(entry.path().parent_path() / up)) << file << " has no up migration";
  }

  pqxx::connection db(shared_reference_env(kDatabaseOnly).database_url());
  pqxx::work tx(db);
  auto recorded = tx.exec("SELECT version, name FROM supabase_migrations.schema_migrations ORDER BY applied_at, version");
  ASSERT_EQ(recorded.size(), files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    EXPECT_EQ(recorded[i][0].c_str(), files[i].version);
    EXPECT_EQ(recorded[i][1].c_str(), files[i].name);
  }
}

TEST(Migrations, EveryDownUndoesItsUpExactly) {
  ReferenceEnv& env = shared_reference_env(kDatabaseOnly);
  auto files = migration_files();
  ScratchDatabase scratch(env.database_url(), "golive_scratch_" + std::to_string(::getpid()));
  pqxx::connection db(scratch.url());

  // before[i]: the state before migration i's up; before[n]: fully migrated.
  std::vector<std::vector<std::string>> before{schema_fingerprint(db)};
  for (const auto& m : files) {
    ASSERT_NO_THROW(apply_file(db, m.up)) << m.up;
    before.push_back(schema_fingerprint(db));
    EXPECT_FALSE(before.back() == before[before.size() - 2]) << m.up << " changed nothing";
  }
  for (size_t i = files.size(); i-- > 0;) {
    ASSERT_NO_THROW(apply_file(db, files[i].down)) << files[i].down;
    auto after_down = schema_fingerprint(db);
    // Stop at the first inexact down: every later comparison would inherit its leftovers.
    ASSERT_TRUE(after_down == before[i]) << files[i].down << " is not the exact inverse of its up:\n"
                                         << fingerprint_diff(before[i], after_down);
  }
  for (const auto& m : files) ASSERT_NO_THROW(apply_file(db, m.up)) << m.up << " (second time)";
  auto migrated_again = schema_fingerprint(db);
  EXPECT_TRUE(migrated_again == before.back()) << "re-applying every up gives another schema:\n"
                                                << fingerprint_diff(before.back(), migrated_again);

  // The roles are cluster-global and golive_ref still uses them: 0001's down
  // in the scratch database must have kept them, working.
  pqxx::connection api(env.service_database_url());
  pqxx::work tx(api);
  tx.exec("SET LOCAL ROLE authenticated");
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM public.courses")[0].as<int>(), 0) << "no claims: no rows";
}

TEST(Migrations, DownToNothingDropsTheRolesWhenNoOtherDatabaseUsesThem) {
  ReferenceEnv env(kDatabaseOnly);
  pqxx::connection db(env.database_url());
  auto files = migration_files();
  for (size_t i = files.size(); i-- > 0;) ASSERT_NO_THROW(apply_file(db, files[i].down)) << files[i].down;
  pqxx::work tx(db);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM pg_roles WHERE rolname IN "
                     "('anon', 'authenticated', 'service_role', 'authenticator')")[0]
                .as<int>(),
            0);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM pg_namespace WHERE nspname IN ('auth', 'storage')")[0].as<int>(), 0);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                     "WHERE n.nspname = 'public'")[0]
                .as<int>(),
            0);
}

}  // namespace
