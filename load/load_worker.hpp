// LoadWorker: one thread of a load run. It owns an io_context, an CurlHttpClient
// (one curl multi handle), a LoadStats that only it writes, and one executor
// per scenario for its share of the load. The coordinator talks to it only
// through request_stop(), latest_progress() and take_finished_seconds() (all
// thread-safe) and reads its stats after join().
//
// End of a run: at the planned end (or on request_stop) the executors start
// nothing new and workflow runs are asked to stop; iterations in flight get
// `drain_grace` to finish (cleanup steps included), after which the rest are
// cancelled and the thread returns.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "http/client_options.hpp"
#include "e2e/workflow.hpp"
#include "e2e/workflow_run.hpp"
#include "load/load_profile.hpp"
#include "load/load_stats.hpp"
#include "load/scenario_executors.hpp"

namespace golive::load {

struct WorkerPlan {
  std::shared_ptr<const LoadProfile> profile;
  // Parallel to profile->scenarios: the compiled workflow, or null for a request.
  std::vector<std::shared_ptr<const e2e::Workflow>> workflows;
  std::shared_ptr<const e2e::RunEnvironment> run_environment;  // for workflows
  std::string base_url;
  http::ClientOptions engine_options;
  bool native_http = true;  // http:// and https:// through http::NativeHttpClient, else libcurl
  WorkerShare share;
  double max_rps = 0;  // this worker's send cap, requests/s; 0 = none
  RunEpoch epoch;      // shared by every worker, so their stats merge
  Clock::time_point start{};       // scenarios' t = 0
  Clock::time_point end{};         // no iteration starts after it
  Clock::time_point warmup_end{};  // samples completing before it are discarded
  std::chrono::milliseconds drain_grace{5000};
};

class LoadWorker {
 public:
  explicit LoadWorker(WorkerPlan plan);
  ~LoadWorker();  // requests a stop and joins
  LoadWorker(const LoadWorker&) = delete;
  LoadWorker& operator=(const LoadWorker&) = delete;

  void launch();
  void request_stop();  // any thread
  void join();
  // The worker's figures as of its last progress tick (every 250 ms, so a
  // checkpoint is never more than that behind); nullopt before the first. Any thread.
  std::optional<LoadStats> latest_progress() const;
  // Iterations running now, over all scenarios (updated every progress tick).
  std::uint32_t active_vus() const { return active_vus_.load(); }
  // True once the thread has drained and is about to return.
  bool finished() const { return finished_.load(); }

  // The per-second series seconds this worker finished since the last call,
  // by scenario: every progress tick the worker hands over the seconds older
  // than kKeptSeconds, so a long run holds each second once (merged, by the
  // coordinator) instead of once per worker. Any thread.
  std::vector<std::pair<std::string, TimeSeries>> take_finished_seconds();

  // After join(): the statistics, less the series seconds already taken by
  // take_finished_seconds() (call it once more after join for the rest).
  LoadStats& stats() { return stats_; }

  // Seconds a worker keeps in its own series before handing them over: late
  // samples (a completion observed after its second closed) land here first.
  static constexpr std::int64_t kKeptSeconds = 8;

 private:
  struct Runtime;  // io_context, engine and executors, alive on the worker thread only
  void run();

  WorkerPlan plan_;
  LoadStats stats_;
  std::thread thread_;
  std::atomic<bool> stop_requested_{false};
  std::atomic<std::uint32_t> active_vus_{0};
  std::atomic<bool> finished_{false};
  mutable std::mutex progress_mutex_;
  std::optional<LoadStats> progress_;  // guarded by progress_mutex_
  std::vector<std::pair<std::string, TimeSeries>> finished_seconds_;  // guarded by progress_mutex_
};

}  // namespace golive::load
