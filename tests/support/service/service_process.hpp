// Runs golive-reference-target directly (not through scripts/reference-env)
// against a ReferenceEnv's database, for what the script cannot pass: custom
// flags (--captcha-required, --rate-limit-per-minute, --cors-origin), exit
// codes, signal handling and start-up time. The child dies with the test
// process (PR_SET_PDEATHSIG) and is stopped by the destructor.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace golive::testing {

class ReferenceEnv;

// The service binary of this build tree (compile definition), or
// GOLIVE_REFERENCE_TARGET_BIN when set.
std::string reference_service_binary();

class ServiceProcess {
 public:
  // Starts `binary --listen 127.0.0.1:0 --port-file F --database-url ...
  // --admin-database-url ... <extra_arguments>` with the env's JWT and
  // webhook secrets, and waits (up to 30 s) for the port file. Throws
  // std::runtime_error with the service's log when it exits or never listens.
  ServiceProcess(const ReferenceEnv& env, const std::vector<std::string>& extra_arguments,
                 const std::map<std::string, std::string>& environment = {});
  ServiceProcess(const ServiceProcess&) = delete;
  ServiceProcess& operator=(const ServiceProcess&) = delete;
  ~ServiceProcess();

  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // Fork to port file written, milliseconds.
  double startup_ms() const { return startup_ms_; }
  // SIGTERM, then wait up to `timeout`; returns the exit code (128 + signal
  // when killed; -1 when it had to be SIGKILLed after the timeout).
  int stop(std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));
  bool running() const { return pid_ > 0; }
  // Everything the service wrote to stdout and stderr so far.
  std::string log() const;
  std::string port_file() const { return directory_ + "/service.port"; }

 private:
  std::string directory_;  // private temp dir: port file and log
  pid_t pid_ = -1;
  int port_ = 0;
  double startup_ms_ = 0;
};

// Runs the binary with `arguments` to completion (it is expected to exit by
// itself, e.g. on bad input) and returns {exit code, stdout + stderr}.
struct ServiceExit {
  int exit_code = -1;
  std::string output;
};
ServiceExit run_service_to_exit(const std::vector<std::string>& arguments,
                                const std::map<std::string, std::string>& environment);

}  // namespace golive::testing
