// The two executors of a scenario, each running on one worker's io_context
// for that worker's share of the load.
//
// ArrivalExecutor (open model): a pacer timer starts iteration i at the
// schedule's intended time whatever the target does. When the iterations in
// flight already reach this worker's max_vus share, the iteration is counted
// as dropped (LoadStats::record_dropped), never silently delayed.
//
// VuExecutor (closed model): keeps the number of virtual users at the
// stages' target (re-evaluated every 100 ms). Each VU loops iterations (a
// workflow with its think times, or a request) back to back, with an
// optional pause; ramp-down retires the newest VUs, stopping their workflow
// run (request_stop: remaining main steps skipped, cleanup still runs).
#pragma once

#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <memory>
#include <unordered_map>

#include "load/arrival_schedule.hpp"
#include "load/iteration_target.hpp"

namespace golive::load {

// What every executor of one worker shares.
struct WorkerShare {
  std::uint32_t index = 0;  // this worker among all workers of all shards
  std::uint32_t count = 1;  // all workers of all shards
  double rate_scale = 1;    // multiplies the profile's rates (max_rps cap)
  // Starts no new iteration once this many requests were recorded by the worker.
  std::uint64_t max_requests = UINT64_MAX;
};

class ScenarioExecutor {
 public:
  virtual ~ScenarioExecutor() = default;
  // Begins at `start` (the scenario's t = 0); runs until `end` or stop().
  virtual void start(Clock::time_point start, Clock::time_point end) = 0;
  // Starts nothing new; in-flight iterations finish (workflow runs are
  // asked to stop and go to cleanup).
  virtual void stop() = 0;
  virtual std::uint32_t in_flight() const = 0;  // iterations running now (= busy VUs)
  virtual bool finished() const = 0;            // stopped or past the end, nothing in flight
  ScenarioKey key() const { return key_; }

 protected:
  ScenarioKey key_{};
};

class ArrivalExecutor final : public ScenarioExecutor {
 public:
  ArrivalExecutor(const ScenarioProfile& scenario, IterationTarget& target, http::HttpClient& client,
                  LoadStats& stats, const WorkerShare& share);
  ~ArrivalExecutor() override { *alive_ = false; }
  void start(Clock::time_point start, Clock::time_point end) override;
  void stop() override;
  std::uint32_t in_flight() const override { return in_flight_; }
  bool finished() const override { return done_ && in_flight_ == 0; }
  std::uint64_t dropped() const { return dropped_; }

 private:
  void on_pacer_timer();
  void schedule_next();

  IterationTarget& target_;
  http::HttpClient& client_;
  LoadStats& stats_;
  WorkerShare share_;
  ArrivalSchedule schedule_;
  std::uint32_t max_in_flight_ = 0;  // 0 = unlimited
  boost::asio::steady_timer pacer_;
  Clock::time_point start_{};
  Clock::time_point end_{};
  std::uint64_t next_index_ = 0;
  Clock::time_point next_due_{};
  std::uint32_t in_flight_ = 0;
  std::uint64_t dropped_ = 0;
  bool done_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // guards posted callbacks
};

class VuExecutor final : public ScenarioExecutor {
 public:
  VuExecutor(const ScenarioProfile& scenario, IterationTarget& target, http::HttpClient& client,
             LoadStats& stats, const WorkerShare& share);
  ~VuExecutor() override { *alive_ = false; }
  void start(Clock::time_point start, Clock::time_point end) override;
  void stop() override;
  std::uint32_t in_flight() const override { return static_cast<std::uint32_t>(vus_.size()); }
  bool finished() const override { return stopping_ && vus_.empty(); }

 private:
  struct VirtualUser {
    bool retiring = false;
    std::weak_ptr<e2e::WorkflowRun> run;
    std::unique_ptr<boost::asio::steady_timer> pause;  // between iterations
  };
  void on_control_timer();
  std::uint32_t target_vus(Clock::time_point now) const;
  void spawn();
  void retire_newest(std::uint32_t how_many);
  void start_iteration(std::uint64_t id);
  void on_iteration_done(std::uint64_t id);

  const ScenarioProfile& scenario_;
  IterationTarget& target_;
  http::HttpClient& client_;
  LoadStats& stats_;
  WorkerShare share_;
  boost::asio::steady_timer control_;
  Clock::time_point start_{};
  Clock::time_point end_{};
  std::unordered_map<std::uint64_t, VirtualUser> vus_;  // by id; ids grow with spawn order
  std::uint64_t next_id_ = 0;
  std::uint32_t retiring_ = 0;
  bool stopping_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace golive::load
