// Environment: one JSON file describes one target (local, staging, prod).
// Values may be "${VAR}" (or "${VAR:-default}", or embedded in a longer
// string); they are read from the process environment, falling back to the
// optional `vars_file` (KEY=VALUE lines, e.g. the reference target's state).
// Every missing variable is reported in one error. Values of secret-bearing
// keys are registered with the Redactor as they are resolved.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "config/host_policy.hpp"
#include "config/tls_settings.hpp"
#include "core/redactor.hpp"

namespace golive::config {

struct ApiPaths {
  std::string auth = "/auth/v1";
  std::string rest = "/rest/v1";
  std::string functions = "/functions/v1";
  std::string storage = "/storage/v1";
};

struct StripeSettings {
  std::string webhook_url;     // full URL; defaults to base_url + functions + "/stripe-webhook"
  std::string webhook_secret;  // whsec_...; never printed
  std::string secret_key;      // sk_test_... (optional); an sk_live_ key is refused for replay
  // "observe": how replay sees what a delivery changed (sql, http or none);
  // kept as parsed JSON and validated by the contract suite. Null = absent.
  nlohmann::json observe;
};

struct TestUser {
  std::string email;
  std::string password;
};

// A user the target issued a bearer token for ahead of the run (auth.kind "tokens").
struct IssuedToken {
  std::string token;    // the bearer token, usually ${VAR}; registered with the redactor
  std::string user_id;  // the id the target knows the user by (owner column, JWT sub)
};

// What a login workflow yielded for one user (auth.kind "workflow").
struct WorkflowLogin {
  std::string token;    // the workflow's `token` capture
  std::string user_id;  // its `user_id` capture
  std::string error;    // why there is no token; empty on success
  bool unreachable = false;  // the login endpoint never answered
};

struct AuthSettings {
  // How suites obtain test users: "supabase" (signup or password login on the
  // auth paths), "tokens" (pre-issued bearer tokens, no signup, no login) or
  // "workflow" (a login workflow file yielding `token` and `user_id`
  // captures: Auth0, Clerk, NextAuth, Firebase, custom logins).
  std::string kind = "supabase";
  std::vector<IssuedToken> tokens;   // kind "tokens": user A, user B, ...
  std::string workflow;              // kind "workflow": the file, resolved against the env file
  // kind "workflow": runs the login for test user #index. Set by run/ (which
  // may use the workflow runner); empty where nothing set it.
  std::function<WorkflowLogin(std::size_t index)> log_in;
  bool signup_enabled = true;        // suites may create and delete their own users
  bool captcha_required = false;     // signup and login need a captcha token
  std::string captcha_token;         // a test token the target accepts
  std::vector<TestUser> test_users;  // pre-existing users, when signup is off
  bool declared = false;             // the file has an "auth" section: users are expected
};

struct SlaTargets {
  double availability = 0.999;  // success ratio target over a run
  double p95_ms = 500;          // latency SLO, milliseconds
  double p99_ms = 1500;         // latency SLO, milliseconds
};

struct SafetyLimits {
  double max_rps = 0;                      // 0 = no cap; requests per second across all workers
  std::vector<std::string> allowed_hosts;  // empty = the host of base_url only
};

// The "release" section: how golive learns which release it verifies.
struct ReleaseSettings {
  // A path on base_url (or an absolute URL) answering the deployed release:
  // a JSON object with "version" (and optionally "commit"), or plain text.
  // Empty: the release is only known from --release.
  std::string version_url;
};

// The "checklist" section: how the go-live checklist gates a run.
struct ChecklistSettings {
  bool strict = false;  // a verifiable item left unverified fails the gate (as --strict)
};

struct Environment {
  std::string source_file;  // where it was loaded from, for messages
  std::string name;
  bool production = false;
  std::string base_url;  // no trailing slash
  ApiPaths paths;
  std::string anon_key;
  std::string service_role_key;  // optional; enables service-role checks
  std::string jwt_secret;        // optional; enables JWT forging probes
  std::string database_url;      // optional; enables RLS and schema probes
  StripeSettings stripe;
  AuthSettings auth;
  SlaTargets sla;
  SafetyLimits safety;
  ReleaseSettings release;
  ChecklistSettings checklist;
  // Suite-specific sections, validated by their suites: "e2e", "load",
  // "security", "contract", "db". Kept as parsed JSON with their pointers.
  std::map<std::string, nlohmann::json> sections;
  // JSON pointers of secret-bearing keys whose value is written literally in
  // the file instead of coming from a ${VAR} (secrets belong in a vault).
  std::vector<std::string> literal_secret_pointers;
  // Secret values that came from a ${VAR}, with the variable's name: how a
  // reproduction (http/request_evidence.hpp) writes "$VAR" instead of a value.
  std::vector<std::pair<std::string, std::string>> secret_variables;

  TlsSettings tls;  // the "tls" section: trust, client certificate, verification
  // Built once at load from base_url and safety.allowed_hosts; every client
  // asks it whether a URL may be sent. Never null after load_environment.
  std::shared_ptr<const HostPolicy> host_policy;

  std::string url(const std::string& path) const { return base_url + path; }
};

using VariableLookup = std::function<std::optional<std::string>(const std::string&)>;

// The process environment.
VariableLookup process_variables();

// Loads, resolves and validates. Throws InputError (exit code 2) naming the
// file and pointer, or listing every missing variable at once.
Environment load_environment(const std::string& path, const VariableLookup& lookup,
                             core::Redactor& redactor);

// Parses KEY=VALUE lines (blank lines and # comments ignored).
std::map<std::string, std::string> read_vars_file(const std::string& path);

// What one suite can do with an environment, e.g. {"security.rls", false,
// "no database_url: RLS probes will be skipped"}. Each suite declares its
// own (next to its entry point); run/capabilities.hpp lists them all for
// `golive env check`, and `golive run` skips a stage with its detail.
struct Capability {
  std::string suite;
  bool available;
  std::string detail;
};

// Refuses destructive or load work on a production environment unless the
// user passed --allow-production. Throws InputError naming the file.
void require_non_production(const Environment& env, bool allow_production,
                            const std::string& activity);

}  // namespace golive::config
