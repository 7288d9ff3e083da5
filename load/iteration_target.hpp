// IterationTarget: what one iteration of a scenario does (one request, or one
// run of a workflow) and how its requests become LoadStats samples.
//
// Latency is measured from the iteration's *intended* start: the open-model
// pacer passes the time the schedule wanted, so an iteration that starts late
// (the pacer fell behind, or the generator was busy) carries the lag into its
// first request's latency instead of hiding it (coordinated omission). The
// closed model passes the actual start, which makes the lag zero.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "http/correlating_client.hpp"
#include "http/http_types.hpp"
#include "e2e/workflow.hpp"
#include "e2e/workflow_run.hpp"
#include "load/load_profile.hpp"
#include "load/load_stats.hpp"
#include "load/request_log.hpp"

namespace golive::load {

// Maps the HTTP engine's transport category to the load statistics' one.
ErrorCategory error_category(http::HttpErrorCategory error);

class IterationTarget {
 public:
  using DoneCallback = std::function<void()>;

  // A single request. Relative URLs get `base_url`.
  IterationTarget(const RequestTarget& request, const std::string& base_url, LoadStats& stats,
                  const std::string& scenario);
  // A workflow; `environment` is shared by every run.
  IterationTarget(std::shared_ptr<const e2e::Workflow> workflow,
                  std::shared_ptr<const e2e::RunEnvironment> environment, LoadStats& stats,
                  const std::string& scenario);

  // A replay: iteration i sends logged request i (method, path and query,
  // headers, body) to `base_url`, adding `defaults.headers` the log lacks.
  // Samples count under the request's route (route_of), the 50 busiest
  // routes each as a step and the rest as "other".
  IterationTarget(std::shared_ptr<const RequestLog> log, const RequestTarget& defaults,
                  const std::string& base_url, LoadStats& stats, const std::string& scenario);

  // Starts one iteration on `client` (call on its executor). `on_done` runs
  // on the executor once every request of the iteration completed. Returns
  // the workflow run (for request_stop on ramp-down), or null for a request.
  // `iteration` picks the logged request of a replay; others ignore it.
  std::shared_ptr<e2e::WorkflowRun> start(http::HttpClient& client, Clock::time_point intended,
                                          std::uint64_t iteration, DoneCallback on_done);
  std::shared_ptr<e2e::WorkflowRun> start(http::HttpClient& client, Clock::time_point intended,
                                          DoneCallback on_done) {
    return start(client, intended, 0, std::move(on_done));
  }

  // The client that stamps correlation ids on this target's requests (in the
  // chain behind the client start() is given): a request that makes the
  // scenario's slowest list is listed with the ids it went out with.
  void set_correlation(const http::CorrelatingClient* correlating) { correlating_ = correlating; }

  // Requests whose samples were recorded (warm-up ones included).
  std::uint64_t samples() const { return samples_; }

 private:
  // What a slow request is listed with (views valid during record()).
  struct Sent {
    std::string_view step;
    std::string_view method;
    std::string_view url_base;  // the URL is url_base + url_rest
    std::string_view url_rest;
    int status = 0;
  };
  // `timing`: the response's, for the connection figures (ConnectionTotals).
  void record(StepKey key, Clock::time_point intended_or_sent, Clock::time_point completed,
              ErrorCategory error, const http::HttpTiming& timing, const Sent& sent);
  StepKey step_key(std::string_view step);

  LoadStats& stats_;
  std::string scenario_;
  http::HttpRequest request_;  // request mode: the prepared request
  StepKey request_key_{};
  std::string request_name_;  // request mode: its step name
  std::shared_ptr<const e2e::Workflow> workflow_;
  std::shared_ptr<const e2e::RunEnvironment> environment_;
  std::map<std::string, StepKey, std::less<>> step_keys_;  // workflow step -> key (set-up time)
  std::shared_ptr<const RequestLog> replay_log_;  // replay mode
  std::vector<StepKey> replay_keys_;              // per logged request
  std::string base_url_;
  std::uint64_t samples_ = 0;
  const http::CorrelatingClient* correlating_ = nullptr;
  // Seeds of the workflow runs' {{random.*}} built-ins: a random start per
  // target (one per worker thread), so two threads, or two load runs against
  // the same database, never sign up the same {{random.email}}.
  std::uint64_t next_seed_ = initial_seed();
  static std::uint64_t initial_seed();
};

}  // namespace golive::load
