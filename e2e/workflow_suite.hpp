// WorkflowSuite: runs a set of workflows (each dataset row as its own
// instance) with at most `jobs` instances in flight, all on one HttpClient's
// executor. What `golive e2e` drives; it blocks nothing and owns no thread.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <vector>

#include "e2e/workflow_run.hpp"

namespace golive::e2e {

struct SuiteOptions {
  std::size_t jobs = 4;                               // instances in flight at once
  std::shared_ptr<const RunEnvironment> environment;  // required
  core::ResultSink* results = nullptr;                // every step's CheckResult
  const core::Redactor* redactor = nullptr;           // nullptr: core::Redactor::global()
  std::function<void(const WorkflowOutcome&)> on_instance_finished;
  // Polled every 100 ms; once true, running instances skip to cleanup and
  // no new instance starts (Ctrl-C).
  std::function<bool()> should_stop;
  ExchangeObserver on_exchange;  // every response of every instance, if set
};

struct SuiteOutcome {
  std::vector<WorkflowOutcome> instances;  // in completion order
  std::size_t not_started = 0;             // instances never started because of a stop
  bool stopped = false;

  bool ok() const;
};

class WorkflowSuite : public std::enable_shared_from_this<WorkflowSuite> {
 public:
  using FinishedCallback = std::function<void(const SuiteOutcome&)>;

  static std::shared_ptr<WorkflowSuite> create(
      std::vector<std::shared_ptr<const Workflow>> workflows, http::HttpClient& client,
      SuiteOptions options);

  // Non-blocking; `on_finished` runs on the client's executor when every
  // instance (cleanup included) is done.
  void start(FinishedCallback on_finished);

  // The id prefix of each instance: "e2e.<workflow>", or "e2e.<workflow>.row<N>"
  // (1-based) for data-driven workflows.
  static std::string instance_id_prefix(const Workflow& workflow, std::optional<std::size_t> row);

 private:
  struct Instance {
    std::shared_ptr<const Workflow> workflow;
    std::optional<std::size_t> row;
  };

  WorkflowSuite(std::vector<std::shared_ptr<const Workflow>> workflows, http::HttpClient& client,
                SuiteOptions options);
  void start_more();
  void on_instance_finished(const WorkflowOutcome& outcome,
                            const std::shared_ptr<WorkflowRun>& run);
  void on_stop_check();

  http::HttpClient& client_;
  SuiteOptions options_;
  std::vector<Instance> pending_;  // started front to back
  std::size_t next_ = 0;
  std::vector<std::shared_ptr<WorkflowRun>> running_;
  boost::asio::steady_timer stop_check_timer_;
  FinishedCallback on_finished_;
  SuiteOutcome outcome_;
  bool finished_ = false;
};

}  // namespace golive::e2e
