// The observability suite: monitoring verified, not assumed. Today: a
// provoked error's Sentry event (sentry_checks.hpp) and the Prometheus
// metrics scraped around it (metrics_checks.hpp). `golive run` runs it as the
// "observability" stage, `golive probe observability` alone.
#pragma once

#include "config/environment.hpp"
#include "core/result_stream.hpp"

namespace golive::observability {

// What the suite can check with this environment, and why not when it cannot.
config::Capability observability_capability(const config::Environment& env);

void run_observability_suite(const config::Environment& env, bool allow_production,
                             core::ResultSink& sink);

}  // namespace golive::observability
