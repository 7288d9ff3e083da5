// The app's environment files (.env.staging, .env.production; names from the
// "repo" section) against .env.example or a declared list of required names.
// Seed 001 R3 and seed 000 §1. Values are judged, never printed: a finding
// names the file, the line and the variable, and a value only by its length
// and (for Stripe keys) its mode prefix.
//   repo.env.required_vars          every required variable present and not empty
//   repo.env.secrets_are_references secret-named values are references (${{ secrets.X }},
//                                   vault:, op://, sm://, ${VAR}); no key-shaped literal
//   repo.env.stripe_key_mode        no Stripe live key in staging, no test key in production
//   repo.env.production_domain      production URLs (site, OAuth redirects) name the
//                                   production domain
#pragma once

#include <string>
#include <vector>

#include "core/result_stream.hpp"
#include "repo/repo_files.hpp"

namespace golive::repo {

struct EnvEntry {
  std::string name;
  std::string value;  // quotes removed
  int line = 0;
};

// KEY=VALUE lines; `export KEY=VALUE`; blank lines and # comments skipped.
std::vector<EnvEntry> parse_env_file(const std::string& text);

// The Stripe key mode a literal value's prefix shows: "live", "test" or "".
std::string stripe_key_mode(const std::string& value);

void check_env_files(const RepoSettings& settings, core::ResultSink& sink);

}  // namespace golive::repo
