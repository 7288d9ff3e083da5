#include "tests/support/child_process.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace golive::testing {

FileDescriptor& FileDescriptor::operator=(FileDescriptor&& other) noexcept {
  if (this != &other) {
    reset();
    fd_ = other.release();
  }
  return *this;
}

int FileDescriptor::release() {
  int fd = fd_;
  fd_ = -1;
  return fd;
}

void FileDescriptor::reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

namespace {

std::runtime_error system_error(const std::string& what, int error_number) {
  return std::runtime_error(what + ": " + std::strerror(error_number));
}

// posix_spawn's C structures, each with its destroy call.
class SpawnFileActions {
 public:
  SpawnFileActions() { posix_spawn_file_actions_init(&actions_); }
  ~SpawnFileActions() { posix_spawn_file_actions_destroy(&actions_); }
  SpawnFileActions(const SpawnFileActions&) = delete;
  SpawnFileActions& operator=(const SpawnFileActions&) = delete;
  posix_spawn_file_actions_t* get() { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_;
};

// Own process group, default signal dispositions and an empty signal mask:
// whatever the test process ignores or blocks, the child starts clean.
class SpawnAttributes {
 public:
  SpawnAttributes() {
    posix_spawnattr_init(&attributes_);
    sigset_t defaults;
    sigemptyset(&defaults);
    for (int signal_number : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD}) sigaddset(&defaults, signal_number);
    sigset_t empty;
    sigemptyset(&empty);
    posix_spawnattr_setsigdefault(&attributes_, &defaults);
    posix_spawnattr_setsigmask(&attributes_, &empty);
    posix_spawnattr_setpgroup(&attributes_, 0);
    posix_spawnattr_setflags(&attributes_,
                             POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  }
  ~SpawnAttributes() { posix_spawnattr_destroy(&attributes_); }
  SpawnAttributes(const SpawnAttributes&) = delete;
  SpawnAttributes& operator=(const SpawnAttributes&) = delete;
  posix_spawnattr_t* get() { return &attributes_; }

 private:
  posix_spawnattr_t attributes_;
};

// The current environment with `overrides` replacing or adding variables.
std::vector<std::string> merged_environment(const std::map<std::string, std::string>& overrides) {
  std::vector<std::string> merged;
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string variable(*entry);
    std::string name = variable.substr(0, variable.find('='));
    if (overrides.count(name) == 0) merged.push_back(std::move(variable));
  }
  for (const auto& [name, value] : overrides) merged.push_back(name + "=" + value);
  return merged;
}

std::vector<char*> c_string_array(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (auto& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

pid_t spawn(std::vector<std::string> argv, const std::map<std::string, std::string>& overrides,
            SpawnFileActions& actions) {
  std::vector<std::string> environment = merged_environment(overrides);
  std::vector<char*> argv_pointers = c_string_array(argv);
  std::vector<char*> environment_pointers = c_string_array(environment);
  SpawnAttributes attributes;
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, argv.front().c_str(), actions.get(), attributes.get(),
                        argv_pointers.data(), environment_pointers.data());
  if (rc != 0) throw system_error("cannot start " + argv.front(), rc);
  return pid;
}

// An unlinked temporary file: the child writes to it, we read it back.
FileDescriptor anonymous_capture_file() {
  char path[] = "/tmp/golive-capture.XXXXXX";
  int fd = ::mkostemp(path, O_CLOEXEC);
  if (fd < 0) throw system_error("cannot create a capture file in /tmp", errno);
  ::unlink(path);
  return FileDescriptor(fd);
}

std::string read_all_from_start(const FileDescriptor& file) {
  std::string text;
  if (::lseek(file.get(), 0, SEEK_SET) < 0) return text;
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(file.get(), buffer, sizeof buffer);
    if (n > 0) {
      text.append(buffer, static_cast<size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      break;
    }
  }
  return text;
}

int decode_wait_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Polls for the child's exit until `deadline`. True with `status` filled in
// once it has exited; false if it is still running at the deadline.
bool wait_until(pid_t pid, std::chrono::steady_clock::time_point deadline, int& status) {
  auto pause = std::chrono::milliseconds(2);
  for (;;) {
    pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) return true;
    if (done < 0 && errno != EINTR) {
      status = 0;
      return true;  // already reaped elsewhere: nothing left to wait for
    }
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(pause, deadline - now));
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
}

}  // namespace

