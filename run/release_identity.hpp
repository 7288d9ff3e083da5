// What a run verifies: the release under test, the environment it ran
// against and a hash of the environment file. A GO must say for what, so
// `golive run` records this in run_start and every report prints it.
//
// The release comes from --release when given, else from the environment's
// release.version_url (GET on base_url: a JSON object's "version", plus
// "commit" when present, or the first line of a text body).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "config/environment.hpp"
#include "core/check_result.hpp"
#include "http/observing_client.hpp"

namespace golive::run {

struct ReleaseIdentity {
  std::string version;      // "1.4.2 (commit 9f3c2e1)"; empty when unknown
  std::string source;       // "--release", the version URL, or empty
  std::string problem;      // why the version URL did not answer a version; empty otherwise
  std::string env_file;     // the environment file as given
  std::string env_sha256;   // SHA-256 of its bytes, lowercase hex; empty when unreadable
};

// Reads the release (one GET at most, 10 s timeout; `observer`, may be null,
// is told of it) and hashes the file.
ReleaseIdentity identify_release(const config::Environment& env, const std::string& release_flag,
                                 http::RequestObserver* observer = nullptr);

// The version a version endpoint's body names: JSON {"version", "commit"}
// (also "release", "git_sha"), else the body's first line, at most 120
// characters; "" when the body names none.
std::string version_from_body(const std::string& body);

// run_start members: {"release": {...}, "environment": {...}}.
nlohmann::json release_run_start_fields(const ReleaseIdentity& identity);

// env.release_identified: pass with the version, fail when the configured
// version URL did not answer one, skip when neither --release nor
// release.version_url is set.
core::CheckResult release_check(const ReleaseIdentity& identity);

}  // namespace golive::run
