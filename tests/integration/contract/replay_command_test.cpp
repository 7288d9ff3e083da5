// `golive replay stripe` end to end: a scenario run writes results.jsonl
// without the secret, production and live keys are refused (exit 2), and a
// capture replays while a malformed one is exit 2 naming the line.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/wait.h>

#include "contract/stripe_event_fixtures.hpp"
#include "tests/support/reference_env.hpp"

namespace golive::contract {
namespace {

testing::ReferenceEnv& target() {
  ::setenv("GOLIVE_REF_RATE_LIMIT_PER_MINUTE", "1000", 1);
  ::setenv("GOLIVE_REF_ACCOUNT_RATE_LIMIT_PER_MINUTE", "1000", 1);
  return testing::shared_reference_env();
}

// ---- the CLI --------------------------------------------------------------

struct CliRun {
  int exit_code = -1;
  std::string output;
};

CliRun run_golive(const std::string& arguments) {
  const std::string out = (std::filesystem::temp_directory_path() / "golive_replay_cli_out").string();
  const std::string command = std::string(GOLIVE_BINARY) + " " + arguments + " > " + out + " 2>&1";
  const int status = std::system(command.c_str());
  std::ifstream file(out);
  std::stringstream text;
  text << file.rdbuf();
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, text.str()};
}

bool golive_binary_built() { return std::filesystem::exists(GOLIVE_BINARY); }

TEST(ReplayCommand, RunsAScenarioAndNeverPrintsTheSecret) {
  if (!golive_binary_built()) GTEST_SKIP() << "golive binary not built";
  const std::string secret = target().var("GOLIVE_REF_WEBHOOK_SECRET");
  const std::string out_dir = target().state_dir() + "/replay-out";
  const CliRun run = run_golive("replay stripe --env " + target().write_env_file() +
                                " --scenario duplicate_applied_once --format json --out " + out_dir);
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("contract.stripe.duplicate_applied_once"), std::string::npos);
  EXPECT_EQ(run.output.find(secret), std::string::npos);
  bool found_results = false;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(out_dir)) {
    if (entry.path().filename() != "results.jsonl") continue;
    found_results = true;
    std::ifstream file(entry.path());
    std::stringstream text;
    text << file.rdbuf();
    EXPECT_EQ(text.str().find(secret), std::string::npos);
    EXPECT_NE(text.str().find("v1_fingerprint"), std::string::npos);
  }
  EXPECT_TRUE(found_results);
}

TEST(ReplayCommand, RefusesProductionAndLiveKeys) {
  if (!golive_binary_built()) GTEST_SKIP() << "golive binary not built";
  std::ifstream source(target().write_env_file());
  nlohmann::json env = nlohmann::json::parse(source);
  const std::string dir = std::filesystem::path(target().write_env_file()).parent_path().string();

  nlohmann::json production = env;
  production["production"] = true;
  std::ofstream(dir + "/production.json") << production.dump();
  const CliRun refused = run_golive("replay stripe --env " + dir + "/production.json");
  EXPECT_EQ(refused.exit_code, 2) << refused.output;

  nlohmann::json live = env;
  live["stripe"]["secret_key"] = "sk_live_golive_not_a_real_key_000";
  std::ofstream(dir + "/live.json") << live.dump();
  const CliRun live_run = run_golive("replay stripe --env " + dir + "/live.json --allow-production");
  EXPECT_EQ(live_run.exit_code, 2) << live_run.output;
}

TEST(ReplayCommand, ReplaysACaptureAndRejectsAMalformedOne) {
  if (!golive_binary_built()) GTEST_SKIP() << "golive binary not built";
  const std::string dir = target().state_dir();
  StripeIdFactory ids;
  std::ofstream(dir + "/capture.jsonl")
      << nlohmann::json{{"id", ids.next("evt")}, {"object", "event"}, {"type", "golive.capture"},
                        {"created", 1700000000}, {"data", {{"object", {{"id", "x"}}}}}}.dump()
      << "\n"
      << nlohmann::json{{"id", ids.next("evt")}, {"object", "event"}, {"type", "golive.capture"},
                        {"created", 1700000001}, {"data", {{"object", {{"id", "y"}}}}}}.dump()
      << "\n";
  const CliRun run = run_golive("replay stripe --env " + target().write_env_file() + " --events " +
                                dir + "/capture.jsonl --keep-timing --out " + dir + "/capture-out");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("contract.stripe_capture.0002"), std::string::npos) << run.output;

  // JSON Lines whose second line is no event: exit 2 naming the line.
  std::ofstream(dir + "/broken.jsonl")
      << nlohmann::json{{"id", ids.next("evt")}, {"object", "event"}, {"type", "golive.capture"},
                        {"created", 1700000002}, {"data", {{"object", {{"id", "z"}}}}}}.dump()
      << "\n{\"id\":\"evt_1\"}\n";
  const CliRun broken = run_golive("replay stripe --env " + target().write_env_file() +
                                   " --events " + dir + "/broken.jsonl");
  EXPECT_EQ(broken.exit_code, 2) << broken.output;
  EXPECT_NE(broken.output.find("line 2"), std::string::npos) << broken.output;
  // A single JSON document that is no event: exit 2 naming its pointer.
  std::ofstream(dir + "/single.json") << "{\"id\":\"evt_1\"}\n";
  const CliRun single = run_golive("replay stripe --env " + target().write_env_file() +
                                   " --events " + dir + "/single.json");
  EXPECT_EQ(single.exit_code, 2) << single.output;
  EXPECT_NE(single.output.find("no string \"type\""), std::string::npos) << single.output;
}

}  // namespace
}  // namespace golive::contract
