// ExternalTool: runs a command-line tool (pg_dump, pg_restore, ...) to
// completion without a shell, with extra environment variables, a deadline and
// the interrupt flag honoured. Secrets travel in the environment (PGPASSWORD),
// never in argv, where any local user could read them from /proc.
//
//   ToolRun run = run_tool({"/usr/lib/postgresql/15/bin/pg_dump", "--format=custom", ...},
//                          {{"PGPASSWORD", password}}, std::chrono::minutes(10));
//   if (!run.ok()) ... run.describe() ...
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace golive::core {

struct ToolRun {
  int exit_code = -1;          // the exit status; 128 + signal when killed by a signal
  bool started = false;        // false: the program could not be executed at all
  bool timed_out = false;      // killed at the deadline
  bool interrupted = false;    // killed because the run was interrupted (SIGINT/SIGTERM)
  std::string stderr_text;     // the last 16 KiB of its standard error
  double elapsed_ms = 0;

  bool ok() const { return started && exit_code == 0 && !timed_out && !interrupted; }
  // One line for a report: "exit 1: <last stderr line>", "timed out after 600 s", ...
  std::string describe() const;
};

// Runs argv[0] (looked up in PATH when it has no '/'). Standard output goes to
// `stdout_path` ("" discards it), standard input comes from `stdin_path` (""
// is /dev/null). `extra_env` is added to (and overrides) this process's
// environment for the child only.
ToolRun run_tool(const std::vector<std::string>& argv,
                 const std::map<std::string, std::string>& extra_env,
                 std::chrono::milliseconds deadline, const std::string& stdout_path = "",
                 const std::string& stdin_path = "");

// The first executable among `candidates` ("/abs/path" or a bare name looked
// up in PATH); "" when none is found.
std::string find_executable(const std::vector<std::string>& candidates);

}  // namespace golive::core
