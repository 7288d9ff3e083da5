// WorkflowRun: one execution of a workflow (one virtual user, one dataset
// row) as a non-blocking state machine on the HttpClient's executor. It owns
// no thread: every transition is a completion handler (a response, a think
// or poll timer), so thousands of runs share one io_context.
//
//   start -> [step: render -> send -> on_response -> (poll timer -> send)*]
//         -> think timer -> next step ... -> cleanup steps (always) -> finished
//
// A step that fails stops the main steps (the rest are recorded as skipped);
// cleanup steps all run regardless, and a cleanup step whose variables were
// never captured (the user was never created) is skipped, not failed.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/check_result.hpp"
#include "config/environment.hpp"
#include "http/http_types.hpp"
#include "http/request_evidence.hpp"
#include "core/redactor.hpp"
#include "core/result_stream.hpp"
#include "e2e/cookie_jar.hpp"
#include "e2e/workflow.hpp"

namespace golive::e2e {

// What runs need from an Environment, computed once and shared by every run.
// The environment file's optional "e2e" section may override workflow
// variables for that target: {"e2e": {"variables": {"token_code": "STAGING-1"}}}.
struct RunEnvironment {
  // Throws core::InputError naming the environment file for a malformed
  // "e2e" section.
  explicit RunEnvironment(const config::Environment& environment);

  std::vector<std::string>
      field_values;  // env.* template values, in environment_field_names() order
  std::string base_url;
  std::string stripe_webhook_secret;
  // Safety rail: a step whose URL the policy refuses is not sent.
  std::shared_ptr<const config::HostPolicy> host_policy;
  config::TlsSettings tls;
  std::map<std::string, std::string> variable_overrides;  // e2e.variables of the environment file
  // Secret values with the ${VAR} they came from, for a failed step's curl reproduction.
  std::vector<std::pair<std::string, std::string>> secret_variables;
  std::string source_file;  // the environment file
};

// One request as the load generator sees it.
struct RequestSample {
  std::string_view workflow;
  std::string_view step;
  std::string_view method;      // as sent (the last hop's, after redirects)
  std::string_view url;         // as sent, query included
  std::int64_t latency_us = 0;  // from handing the request to the client to its completion
  http::HttpErrorCategory error = http::HttpErrorCategory::kNone;
  int status = 0;                  // 0 when no response arrived
  bool assertions_passed = false;  // the step's assertions held for this response
  http::HttpTiming timing;         // the response's phase times and connection figures
};

// One request of a step and the response it got, handed to a response
// observer (e.g. the contract suite's JSON Schema conformance). The views are
// valid only during the call.
struct StepExchange {
  std::string_view workflow;
  std::string_view step;
  std::string_view method;  // as sent, e.g. "POST"
  std::string_view url;     // as sent, query included
  const http::HttpResponse& response;
  // The step's request as a curl command ({"reproduction", "reproduction_env"},
  // secrets as $VARS), rendered only when called; an empty object in the load
  // generator's mode, which keeps no request.
  std::function<nlohmann::json()> reproduction;
};
using ExchangeObserver = std::function<void(const StepExchange&)>;

struct WorkflowRunOptions {
  std::shared_ptr<const RunEnvironment> environment;  // required
  core::ResultSink* results = nullptr;       // nullptr: no CheckResults (the load generator's mode)
  const core::Redactor* redactor = nullptr;  // nullptr: core::Redactor::global()
  std::function<void(const RequestSample&)> on_sample;  // every completed request, if set
  ExchangeObserver on_exchange;  // every response received (each poll attempt too), if set
  std::string id_prefix;                                // default "e2e.<workflow>"
  std::optional<std::size_t> dataset_row;  // which row of workflow.dataset feeds this run
  std::uint64_t seed = 0;                  // random source of {{uuid}} etc.; 0 = nondeterministic
  core::Severity severity = core::Severity::kHigh;  // of failing main steps (cleanup: low)
  // Filled with every variable set when the run finishes (captures included),
  // by name, if set: how a login workflow hands its token over.
  std::map<std::string, std::string>* captured = nullptr;
};

struct WorkflowOutcome {
  std::string workflow;
  std::string id_prefix;
  std::size_t passed = 0;
  std::size_t failed = 0;
  std::size_t errors = 0;
  std::size_t skipped = 0;
  double duration_ms = 0;     // start to finish, cleanup included
  bool stopped = false;       // request_stop() cut the main steps short
  std::string first_failure;  // "<step>: <message>" of the first failed or errored step

