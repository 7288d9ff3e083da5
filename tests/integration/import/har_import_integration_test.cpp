// The imported HAR (and a Postman collection, whole and split by folder) replays: `golive import har` on the session Chromium
// recorded (tests/data/import/reference_session.har, from another run of the
// reference target: other keys, other ids, another port), then the real
// `golive e2e` runs the workflow green against a fresh reference target, and
// `golive load` runs it as a short closed-model scenario with its thresholds
// met. Everything goes through the golive binary, as a user would run it.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "tests/support/child_process.hpp"
#include "tests/support/reference_env.hpp"

namespace golive::testing {
namespace {

namespace fs = std::filesystem;

const std::string kHar = std::string(GOLIVE_TEST_DATA) + "/import/reference_session.har";
const std::string kCollection = std::string(GOLIVE_TEST_DATA) + "/import/study_planner.postman_collection.json";
const std::string kPostmanEnv = std::string(GOLIVE_TEST_DATA) + "/import/reference.postman_environment.json";

ReferenceEnv& target() {
  // Each workflow run signs up a user from 127.0.0.1; the load scenario makes dozens.
  ::setenv("GOLIVE_REF_RATE_LIMIT_PER_MINUTE", "1000", 1);
  ::setenv("GOLIVE_REF_ACCOUNT_RATE_LIMIT_PER_MINUTE", "1000", 1);
  return shared_reference_env();
}

ProcessOutcome golive(const std::vector<std::string>& arguments) {
  std::vector<std::string> argv = {GOLIVE_BINARY};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  return run_process(argv, {}, std::chrono::seconds(120));
}

struct Imported {
  fs::path dir;
  std::string env_file;
  std::string workflow;
};

const Imported& imported() {
  static const Imported result = [] {
    Imported made;
    made.dir = fs::path(::testing::TempDir()) / ("golive_har_import_" + std::to_string(::getpid()));
    fs::remove_all(made.dir);
    fs::create_directories(made.dir / "workflows");
    made.env_file = target().write_env_file();
    made.workflow = (made.dir / "workflows" / "recorded_session.json").string();
    ProcessOutcome run = golive({"import", "har", kHar, "--env", made.env_file, "--out", made.workflow});
    EXPECT_EQ(run.exit_code, 0) << run.stderr_text;
    EXPECT_NE(run.stdout_text.find("13 steps from 13 recorded requests"), std::string::npos) << run.stdout_text;
    return made;
  }();
  return result;
}

TEST(HarImportIntegration, ImportedWorkflowRunsGreenWithGoliveE2e) {
  const Imported& made = imported();
  ProcessOutcome run = golive({"e2e", "--env", made.env_file, "--workflows-dir", (made.dir / "workflows").string(),
                               "--workflow", "recorded_session", "--out", (made.dir / "e2e_out").string()});
  EXPECT_EQ(run.exit_code, 0) << run.digest();
  EXPECT_NE(run.stdout_text.find("1/1 workflow runs passed, 0 steps failed"), std::string::npos) << run.stdout_text;
  for (const char* step : {"post_signup", "post_token", "post_courses", "get_topics", "delete_courses", "post_login",
                           "get_app"}) {
    EXPECT_NE(run.stdout_text.find(std::string("[pass] e2e.recorded_session.") + step), std::string::npos)
        << step << "\n" << run.stdout_text;
  }
}

TEST(HarImportIntegration, ImportedWorkflowRunsAsALoadScenario) {
  const Imported& made = imported();
  const fs::path profile = made.dir / "recorded_load.json";
  std::ofstream(profile) << R"({
  "description": "The imported HAR session as load: 3 virtual users for 4 s, each a new user per iteration.",
  "warmup_s": 0,
  "max_duration_s": 20,
  "max_requests": 5000,
  "scenarios": [
    {
      "name": "recorded_session",
      "executor": "ramping_vus",
      "start_vus": 3,
      "stages": [{"duration_s": 4, "target_vus": 3}],
      "workflow_file": "workflows/recorded_session.json",
      "thresholds": ["error_rate < 1%", "requests >= 26"]
    }
  ]
})";
  ProcessOutcome run = golive({"load", "--env", made.env_file, "--out", (made.dir / "load_out").string(),
                               profile.string()});
  EXPECT_EQ(run.exit_code, 0) << run.digest();
}

// The hand-written Postman collection, imported with its Postman environment,
// runs green too: its tests became assertions, its variable sets captures.
TEST(HarImportIntegration, ImportedPostmanCollectionRunsGreenWithGoliveE2e) {
  const Imported& made = imported();
  const std::string workflow = (made.dir / "workflows" / "study_planner.json").string();
  ProcessOutcome import = golive({"import", "postman", kCollection, "--postman-env", kPostmanEnv, "--env",
                                  made.env_file, "--out", workflow, "--force"});
  ASSERT_EQ(import.exit_code, 0) << import.stderr_text;
  EXPECT_NE(import.stdout_text.find("not converted (5)"), std::string::npos) << import.stdout_text;
  ProcessOutcome run = golive({"e2e", "--env", made.env_file, "--workflows-dir", (made.dir / "workflows").string(),
                               "--workflow", "study_planner", "--out", (made.dir / "postman_out").string()});
  EXPECT_EQ(run.exit_code, 0) << run.digest();
  EXPECT_NE(run.stdout_text.find("1/1 workflow runs passed, 0 steps failed"), std::string::npos) << run.stdout_text;
  EXPECT_NE(run.stdout_text.find("[pass] e2e.study_planner.courses_delete_course"), std::string::npos)
      << run.stdout_text;
}

// `--out DIR/`: one workflow per folder; "courses" includes "auth" (whose
// sign-in captures the token it sends) and runs green on its own.
TEST(HarImportIntegration, PostmanFoldersBecomeWorkflowsThatRunGreen) {
  const Imported& made = imported();
  const fs::path dir = made.dir / "postman_folders";
  ProcessOutcome import = golive({"import", "postman", kCollection, "--postman-env", kPostmanEnv, "--env",
                                  made.env_file, "--out", dir.string() + "/"});
  ASSERT_EQ(import.exit_code, 0) << import.stderr_text;
  EXPECT_NE(import.stdout_text.find("courses.json (folder \"Courses\")"), std::string::npos) << import.stdout_text;
  ProcessOutcome run = golive({"e2e", "--env", made.env_file, "--workflows-dir", dir.string(), "--workflow", "courses",
                               "--out", (made.dir / "folders_out").string()});
  EXPECT_EQ(run.exit_code, 0) << run.stdout_text << run.stderr_text;
  EXPECT_NE(run.stdout_text.find("[pass] e2e.courses.auth.log_in"), std::string::npos) << run.stdout_text;
  EXPECT_NE(run.stdout_text.find("[pass] e2e.courses.delete_course"), std::string::npos) << run.stdout_text;
}

}  // namespace
}  // namespace golive::testing
