#include "browser/chromium_process.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "core/external_tool.hpp"

namespace golive::browser {

namespace {

// Chromium's flags for an unattended, isolated, quiet headless run.
std::vector<std::string> chromium_arguments(const std::string& executable, const std::string& profile) {
  std::vector<std::string> args = {
      executable,
      "--headless=new",
      "--remote-debugging-port=0",
      "--remote-debugging-address=127.0.0.1",
      "--user-data-dir=" + profile,
      "--no-first-run",
      "--no-default-browser-check",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-default-apps",
      "--disable-extensions",
      "--disable-sync",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--metrics-recording-only",
      "--mute-audio",
      "--password-store=basic",
      "--window-size=1280,800",
      "about:blank",
  };
  // The setuid/namespace sandbox refuses to run as root; never drop it otherwise.
  if (::geteuid() == 0) args.insert(args.begin() + 1, "--no-sandbox");
  return args;
}

// DevToolsActivePort: line 1 the port, line 2 the browser target's path.
bool read_active_port(const std::string& profile, unsigned short& port, std::string& path) {
  std::ifstream in(profile + "/DevToolsActivePort");
  std::string port_line;
  if (!std::getline(in, port_line) || !std::getline(in, path) || path.empty()) return false;
  char* end = nullptr;
  const long value = std::strtol(port_line.c_str(), &end, 10);
  if (end == port_line.c_str() || value <= 0 || value > 65535) return false;
  port = static_cast<unsigned short>(value);
  return true;
}

}  // namespace

ChromiumProcess ChromiumProcess::start(const std::vector<std::string>& candidates,
                                       std::chrono::milliseconds startup_deadline) {
  ChromiumProcess process;
  process.executable_ = core::find_executable(candidates);
  if (process.executable_.empty()) {
    process.missing_ = true;
    std::string names;
    for (const std::string& candidate : candidates) names += (names.empty() ? "" : ", ") + candidate;
    process.error_ = "no Chromium found (tried " + names +
                     "): install the Debian package chromium (scripts/bootstrap does)";
    return process;
  }
  std::string pattern = (std::filesystem::temp_directory_path() / "golive-chromium-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    process.error_ = std::string("cannot create a temporary profile directory: ") + std::strerror(errno);
    return process;
  }
  process.profile_dir_ = pattern;
  const std::vector<std::string> args = chromium_arguments(process.executable_, process.profile_dir_);
  std::vector<char*> argv;
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  const std::string log_path = process.profile_dir_ + "/chromium.log";
  const pid_t pid = ::fork();
  if (pid < 0) {
    process.error_ = std::string("fork failed: ") + std::strerror(errno);
    return process;
  }
  if (pid == 0) {
    // Own process group, so the renderers and helpers can be stopped with it.
    ::setpgid(0, 0);
    // A golive killed without running its destructors (SIGKILL, OOM) takes
    // the browser with it; its helpers exit when the browser is gone.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() == 1) ::_exit(127);  // the parent died before prctl
    const int null_in = ::open("/dev/null", O_RDONLY);
    const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (null_in >= 0) ::dup2(null_in, STDIN_FILENO);
    if (log >= 0) {
      ::dup2(log, STDOUT_FILENO);
      ::dup2(log, STDERR_FILENO);
    }
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  process.pid_ = pid;
  const auto deadline = std::chrono::steady_clock::now() + startup_deadline;
  std::string path;
  while (std::chrono::steady_clock::now() < deadline) {
    if (read_active_port(process.profile_dir_, process.port_, path)) {
      process.websocket_url_ = "ws://127.0.0.1:" + std::to_string(process.port_) + path;
      return process;
    }
    if (!process.running()) {
      std::ifstream log(log_path);
      std::string last, line;
      while (std::getline(log, line)) if (!line.empty()) last = line;
      process.error_ = process.executable_ + " exited during start-up" + (last.empty() ? "" : ": " + last);
      return process;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  process.error_ = process.executable_ + " wrote no DevToolsActivePort within " +
                   std::to_string(startup_deadline.count()) + " ms";
  process.stop();
  return process;
}

ChromiumProcess::ChromiumProcess(ChromiumProcess&& other) noexcept
    : pid_(other.pid_),
      missing_(other.missing_),
      port_(other.port_),
      executable_(std::move(other.executable_)),
      profile_dir_(std::move(other.profile_dir_)),
      websocket_url_(std::move(other.websocket_url_)),
      error_(std::move(other.error_)),
      reaped_(other.reaped_) {
  other.pid_ = -1;
  other.profile_dir_.clear();
}

ChromiumProcess::~ChromiumProcess() { stop(); }

bool ChromiumProcess::running() const {
  if (pid_ <= 0 || reaped_) return false;
  int status = 0;
  const pid_t result = ::waitpid(pid_, &status, WNOHANG);
  if (result == pid_) {
    reaped_ = true;
    return false;
  }
  return result == 0;
}

void ChromiumProcess::stop() {
  if (pid_ > 0) {
    if (running()) {
      ::kill(pid_, SIGTERM);
      const auto grace = std::chrono::steady_clock::now() + std::chrono::seconds(3);
      while (running() && std::chrono::steady_clock::now() < grace) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      if (running()) {
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        reaped_ = true;
      }
    }
    // Helpers left behind in the browser's own process group (its id is the PID).
    ::kill(-pid_, SIGKILL);
    pid_ = -1;
  }
  if (!profile_dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(profile_dir_, ignored);
    profile_dir_.clear();
  }
  websocket_url_.clear();
}

}  // namespace golive::browser
