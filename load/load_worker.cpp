#include "load/load_worker.hpp"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "http/correlating_client.hpp"
#include "http/curl/curl_http_client.hpp"
#include "http/native/native_http_client.hpp"
#include "http/scheme_routed_client.hpp"
#include "load/connection_closing_client.hpp"
#include "load/iteration_target.hpp"
#include "load/rate_capped_client.hpp"

namespace golive::load {

namespace {

// A scenario with its own "http_version" or "max_connections".
bool has_own_engines(const ScenarioProfile& scenario) {
  return scenario.http_version != http::HttpVersion::kHttp1_1 || scenario.max_connections > 0;
}

// The send cap of each engine stack: the worker's cap split evenly, so the
// stacks together never exceed it.
double stack_rps(const WorkerPlan& plan) {
  std::size_t stacks = 1;
  for (const ScenarioProfile& scenario : plan.profile->scenarios) stacks += has_own_engines(scenario);
  return plan.max_rps / static_cast<double>(stacks);
}

}  // namespace

// The HTTP engines of a scenario with its own http_version or
// max_connections: the same chain as the worker's shared one (native for
// http(s)://, curl for the rest, correlation ids, the send cap) on options
// of its own. max_connections is split over the workers, at least one each.
struct ScenarioEngines {
  http::CurlHttpClient engine;
  std::unique_ptr<http::NativeHttpClient> native;
  std::unique_ptr<http::SchemeRoutedClient> routed;
  http::CorrelatingClient correlating;
  RateCappedClient client;

  static http::ClientOptions options_for(const WorkerPlan& plan, const ScenarioProfile& scenario) {
    http::ClientOptions options = plan.engine_options;
    options.http_version = scenario.http_version;
    if (scenario.max_connections > 0) {
      const std::uint32_t count = std::max<std::uint32_t>(1, plan.share.count);
      const std::uint32_t split =
          scenario.max_connections / count + (plan.share.index % count < scenario.max_connections % count ? 1 : 0);
      options.max_connections_per_host = std::max<std::uint32_t>(1, split);
    }
    return options;
  }
  ScenarioEngines(boost::asio::io_context& io, const WorkerPlan& plan, const http::ClientOptions& options)
      : engine(io, options),
        native(plan.native_http ? std::make_unique<http::NativeHttpClient>(io, options) : nullptr),
        routed(native ? std::make_unique<http::SchemeRoutedClient>(*native, engine) : nullptr),
        correlating(routed ? static_cast<http::HttpClient&>(*routed) : engine, options.request_id_header),
        client(correlating, stack_rps(plan)) {}
  void cancel_all() {
    engine.cancel_all();
    if (native) native->cancel_all();
  }
};

// Member order is destruction order reversed: executors and targets go
// first, then the client wrappers and the engine (dropping in-flight
// transfers), and the io_context last.
struct LoadWorker::Runtime {
  boost::asio::io_context io{1};
  http::CurlHttpClient engine;
  std::unique_ptr<http::NativeHttpClient> native;  // with plan.native_http only
  std::unique_ptr<http::SchemeRoutedClient> routed;  // http(s):// → native, the rest → engine
  http::CorrelatingClient correlating;                // traceparent and X-Request-Id on each request
  RateCappedClient client;
  // Scenarios with their own http_version or max_connections.
  std::vector<std::unique_ptr<ScenarioEngines>> scenario_engines;
  // In front of `client` for each `"keep_alive": false` scenario.
  std::vector<std::unique_ptr<ConnectionClosingClient>> closing;
  std::vector<std::unique_ptr<IterationTarget>> targets;
  std::vector<std::unique_ptr<ScenarioExecutor>> executors;
  boost::asio::steady_timer watch{io};
  boost::asio::steady_timer progress{io};
  Clock::time_point stop_at{};  // when the executors were stopped
  bool stopping = false;
  bool cancelled = false;