namespace {

constexpr std::size_t kShortOutputChars = 4000;
constexpr std::size_t kTailLines = 25;

bool explains_a_failure(const std::string& line) {
  // `golive run` prints "[FAIL] " and "[ERR]  "; probe commands print the
  // status word ("[fail]", "[error]"); a check's inconclusive verdict is in its
  // message. Compared without case so both spellings match.
  std::string lower(line.size(), ' ');
  std::transform(line.begin(), line.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char* prefix : {"[fail]", "[err]", "[error]", "verdict", "no-go", "error:", "golive:"}) {
    if (lower.rfind(prefix, 0) == 0) return true;
  }
  return lower.find("inconclusive") != std::string::npos && lower.rfind("[pass]", 0) != 0;
}

std::string digest_of(const std::string& name, const std::string& text) {
  if (text.size() <= kShortOutputChars) return "--- " + name + "\n" + text;
  std::vector<std::string> lines;
  std::string::size_type start = 0;
  while (start < text.size()) {
    const auto end = text.find('\n', start);
    lines.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  std::string out = "--- " + name + " (" + std::to_string(lines.size()) + " lines; the ones that are not passes)\n";
  for (const auto& line : lines) {
    if (explains_a_failure(line)) out += line + "\n";
  }
  out += "--- " + name + " (last " + std::to_string(kTailLines) + " lines)\n";
  for (std::size_t i = lines.size() > kTailLines ? lines.size() - kTailLines : 0; i < lines.size(); ++i) {
    out += lines[i] + "\n";
  }
  return out;
}

}  // namespace

std::string ProcessOutcome::digest() const {
  std::string out = "exit code " + std::to_string(exit_code) + (timed_out ? " (timed out)" : "") + "\n";
  out += digest_of("stdout", stdout_text);
  out += digest_of("stderr", stderr_text);
  return out;
}

ProcessOutcome run_process(const std::vector<std::string>& argv,
                           const std::map<std::string, std::string>& environment_overrides,
                           std::chrono::milliseconds timeout) {
  if (argv.empty()) throw std::invalid_argument("run_process: empty argv");
  FileDescriptor out = anonymous_capture_file();
  FileDescriptor err = anonymous_capture_file();
  SpawnFileActions actions;
  posix_spawn_file_actions_addopen(actions.get(), STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(actions.get(), out.get(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(actions.get(), err.get(), STDERR_FILENO);
  pid_t pid = spawn(argv, environment_overrides, actions);

  ProcessOutcome outcome;
  int status = 0;
  if (!wait_until(pid, std::chrono::steady_clock::now() + timeout, status)) {
    outcome.timed_out = true;
    ::kill(-pid, SIGKILL);
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  outcome.exit_code = decode_wait_status(status);
  outcome.stdout_text = read_all_from_start(out);
  outcome.stderr_text = read_all_from_start(err);
  return outcome;
}

ExitWatchdog::ExitWatchdog(const std::string& command, const std::vector<std::string>& arguments,
                           const std::map<std::string, std::string>& environment_overrides) {
  int ends[2];
  if (::pipe2(ends, O_CLOEXEC) != 0) throw system_error("cannot create the watchdog pipe", errno);
  FileDescriptor read_end(ends[0]);
  trigger_ = FileDescriptor(ends[1]);  // close-on-exec: no later child can hold it open

  SpawnFileActions actions;
  posix_spawn_file_actions_adddup2(actions.get(), read_end.get(), STDIN_FILENO);
  posix_spawn_file_actions_addopen(actions.get(), STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(actions.get(), STDOUT_FILENO, STDERR_FILENO);
  std::vector<std::string> argv{"/bin/sh", "-c", "cat >/dev/null; " + command};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  pid_ = spawn(argv, environment_overrides, actions);
}

bool ExitWatchdog::fire_and_wait(std::chrono::milliseconds timeout) {
  trigger_.reset();
  if (pid_ < 0) return true;
  int status = 0;
  if (!wait_until(pid_, std::chrono::steady_clock::now() + timeout, status)) return false;
  pid_ = -1;
  return true;
}

ExitWatchdog::~ExitWatchdog() { fire_and_wait(std::chrono::seconds(30)); }

LoopbackServerProcess::LoopbackServerProcess(std::vector<std::string> argv) {
  int out[2];
  if (pipe(out) != 0) return;
  std::vector<char*> raw;
  for (auto& arg : argv) raw.push_back(arg.data());
  raw.push_back(nullptr);
  pid_ = fork();
  if (pid_ == 0) {
    setpgid(0, 0);  // its own group: stopping it stops what it started
    dup2(out[1], 1);
    close(out[0]);
    close(out[1]);
    execvp(raw[0], raw.data());
    _exit(127);
  }
  close(out[1]);
  std::string line;
  char c = 0;
  while (read(out[0], &c, 1) == 1 && c != '\n') line += c;
  close(out[0]);
  announcement_ = nlohmann::json::parse(line, nullptr, false);
  if (announcement_.is_object() && announcement_.contains("port")) port_ = announcement_["port"].get<int>();
}

LoopbackServerProcess::~LoopbackServerProcess() {
  if (pid_ > 0) {
    kill(-pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
}

}  // namespace golive::testing
