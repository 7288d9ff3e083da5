// No residue: `golive run` (every suite) against the real
// reference target leaves the database as it found it. The target runs with
// --auth-confirm-email, as a new Supabase project does ("Confirm email" on):
// every journey and probe then needs golive's admin-API users, and the run
// must still pass and leave no user behind (the default mode is what every
// other integration test runs). Before and after the
// run this test reads the row count of every table in the public, auth and
// storage schemas, the e-mail addresses in auth.users, and the list of
// databases (the rollback and backup drills create scratch ones); all must
// match, except the tables in kOwnedByTheTarget below, each with its reason.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "target/postgres.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/reference_env.hpp"

namespace golive::testing {
namespace {

namespace fs = std::filesystem;

// Tables whose rows a run may legitimately add, and why. Keep this short:
// every other table must come back to its exact row count.
const std::map<std::string, std::string> kOwnedByTheTarget = {
    {"public.ai_response_cache",
     "the AI worker's content-addressed result cache (input_hash -> result, no user column): "
     "shared by every user by design, so entries filled by the AI journeys and the prompt "
     "injection probe are the target's own state, not test data, and a suite cannot know the "
     "service's hash of its input to delete them"},
};

struct DatabaseState {
  std::map<std::string, long long> rows;  // "schema.table" -> count(*)
  std::set<std::string> user_emails;      // auth.users
  std::set<std::string> databases;        // pg_database, templates excluded
};

DatabaseState read_state(const std::string& database_url) {
  auto connected = target::connect_database(database_url);
  if (!connected.ok()) throw std::runtime_error("cannot connect: " + connected.error);
  pqxx::connection& connection = *connected.connection;
  pqxx::read_transaction txn(connection);
  DatabaseState state;
  const pqxx::result tables = txn.exec(
      "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE c.relkind IN ('r', 'p') AND n.nspname IN ('public', 'auth', 'storage') "
      "ORDER BY 1, 2");
  for (const auto& table : tables) {
    const std::string schema = table[0].as<std::string>();
    const std::string name = table[1].as<std::string>();
    const auto count =
        txn.exec1("SELECT count(*) FROM " + txn.quote_name(schema) + "." + txn.quote_name(name))[0]
            .as<long long>();
    state.rows[schema + "." + name] = count;
  }
  for (const auto& row : txn.exec("SELECT coalesce(email, id::text) FROM auth.users")) {
    state.user_emails.insert(row[0].as<std::string>());
  }
  for (const auto& row : txn.exec("SELECT datname FROM pg_database WHERE NOT datistemplate")) {
    state.databases.insert(row[0].as<std::string>());
  }
  return state;
}

// Ids of the failed or errored checks of the one run under `out`, except load.*.
std::vector<std::string> failed_checks_outside_load(const fs::path& out) {
  std::vector<std::string> ids;
  for (const auto& entry : fs::directory_iterator(out)) {
    if (!entry.is_directory() || entry.path().filename() == "latest") continue;
    std::ifstream report(entry.path() / "report.json");
    if (!report) continue;
    const auto json = nlohmann::json::parse(report);
    for (const auto& check : json.at("checks")) {
      const std::string status = check.at("status").get<std::string>();
      const std::string id = check.at("id").get<std::string>();
      if ((status == "fail" || status == "error") && id.rfind("load.", 0) != 0) ids.push_back(id);
    }
    return ids;
  }
  return {"no report.json under " + out.string()};
}

TEST(NoResidue, AFullRunLeavesEveryTableAsItFoundIt) {
  // One run signs up users in several suites from one IP, as the embedded
  // target allows (run/reference_target.cpp); read when the service starts.
  ::setenv("GOLIVE_REF_RATE_LIMIT_PER_MINUTE", "25", /*overwrite=*/0);
  ReferenceEnv& reference = shared_reference_env();
  reference.restart_service({}, /*captcha_required=*/false, /*auth_confirm_email=*/true);
  const std::string database_url = reference.database_url();
  const DatabaseState before = read_state(database_url);
  ASSERT_GE(before.rows.size(), 20u) << "expected the reference schema's tables";
  ASSERT_TRUE(before.rows.count("auth.users"));

  const fs::path out = fs::path(reference.state_dir()) / "residue-out";
  fs::remove_all(out);
  const ProcessOutcome run = run_process(
      {GOLIVE_BINARY, "run", "--env", reference.write_env_file(), "--out", out.string()},
      {{"NO_COLOR", "1"}}, std::chrono::seconds(240));
  ASSERT_FALSE(run.timed_out);
  // The clean target passes every functional check: every suite really ran,
  // including the ones that write. The load stage's latency thresholds are not
  // this test's business (they depend on how busy the machine is while ctest
  // runs other tests beside this one), so a gate failed only by `load.*`
  // checks is accepted here; scripts/go-live judges them on a quiet machine.
  ASSERT_TRUE(run.exit_code == 0 || run.exit_code == 1) << run.digest();
  EXPECT_EQ(failed_checks_outside_load(out), std::vector<std::string>{}) << run.stdout_text;
  // "== security + db (at the same time)": the RLS and database stages run together.
  for (const char* stage : {"== e2e", "== contract", "+ db", "== security", "== load"}) {
    EXPECT_NE(run.stdout_text.find(stage), std::string::npos) << stage;
  }
  // golive's own census agrees: it counted its users before and after.
  EXPECT_NE(run.stdout_text.find("[pass] env.test_users_left"), std::string::npos)
      << run.stdout_text;

  const DatabaseState after = read_state(database_url);
  EXPECT_EQ(after.user_emails, before.user_emails) << "test users left in auth.users";
  EXPECT_EQ(after.databases, before.databases) << "a scratch database was left behind";
  for (const auto& [table, count] : before.rows) {
    ASSERT_TRUE(after.rows.count(table)) << table << " disappeared";
    const long long now = after.rows.at(table);
    if (kOwnedByTheTarget.count(table)) {
      EXPECT_GE(now, count) << table << " lost rows it had before the run";
      continue;
    }
    EXPECT_EQ(now, count) << table << ": " << count << " rows before the run, " << now << " after";
  }
  EXPECT_EQ(after.rows.size(), before.rows.size()) << "a table appeared during the run";
}

}  // namespace
}  // namespace golive::testing