  Runtime(const WorkerPlan& plan)
      : engine(io, plan.engine_options),
        native(plan.native_http ? std::make_unique<http::NativeHttpClient>(io, plan.engine_options) : nullptr),
        routed(native ? std::make_unique<http::SchemeRoutedClient>(*native, engine) : nullptr),
        correlating(routed ? static_cast<http::HttpClient&>(*routed) : engine,
                    plan.engine_options.request_id_header),
        client(correlating, stack_rps(plan)) {}
};

LoadWorker::LoadWorker(WorkerPlan plan) : plan_(std::move(plan)), stats_(plan_.epoch) {
  stats_.set_warmup_end(plan_.warmup_end);
}

LoadWorker::~LoadWorker() {
  request_stop();
  join();
}

void LoadWorker::launch() { thread_ = std::thread([this] { run(); }); }

void LoadWorker::request_stop() { stop_requested_.store(true); }

void LoadWorker::join() {
  if (thread_.joinable()) thread_.join();
}

std::vector<std::pair<std::string, TimeSeries>> LoadWorker::take_finished_seconds() {
  std::lock_guard lock(progress_mutex_);
  return std::exchange(finished_seconds_, {});
}

std::optional<LoadStats> LoadWorker::latest_progress() const {
  std::lock_guard lock(progress_mutex_);
  return progress_;
}

void LoadWorker::run() {
  Runtime rt(plan_);
  const LoadProfile& profile = *plan_.profile;
  for (std::size_t i = 0; i < profile.scenarios.size(); ++i) {
    const ScenarioProfile& scenario = profile.scenarios[i];
    std::unique_ptr<IterationTarget> target;
    if (scenario.replay_log) {
      target = std::make_unique<IterationTarget>(scenario.replay_log, *scenario.request, plan_.base_url,
                                                 stats_, scenario.name);
    } else if (scenario.request) {
      target = std::make_unique<IterationTarget>(*scenario.request, plan_.base_url, stats_, scenario.name);
    } else {
      target = std::make_unique<IterationTarget>(plan_.workflows.at(i), plan_.run_environment, stats_,
                                                 scenario.name);
    }
    target->set_correlation(&rt.correlating);
    stats_.set_slowest_capacity(scenario.name, scenario.slowest_requests);
    http::HttpClient* client = &rt.client;
    if (has_own_engines(scenario)) {
      rt.scenario_engines.push_back(std::make_unique<ScenarioEngines>(
          rt.io, plan_, ScenarioEngines::options_for(plan_, scenario)));
      client = &rt.scenario_engines.back()->client;
    }
    if (!scenario.keep_alive) {
      rt.closing.push_back(std::make_unique<ConnectionClosingClient>(*client));
      client = rt.closing.back().get();
    }
    std::unique_ptr<ScenarioExecutor> executor;
    if (scenario.open_model()) {
      executor = std::make_unique<ArrivalExecutor>(scenario, *target, *client, stats_, plan_.share);
    } else {
      executor = std::make_unique<VuExecutor>(scenario, *target, *client, stats_, plan_.share);
    }
    const Clock::time_point scenario_end =
        std::min(plan_.end, plan_.start + std::chrono::duration_cast<Clock::duration>(
                                              std::chrono::duration<double>(scenario.duration_s())));
    executor->start(plan_.start, scenario_end);
    rt.targets.push_back(std::move(target));
    rt.executors.push_back(std::move(executor));
  }

  auto publish = [&](Clock::time_point now) {
    std::uint32_t active = 0;
    for (const auto& executor : rt.executors) {
      stats_.record_active_vus(executor->key(), now, executor->in_flight());
      active += executor->in_flight();
    }
    active_vus_.store(active);
    LoadStats copy = stats_.progress_copy(4);
    auto finished = stats_.take_series_before(stats_.latest_second() - kKeptSeconds);
    std::lock_guard lock(progress_mutex_);
    progress_ = std::move(copy);
    for (auto& [scenario, series] : finished) {  // not taken yet: add to what is waiting
      auto waiting = std::find_if(finished_seconds_.begin(), finished_seconds_.end(),
                                  [&](const auto& entry) { return entry.first == scenario; });
      if (waiting == finished_seconds_.end()) {
        finished_seconds_.emplace_back(scenario, std::move(series));
      } else {
        waiting->second.merge(series);
      }
    }
  };

  std::function<void()> on_progress_timer = [&] {
    publish(Clock::now());
    rt.progress.expires_after(std::chrono::milliseconds(250));
    rt.progress.async_wait([&](const boost::system::error_code& error) {
      if (!error) on_progress_timer();
    });
  };
  rt.progress.expires_at(plan_.start);
  rt.progress.async_wait([&](const boost::system::error_code& error) {
    if (!error) on_progress_timer();
  });

  // Every 50 ms: stop at the end or on request, then drain, then finish.
  std::function<void()> on_watch_timer = [&] {
    const Clock::time_point now = Clock::now();
    bool all_finished = true;
    for (const auto& executor : rt.executors) all_finished = all_finished && executor->finished();
    if (!rt.stopping && (all_finished || now >= plan_.end || stop_requested_.load())) {
      rt.stopping = true;
      rt.stop_at = now;
      for (const auto& executor : rt.executors) executor->stop();
      stats_.mark_end(std::min(now, plan_.end));
    }
    if (rt.stopping) {
      all_finished = true;
      for (const auto& executor : rt.executors) all_finished = all_finished && executor->finished();
      if (all_finished || rt.cancelled) {
        publish(now);
        rt.progress.cancel();
        rt.io.stop();
        return;
      }
      if (now >= rt.stop_at + plan_.drain_grace) {
        rt.engine.cancel_all();  // completions are posted; one more tick lets them run
        if (rt.native) rt.native->cancel_all();
        for (const auto& engines : rt.scenario_engines) engines->cancel_all();
        rt.cancelled = true;
      }
    }
    rt.watch.expires_after(std::chrono::milliseconds(50));
    rt.watch.async_wait([&](const boost::system::error_code& error) {
      if (!error) on_watch_timer();
    });
  };
  rt.watch.expires_after(std::chrono::milliseconds(50));
  rt.watch.async_wait([&](const boost::system::error_code& error) {
    if (!error) on_watch_timer();
  });
  rt.io.run();
  // Destroy executors before the engine drops in-flight callbacks that refer to them.
  rt.executors.clear();
  finished_.store(true);
}

}  // namespace golive::load
