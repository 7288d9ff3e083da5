// API schema conformance against the real reference target: every response
// of the shipped E2E workflows, observed through e2e's ExchangeObserver hook,
// conforms to its endpoint's schema in contract/schemas, and the endpoints
// the journeys use are all covered.
#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <map>

#include "contract/response_schemas.hpp"
#include "contract/schema_conformance.hpp"
#include "config/environment.hpp"
#include "core/result_stream.hpp"
#include "e2e/e2e_suite.hpp"
#include "tests/support/reference_env.hpp"

namespace golive::contract {
namespace {

testing::ReferenceEnv& target() {
  ::setenv("GOLIVE_REF_RATE_LIMIT_PER_MINUTE", "1000", 1);
  ::setenv("GOLIVE_REF_ACCOUNT_RATE_LIMIT_PER_MINUTE", "1000", 1);
  return testing::shared_reference_env();
}

TEST(SchemaConformanceIntegration, EveryE2eResponseOfTheCleanTargetConforms) {
  core::Redactor redactor;
  const config::Environment env =
      config::load_environment(target().write_env_file(), config::process_variables(), redactor);
  SchemaConformance conformance(
      ResponseSchemas::for_environment(env, default_schemas_dir(GOLIVE_SOURCE_DIR)), env.base_url);
  auto workflows = e2e::load_workflows(e2e::default_workflows_dir(GOLIVE_SOURCE_DIR), {});
  e2e::E2eRunOptions options;
  options.jobs = 4;
  options.on_exchange = [&conformance](const e2e::StepExchange& exchange) {
    conformance.observe(exchange.method, exchange.url, exchange.response,
                        std::string(exchange.workflow) + "." + std::string(exchange.step));
  };
  core::CollectingSink e2e_results;
  e2e::run_e2e_suite(env, workflows, options, e2e_results);

  core::CollectingSink sink;
  conformance.record_results(sink);
  std::map<std::string, core::CheckResult> by_id;
  for (const auto& result : sink.results()) by_id[result.id] = result;
  for (const auto& [id, result] : by_id) {
    EXPECT_EQ(result.status, core::CheckStatus::kPass) << id << ": " << result.message << "\n"
                                                       << result.evidence.dump(1);
  }
  std::string unmatched;
  for (const auto& example : conformance.unmatched_examples()) unmatched += example + "\n";
  std::cout << "[ measure ] " << conformance.validated() << " responses validated against "
            << by_id.size() << " endpoint schemas, " << conformance.unmatched() << " unmatched\n";
  EXPECT_GE(conformance.validated(), 40u);
  EXPECT_EQ(conformance.unmatched(), 0u) << "JSON responses without a schema:\n" << unmatched;
  for (const char* endpoint :
       {"contract.schema.auth.signup.post", "contract.schema.rest.courses.get",
        "contract.schema.rest.topics.get", "contract.schema.functions.extract_topics.post",
        "contract.schema.functions.job.get", "contract.schema.functions.features.get",
        "contract.schema.functions.export.get", "contract.schema.functions.stripe_webhook.post"}) {
    EXPECT_TRUE(by_id.count(endpoint)) << endpoint << " saw no response";
  }
}

}  // namespace
}  // namespace golive::contract
