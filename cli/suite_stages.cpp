#include "cli/suite_stages.hpp"

#include "contract/stripe_replay_suite.hpp"
#include "core/interrupt.hpp"
#include "db/db_suite.hpp"
#include "e2e/e2e_suite.hpp"
#include "security/http_security_suite.hpp"
#include "security/rls_suite.hpp"

namespace golive::cli {

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

void run_rls_stage(const core::Environment& env, const CommonOptions&, core::ResultSink& sink) {
  if (env.database_url.empty()) {
    record_skip(sink, "security.rls", "security", "no database_url: RLS probes skipped");
    return;
  }
  security::run_rls_suite(env, security::RlsOptions{}, sink);
}

void run_db_stage(const core::Environment& env, const CommonOptions&, core::ResultSink& sink) {
  if (env.database_url.empty()) {
    record_skip(sink, "db.schema", "db", "no database_url: schema and migration checks skipped");
    return;
  }
  db::DbSuiteOptions options;
  options.home = golive_home();
  db::run_db_suite(env, options, sink);
}

void run_e2e_stage(const core::Environment& env, const CommonOptions&, core::ResultSink& sink) {
  auto workflows = e2e::load_workflows(e2e::default_workflows_dir(golive_home()), {});
  e2e::E2eRunOptions options;
  options.jobs = 4;
  options.should_stop = [] { return core::interrupted(); };
  e2e::run_e2e_suite(env, workflows, options, sink);
}

void run_contract_stage(const core::Environment& env, const CommonOptions& common,
                        core::ResultSink& sink) {
  if (env.stripe.webhook_secret.empty()) {
    record_skip(sink, "contract.stripe", "contract",
                "no stripe.webhook_secret: webhook replay skipped");
    return;
  }
  contract::ContractOptions options;
  options.events_dir = golive_home() + "/contract/events";
  contract::validate_contract_run(env, options, common.allow_production);
  contract::run_contract_suite(env, options, sink);
}

void run_http_security_stage(const core::Environment& env, const CommonOptions&,
                             core::ResultSink& sink) {
  security::run_http_security_suite(env, security::HttpSecurityOptions{}, sink);
}

}  // namespace

std::vector<SuiteStage> suite_stages() {
  // Read-only suites first; stages that write data come next, and the HTTP
  // security probes (rate-limit bursts) last. "env" always runs first inside
  // `golive run` and decides reachability.
  return {
      {"security", false, run_rls_stage},
      {"db", true, run_db_stage},  // the rollback drill creates a scratch database
      {"e2e", true, run_e2e_stage},
      {"contract", true, run_contract_stage},
      {"security", true, run_http_security_stage},
  };
}

}  // namespace golive::cli
