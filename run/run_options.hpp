// What every run of golive is told by its caller: which environment, where
// reports go, how the console reads, and whether production may be touched.
// The CLI fills it from flags; tests fill it directly.
#pragma once

#include <string>

#include "config/environment.hpp"
#include "core/waivers.hpp"

namespace golive::run {

struct CommonOptions {
  std::string env_file;           // empty = the embedded reference target (envs/local.json)
  std::string out_dir = "out";    // reports go to out/<run-id>/
  std::string format = "text";    // console format: text | json
  bool quiet = false;
  bool allow_production = false;  // permits destructive or load work on production
  std::string waivers_file;       // --waivers; empty: the environment's "waivers", else ./golive.waivers.json
  std::string fail_on;            // --fail-on critical|high|medium|low; empty: every failure fails the gate
};

// The waivers of a run (core/waivers.hpp): --waivers FILE, else the
// environment's "waivers" (a path relative to the environment file, or the
// list itself), else golive.waivers.json in the working directory when it
// exists; none otherwise. Throws core::InputError naming the file and the
// JSON pointer of a bad entry.
core::WaiverSet resolve_waivers(const CommonOptions& options, const config::Environment* env);

// The repository root (GOLIVE_HOME, else the source dir compiled in).
std::string golive_home();

// The environment file to use: --env, or envs/local.json of the repository.
std::string resolve_env_file(const CommonOptions& options);

// Loads the environment with process variables, registering its secrets
// with the global redactor. Throws core::InputError.
config::Environment load_selected_environment(const CommonOptions& options);

}  // namespace golive::run
