// The "env" suite: facts about the environment itself, checked before any
// other suite runs. Its verdict on reachability decides exit code 3.
//   env.valid                    the file loaded and validated
//   env.target_reachable         base_url answers HTTP at all (any status)
//   env.database_reachable       database_url accepts a connection (skip without one)
//   env.secrets_not_hardcoded    secret-bearing keys come from ${VAR}, not the file (seed 001 R3.4)
//   env.stripe_key_mode          test keys outside production, never a live key in staging (R3.1)
#pragma once

#include "config/environment.hpp"
#include "core/result_stream.hpp"
#include "http/observing_client.hpp"

namespace golive::run {

struct EnvSuiteOutcome {
  bool target_reachable = false;
  bool database_reachable = false;
};

// `observer` (may be null) is told of the requests the checks send.
EnvSuiteOutcome run_env_suite(const config::Environment& env, core::ResultSink& sink,
                              http::RequestObserver* observer = nullptr);

}  // namespace golive::run
