#include "observability/log_source.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "core/input_error.hpp"
#include "http/loopback_server.hpp"

namespace golive::observability {

namespace {

constexpr std::size_t kDrainBodyLimit = 16 * 1024 * 1024;       // one delivery, bytes
constexpr std::size_t kCommandOutputLimit = 64 * 1024 * 1024;    // kept of a command's output
constexpr auto kCommandStopGrace = std::chrono::milliseconds(2000);

// An object with no "event" whose message field is itself a JSON object:
// the application's line inside a platform's envelope.
nlohmann::json unwrapped(nlohmann::json object) {
  if (object.contains("event")) return object;
  for (const char* key : {"message", "msg", "log"}) {
    if (!object.contains(key) || !object[key].is_string()) continue;
    const std::string inner = object[key].get<std::string>();
    const std::size_t brace = inner.find('{');
    if (brace == std::string::npos) continue;
    nlohmann::json parsed = nlohmann::json::parse(inner.substr(brace), nullptr, false);
    if (parsed.is_object()) return parsed;
  }
  return object;
}

// ---- file ---------------------------------------------------------------

class FileLogSource final : public LogSource {
 public:
  explicit FileLogSource(std::string path) : path_(std::move(path)) {
    std::error_code ec;
    const std::uintmax_t size = std::filesystem::file_size(path_, ec);
    offset_ = ec ? 0 : size;
  }

  std::vector<nlohmann::json> lines() override {
    std::ifstream in(path_, std::ios::binary);
    if (!in) return {};
    in.seekg(static_cast<std::streamoff>(offset_));
    std::stringstream text;
    text << in.rdbuf();
    return json_log_objects(text.str());
  }

  std::string describe() const override { return "file " + path_; }

