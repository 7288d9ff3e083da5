#include "load/load_suite.hpp"

#include <algorithm>
#include <iomanip>
#include <map>
#include <memory>
#include <sstream>
#include <thread>

#include "core/input_error.hpp"
#include "e2e/workflow_parser.hpp"
#include "e2e/workflow_run.hpp"
#include "load/capacity_search.hpp"
#include "load/heap_trim.hpp"
#include "load/load_checkpoint.hpp"
#include "load/load_records.hpp"
#include "load/load_worker.hpp"
#include "load/sla.hpp"
#include "load/start_time.hpp"

namespace golive::load {

namespace {

Clock::duration seconds(double s) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

// Merges the workers' latest progress copies.
std::optional<LoadStats> merged_progress(const std::vector<std::unique_ptr<LoadWorker>>& workers) {
  std::optional<LoadStats> merged;
  for (const auto& worker : workers) {
    auto copy = worker->latest_progress();
    if (!copy) continue;
    if (merged) {
      merged->merge(*copy);
    } else {
      merged = std::move(copy);
    }
  }
  return merged;
}

LoadProgress progress_of(const LoadStats& stats, const LoadProfile& profile, Clock::time_point epoch,
                         Clock::time_point start, Clock::time_point warmup_end, double planned_s,
                         std::uint32_t active_vus) {
  LoadProgress progress;
  const Clock::time_point now = Clock::now();
  progress.elapsed_s = std::chrono::duration<double>(now - start).count();
  progress.planned_s = planned_s;
  progress.active_vus = active_vus;
  progress.warming_up = now < warmup_end;
  const MetricSnapshot overall = stats.overall();
  progress.requests = overall.requests;
  progress.errors = overall.errors;
  // The last full second, over every scenario.
  const std::int64_t last_second =
      std::chrono::duration_cast<std::chrono::seconds>(now - epoch).count() - 1;
  for (const ScenarioProfile& scenario : profile.scenarios) {
    const TimeSeries* series = stats.series(scenario.name);
    if (!series) continue;
    for (const SecondPoint& point : series->points()) {
      if (point.second != last_second) continue;
      progress.rps += static_cast<double>(point.requests);
      progress.p95_ms = std::max(progress.p95_ms, point.percentile_ms(95));
    }
  }
  return progress;
}

}  // namespace

ShardSpec parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  auto fail = [&] {
    throw core::InputError("--shard", "", "expected I/N with 1 <= I <= N (e.g. 2/4), got \"" + text + "\"");
  };
  if (slash == std::string::npos) fail();
  try {
    std::size_t used = 0;
    const unsigned long index = std::stoul(text.substr(0, slash), &used);
    if (used != slash) fail();
    const std::string count_text = text.substr(slash + 1);
    const unsigned long count = std::stoul(count_text, &used);
    if (used != count_text.size() || index < 1 || index > count || count > 100000) fail();
    return {static_cast<std::uint32_t>(index - 1), static_cast<std::uint32_t>(count)};
  } catch (const std::logic_error&) {
    fail();
  }
  return {};
}

nlohmann::json LoadRunOutcome::summary() const {
  return {{"load_summaries", load_summaries}, {"sla", sla},           {"thresholds_passed", thresholds_passed},
          {"sla_met", sla_met},               {"aborted", aborted},   {"stopped", stopped},
          {"rate_scale", rate_scale},         {"max_rps", max_rps}};
}

