// `golive rerun RUN_DIR --failed` of a defect run: `golive run --defect NAME`
// records the defects in run_start; rerun starts the embedded target again
// with them (no --env), names the unit with its --defect on the console, and
// the unit's own run fails the same check on the same defect.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "tests/support/golive_cli_harness.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace golive::testing::cli;

const char* const kRunStart =
    R"({"record":"run_start","run_id":"20261206T160000Z-aaaa","env":"local","started_at":"2026-12-06T16:00:00Z",)"
    R"("golive_version":"0.1.0","suites":["security"],"gate":{"strict":false},)"
    R"("environment":{"file":"envs/local.json","sha256":"x"})";
const char* const kFailedCsp =
    R"({"id":"security.headers.csp","suite":"security","title":"Content-Security-Policy is set","status":"fail",)"
    R"("severity":"medium","checklist":[],"duration_ms":3.0,"message":"no CSP","evidence":{}})";

std::string write_run(const std::string& dir, const std::string& run_start_tail) {
  fs::create_directories(dir);
  std::ofstream(dir + "/results.jsonl") << kRunStart << run_start_tail << "}\n"
                                        << kFailedCsp << "\n"
                                        << R"({"record":"run_end","ended_at":"2026-12-06T16:01:00Z","interrupted":false})"
                                        << "\n";
  return dir;
}

class GoliveRerun : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(setenv("GOLIVE_HOME", GOLIVE_SOURCE_DIR, 1), 0); }
  void TearDown() override { unsetenv("GOLIVE_HOME"); }
};

TEST_F(GoliveRerun, ADefectRunIsReRunWithItsDefects) {
  const std::string dir = scratch_dir("rerun_defect");

  // golive run records the defects it was given.
  auto run = wait_golive(start_golive({"run", "--suite", "env", "--defect", "missing-security-headers",
                                       "--out", dir + "/first"}, dir),
                         std::chrono::seconds(240));
  ASSERT_TRUE(run.exited) << run.stderr_text;
  const auto records = read_results(latest_run(dir + "/first") + "/results.jsonl");
  ASSERT_FALSE(records.empty());
  EXPECT_EQ(records.front().value("record", ""), "run_start");
  EXPECT_EQ(records.front().value("defects", json()), json::array({"missing-security-headers"}))
      << records.front().dump();

  // A run whose headers check failed on that defect: rerun carries it over.
  const std::string failed = write_run(dir + "/failed", R"(,"defects":["missing-security-headers"])");
  auto rerun = wait_golive(start_golive({"rerun", failed, "--failed", "--out", dir + "/again"}, dir),
                           std::chrono::seconds(240));
  ASSERT_TRUE(rerun.exited) << rerun.stderr_text;
  EXPECT_EQ(rerun.exit_code, 1) << rerun.stdout_text << rerun.stderr_text;
  EXPECT_NE(rerun.stdout_text.find("against the embedded reference target with --defect missing-security-headers"),
            std::string::npos) << rerun.stdout_text;
  EXPECT_NE(rerun.stdout_text.find("golive probe headers --defect missing-security-headers  (1: security.headers.csp)"),
            std::string::npos) << rerun.stdout_text;
  EXPECT_EQ(rerun.stdout_text.find("--env"), std::string::npos) << rerun.stdout_text;
  // The unit's own run directory: the same check fails again.
  bool csp_failed = false;
  for (const auto& entry : fs::directory_iterator(dir + "/again")) {
    if (!fs::exists(entry.path() / "results.jsonl")) continue;
    for (const auto& record : read_results((entry.path() / "results.jsonl").string())) {
      if (record.value("id", "") == "security.headers.csp") csp_failed = record.value("status", "") == "fail";
    }
  }
  EXPECT_TRUE(csp_failed) << rerun.stdout_text;

  // The gate flags come along: --fail-on from run_start.gate, --waivers from the waivers record.
  std::ofstream(dir + "/w.json") << R"({"waivers": []})";
  const std::string gated =
      write_run(dir + "/gated", R"(,"gate":{"strict":false,"fail_on":"high"})");
  std::ofstream(gated + "/results.jsonl", std::ios::app)
      << json{{"record", "waivers"}, {"source", dir + "/w.json"}, {"waivers", json::array()}}.dump() << "\n";
  auto flagged = wait_golive(start_golive({"rerun", gated, "--failed", "--dry-run"}, dir), std::chrono::seconds(60));
  ASSERT_TRUE(flagged.exited);
  EXPECT_NE(flagged.stdout_text.find("golive probe headers --fail-on high --waivers " + dir + "/w.json"),
            std::string::npos) << flagged.stdout_text;

  // Without recorded defects the unit is as before, against the recorded file.
  const std::string clean = write_run(dir + "/clean", "");
  auto dry = wait_golive(start_golive({"rerun", clean, "--failed", "--dry-run"}, dir), std::chrono::seconds(60));
  ASSERT_TRUE(dry.exited);
  EXPECT_EQ(dry.exit_code, 0) << dry.stderr_text;
  EXPECT_NE(dry.stdout_text.find("against envs/local.json\n  golive probe headers  (1: security.headers.csp)"),
            std::string::npos) << dry.stdout_text;
}

}  // namespace
