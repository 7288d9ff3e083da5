#include "e2e/login_workflow.hpp"

#include <boost/asio/io_context.hpp>
#include <map>
#include <memory>

#include "e2e/workflow_parser.hpp"
#include "e2e/workflow_run.hpp"
#include "http/curl/curl_http_client.hpp"

namespace golive::e2e {

config::WorkflowLogin run_login_workflow(const config::Environment& env, std::size_t index) {
  config::WorkflowLogin login;
  const auto workflow = std::make_shared<const Workflow>(load_workflow(env.auth.workflow));
  auto run_environment = std::make_shared<RunEnvironment>(env);
  run_environment->variable_overrides["user_index"] = std::to_string(index + 1);
  if (index < env.auth.test_users.size()) {
    run_environment->variable_overrides["email"] = env.auth.test_users[index].email;
    run_environment->variable_overrides["password"] = env.auth.test_users[index].password;
  }
  boost::asio::io_context io{1};
  http::CurlHttpClient client(io, http::client_options_for(env));
  std::map<std::string, std::string> captured;
  core::CollectingSink steps;  // the login's own step results explain a failure
  WorkflowRunOptions options;
  options.environment = run_environment;
  options.results = &steps;
  options.captured = &captured;
  options.id_prefix = "auth.login";
  WorkflowOutcome outcome;
  WorkflowRun::create(workflow, client, std::move(options))
      ->start([&](const WorkflowOutcome& finished) { outcome = finished; });
  io.run();
  for (const auto& result : steps.results()) {
    if (result.evidence.contains("error") && (result.evidence["error"] == "connect" ||
                                              result.evidence["error"] == "dns")) {
      login.unreachable = true;
    }
  }
  if (!outcome.ok()) {
    login.error = outcome.first_failure.empty() ? "the login workflow did not pass"
                                                : outcome.first_failure;
    return login;
  }
  const auto token = captured.find("token");
  const auto user_id = captured.find("user_id");
  if (token == captured.end() || token->second.empty() || user_id == captured.end() ||
      user_id->second.empty()) {
    login.error = "the workflow passed but did not capture both `token` and `user_id`";
    return login;
  }
  login.token = token->second;
  login.user_id = user_id->second;
  return login;
}

void install_login_workflow(config::Environment& env) {
  if (env.auth.kind != "workflow") return;
  (void)load_workflow(env.auth.workflow);  // InputError now, before any request
  // The runner reads a copy taken before log_in is set: no cycle.
  env.auth.log_in = [copy = env](std::size_t index) { return run_login_workflow(copy, index); };
}

}  // namespace golive::e2e