 private:
  std::string path_;
  std::uintmax_t offset_ = 0;  // bytes: where this stage's lines begin
};

// ---- command ------------------------------------------------------------

class CommandLogSource final : public LogSource {
 public:
  explicit CommandLogSource(std::string command) : command_(std::move(command)) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    pid_ = fork();
    if (pid_ < 0) {
      ::close(fds[0]);
      ::close(fds[1]);
      throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    }
    if (pid_ == 0) {
      // The child: its own process group (stopped as a whole), stdout to the
      // pipe, stdin from /dev/null, and gone when golive dies.
      setpgid(0, 0);
      prctl(PR_SET_PDEATHSIG, SIGTERM);
      dup2(fds[1], STDOUT_FILENO);
      const int null = ::open("/dev/null", O_RDONLY);
      if (null >= 0) dup2(null, STDIN_FILENO);
      execl("/bin/sh", "sh", "-c", command_.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    setpgid(pid_, pid_);
    ::close(fds[1]);
    read_fd_ = fds[0];
    reader_ = std::thread([this] { read_until_end(); });
  }

  ~CommandLogSource() override {
    kill(-pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + kCommandStopGrace;
    int status = 0;
    while (waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() >= deadline) {
        kill(-pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    // The group's other members (a pipeline's tail) may hold the pipe open.
    kill(-pid_, SIGKILL);
    if (reader_.joinable()) reader_.join();
    ::close(read_fd_);
  }

  std::vector<nlohmann::json> lines() override {
    std::lock_guard lock(mutex_);
    return json_log_objects(output_);
  }

  std::string describe() const override { return "command `" + command_ + "`"; }

 private:
  void read_until_end() {
    char buffer[8192];
    while (true) {
      const ssize_t got = ::read(read_fd_, buffer, sizeof buffer);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) return;
      std::lock_guard lock(mutex_);
      if (output_.size() < kCommandOutputLimit) output_.append(buffer, static_cast<std::size_t>(got));
    }
  }

  std::string command_;
  pid_t pid_ = -1;
  int read_fd_ = -1;
  std::mutex mutex_;  // guards output_
  std::string output_;
  std::thread reader_;
};

// ---- HTTP drain ---------------------------------------------------------

class DrainLogSource final : public LogSource {
 public:
  explicit DrainLogSource(const std::string& listen) {
    std::string host;
    std::uint16_t port = 0;
    if (!http::split_listen_address(listen, host, port, true)) {
      throw std::runtime_error("log drain address \"" + listen + "\" is not HOST:PORT");
    }
    server_ = std::make_unique<http::LoopbackServer>(
        "the log drain", host, port, kDrainBodyLimit, [this](const http::LoopbackRequest& request) {
          if (request.method != "POST") return http::LoopbackResponse{405, "text/plain", "POST only\n"};
          std::lock_guard lock(mutex_);
          ++deliveries_;
          for (auto& object : json_log_objects(request.body)) received_.push_back(std::move(object));
          return http::LoopbackResponse{200, "text/plain", "ok\n"};
        });
  }

  ~DrainLogSource() override { server_.reset(); }

  std::vector<nlohmann::json> lines() override {
    std::lock_guard lock(mutex_);
    return received_;
  }

  std::string describe() const override {
    std::lock_guard lock(mutex_);
    return "HTTP drain on " + server_->address() + " (" + std::to_string(deliveries_) + " deliveries)";
  }

 private:
  mutable std::mutex mutex_;  // guards deliveries_ and received_
  std::size_t deliveries_ = 0;
  std::vector<nlohmann::json> received_;
  std::unique_ptr<http::LoopbackServer> server_;  // last: stopped before the rest goes
};

}  // namespace

std::vector<nlohmann::json> json_log_objects(const std::string& text) {
  std::vector<nlohmann::json> objects;
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && text[first] == '[') {
    nlohmann::json array = nlohmann::json::parse(text, nullptr, false);
    if (array.is_array()) {
      for (auto& element : array) {
        if (element.is_object()) objects.push_back(unwrapped(std::move(element)));
      }
      return objects;
    }
  }
  std::istringstream split(text);
  std::string line;
  while (std::getline(split, line)) {
    const std::size_t brace = line.find('{');
    if (brace == std::string::npos) continue;
    nlohmann::json parsed = nlohmann::json::parse(line.substr(brace), nullptr, false);
    if (parsed.is_object()) objects.push_back(unwrapped(std::move(parsed)));
  }
  return objects;
}

LogSettings read_log_settings(const config::Environment& env) {
  LogSettings settings;
  const auto found = env.sections.find("observability");
  if (found == env.sections.end() || !found->second.contains("logs")) return settings;
  const core::JsonReader reader =
      core::JsonReader(found->second, env.source_file, "/observability").at("logs");
  reader.as_object();
  reader.reject_unknown_keys({"file", "command", "drain_listen", "timeout_ms"});
  settings.file = reader.string_or("file", "");
  settings.command = reader.string_or("command", "");
  settings.drain_listen = reader.string_or("drain_listen", "");
  const int sources = !settings.file.empty() + !settings.command.empty() + !settings.drain_listen.empty();
  if (sources > 1) reader.fail("names more than one log source: keep one of file, command and drain_listen");
  std::string host;
  std::uint16_t port = 0;
  if (!settings.drain_listen.empty() && !http::split_listen_address(settings.drain_listen, host, port)) {
    reader.at("drain_listen").fail("must be HOST:PORT with a port 1..65535");
  }
  if (reader.has("timeout_ms")) {
    settings.timeout_ms = reader.at("timeout_ms").as_integer();
    if (settings.timeout_ms < 100) reader.at("timeout_ms").fail("must be at least 100");
  }
  return settings;
}

std::unique_ptr<LogSource> LogSource::open(const LogSettings& settings) {
  if (!settings.file.empty()) return std::make_unique<FileLogSource>(settings.file);
  if (!settings.command.empty()) return std::make_unique<CommandLogSource>(settings.command);
  if (!settings.drain_listen.empty()) return std::make_unique<DrainLogSource>(settings.drain_listen);
  return nullptr;
}

}  // namespace golive::observability