  bool ok() const { return failed == 0 && errors == 0; }
};

class WorkflowRun : public std::enable_shared_from_this<WorkflowRun> {
 public:
  using FinishedCallback = std::function<void(const WorkflowOutcome&)>;

  static std::shared_ptr<WorkflowRun> create(std::shared_ptr<const Workflow> workflow,
                                             http::HttpClient& client, WorkflowRunOptions options);

  // Begins on the client's executor; `on_finished` runs there once, after
  // the last cleanup step. The run keeps itself alive until then.
  void start(FinishedCallback on_finished);

  // Skips the remaining main steps after the request in flight and goes to
  // cleanup. Call it on the client's executor.
  void request_stop();

  WorkflowRun(const WorkflowRun&) = delete;
  WorkflowRun& operator=(const WorkflowRun&) = delete;

 private:
  enum class Phase { kMain, kCleanup, kDone };

  WorkflowRun(std::shared_ptr<const Workflow> workflow, http::HttpClient& client,
              WorkflowRunOptions options);

  const std::vector<Step>& phase_steps() const;
  const Step& current_step() const { return phase_steps()[step_index_]; }

  void initialise_values();
  void schedule_next_step(std::chrono::milliseconds delay);
  void on_step_due();
  void send_attempt();
  void send_hop(bool keep_copy);
  void on_response(http::HttpResponse&& response);
  // A 3xx to follow or a Digest challenge to answer: sends the next hop and
  // returns true; false when the response is the step's final one.
  bool follow_up(const Step& step, std::string& failure);
  bool should_retry(const Step& step) const;
  std::optional<std::string> when_blocks(const Step& step) const;
  void on_poll_timer();
  void finish_step(core::CheckStatus status, std::string message);
  void skip_remaining_main_steps(const std::string& reason);
  void enter_cleanup();
  void finish_run();
  void record(const Step& step, core::CheckStatus status, const std::string& message,
              double duration_ms, bool with_exchange);

  std::shared_ptr<const Workflow> workflow_;
  http::HttpClient& client_;
  WorkflowRunOptions options_;
  boost::asio::steady_timer timer_;  // think time and poll intervals
  e2e::TemplateValues values_;
  FinishedCallback on_finished_;
  WorkflowOutcome outcome_;

  Phase phase_ = Phase::kMain;
  std::size_t step_index_ = 0;
  bool stop_requested_ = false;
  std::chrono::steady_clock::time_point run_started_;
  std::chrono::steady_clock::time_point step_started_;
  std::chrono::steady_clock::time_point poll_deadline_;
  std::chrono::steady_clock::time_point sent_at_;
  std::size_t attempts_ = 0;
  double last_latency_ms_ = 0;
  bool request_sent_ = false;       // this step sent at least one request
  bool response_received_ = false;  // ... and one completed (response_ is this step's)
  bool refused_not_allowed_ = false;  // the safety rail refused its host: nothing was sent
  std::string mask_sensitive(std::string text) const;
  // The named secrets of a failed step's curl reproduction.
  http::ReproductionSecrets reproduction_secrets() const;

  std::vector<std::size_t>
      sensitive_slots_;          // variables named like credentials, masked in evidence
  http::HttpRequest request_;    // the attempt in flight (kept for evidence)
  std::string exchange_method_;  // method and URL of the attempt in flight, for on_exchange and on_sample
  std::string exchange_url_;
  http::HttpResponse response_;  // the latest response (kept for evidence)

  CookieJar cookies_;                      // this run's cookies (workflow "cookies": true)
  std::string hop_url_;                    // URL of the request in flight (after redirects)
  std::vector<std::string> redirect_chain_;  // "302 <url>" per hop followed, this attempt
  bool digest_answered_ = false;           // this attempt already answered a challenge
  std::size_t retries_ = 0;                // retry sends of this step (retry:)
  http::HttpRequest hop_request_;          // copy of the request in flight, for follow-ups
};

}  // namespace golive::e2e
