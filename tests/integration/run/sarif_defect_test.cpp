// SARIF from a defect run: the embedded reference target started with the
// seeded defect rls-disabled:topics, `golive probe rls --static-only
// --format sarif` run as a process with the default (embedded) environment.
// Its stdout and the run directory's sarif.json validate against the official
// SARIF 2.1.0 schema and list the defect's finding with a location: the
// migration and line where public.topics' policy is defined, and the table
// as a logical location. The clean target's SARIF has no results.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "contract/json_schema_validator.hpp"
#include "tests/support/golive_cli_harness.hpp"
#include "tests/support/reference_env.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace golive::testing::cli;

golive::testing::ReferenceEnv& target() {
  golive::testing::ReferenceEnv::Options options;
  options.defects = {"rls-disabled:topics"};
  return golive::testing::shared_reference_env(options);
}

// A GOLIVE_HOME whose envs/local.json is this target's environment and whose
// every other entry is the source tree's: golive then treats the target as
// the embedded one, exactly as `golive probe rls` with no --env does.
std::string embedded_home(const std::string& dir) {
  const fs::path home = fs::path(dir) / "home";
  fs::create_directories(home / "envs");
  for (const auto& entry : fs::directory_iterator(GOLIVE_SOURCE_DIR)) {
    const std::string name = entry.path().filename().string();
    if (name == "envs" || name == "build" || name == ".git") continue;
    fs::create_symlink(entry.path(), home / name);
  }
  fs::copy_file(target().write_env_file(), home / "envs" / "local.json");
  return home.string();
}

const golive::contract::JsonSchemaValidator& sarif_schema() {
  static const golive::contract::JsonSchemaValidator schema(
      json::parse(slurp(std::string(GOLIVE_TEST_DATA) + "/sarif/sarif-schema-2.1.0.json")), "sarif-schema-2.1.0.json");
  return schema;
}

TEST(SarifFromADefectRun, ValidatesAndListsTheDefectWithItsMigrationLine) {
  const std::string dir = scratch_dir("sarif_defect");
  ASSERT_EQ(setenv("GOLIVE_HOME", embedded_home(dir).c_str(), 1), 0);
  const auto process = start_golive({"probe", "rls", "--static-only", "--format", "sarif", "--out", dir + "/out"}, dir);
  const auto exit = wait_golive(process, std::chrono::seconds(120));
  unsetenv("GOLIVE_HOME");
  ASSERT_TRUE(exit.exited) << exit.stderr_text;
  EXPECT_EQ(exit.exit_code, 1) << "the defect fails the gate; stderr: " << exit.stderr_text;
  const json log = json::parse(exit.stdout_text);
  for (const auto& v : sarif_schema().validate(log)) ADD_FAILURE() << v.pointer << " " << v.keyword << ": " << v.message;
  EXPECT_EQ(json::parse(slurp(dir + "/out/latest/sarif.json")), log) << "stdout is the run directory's sarif.json";

  const json* finding = nullptr;
  for (const auto& result : log["runs"][0]["results"]) {
    if (result["partialFingerprints"]["goliveCheckId/v1"] == "security.rls.static.rls_enabled.public.topics") {
      finding = &result;
    }
  }
  ASSERT_NE(finding, nullptr) << log.dump(2).substr(0, 3000);
  EXPECT_EQ((*finding)["ruleId"], "security.rls.static.rls_enabled");
  EXPECT_EQ((*finding)["level"], "error");
  const json& location = (*finding)["locations"][0];
  EXPECT_EQ(location["physicalLocation"]["artifactLocation"]["uri"], "fixtures/migrations/0004_rls_policies.up.sql");
  // The line of the first CREATE POLICY ... ON public.topics in that file.
  std::ifstream migration(std::string(GOLIVE_SOURCE_DIR) + "/fixtures/migrations/0004_rls_policies.up.sql");
  std::string line;
  int number = 0, expected = 0;
  while (expected == 0 && std::getline(migration, line)) {
    ++number;
    if (line.find("CREATE POLICY") != std::string::npos && line.find("ON public.topics ") != std::string::npos) expected = number;
  }
  EXPECT_EQ(location["physicalLocation"]["region"]["startLine"], expected);
  EXPECT_EQ(location["logicalLocations"][0]["fullyQualifiedName"], "public.topics");
}

}  // namespace
