// The RLS part of the security suite: the static catalog audit and
// the dynamic cross-user probes against env.database_url, streamed to a
// ResultSink. The lead wires run_rls_suite into `golive run`; the CLI's
// `golive probe rls` calls it too.
//
// Environment (all optional) under "security":
//   "exposed_schemas": ["public"]            schemas the API exposes
//   "rls_expectations": {"plans": "public_read_active", ...}
//        per table ("table" = public.table, or "schema.table"); tables not
//        named are inferred from their policies (rls_access_model.hpp). When
//        absent, security/rls_expectations.json (the reference schema's) is
//        used if the database holds every table it names, else all inferred
//   "probe_users": {"a": "<uuid>", "b": "<uuid>"}   else inferred from the data
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "config/environment.hpp"
#include "core/result_stream.hpp"

namespace golive::security {

struct RlsOptions {
  bool static_only = false;        // catalog audit only, no impersonated statements
  std::string expectations_file;   // "" = the shipped security/rls_expectations.json
};

// The validated "security" section as far as RLS is concerned.
struct RlsSettings {
  std::vector<std::string> exposed_schemas{"public"};
  nlohmann::json rls_expectations;  // object: table -> expectation name
  bool expectations_are_defaults = false;  // the shipped reference file, not the environment's
  std::string probe_user_a;         // "" = inferred
  std::string probe_user_b;
};

struct RlsSuiteOutcome {
  std::size_t checks = 0;
  std::size_t failed = 0;  // fail or error
  bool database_reachable = false;
  bool interrupted = false;
  double static_audit_ms = 0;   // wall time of the catalog audit, milliseconds
  double dynamic_probe_ms = 0;  // wall time of every table's probes, milliseconds
  // The `surface_coverage` meta record (reports/README.md): tables_probed and
  // tables_present, "schema.table" lists. Null for --static-only runs.
  nlohmann::json surface_coverage;
};

// Reads and validates env.sections["security"]; throws core::InputError
// naming the file and JSON pointer, including when database_url is empty.
RlsSettings read_rls_settings(const config::Environment& env, const RlsOptions& options);

// The expectations that apply to the database `txn` reads: the environment's
// own, or the shipped defaults only when every table they name exists (they
// describe the reference schema; on another schema a same-named table, e.g.
// profiles, means something else, and an empty object lets policies decide).
nlohmann::json applicable_expectations(pqxx::work& txn, const RlsSettings& settings);

// Runs the audit and the probes, recording every CheckResult in `sink`.
// Throws core::InputError for bad input; an unreachable database is a
// `security.rls.database` check with status error, not an exception.
RlsSuiteOutcome run_rls_suite(const config::Environment& env, const RlsOptions& options, core::ResultSink& sink);

// The shipped defaults: <source dir>/security/rls_expectations.json.
std::string default_rls_expectations_file();

// What this suite can do with `env`, and why not (see config::Capability).
config::Capability rls_capability(const config::Environment& env);

}  // namespace golive::security
