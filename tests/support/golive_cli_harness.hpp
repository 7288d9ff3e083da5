// Running the real golive binary in CLI tests: a scratch directory, an
// environment file aimed at a local test server, the binary started in its own
// process group (so a test can signal it and then prove nothing it started is
// left running), and readers for the run directory it leaves behind.
#pragma once

#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace golive::testing::cli {

namespace fs = std::filesystem;

inline std::string scratch_dir(const std::string& name) {
  fs::path dir = fs::path(::testing::TempDir()) / ("golive_cli_" + name + "_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// An environment for a local test server: every suite's minimum (anon key, a
// Stripe webhook secret) and no database.
inline std::string write_test_env(const std::string& dir, const std::string& base_url) {
  const std::string path = dir + "/env.json";
  std::ofstream(path) << nlohmann::json{
      {"name", "hostile-target"},
      {"base_url", base_url},
      {"anon_key", "anon-key-for-tests"},
      {"stripe", {{"webhook_secret", "whsec_golive_cli_tests_0123456789"}}}}.dump(2);
  return path;
}

// A tiny open-model load profile: `rate` requests/s of GET /health for
// `seconds`, each request timing out after `timeout_ms`.
inline std::string write_tiny_profile(const std::string& dir, int rate, int seconds, int timeout_ms) {
  const std::string path = dir + "/tiny.json";
  std::ofstream(path) << nlohmann::json{
      {"description", "tiny: GET /health at a constant rate (golive CLI tests)"},
      {"warmup_s", 0},
      {"max_duration_s", seconds + 15},
      {"scenarios",
       {{{"name", "health"},
         {"executor", "constant_arrival_rate"},
         {"rate", rate},
         {"duration_s", seconds},
         {"max_vus", 20},
         {"request", {{"method", "GET"}, {"url", "/health"}, {"timeout_ms", timeout_ms}}},
         {"thresholds", {"error_rate < 1%"}}}}}}.dump(2);
  return path;
}

// One golive process, started in its own process group with stdout and
// stderr in files of `dir`.
struct GoliveProcess {
  pid_t pid = -1;
  std::string stdout_path;
  std::string stderr_path;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

inline GoliveProcess start_golive(const std::vector<std::string>& args, const std::string& dir) {
  GoliveProcess process;
  process.stdout_path = dir + "/stdout.txt";
  process.stderr_path = dir + "/stderr.txt";
  std::vector<std::string> argv{GOLIVE_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  // Everything the child needs is prepared here: between fork and exec only
  // async-signal-safe calls (the test server's thread may hold the heap lock).
  std::vector<char*> raw;
  for (auto& arg : argv) raw.push_back(arg.data());
  raw.push_back(nullptr);
  const int out = open(process.stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const int err = open(process.stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  process.pid = fork();
  if (process.pid == 0) {
    setpgid(0, 0);
    dup2(out, 1);  // dup2 clears O_CLOEXEC on the copies
    dup2(err, 2);
    execv(raw[0], raw.data());
    _exit(127);
  }
  close(out);
  close(err);
  if (process.pid > 0) setpgid(process.pid, process.pid);  // no race with the child's own call
  return process;
}

// How a golive process ended.
struct GoliveExit {
  bool exited = false;     // exited normally (not killed by a signal)
  int exit_code = -1;      // when exited
  int signal_number = 0;   // when killed by a signal
  bool timed_out = false;  // still running at the deadline (then killed with its group)
  double elapsed_s = 0;    // from start to exit, seconds
  std::string stdout_text;
  std::string stderr_text;
};

inline GoliveExit wait_golive(const GoliveProcess& process, std::chrono::seconds deadline) {
  GoliveExit result;
  int status = 0;
  const auto limit = process.started + deadline;
  while (true) {
    const pid_t done = waitpid(process.pid, &status, WNOHANG);
    if (done == process.pid) break;
    if (std::chrono::steady_clock::now() > limit) {
      result.timed_out = true;
      kill(-process.pid, SIGKILL);
      waitpid(process.pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  result.elapsed_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - process.started).count();
  result.exited = WIFEXITED(status);
  if (result.exited) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal_number = WTERMSIG(status);
  result.stdout_text = slurp(process.stdout_path);
  result.stderr_text = slurp(process.stderr_path);
  return result;
}

// True when some process of the group `pgid` (golive's children included) is still alive.
inline bool process_group_alive(pid_t pgid) {
  return kill(-pgid, 0) == 0 || errno != ESRCH;
}

// The run directory `golive ... --out OUT` wrote (OUT/latest).
inline std::string latest_run(const std::string& out_dir) { return out_dir + "/latest"; }

// Every line of a results.jsonl, parsed; a line that is not JSON fails the test.
inline std::vector<nlohmann::json> read_results(const std::string& path) {
  std::vector<nlohmann::json> records;
  std::istringstream lines(slurp(path));
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    auto record = nlohmann::json::parse(line, nullptr, false);
    EXPECT_FALSE(record.is_discarded()) << path << ": not JSON: " << line;
    if (!record.is_discarded()) records.push_back(std::move(record));
  }
  return records;
}

}  // namespace golive::testing::cli
