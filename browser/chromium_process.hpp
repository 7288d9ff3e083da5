// ChromiumProcess: one headless Chromium started by golive and owned by this
// object (RAII). It runs in a fresh temporary profile directory, listens for
// the DevTools protocol on a free loopback port that Chromium picks itself
// (--remote-debugging-port=0; the port and the browser's WebSocket path are
// read from DevToolsActivePort in the profile), and gets --no-sandbox only
// when golive runs as root (Chromium's sandbox refuses root). The destructor
// stops it by its PID (SIGTERM, then SIGKILL to its process group after a
// grace period), reaps it and removes the profile directory. If golive itself
// is killed without unwinding, the kernel kills the browser too
// (PR_SET_PDEATHSIG); only its temporary profile directory is then left.
//
//   auto browser = ChromiumProcess::start({"chromium"}, std::chrono::seconds(15));
//   if (!browser.ok()) ... browser.error() ...
//   connect to browser.websocket_url()
#pragma once

#include <chrono>
#include <string>
#include <sys/types.h>
#include <vector>

namespace golive::browser {

class ChromiumProcess {
 public:
  // `candidates`: executables tried in order ("/abs/path" or a name in PATH).
  // Never throws: a failure is ok() == false with error() saying why.
  static ChromiumProcess start(const std::vector<std::string>& candidates,
                               std::chrono::milliseconds startup_deadline);

  ChromiumProcess(ChromiumProcess&& other) noexcept;
  ChromiumProcess& operator=(ChromiumProcess&&) = delete;
  ChromiumProcess(const ChromiumProcess&) = delete;
  ChromiumProcess& operator=(const ChromiumProcess&) = delete;
  ~ChromiumProcess();

  bool ok() const { return pid_ > 0 && !websocket_url_.empty(); }
  const std::string& error() const { return error_; }
  bool missing() const { return missing_; }  // no executable was found at all
  pid_t pid() const { return pid_; }
  const std::string& executable() const { return executable_; }
  const std::string& profile_dir() const { return profile_dir_; }
  unsigned short port() const { return port_; }
  // "ws://127.0.0.1:PORT/devtools/browser/<id>"
  const std::string& websocket_url() const { return websocket_url_; }
  // True while the process has not exited (a crash makes it false).
  bool running() const;
  // Stops the browser now (idempotent); the destructor calls it.
  void stop();

 private:
  ChromiumProcess() = default;

  pid_t pid_ = -1;
  bool missing_ = false;
  unsigned short port_ = 0;
  std::string executable_;
  std::string profile_dir_;
  std::string websocket_url_;
  std::string error_;
  mutable bool reaped_ = false;
};

}  // namespace golive::browser
