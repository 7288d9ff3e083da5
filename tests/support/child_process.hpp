// Child processes for integration tests: run a command to completion with its
// output captured, or start a watchdog that cleans up after this process even
// when it dies without running destructors (crash, SIGKILL from a ctest
// timeout, Ctrl-C).
#pragma once

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <sys/types.h>
#include <vector>

namespace golive::testing {

// An owned file descriptor, closed exactly once.
class FileDescriptor {
 public:
  FileDescriptor() = default;
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  FileDescriptor(FileDescriptor&& other) noexcept : fd_(other.release()) {}
  FileDescriptor& operator=(FileDescriptor&& other) noexcept;
  ~FileDescriptor() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release();
  void reset();

 private:
  int fd_ = -1;
};

struct ProcessOutcome {
  int exit_code = -1;      // the exit status; 128 + signal number when killed by a signal
  bool timed_out = false;  // killed (with its process group) after the deadline
  std::string stdout_text;
  std::string stderr_text;

  bool succeeded() const { return !timed_out && exit_code == 0; }

  // What a failed assertion should print: the exit code, then either the
  // whole output (when short) or, for a long `golive run` console, every line
  // that is not a pass (the [fail], [error] and [inconclusive] checks and the
  // verdict) followed by the last lines. CI logs keep the head and tail of a
  // test's output, so the lines that explain a failure must come first.
  std::string digest() const;
};

// Runs argv[0] (a path, or a name looked up in PATH) with the current environment plus
// `environment_overrides`, waits at most `timeout`, and returns its exit code
// and captured output. The child gets its own process group, so a timeout
// kills whatever it started in the foreground too. Output is captured through
// unlinked temporary files, not pipes: daemons the child leaves behind can
// never keep us waiting for an end-of-file.
ProcessOutcome run_process(const std::vector<std::string>& argv,
                           const std::map<std::string, std::string>& environment_overrides,
                           std::chrono::milliseconds timeout);

// A shell command that runs once this process has gone away. It reads its
// stdin (a pipe whose only writer is this object) and runs `command` at
// end-of-file: on disarm(), on destruction, or when the kernel closes the pipe
// because the process died. Output goes to /dev/null and the watchdog has its
// own process group, so neither ctest's output pipe nor a terminal Ctrl-C
// keeps it from finishing.
class ExitWatchdog {
 public:
  ExitWatchdog(const std::string& command, const std::vector<std::string>& arguments,
               const std::map<std::string, std::string>& environment_overrides);
  ExitWatchdog(const ExitWatchdog&) = delete;
  ExitWatchdog& operator=(const ExitWatchdog&) = delete;
  ~ExitWatchdog();

  // Lets the command run now and waits up to `timeout` for it to finish.
  // Returns false if it was still running at the deadline.
  bool fire_and_wait(std::chrono::milliseconds timeout);

 private:
  FileDescriptor trigger_;  // write end of the watchdog's stdin; closing it fires the command
  pid_t pid_ = -1;
};

// A test server in another language (a Node or Python script) on a free port
// of 127.0.0.1: started from argv (argv[0] looked up in PATH), its first
// stdout line read as JSON ({"port": N, ...}), and stopped by PID (SIGTERM to
// its process group, then reaped) when this object goes. port() is 0 when it
// did not start (or announced no port: a helper that only forwards).
class LoopbackServerProcess {
 public:
  explicit LoopbackServerProcess(std::vector<std::string> argv);
  ~LoopbackServerProcess();
  LoopbackServerProcess(const LoopbackServerProcess&) = delete;
  LoopbackServerProcess& operator=(const LoopbackServerProcess&) = delete;

  int port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // The whole first line, for servers that announce more than their port.
  const nlohmann::json& announcement() const { return announcement_; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  nlohmann::json announcement_;
};

}  // namespace golive::testing
