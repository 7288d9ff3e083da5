// Hostile targets: every suite's command pointed at a server that
// resets connections, answers garbage, sends a 1 MB response header, trickles
// bytes (slowloris), answers a storm of 5xx, or at a port nobody listens on.
// Each run must end on its own within its time bound (no hang), exit 1 (a gate
// failed) or 3 (target unreachable) and never 2 (the input is fine) or die of a
// signal, write results.jsonl and report.json, and record what went wrong as
// failed or errored checks with a message (categorised), not as a pass.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/golive_cli_harness.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/test_http_server.hpp"

namespace {

using namespace golive::testing::cli;
namespace fs = std::filesystem;

struct HostileBehaviour {
  std::string name;
  std::string path;  // TestHttpServer built-in behaviour; "" = unreachable port
};

struct HostileCommand {
  std::string name;
  std::vector<std::string> args;
  bool needs_profile = false;
};

const std::vector<HostileBehaviour>& behaviours() {
  static const std::vector<HostileBehaviour> list = {
      {"reset", "/reset"},
      {"garbage", "/garbage"},
      {"huge_header", "/huge-header/1048576"},
      {"slowloris", "/slowloris"},
      {"storm_5xx", "/storm"},
      {"unreachable", ""},
  };
  return list;
}

const std::vector<HostileCommand>& commands() {
  static const std::vector<HostileCommand> list = {
      {"e2e", {"e2e", "--workflow", "legal_pages"}},
      {"probe_headers", {"probe", "headers"}},
      {"probe_authz", {"probe", "authz"}},
      {"load", {"load"}, true},
      {"replay_stripe", {"replay", "stripe", "--scenario", "signature_invalid_rejected"}},
  };
  return list;
}

// Wall-clock bound of one run, seconds: generous against the slowest request
// timeout a suite uses (30 s for an e2e step), tight against a hang.
constexpr double kRunBoundS = 150;

class HostileTarget : public ::testing::TestWithParam<std::tuple<std::size_t, std::size_t>> {};

TEST_P(HostileTarget, RecordsCategorisedErrorsAndFinishesInTime) {
  const HostileBehaviour& behaviour = behaviours()[std::get<0>(GetParam())];
  const HostileCommand& command = commands()[std::get<1>(GetParam())];

  std::unique_ptr<golive::testing::TestHttpServer> server;
  std::string base_url = "http://127.0.0.1:1";  // port 1: nothing listens, connect is refused
  if (!behaviour.path.empty()) {
    server = std::make_unique<golive::testing::TestHttpServer>();
    server->behave_everywhere(behaviour.path);
    base_url = server->url("");
  }
  const std::string dir = scratch_dir("hostile_" + behaviour.name + "_" + command.name);
  const std::string env = write_test_env(dir, base_url);
  const std::string out = dir + "/out";
  std::vector<std::string> args = command.args;
  if (command.needs_profile) args.push_back(write_tiny_profile(dir, 5, 2, 2000));
  args.insert(args.end(), {"--env", env, "--out", out});

  const GoliveExit exit = wait_golive(start_golive(args, dir),
                                      std::chrono::seconds(static_cast<int>(kRunBoundS)));
  const std::string output = exit.stdout_text + exit.stderr_text;
  ASSERT_FALSE(exit.timed_out) << "hung for " << kRunBoundS << " s\n" << output;
  ASSERT_TRUE(exit.exited) << "died of signal " << exit.signal_number << "\n" << output;
  EXPECT_TRUE(exit.exit_code == 1 || exit.exit_code == 3)
      << "exit " << exit.exit_code << " (2 would blame the input)\n" << output;
  EXPECT_EQ(output.find("AddressSanitizer"), std::string::npos) << output;
  EXPECT_EQ(output.find("runtime error:"), std::string::npos) << output;
  RecordProperty("elapsed_s", std::to_string(exit.elapsed_s));
  std::cout << "[ timing   ] " << behaviour.name << " / " << command.name << ": " << exit.elapsed_s
            << " s, exit " << exit.exit_code << "\n";

  const std::string run = latest_run(out);
  ASSERT_TRUE(fs::exists(run + "/results.jsonl")) << output;
  const auto records = read_results(run + "/results.jsonl");
  ASSERT_FALSE(records.empty());
  EXPECT_EQ(records.back().value("record", ""), "run_end") << "the run must end its stream";

  // The suite commands write results.jsonl; the reports come from `golive report render`.
  const std::string rendered = dir + "/rendered";
  const auto render = golive::testing::run_process(
      {GOLIVE_BINARY, "report", "render", run, "--out", rendered}, {}, std::chrono::seconds(60));
  EXPECT_EQ(render.exit_code, 1) << render.stdout_text << render.stderr_text;
  ASSERT_TRUE(fs::exists(rendered + "/report.json")) << render.stdout_text << render.stderr_text;
  EXPECT_TRUE(fs::exists(rendered + "/index.html"));
  const auto report = nlohmann::json::parse(slurp(rendered + "/report.json"));
  EXPECT_EQ(report["summary"]["verdict"], "fail") << report["summary"].dump();
  std::size_t not_passed = 0;
  for (const auto& check : report["checks"]) {
    const std::string status = check.value("status", "");
    if (status == "fail" || status == "error") {
      ++not_passed;
      EXPECT_FALSE(check.value("message", "").empty()) << "uncategorised: " << check.dump();
    }
  }
  EXPECT_GT(not_passed, 0u) << "a hostile target must not pass\n" << report["checks"].dump();
}

INSTANTIATE_TEST_SUITE_P(
    Behaviours, HostileTarget,
    ::testing::Combine(::testing::Range<std::size_t>(0, 6), ::testing::Range<std::size_t>(0, 5)),
    [](const auto& info) {
      return behaviours()[std::get<0>(info.param)].name + "_" + commands()[std::get<1>(info.param)].name;
    });

}  // namespace
