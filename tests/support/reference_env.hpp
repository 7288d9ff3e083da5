// ReferenceEnv: the embedded reference target (PostgreSQL 15 with the
// fixtures/migrations schema, plus optionally the reference service) started
// by scripts/reference-env for one integration test binary, in a private
// temporary GOLIVE_STATE_DIR so test binaries never share or collide.
//
//   auto& env = golive::testing::shared_reference_env(ReferenceEnv::Options::database_only());
//   pqxx::connection db(env.database_url());
//
// Stopping is guaranteed: the destructor runs `reference-env down`, and an
// ExitWatchdog runs it too if the test process dies without destructors.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tests/support/child_process.hpp"

namespace golive::testing {

class ReferenceEnv {
 public:
  struct Options {
    bool with_service = true;           // false: database only (`up --no-service`)
    std::vector<std::string> defects;   // seeded defects, each passed as --defect NAME
    std::string ai_provider_url;        // --ai-provider-url; empty: the service's default
    std::string sentry_dsn;             // --sentry-dsn; empty: errors are not sent anywhere
    // Signup and login need the captcha test token (GOLIVE_REF_CAPTCHA_REQUIRED=1,
    // as the embedded `golive run` target); off by default for the tests.
    bool captcha_required = false;
    // Signup answers the bare unconfirmed user, no session (the service's
    // --auth-confirm-email: GoTrue with "Confirm email" on).
    bool auth_confirm_email = false;
    // "single" (one database, one service process) or "full" (replica,
    // pgBackRest, Redis, two instances behind nginx: scripts/reference-env).
    std::string topology = "single";

    bool operator==(const Options&) const = default;

    // The database alone: what schema and RLS tests need.
    static Options database_only() {
      Options options;
      options.with_service = false;
      return options;
    }
  };

  // Runs `reference-env up`. Throws std::runtime_error carrying the script's
  // stderr when it fails (and leaves nothing running).
  explicit ReferenceEnv(Options options);
  ReferenceEnv(const ReferenceEnv&) = delete;
  ReferenceEnv& operator=(const ReferenceEnv&) = delete;
  ~ReferenceEnv();

  // A KEY from state.env, e.g. GOLIVE_REF_DATABASE_URL. Read fresh on every
  // call; throws std::runtime_error when the key is absent or empty.
  std::string var(const std::string& key) const;
  std::string database_url() const;          // postgres superuser URL of golive_ref
  std::string service_database_url() const;  // authenticator URL of golive_ref
  std::string base_url() const;              // service URL; "" without service
  std::string state_dir() const { return state_dir_; }
  const Options& options() const { return options_; }

  // `reference-env up` again with new defects (the database keeps running;
  // the service restarts when the defect list or the captcha setting changes).
  void restart_service(const std::vector<std::string>& defects, bool captcha_required = false,
                       bool auth_confirm_email = false);

  // Writes <state_dir>/env.json: envs/local.json with vars_file pointing at
  // this target's state.env, and auth.captcha_required as this service runs.
  // Returns its path.
  std::string write_env_file() const;

  // Runs scripts/reference-env with `arguments` against this state dir, e.g.
  // {"status"}; for tests of the script itself.
  ProcessOutcome run_script(const std::vector<std::string>& arguments) const;

 private:
  std::vector<std::string> up_arguments() const;
  void up_or_throw();

  Options options_;
  std::string state_dir_;
  std::unique_ptr<ExitWatchdog> watchdog_;  // runs `down` if we die before the destructor
};

// One reference target per test binary, shared by all its tests: started on
// the first call, stopped at exit. Later calls must pass the same options
// (std::logic_error otherwise). A failed start is remembered and rethrown, so
// the remaining tests fail fast instead of retrying.
ReferenceEnv& shared_reference_env(const ReferenceEnv::Options& options = {});

// The path of scripts/reference-env in the source tree, or the value of
// GOLIVE_REFERENCE_ENV_SCRIPT when set (a copy with mutated fixtures).
std::string reference_env_script();

}  // namespace golive::testing
