#include "run/suite_stages.hpp"

#include <iostream>

#include "run/openapi_conformance.hpp"
#include "run/run_coverage.hpp"
#include "browser/browser_suite.hpp"
#include "contract/ai_fault_checks.hpp"
#include "contract/schema_conformance.hpp"
#include "contract/stripe_replay_suite.hpp"
#include "core/interrupt.hpp"
#include "db/db_suite.hpp"
#include "e2e/e2e_suite.hpp"
#include "infra/infra_suite.hpp"
#include "load/load_settings.hpp"
#include "load/load_suite.hpp"
#include "repo/repo_suite.hpp"
#include "security/api_rls_matrix.hpp"
#include "security/api_rls_settings.hpp"
#include "security/http_security_suite.hpp"
#include "security/rls_suite.hpp"
#include "observability/observability_suite.hpp"

namespace golive::run {

namespace {

// A suite that cannot run with this environment is one skipped check that
// says why, so the report shows the gap instead of hiding it.
void record_skip(core::ResultSink& sink, const std::string& id, const std::string& suite,
                 const std::string& why) {
  core::CheckResult check;
  check.id = id;
  check.suite = suite;
  check.title = id;
  check.status = core::CheckStatus::kSkip;
  check.severity = core::Severity::kInfo;
  check.message = why;
  sink.record(check);
}

void run_rls_stage(const StageContext& stage) {
  const config::Environment& env = stage.env;
  core::ResultSink& sink = stage.sink;
  if (const config::Capability capability = security::rls_capability(env); !capability.available) {
    record_skip(sink, "security.rls", "security", capability.detail);
    return;
  }
  stage.coverage.note_table_coverage(
      security::run_rls_suite(env, security::RlsOptions{}, sink).surface_coverage);
}

void run_db_stage(const StageContext& stage) {
  const config::Environment& env = stage.env;
  core::ResultSink& sink = stage.sink;
  if (const config::Capability capability = db::db_capability(env); !capability.available) {
    record_skip(sink, "db.schema", "db", capability.detail);
    return;
  }
  db::DbSuiteOptions options;
  options.home = golive_home();
  db::run_db_suite(env, options, sink);
}

// The app's repository: files and history, plus one read of the routes the
// target declares (the same declaration as surface coverage), which the
// OpenAPI document is compared with.
void run_repo_stage(const StageContext& stage) {
  if (const config::Capability capability = repo::repo_capability(stage.env); !capability.available) {
    record_skip(stage.sink, "repo", "repo", capability.detail);
    return;
  }
  repo::RepoSettings settings = repo::read_repo_settings(stage.env);
  const Declaration declaration = declared_endpoints(stage.env);
  settings.declared_source = declaration.source;
  if (declaration.found) settings.declared_endpoints = declaration.endpoints;
  repo::run_repo_suite(settings, stage.sink);
}

void run_e2e_stage(const StageContext& stage) {
  const config::Environment& env = stage.env;
  core::ResultSink& sink = stage.sink;
  auto workflows = e2e::load_workflows(e2e::default_workflows_dir(golive_home()), {});
  e2e::E2eRunOptions options;
  options.jobs = 4;
  options.should_stop = [] { return core::interrupted(); };
  options.request_observer = stage.coverage.observer();
  // API schema conformance: every E2E response against its endpoint's schema.
  // A workflow that names an OpenAPI document ("openapi") is checked against
  // that document, as `golive e2e` does; every other workflow against
  // contract/schemas, or the environment's contract.openapi document.
  const OpenApiConformance named(workflows, env.base_url, stage.run_dir);
  contract::SchemaConformance conformance(
      contract::ResponseSchemas::for_environment(
          env, contract::default_schemas_dir(golive_home())),
      env.base_url);
  options.on_exchange = [&named, &conformance](const e2e::StepExchange& exchange) {
    if (named.observe(exchange)) return;
    conformance.observe(exchange.method, exchange.url, exchange.response,
                        std::string("e2e.") + std::string(exchange.workflow) + "." +
                            std::string(exchange.step),
                        exchange.reproduction);
  };
  e2e::run_e2e_suite(env, workflows, options, sink);
  conformance.record_results(sink);
  named.record_results(sink);
}

void run_contract_stage(const StageContext& stage) {
  const config::Environment& env = stage.env;
  core::ResultSink& sink = stage.sink;
  if (const config::Capability capability = contract::stripe_replay_capability(env);
      !capability.available) {
    record_skip(sink, "contract.stripe", "contract", capability.detail);
  } else {
    contract::ContractOptions options;
    options.events_dir = golive_home() + "/contract/events";
    options.request_observer = stage.coverage.observer();
    contract::validate_contract_run(env, options, stage.common.allow_production);
    contract::run_contract_suite(env, options, sink);
  }
  // Upstream fault injection: skipped unless contract.ai_provider_stub is set.
  contract::run_ai_fault_checks(env, stage.common.allow_production, sink);
}

// The API access matrix: the RLS tables through the API, compared with the
// database's own answer. It sends API traffic and writes (rows it deletes
// again), so it runs on its own, after the read-only stages.
void run_api_rls_stage(const StageContext& stage) {
  if (const config::Capability capability = security::api_rls_capability(stage.env); !capability.available) {
    record_skip(stage.sink, "security.api_rls", "security", capability.detail);
    return;
  }
  security::ApiRlsOptions options;
  const Declaration declaration = declared_endpoints(stage.env);
  options.declared = declaration.endpoints;
  options.declared_found = declaration.found;
  options.request_observer = stage.coverage.observer();
  const security::ApiRlsSettings settings = security::read_api_rls_settings(stage.env);
  options.users = settings.users;
  options.schemas = settings.schemas;
  stage.coverage.note_not_exercised(security::run_api_rls_matrix(stage.env, options, stage.sink).not_sent);
}

void run_http_security_stage(const StageContext& stage) {
  security::HttpSecurityOptions options;
  options.request_observer = stage.coverage.observer();
  security::run_http_security_suite(stage.env, options, stage.sink);
}

// The environment's load profile (default load/profiles/go-live.json): its
// threshold and SLA checks go to the sink, its per-scenario summaries (the
// report's charts) and SLA figures as meta records. One plain progress line
// every 5 s, so a CI log shows the stage is alive.
void run_load_stage(const StageContext& stage) {
  const config::Environment& env = stage.env;
  const CommonOptions& common = stage.common;
  core::ResultSink& sink = stage.sink;
  auto settings = load::read_load_stage_settings(env, golive_home());
  if (!settings.enabled) {
    record_skip(sink, "load", "load", "the environment's load.enabled is false: load stage skipped");
    return;
  }
  load::LoadOptions options;
  options.profile = load::load_profile(settings.profile, e2e::default_workflows_dir(golive_home()));
  options.threads = settings.threads;
  options.allow_production = common.allow_production;
  options.should_stop = [] { return core::interrupted(); };
  std::size_t ticks = 0;
  options.on_progress = [&](const load::LoadProgress& progress) {
    if (!common.quiet && ++ticks % 5 == 0) std::cout << "  load " << load::progress_line(progress) << "\n" << std::flush;
  };
  std::cout << "  profile " << options.profile.name << ": " << options.profile.description << "\n" << std::flush;
  auto outcome = load::run_load_suite(env, options, sink);
  for (const nlohmann::json& summary : outcome.load_summaries) sink.record_meta("load_summary", summary);
  sink.record_meta("sla", outcome.sla);
}

// Replicas, archiving, backups (with the restore drill in a scratch cluster),
// the cache, static assets and load balancing with the failover drill.
void run_infra_stage(const StageContext& stage) {
  if (const config::Capability capability = infra::infra_capability(stage.env); !capability.available) {
    record_skip(stage.sink, "infra", "infra", capability.detail);
    return;
  }
  infra::InfraOptions options;
  options.allow_production = stage.common.allow_production;
  infra::run_infra_suite(stage.env, options, stage.sink);
}

// Monitoring: provokes an error and checks what reached Sentry (skipped
// unless observability.sentry.sink_listen is set).
void run_observability_stage(const StageContext& stage) {
  observability::run_observability_suite(stage.env, stage.common.allow_production, stage.sink);
}

// The frontend in headless Chromium: legal pages, cookie consent, console and
// CSP errors, the loaded scripts, timings; screenshots go to the run directory.
void run_browser_stage(const StageContext& stage) {
  if (const config::Capability capability = browser::browser_capability(stage.env); !capability.available) {
    record_skip(stage.sink, "browser", "browser", capability.detail);
    return;
  }
  browser::BrowserOptions options;
  options.screenshot_dir = stage.run_dir;
  browser::run_browser_suite(stage.env, options, stage.sink);
}

}  // namespace

std::vector<SuiteStage> suite_stages() {
  // Read-only suites first; stages that write data come next, and the HTTP
  // security probes (rate-limit bursts) last. "env" always runs first inside
  // `golive run` and decides reachability.
  return {
      // The RLS probes (rolled-back transactions), the database checks
      // (catalog reads, drills in scratch databases) and the repository
      // audit run at the same time.
      {"security", false, run_rls_stage, true},
      {"db", true, run_db_stage, true},  // the rollback drill creates a scratch database
      {"repo", false, run_repo_stage, true},  // reads the app's repository; one GET of the declared routes
      // Before the stages that write: the restore drill compares row counts
      // with the primary. Its failover drill stops and restarts one instance.
      {"infra", false, run_infra_stage},  // read-only; its drills are gated on production themselves
      {"security", true, run_api_rls_stage},  // the API access matrix: writes rows, deletes them again
      {"e2e", true, run_e2e_stage},
      {"contract", true, run_contract_stage},
      {"security", true, run_http_security_stage},
      {"load", true, run_load_stage},  // last: it loads the target
      {"observability", true, run_observability_stage},  // after load: its events are not load noise
      {"browser", false, run_browser_stage},  // reads pages; requests outside the host policy are failed
  };
}

}  // namespace golive::run
