// Structured logs verified (seed 000 §4: "Log critical events: AI_RUN_START,
// AI_RUN_COMPLETE, PAYMENT_FAILED"): golive follows the target's log file
// from the stage's start, provokes the events (the Sentry checks' AI job, and
// a signed invoice.payment_failed webhook with its own event id), and reads
// the JSON lines that arrive within timeout_ms:
//
//   observability.logs.critical_events  AI_RUN_START and AI_RUN_COMPLETE of the
//                                       provoked job, PAYMENT_FAILED of golive's event
//   observability.logs.fields           each carries its event name, a timestamp,
//                                       the environment's name, a job or user id
//                                       (payment: the Stripe event id or a user id)
//   observability.logs.no_pii           no email, password, token or secret in
//                                       any new line
//
//   "observability": {"logs": {"file": "/var/log/api/events.log", "timeout_ms": 10000}}
//
// The embedded target's log is its state directory's service.log
// (GOLIVE_REF_SERVICE_LOG in envs/local.json).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/environment.hpp"
#include "core/result_stream.hpp"

namespace golive::observability {

struct LogSettings {
  std::string file;                // "" = off
  std::int64_t timeout_ms = 10000;
};

LogSettings read_log_settings(const config::Environment& env);

const std::vector<std::string>& log_check_ids();

// The log file's size now: where the stage's lines begin (0 when it does not exist).
std::uintmax_t log_offset(const LogSettings& settings);

// Sends the failed payment, waits for the lines and records the checks.
// `job_id` is the provoked AI job ("" when none ran).
void run_log_checks(const config::Environment& env, const LogSettings& settings,
                    std::uintmax_t offset, const std::string& job_id, core::ResultSink& sink);

}  // namespace golive::observability
