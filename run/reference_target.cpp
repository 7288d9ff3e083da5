#include "run/reference_target.hpp"

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "run/run_options.hpp"
#include "core/input_error.hpp"
#include "core/random_id.hpp"
#include "http/request_evidence.hpp"

namespace golive::run {

namespace {
std::string script() { return golive_home() + "/scripts/reference-env"; }

// The reference target built with this golive binary (<build>/cli/golive ->
// <build>/fixtures/service/golive-reference-target), "" when there is none:
// a Debug golive must not start a Release tree's older target.
std::string reference_target_beside_this_binary() {
  std::error_code error;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) return "";
  const std::filesystem::path beside =
      self.parent_path().parent_path() / "fixtures" / "service" / "golive-reference-target";
  return access(beside.c_str(), X_OK) == 0 ? beside.string() : "";
}

}  // namespace

ShellResult run_shell(const std::string& command) {
  ShellResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return result;
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), buffer.size(), pipe)) result.output += buffer.data();
  int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

ReferenceTarget::ReferenceTarget(const std::vector<std::string>& defects) {
  ShellResult status = run_shell(http::shell_quote(script()) + " status");
  bool service_running = status.output.find("service: running") != std::string::npos;
  started_here_ = !service_running;
  // One run signs up users in several suites (e2e, contract, authz) from one
  // IP; the rate-limit probe still expects a 429 well inside its burst.
  setenv("GOLIVE_REF_RATE_LIMIT_PER_MINUTE", "25", /*overwrite=*/0);
  if (const std::string beside = reference_target_beside_this_binary(); !beside.empty()) {
    setenv("GOLIVE_REFERENCE_TARGET_BIN", beside.c_str(), /*overwrite=*/0);
  }
  std::string command = http::shell_quote(script()) + " up";
  for (const auto& defect : defects) command += " --defect " + http::shell_quote(defect);
  if (started_here_) {
    // Upstream fault injection (contract.ai_retry.*) needs the target to call
    // golive's stub; a target someone started by hand keeps its provider.
    ai_stub_ = std::make_unique<contract::AiProviderStub>();
    command += " --ai-provider-url " + http::shell_quote(ai_stub_->url());
    setenv("GOLIVE_AI_STUB_ADDRESS", ai_stub_->address().c_str(), /*overwrite=*/1);
    sentry_sink_ = std::make_unique<observability::SentrySink>("127.0.0.1", 0, core::random_hex(16));
    command += " --sentry-dsn " + http::shell_quote(sentry_sink_->dsn());
    setenv("GOLIVE_SENTRY_SINK_ADDRESS", sentry_sink_->address().c_str(), /*overwrite=*/1);
    setenv("GOLIVE_SENTRY_DSN", sentry_sink_->dsn().c_str(), /*overwrite=*/1);
  }
  std::cerr << "golive: starting the embedded reference target (scripts/reference-env up)\n";
  ShellResult up = run_shell(command);
  if (up.exit_code != 0) {
    throw core::InputError(script(), "", "could not start the reference target:\n" + up.output);
  }
}

ReferenceTarget::~ReferenceTarget() {
  if (!started_here_) return;
  ShellResult down = run_shell(http::shell_quote(script()) + " down");
  if (down.exit_code != 0) std::cerr << "golive: reference-env down failed:\n" << down.output;
  unsetenv("GOLIVE_AI_STUB_ADDRESS");
  unsetenv("GOLIVE_SENTRY_SINK_ADDRESS");
  unsetenv("GOLIVE_SENTRY_DSN");
}

std::unique_ptr<ReferenceTarget> start_embedded_target_unless_env(const CommonOptions& common,
                                                                  const std::vector<std::string>& defects) {
  if (common.env_file.empty()) return std::make_unique<ReferenceTarget>(defects);
  if (!defects.empty()) {
    throw core::InputError("--defect", "",
                           "seeded defects apply only to the embedded reference target (run "
                           "without --env)");
  }
  return nullptr;
}

std::unique_ptr<repo::ScratchAppRepo> materialise_embedded_app_repo_unless_env(
    const CommonOptions& common, const std::vector<std::string>& variants) {
  if (!common.env_file.empty()) {
    if (!variants.empty()) {
      throw core::InputError("--defect", "",
                             "app repository variants apply only to the embedded app repository (run "
                             "without --env)");
    }
    return nullptr;
  }
  auto scratch = std::make_unique<repo::ScratchAppRepo>(repo::default_app_repo_sources(golive_home()), variants);
  setenv("GOLIVE_APP_REPO", scratch->path().c_str(), /*overwrite=*/1);
  return scratch;
}

std::unique_ptr<observability::ScratchMonitoring> materialise_embedded_monitoring_unless_env(
    const CommonOptions& common, const std::vector<std::string>& variants) {
  if (variants.empty()) return nullptr;
  if (!common.env_file.empty()) {
    throw core::InputError("--defect", "",
                           "monitoring variants apply only to the embedded monitoring configuration "
                           "(run without --env)");
  }
  auto scratch = std::make_unique<observability::ScratchMonitoring>(golive_home(), variants);
  setenv("GOLIVE_MONITORING_DIR", scratch->path().c_str(), /*overwrite=*/1);
  return scratch;
}

}  // namespace golive::run
