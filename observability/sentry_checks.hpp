// Sentry verified, not assumed (seed 000 §4, 001 R5.4): golive provokes an
// error the seed cares about, a dead-lettered AI job (a test user's course,
// an extract-topics job whose input holds MOCK_AI_FAIL: the reference
// target's mock provider and golive's AI provider stub answer it with 503
// until the job is failed), and watches the Sentry sink the target's DSN
// points at:
//
//   observability.sentry.delivered   an event about that job arrives within
//                                    timeout_ms, with the DSN's key
//   observability.sentry.context     environment = the environment's name,
//                                    user.id = the test user, course_id = the
//                                    job's course, a release
//   observability.sentry.stacktrace  an exception with stack trace frames
//   observability.sentry.no_pii      no email, password, bearer token or
//                                    secret (whsec_, sk_...) anywhere in it
//
// Configuration (environment "observability" section); golive cannot
// reconfigure a staging target's DSN, so the key states that it points here:
//
//   "observability": {"sentry": {"sink_listen": "127.0.0.1:48200",
//                                "dsn": "${SENTRY_DSN}", "timeout_ms": 10000}}
//
// "dsn" (optional) is the DSN the target uses: its public key is required of
// every delivery. An empty or absent sink_listen skips the checks, naming the
// key. The embedded target started by golive is given a DSN on a sink of a
// free port (run/reference_target.cpp exports GOLIVE_SENTRY_SINK_ADDRESS and
// GOLIVE_SENTRY_DSN, read by envs/local.json).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/environment.hpp"
#include "core/result_stream.hpp"
#include "observability/sentry_api.hpp"

namespace golive::observability {

struct SentrySettings {
  std::string sink_listen;           // "host:port" the target's DSN points at; "" = off
  std::string dsn;                   // the target's DSN ("" = any key accepted)
  std::int64_t timeout_ms = 10000;   // from the job's submission to the event's arrival
  SentryApiSettings api;             // where to find events when the DSN points at real Sentry

  // The checks run with a sink (sink_listen) or, without one, through the API.
  bool configured() const { return !sink_listen.empty() || api.configured(); }
};

// Reads observability.sentry; InputError (file + pointer) when malformed.
SentrySettings read_sentry_settings(const config::Environment& env);

// Every check id, in run order.
const std::vector<std::string>& sentry_check_ids();

// What the provocation did, for the metrics and log checks.
struct SentryOutcome {
  int jobs_finished = 0;  // AI jobs run to their end (1 when the event arrived)
  std::string job_id;     // the provoked job ("" when none was submitted)
  std::string user_id;    // its test user (deleted again by now)
};

// Runs the checks (skipped when not configured, or on a production
// environment without allow_production), recording each in `sink`.
SentryOutcome run_sentry_checks(const config::Environment& env, bool allow_production,
                                core::ResultSink& sink);

}  // namespace golive::observability
