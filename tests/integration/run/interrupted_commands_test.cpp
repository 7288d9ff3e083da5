// Interrupted runs: SIGINT and SIGTERM sent to `golive e2e`,
// `golive load` and `golive replay stripe` while their requests are in flight
// at a slow local server. Each must exit 1 (not die of the signal), leave a
// results.jsonl whose every line is JSON and whose run_end says interrupted,
// and the reports the command rendered (and `golive report render` re-renders) that
// say so, and leave no process of its group running.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/golive_cli_harness.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/test_http_server.hpp"

namespace {

using namespace golive::testing::cli;
namespace fs = std::filesystem;

struct InterruptCase {
  std::string name;                   // test name suffix
  std::vector<std::string> command;   // golive arguments before --env/--out
  bool needs_profile = false;         // append the tiny load profile
  int signal_number = SIGINT;
};

class InterruptedCommand : public ::testing::TestWithParam<InterruptCase> {};

TEST_P(InterruptedCommand, ExitsOneWithAnInterruptedReportAndNoLeftovers) {
  const InterruptCase& c = GetParam();
  golive::testing::TestHttpServer server;
  server.behave_everywhere("/delay/4000");  // every request is answered after 4 s
  const std::string dir = scratch_dir("interrupt_" + c.name);
  const std::string env = write_test_env(dir, server.url(""));
  const std::string out = dir + "/out";

  std::vector<std::string> args = c.command;
  if (c.needs_profile) args.push_back(write_tiny_profile(dir, 5, 30, 10000));
  args.insert(args.end(), {"--env", env, "--out", out});
  const GoliveProcess process = start_golive(args, dir);
  ASSERT_GT(process.pid, 0);

  // Wait until the server holds requests, so the signal lands mid-run.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (server.requests_received() == 0 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_GT(server.requests_received(), 0u) << "golive never reached the server";
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  kill(process.pid, c.signal_number);
  const GoliveExit exit = wait_golive(process, std::chrono::seconds(60));

  ASSERT_FALSE(exit.timed_out) << "golive ignored the signal\n" << exit.stdout_text << exit.stderr_text;
  ASSERT_TRUE(exit.exited) << "golive died of signal " << exit.signal_number << "\n" << exit.stderr_text;
  EXPECT_EQ(exit.exit_code, 1) << exit.stdout_text << exit.stderr_text;
  EXPECT_LT(exit.elapsed_s, 30.0) << "the interrupt must cut the run short";
  EXPECT_FALSE(process_group_alive(process.pid)) << "a process golive started is still running";

  const std::string run = latest_run(out);
  const auto records = read_results(run + "/results.jsonl");
  ASSERT_FALSE(records.empty());
  EXPECT_EQ(records.front().value("record", ""), "run_start");
  const auto& last = records.back();
  EXPECT_EQ(last.value("record", ""), "run_end") << last.dump();
  EXPECT_TRUE(last.value("interrupted", false)) << last.dump();

  // The command itself rendered its reports, and they say the run was interrupted.
  ASSERT_TRUE(fs::exists(run + "/report.json"));
  EXPECT_TRUE(nlohmann::json::parse(slurp(run + "/report.json"))["run"]["interrupted"].get<bool>());
  EXPECT_NE(slurp(run + "/index.html").find("nterrupted"), std::string::npos);

  // `golive report render` of that run directory gives the same verdict.
  const std::string rendered = dir + "/rendered";
  const auto render = golive::testing::run_process(
      {GOLIVE_BINARY, "report", "render", run, "--out", rendered}, {}, std::chrono::seconds(60));
  EXPECT_EQ(render.exit_code, 1) << "an interrupted run renders as not passed\n"
                                 << render.stdout_text << render.stderr_text;
  ASSERT_TRUE(fs::exists(rendered + "/report.json")) << render.stderr_text;
  const auto report = nlohmann::json::parse(slurp(rendered + "/report.json"));
  EXPECT_TRUE(report["run"]["interrupted"].get<bool>());
  EXPECT_EQ(report["summary"]["verdict"], "fail");
  EXPECT_NE(slurp(rendered + "/index.html").find("nterrupted"), std::string::npos);
}

std::vector<InterruptCase> interrupt_cases() {
  std::vector<InterruptCase> cases;
  for (int signal_number : {SIGINT, SIGTERM}) {
    const std::string sig = signal_number == SIGINT ? "sigint" : "sigterm";
    cases.push_back({"e2e_" + sig, {"e2e", "--workflow", "legal_pages"}, false, signal_number});
    cases.push_back({"load_" + sig, {"load"}, true, signal_number});
    cases.push_back({"replay_stripe_" + sig, {"replay", "stripe"}, false, signal_number});
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Signals, InterruptedCommand, ::testing::ValuesIn(interrupt_cases()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
