#include "core/external_tool.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "core/interrupt.hpp"

extern char** environ;

namespace golive::core {

namespace {

constexpr std::size_t kStderrKeptBytes = 16 * 1024;

// posix_spawn file actions, destroyed exactly once.
class SpawnFileActions {
 public:
  SpawnFileActions() { posix_spawn_file_actions_init(&actions_); }
  SpawnFileActions(const SpawnFileActions&) = delete;
  SpawnFileActions& operator=(const SpawnFileActions&) = delete;
  ~SpawnFileActions() { posix_spawn_file_actions_destroy(&actions_); }
  posix_spawn_file_actions_t* get() { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_;
};

// The child's environment: ours, with `extra` overriding same-named entries.
std::vector<std::string> child_environment(const std::map<std::string, std::string>& extra) {
  std::vector<std::string> entries;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string text(*entry);
    auto equals = text.find('=');
    if (equals != std::string::npos && extra.count(text.substr(0, equals)) > 0) continue;
    entries.push_back(std::move(text));
  }
  for (const auto& [key, value] : extra) entries.push_back(key + "=" + value);
  return entries;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> result;
  for (auto& text : strings) result.push_back(text.data());
  result.push_back(nullptr);
  return result;
}

std::string read_tail(const std::string& path) {
  FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return "";
  std::fseek(file, 0, SEEK_END);
  long size = std::ftell(file);
  long start = size > static_cast<long>(kStderrKeptBytes) ? size - static_cast<long>(kStderrKeptBytes) : 0;
  std::fseek(file, start, SEEK_SET);
  std::string text(static_cast<std::size_t>(size - start), '\0');
  std::size_t read = std::fread(text.data(), 1, text.size(), file);
  std::fclose(file);
  text.resize(read);
  return text;
}

}  // namespace

std::string ToolRun::describe() const {
  if (!started) return "could not start: " + stderr_text;
  if (timed_out) return "timed out after " + std::to_string(static_cast<long>(elapsed_ms / 1000)) + " s";
  if (interrupted) return "stopped: the run was interrupted";
  std::string last_line;
  std::size_t end = stderr_text.find_last_not_of("\r\n");
  if (end != std::string::npos) {
    std::size_t start = stderr_text.rfind('\n', end);
    last_line = stderr_text.substr(start == std::string::npos ? 0 : start + 1, end + 1 - (start == std::string::npos ? 0 : start + 1));
  }
  return "exit " + std::to_string(exit_code) + (last_line.empty() ? "" : ": " + last_line);
}

std::string find_executable(const std::vector<std::string>& candidates) {
  for (const auto& candidate : candidates) {
    if (candidate.find('/') != std::string::npos) {
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
      continue;
    }
    const char* path = std::getenv("PATH");
    std::string directories = path != nullptr ? path : "/usr/bin:/bin";
    std::size_t start = 0;
    while (start <= directories.size()) {
      std::size_t colon = directories.find(':', start);
      std::string directory = directories.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
      std::string full = (directory.empty() ? "." : directory) + "/" + candidate;
      if (::access(full.c_str(), X_OK) == 0) return full;
      if (colon == std::string::npos) break;
      start = colon + 1;
    }
  }
  return "";
}

ToolRun run_tool(const std::vector<std::string>& argv,
                 const std::map<std::string, std::string>& extra_env,
                 std::chrono::milliseconds deadline, const std::string& stdout_path,
                 const std::string& stdin_path) {
  ToolRun run;
  if (argv.empty()) {
    run.stderr_text = "no program given";
    return run;
  }
  // Standard error goes to a private temporary file: a pipe would need a
  // reader thread to keep a chatty tool from blocking on a full pipe.
  char stderr_template[] = "/tmp/golive-tool-stderr-XXXXXX";
  int stderr_fd = ::mkstemp(stderr_template);
  if (stderr_fd < 0) {
    run.stderr_text = std::string("cannot create a temporary file: ") + std::strerror(errno);
    return run;
  }
  ::close(stderr_fd);
  const std::string stderr_path = stderr_template;

  SpawnFileActions actions;
  posix_spawn_file_actions_addopen(actions.get(), STDIN_FILENO,
                                   stdin_path.empty() ? "/dev/null" : stdin_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(actions.get(), STDOUT_FILENO,
                                   stdout_path.empty() ? "/dev/null" : stdout_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(actions.get(), STDERR_FILENO, stderr_path.c_str(),
                                   O_WRONLY | O_TRUNC, 0600);

  std::vector<std::string> arguments = argv;
  std::vector<std::string> environment = child_environment(extra_env);
  auto argument_pointers = pointers(arguments);
  auto environment_pointers = pointers(environment);

  auto started_at = std::chrono::steady_clock::now();
  pid_t pid = -1;
  int spawn_error = ::posix_spawnp(&pid, arguments[0].c_str(), actions.get(), nullptr,
                                   argument_pointers.data(), environment_pointers.data());
  if (spawn_error != 0) {
    std::filesystem::remove(stderr_path);
    run.stderr_text = arguments[0] + ": " + std::strerror(spawn_error);
    return run;
  }
  run.started = true;

  // Poll for exit: the tools run for seconds to minutes, so a 10 ms poll costs
  // nothing and keeps the deadline and Ctrl-C responsive without SIGCHLD games.
  int status = 0;
  while (true) {
    pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) break;
    bool late = std::chrono::steady_clock::now() - started_at > deadline;
    if (late || interrupted()) {
      run.timed_out = late;
      run.interrupted = !late;
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  run.elapsed_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started_at).count();
  if (WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) run.exit_code = 128 + WTERMSIG(status);
  run.stderr_text = read_tail(stderr_path);
  std::filesystem::remove(stderr_path);
  return run;
}

}  // namespace golive::core
