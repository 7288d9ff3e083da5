// `golive run` while its target falls over and comes back: PostgreSQL is
// restarted (immediate shutdown: every connection cut) as soon as the RLS and
// db stages have written their first check, and the reference service is
// killed and started again (on a new port) once e2e has written its first.
// golive must not hang past its bounds or crash: it finishes with run_end,
// the checks hit by a restart are `error` (or `fail`) with the cause in their
// message, and every stage still reports checks.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/child_process.hpp"
#include "tests/support/golive_cli_harness.hpp"
#include "tests/support/reference_env.hpp"

namespace {

using namespace golive::testing::cli;
using Clock = std::chrono::steady_clock;

// True once results.jsonl holds a check whose id starts with `prefix`.
bool has_check(const std::string& results, const std::string& prefix) {
  std::ifstream in(results);
  std::string line;
  while (std::getline(in, line)) {
    if (line.find("\"id\":\"" + prefix) != std::string::npos) return true;
  }
  return false;
}

bool wait_for_check(const std::string& results, const std::string& prefix, std::chrono::seconds bound) {
  const auto until = Clock::now() + bound;
  while (Clock::now() < until) {
    if (has_check(results, prefix)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

void restart_database(golive::testing::ReferenceEnv& env) {
  const std::string pg_bin = "/usr/lib/postgresql/15/bin";
  const std::string data = env.var("GOLIVE_REF_PG_ROOT") + "/data";
  std::vector<std::string> command = {pg_bin + "/pg_ctl", "-D", data, "-m", "immediate", "-w", "-t", "30", "restart"};
  if (::geteuid() == 0) command.insert(command.begin(), {"runuser", "-u", "postgres", "--"});
  const auto outcome = golive::testing::run_process(command, {}, std::chrono::seconds(60));
  ASSERT_EQ(outcome.exit_code, 0) << outcome.digest();
  // The new postmaster's pid, so `reference-env down` stops it.
  std::ifstream pid_file(data + "/postmaster.pid");
  std::string pid;
  std::getline(pid_file, pid);
  std::ofstream(env.state_dir() + "/state.env", std::ios::app) << "GOLIVE_REF_PG_PID=" << pid << "\n";
}

TEST(RestartDuringRun, AffectedChecksErrorWithTheCauseAndEveryStageFinishes) {
  ::setenv("GOLIVE_REF_RATE_LIMIT_PER_MINUTE", "100000", 1);
  ::setenv("GOLIVE_REF_ACCOUNT_RATE_LIMIT_PER_MINUTE", "100000", 1);
  golive::testing::ReferenceEnv env(golive::testing::ReferenceEnv::Options{});
  const std::string dir = scratch_dir("restart_during_run");
  const std::string out = dir + "/out";
  const GoliveProcess process = start_golive(
      {"run", "--suite", "security", "--suite", "db", "--suite", "e2e", "--env", env.write_env_file(), "--out", out},
      dir);
  ASSERT_GT(process.pid, 0);
  const std::string results = latest_run(out) + "/results.jsonl";

  ASSERT_TRUE(wait_for_check(results, "security.rls.", std::chrono::seconds(60))) << slurp(process.stdout_path);
  restart_database(env);
  ASSERT_TRUE(wait_for_check(results, "e2e.", std::chrono::seconds(90))) << slurp(process.stdout_path);
  ::kill(static_cast<pid_t>(std::stol(env.var("GOLIVE_REF_SERVICE_PID"))), SIGKILL);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  env.restart_service({});

  const GoliveExit exit = wait_golive(process, std::chrono::seconds(180));
  ASSERT_FALSE(exit.timed_out) << "golive hung\n" << exit.stdout_text;
  ASSERT_TRUE(exit.exited) << "golive died of signal " << exit.signal_number << "\n" << exit.stderr_text;
  EXPECT_EQ(exit.exit_code, 1) << exit.stdout_text << exit.stderr_text;

  const auto records = read_results(results);
  ASSERT_FALSE(records.empty());
  EXPECT_EQ(records.back().value("record", ""), "run_end");
  std::size_t rls = 0, db = 0, e2e = 0, hit = 0;
  std::string hit_messages;
  for (const auto& record : records) {
    if (record.contains("record")) continue;
    const std::string id = record.value("id", "");
    const std::string status = record.value("status", "");
    rls += id.rfind("security.rls.", 0) == 0;
    db += id.rfind("db.", 0) == 0;
    e2e += id.rfind("e2e.", 0) == 0;
    if (status == "error") {
      ++hit;
      const std::string message = record.value("message", "");
      EXPECT_FALSE(message.empty()) << id << ": an error names its cause";
      if (hit <= 5) hit_messages += id + ": " + message + "\n";
    }
  }
  std::cout << hit << " checks errored; the first:\n" << hit_messages;
  EXPECT_GT(rls, 0u);
  EXPECT_GT(db, 0u);
  EXPECT_GT(e2e, 0u);
  EXPECT_GT(hit, 0u) << "the restarts must show as errored checks";
  EXPECT_LT(exit.elapsed_s, 150.0);
}

}  // namespace
