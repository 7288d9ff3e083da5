// Unit tests of the drift diff and the small pure helpers of golive_db: no
// database needed.
#include <gtest/gtest.h>

#include <algorithm>

#include "config/environment.hpp"
#include "core/input_error.hpp"
#include "db/db_suite.hpp"
#include "db/schema_drift.hpp"
#include "db/scratch_database.hpp"

namespace {

using nlohmann::json;

json courses_snapshot() {
  return json::parse(R"json({
    "format": 1, "schemas": ["public"],
    "tables": {"public.courses": {
      "kind": "table", "rls_enabled": true, "rls_forced": false,
      "columns": {"id": {"type": "uuid", "nullable": false, "default": "gen_random_uuid()"}},
      "indexes": {"courses_user_id_idx": "CREATE INDEX courses_user_id_idx ON public.courses USING btree (user_id)"},
      "constraints": {}, "triggers": {},
      "policies": {"courses_select": {"command": "SELECT", "permissive": true,
                   "roles": ["authenticated"], "using": "(user_id = auth.uid())", "with_check": null}},
      "grants": {"anon": ["SELECT"]}}}})json");
}

std::vector<std::string> summaries(const std::vector<golive::db::DriftFinding>& findings) {
  std::vector<std::string> out;
  for (const auto& finding : findings) out.push_back(finding.summary);
  return out;
}

TEST(SchemaDrift, IdenticalSnapshotsHaveNoFindings) {
  EXPECT_TRUE(golive::db::diff_snapshots(courses_snapshot(), courses_snapshot()).empty());
}

TEST(SchemaDrift, EachKindOfChangeIsOneReadableFinding) {
  json live = courses_snapshot();
  auto& courses = live["tables"]["public.courses"];
  courses["indexes"].erase("courses_user_id_idx");
  courses["columns"]["extra"] = {{"type", "text"}, {"nullable", true}, {"default", nullptr}};
  courses["policies"]["courses_select"]["using"] = "true";
  courses["rls_enabled"] = false;
  courses["grants"]["anon"] = {"DELETE", "SELECT"};
  live["tables"]["public.rogue"] = courses_snapshot()["tables"]["public.courses"];

  auto findings = golive::db::diff_snapshots(courses_snapshot(), live);
  auto texts = summaries(findings);
  auto has = [&](const std::string& text) {
    return std::find(texts.begin(), texts.end(), text) != texts.end();
  };
  EXPECT_TRUE(has("index public.courses_user_id_idx missing"));
  EXPECT_TRUE(has("column public.courses.extra added outside migrations"));
  EXPECT_TRUE(has("policy public.courses.courses_select: USING changed"));
  EXPECT_TRUE(has("public.courses: row level security disabled outside migrations"));
  EXPECT_TRUE(has("grant public.courses.anon: definition changed"));
  EXPECT_TRUE(has("table public.rogue added outside migrations"));
  EXPECT_EQ(findings.size(), 6u) << testing::PrintToString(texts);

  auto index = std::find_if(findings.begin(), findings.end(),
                            [](const auto& f) { return f.kind == "index"; });
  ASSERT_NE(index, findings.end());
  EXPECT_EQ(index->change, "missing");
  EXPECT_TRUE(index->live.is_null());
  EXPECT_NE(golive::db::readable_diff(*index).find("- \"CREATE INDEX courses_user_id_idx"),
            std::string::npos);
}

TEST(SchemaDrift, MissingTableIsOneFindingNotOnePerColumn) {
  json live = courses_snapshot();
  live["tables"].erase("public.courses");
  auto findings = golive::db::diff_snapshots(courses_snapshot(), live);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].summary, "table public.courses missing");
}

TEST(ScratchDatabaseUrl, ReplacesTheDatabaseOfUrisAndKeywordStrings) {
  using golive::db::with_database;
  EXPECT_EQ(with_database("postgresql://u:p@127.0.0.1:5432/golive_ref", "s1"),
            "postgresql://u:p@127.0.0.1:5432/s1");
  EXPECT_EQ(with_database("postgresql://u:p@127.0.0.1:5432/golive_ref?sslmode=disable", "s1"),
            "postgresql://u:p@127.0.0.1:5432/s1?sslmode=disable");
  EXPECT_EQ(with_database("postgres://127.0.0.1", "s1"), "postgres://127.0.0.1/s1");
  EXPECT_EQ(with_database("host=127.0.0.1 dbname=x", "s1"), "host=127.0.0.1 dbname=x dbname=s1");
}

TEST(DbSettings, DefaultsAndSeedSectionAreRead) {
  golive::config::Environment env;
  env.source_file = "env.json";
  auto defaults = golive::db::read_db_settings(env, "/repo");
  EXPECT_EQ(defaults.expected_schema, "/repo/db/expected_schema.json");
  EXPECT_EQ(defaults.migrations_dir, "/repo/fixtures/migrations");
  EXPECT_EQ(defaults.seed.size(), golive::db::reference_seed_expectations().size());

  env.sections["db"] = json::parse(
      R"({"migrations_dir": "/m", "seed": {"plans": {"where": "active", "min_rows": 2}}})");
  auto custom = golive::db::read_db_settings(env, "/repo");
  EXPECT_EQ(custom.migrations_dir, "/m");
  ASSERT_EQ(custom.seed.size(), 1u);
  EXPECT_EQ(custom.seed[0].table, "plans");
  EXPECT_EQ(custom.seed[0].where, "active");
  EXPECT_EQ(custom.seed[0].min_rows, 2);
}

TEST(DbSettings, BadSeedTableNameNamesItsPointer) {
  golive::config::Environment env;
  env.source_file = "env.json";
  env.sections["db"] = json::parse(R"({"seed": {"plans; DROP TABLE x": {"min_rows": 1}}})");
  try {
    golive::db::read_db_settings(env, "/repo");
    FAIL() << "expected an InputError";
  } catch (const golive::core::InputError& e) {
    EXPECT_EQ(e.file(), "env.json");
    EXPECT_NE(e.location().find("/db/seed/"), std::string::npos) << e.location();
  }
}

}  // namespace
