// The environment's "load" section: which profile the load stage of
// `golive run` runs against this environment, and with how many threads.
//   "load": {"profile": "load/profiles/go-live.json", "threads": 2, "enabled": true}
// Relative paths are relative to the golive home (the repository).
#pragma once

#include <cstdint>
#include <string>

#include "config/environment.hpp"

namespace golive::load {

struct LoadStageSettings {
  std::string profile;        // default <home>/load/profiles/go-live.json
  std::uint32_t threads = 2;  // worker threads, one HTTP engine each
  bool enabled = true;        // false: the stage records a skip (e.g. a shared staging)
};

// Throws core::InputError naming the environment file and the JSON pointer.
LoadStageSettings read_load_stage_settings(const config::Environment& env, const std::string& home);

}  // namespace golive::load
