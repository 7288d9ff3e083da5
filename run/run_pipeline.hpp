// The `golive run` pipeline: every suite stage (or those selected) against
// one environment, in the stage table's order and batches, after the env
// pre-flight stage. Production is refused before the first request;
// results stream to out/<run-id>/results.jsonl as they happen and every
// report is rendered from that stream at the end, interrupted or not.
//
//   run::RunRequest request;          // what the CLI parsed
//   request.common.env_file = "envs/staging.json";
//   int exit_code = run::run_pipeline(request);
#pragma once

#include <string>
#include <vector>

#include "run/run_options.hpp"

namespace golive::run {

struct RunRequest {
  CommonOptions common;
  std::vector<std::string> suites;   // env, e2e, security, contract, db, load; empty = all
  std::vector<std::string> defects;  // seeded defects of the embedded target (no --env only)
  std::string release;               // --release: the release under test, as the caller names it
  // --strict: a verifiable checklist item left unverified fails the gate
  // (also on with the environment's "checklist": {"strict": true}).
  bool strict = false;
};

// Runs and returns the process exit code (core::ExitCode). Throws
// core::InputError (exit 2) for a bad request or environment, before any
// traffic.
int run_pipeline(const RunRequest& request);

}  // namespace golive::run