LoadRunOutcome run_load_suite(const config::Environment& environment, const LoadOptions& options,
                              core::ResultSink& sink) {
  config::require_non_production(environment, options.allow_production, "load testing");
  auto profile = std::make_shared<LoadProfile>(options.profile);
  if (options.max_duration_s) profile->max_duration_s = std::min(profile->max_duration_s, *options.max_duration_s);
  const double planned_s = profile->duration_s();
  const std::uint32_t threads = std::max<std::uint32_t>(1, options.threads);
  const std::uint32_t total_workers = threads * options.shard.count;

  // Everything that can fail is compiled before the first request.
  std::vector<std::shared_ptr<const e2e::Workflow>> workflows;
  for (const ScenarioProfile& scenario : profile->scenarios) {
    workflows.push_back(scenario.request ? nullptr
                                         : std::make_shared<const e2e::Workflow>(
                                               e2e::load_workflow(scenario.workflow_path)));
  }
  auto run_environment = std::make_shared<const e2e::RunEnvironment>(environment);

  // safety.max_rps caps this shard's share of the target's budget: the
  // open-model rates are scaled down to fit, and every worker's client
  // enforces its share on every send (closed model and workflows included).
  LoadRunOutcome outcome;
  outcome.max_rps = environment.safety.max_rps;
  const double shard_cap = environment.safety.max_rps / options.shard.count;
  double open_peak = 0;
  for (const ScenarioProfile& scenario : profile->scenarios) {
    if (scenario.open_model()) open_peak += scenario.peak() / options.shard.count;
  }
  if (shard_cap > 0 && open_peak > shard_cap) outcome.rate_scale = shard_cap / open_peak;

  // A capacity scenario (the profile's only one) is judged step by step here.
  std::optional<CapacitySearch> capacity;
  if (profile->scenarios.front().executor == ExecutorKind::kCapacity) {
    if (options.shard.count > 1) {
      throw core::InputError(profile->file, "/scenarios/0/executor",
                             "a capacity search runs in one process: it cannot be sharded (--shard " +
                                 std::to_string(options.shard.count) + ")");
    }
    capacity.emplace(profile->scenarios.front(), environment.sla, outcome.rate_scale);
  }

  RunEpoch epoch = RunEpoch::now();
  Clock::time_point start = epoch.steady + std::chrono::milliseconds(100);
  if (options.start_at_unix_ms) {
    // Sleep until shortly before the agreed instant (the workers need a moment
    // to start), then pin the epoch to it exactly: every shard's seconds count
    // from the same wall-clock millisecond.
    constexpr std::int64_t kLeadMs = 200;
    std::int64_t next_report_ms = INT64_MAX;
    for (;;) {
      const std::int64_t left_ms = *options.start_at_unix_ms - now_unix_ms();
      if (left_ms <= kLeadMs) break;
      if (options.should_stop && options.should_stop()) {
        outcome.stopped = true;  // interrupted while waiting: nothing was sent
        outcome.stats = LoadStats(RunEpoch::now());
        outcome.sla = sla_record(evaluate_sla(MetricSnapshot{}, environment.sla));
        return outcome;
      }
      if (options.on_start_wait && left_ms / 1000 < next_report_ms) {
        next_report_ms = left_ms / 1000;
        options.on_start_wait(static_cast<double>(left_ms) / 1000.0);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(std::min<std::int64_t>(100, left_ms - kLeadMs)));
    }
    const std::int64_t left_ms = *options.start_at_unix_ms - now_unix_ms();
    epoch.steady = Clock::now() + std::chrono::milliseconds(left_ms);
    epoch.unix_ms = *options.start_at_unix_ms;
    start = epoch.steady;
  }
  const Clock::time_point end = start + seconds(planned_s);
  const Clock::time_point warmup_end = start + seconds(profile->warmup_s);
  auto shared_environment = std::make_shared<const config::Environment>(environment);

  std::vector<std::unique_ptr<LoadWorker>> workers;
  for (std::uint32_t t = 0; t < threads; ++t) {
    WorkerPlan plan;
    plan.profile = profile;
    plan.workflows = workflows;
    plan.run_environment = run_environment;
    plan.base_url = environment.base_url;
    plan.engine_options = http::client_options_for(*shared_environment);
    plan.native_http = options.native_http;
    plan.share.index = options.shard.index * threads + t;
    plan.share.count = total_workers;
    plan.share.rate_scale = outcome.rate_scale;
    plan.share.max_requests = std::max<std::uint64_t>(1, profile->max_requests / total_workers);
    plan.max_rps = shard_cap > 0 ? shard_cap / threads : 0;
    plan.epoch = epoch;
    plan.start = start;
    plan.end = end;
    plan.warmup_end = warmup_end;
    plan.drain_grace = options.drain_grace;
    workers.push_back(std::make_unique<LoadWorker>(std::move(plan)));
  }
  for (auto& worker : workers) worker->launch();

  // Checkpoints: the figures so far, written and flushed twice a second
  // (the mergeable snapshot once a second).
  std::optional<CheckpointWriter> checkpoints;
  if (options.checkpoints) {
    ShardFile metadata;
    metadata.run_id = options.run_id;
    metadata.group = options.shard_group;
    metadata.env = environment.name;
    metadata.index = options.shard.index + 1;
    metadata.count = options.shard.count;
    metadata.sla = environment.sla;
    describe_profile(*profile, metadata);
    checkpoints.emplace(sink, std::move(metadata), *profile, environment.sla);
  }

  // Coordinator: checkpoints twice a second, progress once per second,
  // abort_on_fail thresholds, stop requests. Bounded by the planned end plus
  // the drain grace and a margin.
  const Clock::time_point hard_stop = end + options.drain_grace + std::chrono::seconds(5);
  Clock::time_point next_progress = start + std::chrono::seconds(1);
  Clock::time_point next_checkpoint = start + std::chrono::milliseconds(500);
  Clock::time_point next_snapshot = next_checkpoint;
  Clock::time_point next_trim = start + kTrimInterval;
  std::map<std::string, TimeSeries> finished_seconds;  // by scenario
  bool stop_sent = false;
  while (Clock::now() < hard_stop) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const Clock::time_point now = Clock::now();
    if (!stop_sent && options.should_stop && options.should_stop()) {
      outcome.stopped = true;
      for (auto& worker : workers) worker->request_stop();
      stop_sent = true;
    }
    // Seconds the workers finished: kept once, merged, for the final report.
    for (auto& worker : workers) {
      for (auto& [scenario, series] : worker->take_finished_seconds()) finished_seconds[scenario].merge(series);
    }
    if (now >= next_trim) {
      next_trim = now + kTrimInterval;
      release_free_heap();
    }
    const bool progress_due = now >= next_progress;
    const bool checkpoint_due = checkpoints && now >= next_checkpoint;
    if (progress_due || checkpoint_due) {
      std::optional<LoadStats> merged = merged_progress(workers);
      if (checkpoint_due) {
        while (next_checkpoint <= now) next_checkpoint += std::chrono::milliseconds(500);
        // Workers publish every 250 ms: a second is complete in their copies
        // once it ended more than that ago.
        const std::int64_t open_second =
            std::chrono::duration_cast<std::chrono::seconds>(now - std::chrono::milliseconds(300) -
                                                             epoch.steady)
                .count();
        // The mergeable snapshot (every scope's histograms) once a second,
        // the summaries the report shows twice a second.
        const bool with_snapshot = now >= next_snapshot;
        if (with_snapshot) next_snapshot = now + std::chrono::milliseconds(900);
        if (merged) {
          std::map<std::string, nlohmann::json> searches;
          if (capacity) searches.emplace(profile->scenarios.front().name, capacity->to_json());
          checkpoints->write(*merged, open_second, std::chrono::duration<double>(now - start).count(),
                             with_snapshot, searches);
        }
      }
      if (progress_due && merged) {
        next_progress += std::chrono::seconds(1);
        std::uint32_t active = 0;
        for (const auto& worker : workers) active += worker->active_vus();
        if (options.on_progress) {
          options.on_progress(
              progress_of(*merged, *profile, epoch.steady, start, warmup_end, planned_s, active));
        }
        if (!stop_sent && now >= warmup_end + std::chrono::seconds(1)) {
          for (const ScenarioProfile& scenario : profile->scenarios) {
            for (const ThresholdSpec& spec : scenario.thresholds) {
              if (!spec.abort_on_fail) continue;
              if (evaluate(spec, merged->snapshot(scenario.name, spec.scope)).passed) continue;
              outcome.aborted = true;
            }
          }
          if (outcome.aborted) {
            for (auto& worker : workers) worker->request_stop();
            stop_sent = true;
          }
        }
      } else if (progress_due) {
        next_progress += std::chrono::seconds(1);
      }
    }
    const double elapsed_s = std::chrono::duration<double>(now - start).count();
    if (capacity && !stop_sent && capacity->due(elapsed_s)) {
      if (const std::optional<LoadStats> merged = merged_progress(workers)) {
        if (capacity->observe(*merged, elapsed_s)) {  // a step broke: the search is over
          for (auto& worker : workers) worker->request_stop();
          stop_sent = true;
        }
      }
    }
    bool all_finished = true;
    for (const auto& worker : workers) all_finished = all_finished && worker->finished();
    if (all_finished || now >= end) break;  // the workers stop themselves and drain; join below
  }
  for (auto& worker : workers) worker->join();

  LoadStats merged = workers.front()->stats();
  for (std::size_t w = 1; w < workers.size(); ++w) merged.merge(workers[w]->stats());
  for (auto& worker : workers) {
    for (auto& [scenario, series] : worker->take_finished_seconds()) finished_seconds[scenario].merge(series);
  }
  for (const auto& [scenario, series] : finished_seconds) merged.merge_series(scenario, series);
  outcome.stats = merged;
  if (capacity) capacity->finish(merged, std::chrono::duration<double>(std::min(Clock::now(), end) - start).count());

  for (const ScenarioProfile& scenario : profile->scenarios) {
    // A capacity search's verdicts are those of the run up to the last rate that held.
    std::vector<ThresholdVerdict> verdicts;
    if (capacity) {
      for (const ThresholdSpec& spec : scenario.thresholds) {
        verdicts.push_back(evaluate(spec, capacity->verdict_snapshot(spec.scope)));
      }
    } else {
      verdicts = evaluate_thresholds(merged, scenario.name, scenario.thresholds);
    }
    for (const ThresholdVerdict& verdict : verdicts) outcome.thresholds_passed &= verdict.passed;
    for (const core::CheckResult& check : threshold_checks(scenario.name, verdicts)) sink.record(check);
    if (!scenario.open_model()) {
      sink.record(concurrency_check(merged, scenario.name, scenario.peak() / options.shard.count));
    }
    outcome.load_summaries.push_back(load_summary_record(merged, scenario.name, verdicts));
    if (capacity) outcome.load_summaries.back()["capacity"] = capacity->to_json();
  }
  const SlaVerdict sla = evaluate_sla(capacity ? capacity->verdict_snapshot() : merged.overall(), environment.sla);
  outcome.sla_met = sla.met();
  outcome.sla = sla_record(sla);
  for (const core::CheckResult& check : sla_checks(sla)) sink.record(check);
  return outcome;
}

std::string progress_line(const LoadProgress& p) {
  std::ostringstream line;
  line << std::fixed << std::setprecision(0) << std::setw(4) << p.elapsed_s << "s/" << p.planned_s
       << "s  vus " << p.active_vus << "  rps " << p.rps << "  p95 " << std::setprecision(1)
       << p.p95_ms << "ms  requests " << p.requests << "  errors " << p.errors
       << (p.warming_up ? "  (warm-up)" : "");
  return line.str();
}

config::Capability load_capability(const config::Environment& env) {
  if (env.production) return {"load", false, "production: load refused unless --allow-production"};
  return {"load", true,
          env.safety.max_rps > 0
              ? "capped at " + std::to_string(static_cast<int>(env.safety.max_rps)) +
                    " req/s by safety.max_rps"
              : "no max_rps cap set"};
}

}  // namespace golive::load
