// `golive probe observability`: monitoring verified, not assumed
// (observability/observability_suite.hpp). Provokes an error the seed cares
// about (a dead-lettered AI job) and checks the Sentry event the target sends
// to the sink its DSN points at. With no --env, the embedded reference target
// is started with a DSN on golive's sink (and stopped after, if this run
// started it).
#include <memory>
#include <optional>

#include "cli/command_context.hpp"
#include "cli/probe_families.hpp"
#include "core/interrupt.hpp"
#include "observability/alert_rule_checks.hpp"
#include "observability/monitoring_config.hpp"
#include "observability/monitoring_fixture.hpp"
#include "observability/observability_suite.hpp"
#include "run/reference_target.hpp"
#include "run/run_session.hpp"

namespace golive::cli {

namespace {

struct ObservabilityProbeOptions {
  run::CommonOptions common;
  std::vector<std::string> defects;  // embedded target only
};

int execute_observability_probe(const ObservabilityProbeOptions& options) {
  core::install_interrupt_handlers();
  std::vector<std::string> service_defects;
  std::vector<std::string> monitoring_variants;
  for (const auto& defect : options.defects) {
    (observability::is_monitoring_variant(defect) ? monitoring_variants : service_defects).push_back(defect);
  }
  auto embedded = run::start_embedded_target_unless_env(options.common, service_defects);
  auto monitoring = run::materialise_embedded_monitoring_unless_env(options.common, monitoring_variants);
  const config::Environment env = run::load_selected_environment(options.common);
  observability::require_parsable_alert_rules(observability::read_monitoring_config(env));
  run::RunSession session(options.common, env, {"observability"}, run::probe_check_line);
  observability::run_observability_suite(env, options.common.allow_production, session.sink());
  return session.finish_probe(core::interrupted(), options.common.format == "json");
}

}  // namespace

void register_probe_observability(CLI::App& probe, int& exit_code) {
  auto options = std::make_shared<ObservabilityProbeOptions>();
  auto* command = probe.add_subcommand(
      "observability",
      "Provoke an error and check the Sentry event the target sends (context, stack trace, no "
      "PII), and the Prometheus metrics scraped around it");
  add_common_options(*command, options->common, /*sarif_format=*/true);
  command->add_option("--defect", options->defects,
                      "Embedded target only: switch on a seeded defect (repeatable)");
  command->footer(
      "Checks:\n"
      "  observability.sentry.delivered    the dead-lettered AI job's event reaches the sink\n"
      "                                    within observability.sentry.timeout_ms (10000)\n"
      "  observability.sentry.context      environment, user.id, course_id, release\n"
      "  observability.sentry.stacktrace   an exception with stack frames\n"
      "  observability.sentry.no_pii       no email, password, token or secret in it\n"
      "  observability.metrics.scrape      observability.metrics.url answers exposition text\n"
      "  observability.metrics.lint        promtool check metrics is clean\n"
      "  observability.metrics.required    request, latency, AI and business metrics exported\n"
      "  observability.metrics.moves       counters grew by golive's requests and AI jobs\n"
      "  observability.alerts.*            promtool check rules, metrics exported, quiet when\n"
      "                                    healthy, fires.{error_ratio,latency_p99,target_down}\n"
      "  observability.alertmanager.*      amtool check-config, critical alerts routed to email/Slack\n"
      "  observability.dashboards.*        panels read exported metrics, datasource, seed panels\n"
      "  observability.logs.*              AI_RUN_START, AI_RUN_COMPLETE, PAYMENT_FAILED logged\n"
      "                                    with their fields, correlated, no secrets\n"
      "  observability.uptime.*            the uptime monitor (observability.watch) runs its probes\n"
      "                                    and they succeed within sla.availability\n"
      "Sentry checks are skipped unless observability.sentry.sink_listen names the address the\n"
      "target's DSN points at, metrics checks unless observability.metrics.url is set (the\n"
      "embedded target has both).\n"
      "Examples:\n"
      "  golive probe observability\n"
      "  golive probe observability --defect sentry-no-context\n"
      "  golive probe observability --defect alert-never-fires\n"
      "  golive probe observability --env envs/staging.json\n"
      "Exit codes: 0 pass, 1 a check failed, 2 bad input (a malformed sink_listen or dsn, an\n"
      "alert rule file that is not YAML: its file and line are named).");
  command->callback([options, &exit_code] { exit_code = execute_observability_probe(*options); });
}

}  // namespace golive::cli
