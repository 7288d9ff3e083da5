#include "tests/support/service/service_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/support/reference_env.hpp"

extern char** environ;

namespace golive::testing {
namespace {

std::string make_temp_directory() {
  char pattern[] = "/tmp/golive-svc-test.XXXXXX";
  if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("cannot create a temp dir");
  return pattern;
}

// fork + exec with stdout/stderr appended to `log_path`. The child gets
// SIGTERM if this process dies, so no service outlives a crashed test.
pid_t spawn(const std::vector<std::string>& argv,
            const std::map<std::string, std::string>& overrides, const std::string& log_path) {
  std::map<std::string, std::string> environment;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string text(*entry);
    const std::size_t eq = text.find('=');
    if (eq != std::string::npos) environment[text.substr(0, eq)] = text.substr(eq + 1);
  }
  for (const auto& [key, value] : overrides) environment[key] = value;
  std::vector<std::string> env_text;
  for (const auto& [key, value] : environment) env_text.push_back(key + "=" + value);
  std::vector<char*> env_pointers;
  for (auto& text : env_text) env_pointers.push_back(text.data());
  env_pointers.push_back(nullptr);
  std::vector<std::string> argv_copy = argv;
  std::vector<char*> argv_pointers;
  for (auto& text : argv_copy) argv_pointers.push_back(text.data());
  argv_pointers.push_back(nullptr);

  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(127);
    const int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (log_fd >= 0) {
      ::dup2(log_fd, STDOUT_FILENO);
      ::dup2(log_fd, STDERR_FILENO);
      ::close(log_fd);
    }
    const int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execve(argv_pointers[0], argv_pointers.data(), env_pointers.data());
    ::_exit(127);
  }
  return pid;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// waitpid with a deadline; returns the exit code (128 + signal), or nullopt.
std::optional<int> wait_for_exit(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) {
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
      return -1;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

std::string reference_service_binary() {
  if (const char* path = std::getenv("GOLIVE_REFERENCE_TARGET_BIN"); path != nullptr && *path) {
    return path;
  }
#ifdef GOLIVE_REFERENCE_TARGET_BIN
  return GOLIVE_REFERENCE_TARGET_BIN;
#else
  throw std::runtime_error("no reference service binary configured");
#endif
}

ServiceProcess::ServiceProcess(const ReferenceEnv& env,
                               const std::vector<std::string>& extra_arguments,
                               const std::map<std::string, std::string>& environment)
    : directory_(make_temp_directory()) {
  std::vector<std::string> argv = {reference_service_binary(),
                                   "--listen",
                                   "127.0.0.1:0",
                                   "--port-file",
                                   port_file(),
                                   "--database-url",
                                   env.service_database_url(),
                                   "--admin-database-url",
                                   env.database_url()};
  argv.insert(argv.end(), extra_arguments.begin(), extra_arguments.end());
  std::map<std::string, std::string> overrides = {
      {"GOLIVE_REF_JWT_SECRET", env.var("GOLIVE_REF_JWT_SECRET")},
      {"GOLIVE_REF_WEBHOOK_SECRET", env.var("GOLIVE_REF_WEBHOOK_SECRET")}};
  for (const auto& [key, value] : environment) overrides[key] = value;

  const auto started = std::chrono::steady_clock::now();
  pid_ = spawn(argv, overrides, directory_ + "/service.log");
  const auto deadline = started + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string port_text = read_file(port_file());
    if (!port_text.empty() && port_text.back() == '\n') {
      port_ = std::stoi(port_text);
      startup_ms_ =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
              .count();
      return;
    }
    if (const auto code = wait_for_exit(pid_, std::chrono::milliseconds(0))) {
      pid_ = -1;
      throw std::runtime_error("service exited with " + std::to_string(*code) + " at start:\n" +
                               log());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  stop();
  throw std::runtime_error("service did not write its port within 30 s:\n" + log());
}

ServiceProcess::~ServiceProcess() {
  stop();
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

int ServiceProcess::stop(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  auto code = wait_for_exit(pid_, timeout);
  if (!code) {
    ::kill(pid_, SIGKILL);
    wait_for_exit(pid_, std::chrono::seconds(5));
    code = -1;
  }
  pid_ = -1;
  return *code;
}

std::string ServiceProcess::log() const {
  return read_file(directory_ + "/service.log");
}

ServiceExit run_service_to_exit(const std::vector<std::string>& arguments,
                                const std::map<std::string, std::string>& environment) {
  const std::string directory = make_temp_directory();
  std::vector<std::string> argv = {reference_service_binary()};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  const pid_t pid = spawn(argv, environment, directory + "/output.log");
  ServiceExit result;
  const auto code = wait_for_exit(pid, std::chrono::seconds(30));
  if (!code) {
    ::kill(pid, SIGKILL);
    wait_for_exit(pid, std::chrono::seconds(5));
  }
  result.exit_code = code.value_or(-1);
  result.output = read_file(directory + "/output.log");
  std::error_code ignored;
  std::filesystem::remove_all(directory, ignored);
  return result;
}

}  // namespace golive::testing
