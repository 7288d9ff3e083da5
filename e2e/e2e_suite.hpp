// The e2e suite as one blocking call: load the selected workflow files, run
// them against an environment with a real CurlHttpClient on the calling thread,
// and stream every step's CheckResult. `golive e2e` and the e2e stage of
// `golive run` both call this; neither prints reports itself.
#pragma once

#include "http/observing_client.hpp"

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/environment.hpp"
#include "core/result_stream.hpp"
#include "e2e/workflow.hpp"
#include "e2e/workflow_suite.hpp"

namespace golive::e2e {

// <repository>/e2e/workflows: the shipped journeys.
std::string default_workflows_dir(const std::string& golive_home);

// Loads every top-level workflow of `directory`, or only those named (file
// stems, e.g. "payment"). Throws core::InputError for an unknown name (listing
// the available ones) and for any malformed file, before any traffic.
std::vector<std::shared_ptr<const Workflow>> load_workflows(const std::string& directory,
                                                            const std::vector<std::string>& names);

struct E2eRunOptions {
  std::size_t jobs = 4;  // workflow instances in flight at once
  // Polled every 100 ms; true stops the run (remaining steps skipped, cleanup
  // still runs). Default: never.
  std::function<bool()> should_stop;
  std::function<void(const WorkflowOutcome&)> on_instance_finished;
  // Every response of every step (e.g. the JSON Schema conformance observer),
  // called on the engine's thread.
  ExchangeObserver on_exchange;
  // Told of every request sent (the run's surface coverage); null: nobody.
  http::RequestObserver* request_observer = nullptr;
};

struct E2eRunSummary {
  SuiteOutcome outcome;
  std::size_t steps_passed = 0;
  std::size_t transport_failures = 0;  // steps that got no response (connect, dns, tls, timeout...)

  // Nothing passed and requests could not even be delivered: exit code 3.
  bool target_unreachable() const { return steps_passed == 0 && transport_failures > 0; }
};

// Runs `workflows` against `environment`, blocking until every instance and
// its cleanup finished. Throws core::InputError for a malformed "e2e"
// section in the environment file.
E2eRunSummary run_e2e_suite(const config::Environment& environment,
                            const std::vector<std::shared_ptr<const Workflow>>& workflows,
                            const E2eRunOptions& options, core::ResultSink& results);

// What this suite can do with `env`, and why not (see config::Capability).
config::Capability e2e_capability(const config::Environment& env);

}  // namespace golive::e2e
