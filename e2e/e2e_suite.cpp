#include "e2e/e2e_suite.hpp"

#include "http/correlating_client.hpp"
#include "http/observing_client.hpp"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <filesystem>

#include "http/curl/curl_http_client.hpp"
#include "core/input_error.hpp"
#include "e2e/workflow_parser.hpp"

namespace golive::e2e {

std::string default_workflows_dir(const std::string& golive_home) {
  return (std::filesystem::path(golive_home) / "e2e" / "workflows").string();
}

std::vector<std::shared_ptr<const Workflow>> load_workflows(const std::string& directory,
                                                            const std::vector<std::string>& names) {
  std::vector<std::string> files = list_workflow_files(directory);
  if (files.empty()) throw core::InputError(directory, "", "no workflow files (*.json) here");
  auto stem = [](const std::string& file) { return std::filesystem::path(file).stem().string(); };
  std::vector<std::string> selected;
  if (names.empty()) {
    selected = files;
  } else {
    for (const auto& name : names) {
      auto found = std::find_if(files.begin(), files.end(),
                                [&](const std::string& file) { return stem(file) == name; });
      if (found == files.end()) {
        std::string available;
        for (const auto& file : files) available += (available.empty() ? "" : ", ") + stem(file);
        throw core::InputError(
            "--workflow", "",
            "no workflow \"" + name + "\" in " + directory + " (available: " + available + ")");
      }
      if (std::find(selected.begin(), selected.end(), *found) == selected.end()) {
        selected.push_back(*found);
      }
    }
  }
  std::vector<std::shared_ptr<const Workflow>> workflows;
  for (const auto& file : selected) {
    workflows.push_back(std::make_shared<const Workflow>(load_workflow(file)));
  }
  return workflows;
}

E2eRunSummary run_e2e_suite(const config::Environment& environment,
                            const std::vector<std::shared_ptr<const Workflow>>& workflows,
                            const E2eRunOptions& options, core::ResultSink& results) {
  auto run_environment = std::make_shared<const RunEnvironment>(environment);
  E2eRunSummary summary;
  core::CallbackSink counting([&](const core::CheckResult& result) {
    if (result.status == core::CheckStatus::kPass) ++summary.steps_passed;
    // A host refused by the safety rail is a configuration error, not an unreachable target.
    if (result.evidence.contains("error") && result.evidence["error"] != "not_allowed") {
      ++summary.transport_failures;
    }
    results.record(result);
  });

  boost::asio::io_context io{1};
  // The client refuses other hosts too, so even a URL assembled at run time
  // from a captured value cannot leave the environment's allowed hosts.
  http::ClientOptions engine_options = http::client_options_for(environment);
  http::CurlHttpClient curl(io, engine_options);
  http::CorrelatingClient correlating(curl, engine_options.request_id_header);  // traceparent, X-Request-Id
  http::ObservingClient engine(correlating, options.request_observer);

  SuiteOptions suite_options;
  suite_options.jobs = options.jobs;
  suite_options.environment = run_environment;
  suite_options.results = &counting;
  suite_options.should_stop = options.should_stop;
  suite_options.on_instance_finished = options.on_instance_finished;
  suite_options.on_exchange = options.on_exchange;
  auto suite = WorkflowSuite::create(workflows, engine, suite_options);
  suite->start([&](const SuiteOutcome& outcome) { summary.outcome = outcome; });
  io.run();
  return summary;
}

config::Capability e2e_capability(const config::Environment& env) {
  const bool users = env.auth.signup_enabled || env.auth.test_users.size() >= 2;
  return {"e2e", true,
          users ? "workflows can run against " + env.base_url
                : "signup disabled and fewer than 2 test_users: journeys that need fresh users "
                  "will be skipped"};
}

}  // namespace golive::e2e
