// The result-stream records of a load run, in the shapes reports/README.md
// defines: one `load_summary` meta record per scenario, one `sla` meta
// record, and the CheckResults the go-live checklist looks for:
//   load.<scenario>.threshold.<n>   one per configured threshold (n from 1)
//   load.<scenario>.concurrency     closed model: the planned peak of VUs ran
//   load.sla.availability, load.sla.p95, load.sla.p99
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/check_result.hpp"
#include "config/environment.hpp"
#include "load/load_stats.hpp"
#include "load/sla.hpp"
#include "load/threshold.hpp"

namespace golive::load {

// {"record":"load_summary","scenario":..,"requests":..,"errors":{category: n},
//  "throughput_rps":..,"latency_ms":{p50,p90,p95,p99,p99_9,max},"thresholds":[..],
//  "timeseries":[{t,rps,errors,p50_ms,p95_ms,p99_ms,active_vus}],"histogram":[{le_ms,count}],
//  plus "dropped_iterations", "peak_vus", "connections" and "slowest_requests"
//  ([SlowRequest::to_json], slowest first)} (without the "record" key: the
// writer adds it).
nlohmann::json load_summary_record(const LoadStats& stats, const std::string& scenario,
                                   const std::vector<ThresholdVerdict>& verdicts);

// {"availability","target","error_budget_consumed_pct","slos":[{name,scenario,objective,observed,unit,pass}]}
nlohmann::json sla_record(const SlaVerdict& verdict);

// The console's SLA line, a sentence with rounded figures, from an sla
// record: "SLA NOT met: availability 25.58% (target 99.9%), 74413% of the
// error budget used; p95 latency 812 ms (objective 500 ms, met), ...".
// report.json keeps the exact figures.
std::string sla_sentence(const nlohmann::json& sla, bool met);

// Threshold verdicts as checks with the checklist's ids.
std::vector<core::CheckResult> threshold_checks(const std::string& scenario,
                                                const std::vector<ThresholdVerdict>& verdicts);
std::vector<core::CheckResult> sla_checks(const SlaVerdict& verdict);
// Pass when the scenario's peak of concurrent VUs reached `planned_peak`
// (to 95%: the ramp is sampled once per second).
core::CheckResult concurrency_check(const LoadStats& stats, const std::string& scenario,
                                    double planned_peak);

// The highest active-VU figure of the scenario's series.
std::uint32_t peak_active_vus(const LoadStats& stats, const std::string& scenario);

}  // namespace golive::load
