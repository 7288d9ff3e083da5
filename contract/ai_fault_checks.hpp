// Upstream fault injection: the target's AI provider answers with
// scripted faults from golive's AiProviderStub, and the checks verify the
// seed's policy (000 §3 "Max 3 retries with exponential backoff") from the
// provider's side, where the arrivals are measured:
//
//   contract.ai.retry_backoff    persistent 503: retried, at most 3 retries, the
//                                gaps between arrivals growing (see backoff_shortfalls)
//   contract.ai.dead_letter      ... and then the job is failed (dead-lettered)
//                                with error details: category, attempts, message
//   contract.ai.retry_recovers   503, 503, then healthy: the job completes on call 3
//   contract.ai.timeout_retried  no answer (the caller times out), then a slow
//                                body: the job completes on call 2
//
// Configuration (environment "contract" section): the target must already be
// configured to call the stub's address; golive cannot reconfigure a staging
// target. The key states that fact:
//
//   "contract": {"ai_provider_stub": {"listen": "127.0.0.1:48123", "job_timeout_ms": 30000}}
//
// An empty or absent "listen" skips the checks. The embedded target started
// by golive is pointed at a stub on a free port (run/reference_target.cpp
// exports its address as GOLIVE_AI_STUB_ADDRESS, read by envs/local.json).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/environment.hpp"
#include "core/result_stream.hpp"

namespace golive::contract {

struct AiStubConfig {
  std::string listen;  // "host:port" the target's AI provider URL points at; "" = off
  std::int64_t job_timeout_ms = 30000;  // how long one job may take to finish or dead-letter
};

// Reads contract.ai_provider_stub; InputError (file + pointer) when malformed.
AiStubConfig read_ai_stub_config(const config::Environment& env);

// Every check id, in run order.
const char* const* ai_fault_check_ids();

// Why the gaps between the provider's arrivals (ms, in order) are not an
// exponential backoff; empty when they are. The first gap must be at least
// 10 ms; each later gap at least 1.5x the one before, less 50 ms for the
// scheduling delay a busy machine adds to one arrival; and the last gap at
// least 1.5^(n-1) times the first, so a constant or barely growing delay
// fails however the jitter falls.
std::vector<std::string> backoff_shortfalls(const std::vector<double>& gaps_ms);

// Runs the checks (skips them when not configured, or on a production
// environment without allow_production), recording each in `sink`.
void run_ai_fault_checks(const config::Environment& env, bool allow_production,
                         core::ResultSink& sink);

}  // namespace golive::contract
