// Structured logs verified (seed 000 §4: "Log critical events: AI_RUN_START,
// AI_RUN_COMPLETE, PAYMENT_FAILED"): golive reads the target's log lines
// from the stage's start, finds the provoked events (the Sentry checks' AI job,
// and the stage's signed invoice.payment_failed webhook), and reads
// the JSON lines that arrive within timeout_ms:
//
//   observability.logs.critical_events  AI_RUN_START and AI_RUN_COMPLETE of the
//                                       provoked job, PAYMENT_FAILED of golive's event
//   observability.logs.fields           each carries its event name, a timestamp,
//                                       the environment's name, a job or user id
//                                       (payment: the Stripe event id or a user id)
//   observability.logs.no_pii           no email, password, token or secret in
//                                       any new line
//   observability.logs.correlated       the PAYMENT_FAILED line carries the
//                                       X-Request-Id golive sent with the webhook
//                                       (request_id, requestId, req_id, x_request_id,
//                                       trace_id or http.request_id), so a failed
//                                       request can be found in the logs
//
// The lines come from a LogSource (log_source.hpp): a file, a platform's log
// command or an HTTP log drain. The embedded target's log is its state
// directory's service.log (GOLIVE_REF_SERVICE_LOG in envs/local.json).
#pragma once

#include <string>
#include <vector>

#include "config/environment.hpp"
#include "core/result_stream.hpp"
#include "observability/log_source.hpp"
#include "observability/payment_failure.hpp"

namespace golive::observability {

const std::vector<std::string>& log_check_ids();

// Waits for the provoked events' lines and records the checks. `job_id` is
// the provoked AI job ("" when none ran), `payment` the failed payment the
// stage sent (payment_failure.hpp); `source` was opened when the stage began
// (nullptr: no source configured).
void run_log_checks(const config::Environment& env, const LogSettings& settings, LogSource* source,
                    const std::string& job_id, const ProvokedPayment& payment, core::ResultSink& sink);

}  // namespace golive::observability
