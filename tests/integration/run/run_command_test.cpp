// `golive run` as CI sees it: exit codes (0 pass, 1 gate failed, 2 bad input,
// 3 unreachable), the run directory with out/latest, and a valid partial
// report after SIGINT or SIGTERM.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "tests/support/child_process.hpp"
#include "tests/support/test_http_server.hpp"

namespace fs = std::filesystem;

namespace {

std::string temp_dir(const std::string& name) {
  fs::path dir = fs::path(::testing::TempDir()) / ("golive_run_" + name + "_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

std::string write_env(const std::string& dir, const std::string& base_url) {
  std::string path = dir + "/env.json";
  std::ofstream(path) << nlohmann::json{{"name", "test-target"}, {"base_url", base_url}}.dump();
  return path;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

golive::testing::ProcessOutcome run_golive(const std::vector<std::string>& args) {
  std::vector<std::string> argv{GOLIVE_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return golive::testing::run_process(argv, {}, std::chrono::seconds(120));
}

TEST(GoliveRun, UnreachableTargetExitsThreeWithAReport) {
  std::string dir = temp_dir("unreachable");
  // Port 1 on loopback: nothing listens there, the connect is refused at once.
  std::string env = write_env(dir, "http://127.0.0.1:1");
  auto outcome = run_golive({"run", "--env", env, "--out", dir + "/out"});
  EXPECT_EQ(outcome.exit_code, 3) << outcome.digest();
  ASSERT_TRUE(fs::exists(dir + "/out/latest/report.json")) << outcome.stdout_text;
  auto report = nlohmann::json::parse(read_file(dir + "/out/latest/report.json"));
  bool found = false;
  for (const auto& check : report["checks"]) {
    if (check["id"] == "env.target_reachable") {
      found = true;
      EXPECT_EQ(check["status"], "fail");
      EXPECT_NE(check["message"].get<std::string>().find("connect"), std::string::npos);
    }
  }
  EXPECT_TRUE(found);
  EXPECT_TRUE(fs::exists(dir + "/out/latest/junit.xml"));
  EXPECT_TRUE(fs::exists(dir + "/out/latest/index.html"));
}

TEST(GoliveRun, BadEnvironmentAndUnknownSuiteExitTwo) {
  std::string dir = temp_dir("bad");
  std::string env = dir + "/env.json";
  std::ofstream(env) << R"({"name": "x"})";
  auto outcome = run_golive({"run", "--env", env, "--out", dir + "/out"});
  EXPECT_EQ(outcome.exit_code, 2);
  EXPECT_NE(outcome.stderr_text.find("missing required key \"base_url\""), std::string::npos)
      << outcome.stderr_text;
  std::string good = write_env(dir, "http://127.0.0.1:1");
  auto unknown = run_golive({"run", "--env", good, "--suite", "nonsense", "--out", dir + "/out"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.stderr_text.find("unknown suite"), std::string::npos);
  auto defect = run_golive({"run", "--env", good, "--defect", "no-rate-limit"});
  EXPECT_EQ(defect.exit_code, 2) << "defects only apply to the embedded target";
}

TEST(GoliveRun, PassingRunExitsZeroAndRepointsLatest) {
  golive::testing::TestHttpServer server;
  server.on("/", [](const golive::testing::TestRequest&) {
    return golive::testing::TestReply{200, {}, "ok"};
  });
  std::string dir = temp_dir("pass");
  std::string env = write_env(dir, server.url(""));
  auto first = run_golive({"run", "--env", env, "--suite", "env", "--out", dir + "/out"});
  EXPECT_EQ(first.exit_code, 0) << first.stdout_text << first.stderr_text;
  auto first_target = fs::read_symlink(dir + "/out/latest");
  auto second = run_golive({"run", "--env", env, "--suite", "env", "--out", dir + "/out"});
  EXPECT_EQ(second.exit_code, 0);
  EXPECT_NE(fs::read_symlink(dir + "/out/latest"), first_target) << "latest follows the newest run";
  EXPECT_NE(second.stdout_text.find("verdict: GO"), std::string::npos) << second.stdout_text;
  EXPECT_NE(second.stdout_text.find("index.html"), std::string::npos);
  auto report = nlohmann::json::parse(read_file(dir + "/out/latest/report.json"));
  EXPECT_FALSE(report["run"]["interrupted"].get<bool>());
}

// Sends `signal_number` to a running `golive run` whose target answers slowly,
// then checks the partial report.
void expect_partial_report_after(int signal_number) {
  golive::testing::TestHttpServer server;
  server.on("/", [](const golive::testing::TestRequest&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));
    return golive::testing::TestReply{200, {}, "slow"};
  });
  std::string dir = temp_dir("interrupt" + std::to_string(signal_number));
  std::string env = write_env(dir, server.url(""));
  std::string out = dir + "/out";
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    execl(GOLIVE_BINARY, GOLIVE_BINARY, "run", "--env", env.c_str(), "--out", out.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  kill(child, signal_number);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status)) << "golive must exit cleanly, not die of the signal";
  EXPECT_EQ(WEXITSTATUS(status), 1);
  auto report = nlohmann::json::parse(read_file(out + "/latest/report.json"));
  EXPECT_TRUE(report["run"]["interrupted"].get<bool>());
  EXPECT_EQ(report["summary"]["verdict"], "fail");
  EXPECT_FALSE(report["checks"].empty()) << "results up to the interrupt are kept";
  std::string html = read_file(out + "/latest/index.html");
  EXPECT_NE(html.find("nterrupted"), std::string::npos);
}

TEST(GoliveRun, SigintLeavesAValidPartialReport) { expect_partial_report_after(SIGINT); }

TEST(GoliveRun, SigtermLeavesAValidPartialReport) { expect_partial_report_after(SIGTERM); }

}  // namespace
