// Supabase's official JavaScript client against the reference target:
// tests/node/supabase_conformance.js drives every call the issue of wire
// fidelity names (auth, PostgREST, storage, functions) with
// @supabase/supabase-js and checks each against Supabase's behaviour; this
// test runs it on the shared reference target and fails naming every call
// that behaved differently. Skips when node or the npm package is absent
// (scripts/npm-deps installs it).
#include <filesystem>
#include <sstream>

#include "tests/support/child_process.hpp"
#include "tests/support/service/service_test_support.hpp"

namespace golive::testing {
namespace {

namespace fs = std::filesystem;

using SupabaseConformanceTest = ServiceCoreTest;

TEST_F(SupabaseConformanceTest, TheOfficialClientBehavesAsOnSupabase) {
  const fs::path node_dir = fs::path(GOLIVE_SOURCE_DIR) / "tests" / "node";
  if (!fs::exists(node_dir / "node_modules" / "@supabase" / "supabase-js" / "package.json")) {
    GTEST_SKIP() << "@supabase/supabase-js is not installed in tests/node (run scripts/npm-deps)";
  }
  const ProcessOutcome run = run_process(
      {"node", (node_dir / "supabase_conformance.js").string()},
      {{"SUPABASE_URL", env().base_url()},
       {"SUPABASE_ANON_KEY", anon_key()},
       {"SUPABASE_SERVICE_ROLE_KEY", service_key()}},
      std::chrono::seconds(120));
  if (run.exit_code == 127) GTEST_SKIP() << "node is not installed";
  ASSERT_FALSE(run.timed_out) << run.digest();
  std::istringstream lines(run.stdout_text);
  std::string line;
  std::size_t calls = 0;
  bool summarised = false;
  while (std::getline(lines, line)) {
    const nlohmann::json result = nlohmann::json::parse(line, nullptr, false);
    if (!result.is_object()) continue;
    if (result.contains("summary")) {
      summarised = true;
      EXPECT_EQ(result["summary"]["failed"], 0);
      continue;
    }
    ++calls;
    EXPECT_TRUE(result.value("ok", false))
        << result.value("call", "?") << ": " << result.value("detail", "");
  }
  EXPECT_TRUE(summarised) << run.digest();
  EXPECT_GE(calls, 30u) << "fewer calls than the script makes";
  EXPECT_EQ(run.exit_code, 0) << run.stderr_text;
  // Every user the script made is deleted again.
  EXPECT_EQ(sql_value("SELECT count(*) FROM auth.users WHERE email LIKE 'golive-sbjs-%'"), "0");
}

}  // namespace
}  // namespace golive::testing
