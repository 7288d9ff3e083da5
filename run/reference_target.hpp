// ReferenceTarget: starts the embedded reference target (scripts/reference-env
// up) for a run that was given no --env, and stops it again when the run
// ends, but only if this run started it: a target someone brought up by hand
// stays up.
#pragma once

#include "run/run_options.hpp"

#include <memory>
#include <string>
#include <vector>

#include "contract/ai_provider_stub.hpp"
#include "observability/monitoring_fixture.hpp"
#include "observability/sentry_sink.hpp"
#include "repo/app_repo_fixture.hpp"

namespace golive::run {

class ReferenceTarget {
 public:
  // Throws core::InputError (exit 2) when the script fails, with its stderr.
  explicit ReferenceTarget(const std::vector<std::string>& defects = {});
  ~ReferenceTarget();
  ReferenceTarget(const ReferenceTarget&) = delete;
  ReferenceTarget& operator=(const ReferenceTarget&) = delete;

  bool started_here() const { return started_here_; }

 private:
  bool started_here_ = false;
  // When this run starts the service: the AI provider it calls, a golive stub
  // on a free port (healthy unless a fault check scripts it); its address is
  // exported as GOLIVE_AI_STUB_ADDRESS for envs/local.json.
  std::unique_ptr<contract::AiProviderStub> ai_stub_;
  // ... and the Sentry DSN it sends errors to, on golive's sink (a free
  // port, a random key): exported as GOLIVE_SENTRY_SINK_ADDRESS and
  // GOLIVE_SENTRY_DSN for envs/local.json.
  std::unique_ptr<observability::SentrySink> sentry_sink_;
};

// The embedded reference target when the command was given no --env (null
// otherwise). Seeded defects apply only to it: with --env they are bad input.
std::unique_ptr<ReferenceTarget> start_embedded_target_unless_env(const CommonOptions& common,
                                                                  const std::vector<std::string>& defects);

// The embedded app repository (fixtures/app-repo as a git repository in a
// scratch folder, with the given variants) when the command was given no
// --env, exported as GOLIVE_APP_REPO for envs/local.json's "repo" section;
// null otherwise. Variants apply only to it: with --env they are bad input.
std::unique_ptr<repo::ScratchAppRepo> materialise_embedded_app_repo_unless_env(
    const CommonOptions& common, const std::vector<std::string>& variants);

// The embedded monitoring configuration with the given fixture variants
// (fixtures/monitoring in a scratch folder), exported as GOLIVE_MONITORING_DIR
// for envs/local.json's "observability" section; null without variants.
// Variants apply only to it: with --env they are bad input.
std::unique_ptr<observability::ScratchMonitoring> materialise_embedded_monitoring_unless_env(
    const CommonOptions& common, const std::vector<std::string>& variants);

// Runs a shell command, returning its exit code and combined output.
struct ShellResult {
  int exit_code = -1;
  std::string output;
};
ShellResult run_shell(const std::string& command);

}  // namespace golive::run
