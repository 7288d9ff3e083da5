#include "observability/observability_suite.hpp"

#include "observability/sentry_checks.hpp"

namespace golive::observability {

config::Capability observability_capability(const config::Environment& env) {
  config::Capability capability;
  capability.suite = "observability";
  const SentrySettings sentry = read_sentry_settings(env);
  capability.available = !sentry.sink_listen.empty();
  capability.detail = capability.available
                          ? "Sentry: the target's DSN points at golive's sink on " + sentry.sink_listen
                          : "set observability.sentry.sink_listen (the address the target's Sentry "
                            "DSN points at) to check its error events";
  return capability;
}

void run_observability_suite(const config::Environment& env, bool allow_production,
                             core::ResultSink& sink) {
  run_sentry_checks(env, allow_production, sink);
}

}  // namespace golive::observability
