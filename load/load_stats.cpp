#include "load/load_stats.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "core/input_error.hpp"

namespace golive::load {

namespace {

constexpr const char* kCategoryNames[kErrorCategoryCount] = {
    "none", "connect", "timeout", "tls", "http_status", "assertion", "protocol", "dropped", "other",
    "not_allowed"};

constexpr const char* kFormat = "golive.load.stats/1";

// Latency percentiles of the report, in milliseconds.
nlohmann::json latency_ms(const LatencyHistogram& latency) {
  auto ms = [](std::uint64_t us) { return static_cast<double>(us) / 1000.0; };
  return {{"p50", ms(latency.value_at_percentile(50))},
          {"p90", ms(latency.value_at_percentile(90))},
          {"p95", ms(latency.value_at_percentile(95))},
          {"p99", ms(latency.value_at_percentile(99))},
          {"p99.9", ms(latency.value_at_percentile(99.9))},
          {"max", ms(latency.max())},
          {"min", ms(latency.min())},
          {"mean", latency.mean() / 1000.0},
          {"samples", latency.count()},
          {"clamped_over_1h", latency.overflow()}};
}

nlohmann::json errors_by_category(const ScopeTotals& totals) {
  nlohmann::json errors = {{"total", totals.error_total()}};
  for (std::size_t c = 1; c < kErrorCategoryCount; ++c) errors[kCategoryNames[c]] = totals.errors[c];
  return errors;
}

nlohmann::json scope_summary(const ScopeTotals& totals, double seconds) {
  const std::uint64_t intended = totals.requests + totals.dropped_iterations;
  return {{"requests", totals.requests},
          {"dropped_iterations", totals.dropped_iterations},
          {"errors", errors_by_category(totals)},
          {"error_rate", intended ? static_cast<double>(totals.error_total()) / static_cast<double>(intended)
                                  : 0.0},
          {"throughput_rps", seconds > 0 ? static_cast<double>(totals.requests) / seconds : 0.0},
          {"bytes_sent", totals.bytes_sent},
          {"bytes_received", totals.bytes_received},
          {"latency_ms", latency_ms(totals.latency)}};
}

}  // namespace

const char* to_string(ErrorCategory category) {
  const auto index = static_cast<std::size_t>(category);
  return index < kErrorCategoryCount ? kCategoryNames[index] : "other";
}

std::optional<ErrorCategory> parse_error_category(std::string_view name) {
  for (std::size_t c = 0; c < kErrorCategoryCount; ++c) {
    if (name == kCategoryNames[c]) return static_cast<ErrorCategory>(c);
  }
  return std::nullopt;
}

RunEpoch RunEpoch::now() {
  RunEpoch epoch;
  epoch.steady = Clock::now();
  epoch.unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  return epoch;
}

// ---------------------------------------------------------------- ScopeTotals

std::uint64_t ScopeTotals::error_total() const {
  std::uint64_t total = 0;
  for (std::uint64_t count : errors) total += count;
  return total;
}

void ScopeTotals::merge(const ScopeTotals& other) {
  requests += other.requests;
  dropped_iterations += other.dropped_iterations;
  bytes_sent += other.bytes_sent;
  bytes_received += other.bytes_received;
  for (std::size_t c = 0; c < kErrorCategoryCount; ++c) errors[c] += other.errors[c];
  latency.merge(other.latency);
}

nlohmann::json ScopeTotals::to_json() const {
  nlohmann::json errors_json = nlohmann::json::object();
  for (std::size_t c = 1; c < kErrorCategoryCount; ++c) {
    if (errors[c] != 0) errors_json[kCategoryNames[c]] = errors[c];
  }
  return {{"requests", requests},
          {"dropped_iterations", dropped_iterations},
          {"bytes_sent", bytes_sent},
          {"bytes_received", bytes_received},
          {"errors", std::move(errors_json)},
          {"latency", latency.to_json()}};
}

ScopeTotals ScopeTotals::from_json(const nlohmann::json& value, const std::string& origin,
                                   const std::string& pointer) {
  const core::JsonReader reader(value, origin, pointer);
  reader.reject_unknown_keys(
      {"requests", "dropped_iterations", "bytes_sent", "bytes_received", "errors", "latency"});
  ScopeTotals totals;
  totals.requests = read_count(reader.at("requests"));
  totals.dropped_iterations = read_count(reader.at("dropped_iterations"));
  totals.bytes_sent = read_count(reader.at("bytes_sent"));
  totals.bytes_received = read_count(reader.at("bytes_received"));
  const core::JsonReader errors = reader.at("errors");
  for (const auto& item : errors.as_object().items()) {
    const auto category = parse_error_category(item.key());
    if (!category || *category == ErrorCategory::kNone) {
      errors.at(item.key()).fail("unknown error category \"" + item.key() + "\"");
    }
    totals.errors[static_cast<std::size_t>(*category)] = read_count(errors.at(item.key()));
  }
  totals.latency = LatencyHistogram::from_json(reader.at("latency").value(), origin,
                                               reader.at("latency").pointer());
  if (totals.latency.count() != totals.requests) {
    reader.at("requests").fail("requests differ from the latency histogram's count");
  }
  if (totals.errors[static_cast<std::size_t>(ErrorCategory::kDropped)] != totals.dropped_iterations) {
    reader.at("dropped_iterations").fail("differs from errors.dropped");
  }
  return totals;
}

// ------------------------------------------------------------------ LoadStats

LoadStats::LoadStats(RunEpoch epoch) : epoch_(epoch), warmup_end_(epoch.steady) {}

std::uint32_t LoadStats::find_or_add_scenario(const std::string& name) {
  for (std::size_t i = 0; i < scenarios_.size(); ++i) {
    if (scenarios_[i].name == name) return static_cast<std::uint32_t>(i);
  }
  Scenario scenario;
  scenario.name = name;
  scenario.scope_names.push_back("scenario");
  scenario.scopes.emplace_back();
  scenarios_.push_back(std::move(scenario));
  return static_cast<std::uint32_t>(scenarios_.size() - 1);
}

std::uint32_t LoadStats::find_or_add_scope(Scenario& scenario, const std::string& scope) {
  const auto it = std::find(scenario.scope_names.begin(), scenario.scope_names.end(), scope);
  if (it != scenario.scope_names.end()) {
    return static_cast<std::uint32_t>(it - scenario.scope_names.begin());
  }
  scenario.scope_names.push_back(scope);
  scenario.scopes.emplace_back();
  return static_cast<std::uint32_t>(scenario.scopes.size() - 1);
}

const LoadStats::Scenario* LoadStats::find_scenario(const std::string& name) const {
  for (const Scenario& scenario : scenarios_) {
    if (scenario.name == name) return &scenario;
  }
  return nullptr;
}

ScenarioKey LoadStats::register_scenario(const std::string& scenario) {
  return ScenarioKey{find_or_add_scenario(scenario)};
}

StepKey LoadStats::register_step(const std::string& scenario_name, const std::string& step,
                                 const std::vector<std::pair<std::string, std::string>>& tags) {
  Route route;
  route.scenario = find_or_add_scenario(scenario_name);
  Scenario& scenario = scenarios_[route.scenario];
  route.scopes.push_back(0);
  route.scopes.push_back(find_or_add_scope(scenario, "step:" + step));
  for (const auto& [key, value] : tags) {
    const std::uint32_t scope = find_or_add_scope(scenario, "tag:" + key + "=" + value);
    if (std::find(route.scopes.begin(), route.scopes.end(), scope) == route.scopes.end()) {
      route.scopes.push_back(scope);
    }
  }
  routes_.push_back(std::move(route));
  return StepKey{static_cast<std::uint32_t>(routes_.size() - 1)};
}

void LoadStats::set_warmup_end(Clock::time_point end) {
  warmup_end_ = end;
  measured_from_us_ = std::max<std::int64_t>(0, offset_of(end));
}

void LoadStats::mark_end(Clock::time_point end) {
  end_us_ = offset_of(end);
  window_known_ = true;
}

void LoadStats::record_dropped(ScenarioKey key, Clock::time_point at) {
  if (at < warmup_end_) {
    ++discarded_warmup_;
    return;
  }
  Scenario& scenario = scenarios_[key.scenario];
  ScopeTotals& totals = scenario.scopes[0];
  ++totals.dropped_iterations;
  ++totals.errors[static_cast<std::size_t>(ErrorCategory::kDropped)];
  const std::int64_t offset_us = offset_of(at);
  latest_us_ = std::max(latest_us_, offset_us);
  window_known_ = true;
  scenario.series.record_dropped(second_of(offset_us));
}

void LoadStats::record_active_vus(ScenarioKey key, Clock::time_point at, std::uint32_t vus) {
  if (at < warmup_end_) return;
  scenarios_[key.scenario].series.record_active_vus(second_of(offset_of(at)), vus);
}

void LoadStats::move_start_earlier(std::int64_t new_start_unix_ms) {
  const std::int64_t delta_ms = epoch_.unix_ms - new_start_unix_ms;  // > 0
  const std::int64_t delta_us = delta_ms * 1000;
  epoch_.unix_ms = new_start_unix_ms;
  epoch_.steady -= std::chrono::milliseconds(delta_ms);
  measured_from_us_ += delta_us;
  latest_us_ += delta_us;
  if (end_us_) *end_us_ += delta_us;
  const auto delta_s = static_cast<std::int64_t>(std::llround(static_cast<double>(delta_ms) / 1000.0));
  for (Scenario& scenario : scenarios_) scenario.series.shift(delta_s);
}

void LoadStats::merge(const LoadStats& other) {
  if (&other == this) {
    const LoadStats copy = other;
    merge(copy);
    return;
  }
  if (other.epoch_.unix_ms < epoch_.unix_ms) move_start_earlier(other.epoch_.unix_ms);
  const std::int64_t delta_ms = other.epoch_.unix_ms - epoch_.unix_ms;  // >= 0
  const std::int64_t delta_us = delta_ms * 1000;
  const auto delta_s = static_cast<std::int64_t>(std::llround(static_cast<double>(delta_ms) / 1000.0));

  if (other.window_known_) {
    const bool either_marked = end_us_.has_value() || other.end_us_.has_value();
    const std::int64_t other_from = other.measured_from_us_ + delta_us;
    const std::int64_t other_to = other.end_us_.value_or(other.latest_us_) + delta_us;
    if (!window_known_) {
      measured_from_us_ = other_from;
      end_us_ = other.end_us_ ? std::optional<std::int64_t>(other_to) : std::nullopt;
    } else {
      const std::int64_t mine_to = end_us_.value_or(latest_us_);
      measured_from_us_ = std::min(measured_from_us_, other_from);
      if (either_marked) end_us_ = std::max(mine_to, other_to);
    }
    latest_us_ = window_known_ ? std::max(latest_us_, other.latest_us_ + delta_us)
                               : other.latest_us_ + delta_us;
    window_known_ = true;
  }
  discarded_warmup_ += other.discarded_warmup_;

  for (const Scenario& theirs : other.scenarios_) {
    const bool known = find_scenario(theirs.name) != nullptr;
    Scenario& mine = scenarios_[find_or_add_scenario(theirs.name)];
    if (!known) mine.slowest.set_capacity(theirs.slowest.capacity());  // not the default's
    for (std::size_t s = 0; s < theirs.scopes.size(); ++s) {
      mine.scopes[find_or_add_scope(mine, theirs.scope_names[s])].merge(theirs.scopes[s]);
    }
    mine.series.merge(theirs.series, delta_s);
    mine.connections.merge(theirs.connections);
    mine.slowest.merge(theirs.slowest);
  }
}

std::vector<std::pair<std::string, TimeSeries>> LoadStats::take_series_before(std::int64_t first_kept) {
  std::vector<std::pair<std::string, TimeSeries>> taken;
  for (Scenario& scenario : scenarios_) taken.emplace_back(scenario.name, scenario.series.take_before(first_kept));
  return taken;
}

void LoadStats::merge_series(const std::string& scenario, const TimeSeries& series) {
  scenarios_[find_or_add_scenario(scenario)].series.merge(series);
}

LoadStats LoadStats::progress_copy(std::int64_t series_seconds) const {
  LoadStats copy(epoch_);
  copy.warmup_end_ = warmup_end_;
  copy.measured_from_us_ = measured_from_us_;
  copy.end_us_ = end_us_;
  copy.latest_us_ = latest_us_;
  copy.window_known_ = window_known_;
  copy.discarded_warmup_ = discarded_warmup_;
  copy.routes_ = routes_;
  const std::int64_t first_second = second_of(latest_us_) - series_seconds + 1;
  for (const Scenario& scenario : scenarios_) {
    Scenario trimmed;
    trimmed.name = scenario.name;
    trimmed.scope_names = scenario.scope_names;
    trimmed.scopes = scenario.scopes;
    trimmed.series = scenario.series.since(first_second);
    trimmed.connections = scenario.connections;
    trimmed.slowest = scenario.slowest;
    copy.scenarios_.push_back(std::move(trimmed));
  }
  return copy;
}

std::vector<std::string> LoadStats::scenario_names() const {
  std::vector<std::string> names;
  for (const Scenario& scenario : scenarios_) names.push_back(scenario.name);
  return names;
}

std::vector<std::string> LoadStats::scope_names(const std::string& scenario) const {
  const Scenario* found = find_scenario(scenario);
  return found ? found->scope_names : std::vector<std::string>{};
}

const ScopeTotals* LoadStats::find(const std::string& scenario, const std::string& scope) const {
  const Scenario* found = find_scenario(scenario);
  if (!found) return nullptr;
  for (std::size_t i = 0; i < found->scope_names.size(); ++i) {
    if (found->scope_names[i] == scope) return &found->scopes[i];
  }
  return nullptr;
}

const ConnectionTotals* LoadStats::connections(const std::string& scenario) const {
  const Scenario* found = find_scenario(scenario);
  return found ? &found->connections : nullptr;
}

const SlowestRequests* LoadStats::slowest(const std::string& scenario) const {
  const Scenario* found = find_scenario(scenario);
  return found ? &found->slowest : nullptr;
}

void LoadStats::set_slowest_capacity(const std::string& scenario, std::uint32_t capacity) {
  scenarios_[find_or_add_scenario(scenario)].slowest.set_capacity(capacity);
}

const TimeSeries* LoadStats::series(const std::string& scenario) const {
  const Scenario* found = find_scenario(scenario);
  return found ? &found->series : nullptr;
}

double LoadStats::measured_seconds() const {
  const std::int64_t to = end_us_.value_or(latest_us_);
  return to > measured_from_us_ ? static_cast<double>(to - measured_from_us_) / 1e6 : 0.0;
}

MetricSnapshot LoadStats::snapshot(const std::string& scenario, const std::string& scope) const {
  MetricSnapshot snapshot;
  snapshot.duration_s = measured_seconds();
  if (const ScopeTotals* totals = find(scenario, scope)) {
    snapshot.requests = totals->requests;
    snapshot.errors = totals->error_total();
    snapshot.dropped_iterations = totals->dropped_iterations;
    snapshot.latency = totals->latency;
  }
  return snapshot;
}

MetricSnapshot LoadStats::overall() const {
  MetricSnapshot snapshot;
  snapshot.duration_s = measured_seconds();
  for (const Scenario& scenario : scenarios_) {
    const ScopeTotals& totals = scenario.scopes[0];
    snapshot.requests += totals.requests;
    snapshot.errors += totals.error_total();
    snapshot.dropped_iterations += totals.dropped_iterations;
    snapshot.latency.merge(totals.latency);
  }
  return snapshot;
}

nlohmann::json LoadStats::to_json() const {
  nlohmann::json scenarios_json = nlohmann::json::array();
  for (const Scenario& scenario : scenarios_) {
    nlohmann::json scopes = nlohmann::json::array();
    for (std::size_t s = 0; s < scenario.scopes.size(); ++s) {
      nlohmann::json scope = scenario.scopes[s].to_json();
      scope["scope"] = scenario.scope_names[s];
      scopes.push_back(std::move(scope));
    }
    scenarios_json.push_back(
        {{"name", scenario.name},
         {"scopes", std::move(scopes)},
         {"series", scenario.series.to_json()},
         {"connections", scenario.connections.to_json()},
         {"slowest", scenario.slowest.to_json()}});
  }
  const std::int64_t to_us = end_us_.value_or(latest_us_);
  return {{"format", kFormat},
          {"start_unix_ms", epoch_.unix_ms},
          {"measured_from_us", measured_from_us_},
          {"measured_to_us", to_us},
          {"discarded_warmup", discarded_warmup_},
          {"scenarios", std::move(scenarios_json)}};
}

LoadStats LoadStats::from_json(const nlohmann::json& value, const std::string& origin) {
  const core::JsonReader reader(value, origin);
  reader.reject_unknown_keys(
      {"format", "start_unix_ms", "measured_from_us", "measured_to_us", "discarded_warmup", "scenarios"});
  if (reader.at("format").as_string() != kFormat) {
    reader.at("format").fail(std::string("expected \"") + kFormat + "\"");
  }
  RunEpoch epoch = RunEpoch::now();
  epoch.unix_ms = reader.at("start_unix_ms").as_integer();
  LoadStats stats(epoch);
  // The steady epoch of a loaded file is meaningless; keep warm-up from
  // discarding anything recorded into it later.
  stats.warmup_end_ = Clock::time_point::min();
  stats.measured_from_us_ = reader.at("measured_from_us").as_integer();
  stats.end_us_ = reader.at("measured_to_us").as_integer();
  stats.latest_us_ = *stats.end_us_;
  stats.window_known_ = true;
  if (*stats.end_us_ < stats.measured_from_us_) reader.at("measured_to_us").fail("ends before it starts");
  stats.discarded_warmup_ = read_count(reader.at("discarded_warmup"));

  const core::JsonReader scenarios = reader.at("scenarios");
  for (std::size_t i = 0; i < scenarios.as_array().size(); ++i) {
    const core::JsonReader entry = scenarios.at(i);
    entry.reject_unknown_keys({"name", "scopes", "series", "connections", "slowest"});
    const std::string name = entry.at("name").as_string();
    if (stats.find_scenario(name)) entry.at("name").fail("duplicate scenario \"" + name + "\"");
    Scenario& scenario = stats.scenarios_[stats.find_or_add_scenario(name)];
    const core::JsonReader scopes = entry.at("scopes");
    std::set<std::string> seen;
    for (std::size_t s = 0; s < scopes.as_array().size(); ++s) {
      const core::JsonReader scope_entry = scopes.at(s);
      const std::string scope = scope_entry.at("scope").as_string();
      if (const std::string problem = scope_problem(scope); !problem.empty()) {
        scope_entry.at("scope").fail(problem);
      }
      nlohmann::json totals_json = scope_entry.value();
      totals_json.erase("scope");
      if (!seen.insert(scope).second) scope_entry.at("scope").fail("duplicate scope \"" + scope + "\"");
      const std::uint32_t index = stats.find_or_add_scope(scenario, scope);
      scenario.scopes[index] = ScopeTotals::from_json(totals_json, origin, scope_entry.pointer());
    }
    scenario.series = TimeSeries::from_json(entry.at("series").value(), origin, entry.at("series").pointer());
    if (entry.has("connections")) {  // absent in files written before connections were counted
      scenario.connections = ConnectionTotals::from_json(entry.at("connections").value(), origin,
                                                         entry.at("connections").pointer());
    }
    if (entry.has("slowest")) {  // absent in files written before the slowest requests were kept
      scenario.slowest = SlowestRequests::from_json(entry.at("slowest").value(), origin,
                                                    entry.at("slowest").pointer());
    }
  }
  return stats;
}

// ------------------------------------------------------------------ reporting

std::vector<ThresholdVerdict> evaluate_thresholds(const LoadStats& stats, const std::string& scenario,
                                                  const std::vector<ThresholdSpec>& specs) {
  std::vector<ThresholdVerdict> verdicts;
  verdicts.reserve(specs.size());
  for (const ThresholdSpec& spec : specs) verdicts.push_back(evaluate(spec, stats.snapshot(scenario, spec.scope)));
  return verdicts;
}

nlohmann::json summary_json(const LoadStats& stats,
                            const std::map<std::string, std::vector<ThresholdVerdict>>& verdicts_by_scenario) {
  const double seconds = stats.measured_seconds();
  bool all_passed = true;
  nlohmann::json scenarios = nlohmann::json::array();
  for (const std::string& name : stats.scenario_names()) {
    nlohmann::json scenario = scope_summary(*stats.find(name, "scenario"), seconds);
    scenario["name"] = name;

    nlohmann::json verdicts = nlohmann::json::array();
    if (const auto it = verdicts_by_scenario.find(name); it != verdicts_by_scenario.end()) {
      for (const ThresholdVerdict& verdict : it->second) {
        verdicts.push_back(verdict.to_json());
        all_passed = all_passed && verdict.passed;
      }
    }
    scenario["thresholds"] = std::move(verdicts);

    nlohmann::json steps = nlohmann::json::array();
    nlohmann::json tags = nlohmann::json::array();
    for (const std::string& scope : stats.scope_names(name)) {
      if (scope == "scenario") continue;
      nlohmann::json entry = scope_summary(*stats.find(name, scope), seconds);
      if (scope.rfind("step:", 0) == 0) {
        entry["name"] = scope.substr(5);
        steps.push_back(std::move(entry));
      } else {
        entry["tag"] = scope.substr(4);
        tags.push_back(std::move(entry));
      }
    }
    scenario["steps"] = std::move(steps);
    scenario["tags"] = std::move(tags);

    nlohmann::json series = nlohmann::json::array();
    for (const SecondPoint& point : stats.series(name)->points()) {
      series.push_back({{"t", point.second},
                        {"rps", point.requests},
                        {"errors", point.errors},
                        {"p95_ms", point.percentile_ms(95)},
                        {"active_vus", point.active_vus}});
    }
    scenario["series"] = std::move(series);
    scenario["connections"] = stats.connections(name)->summary(seconds);
    nlohmann::json slowest = nlohmann::json::array();
    for (const SlowRequest& request : stats.slowest(name)->sorted()) slowest.push_back(request.to_json());
    scenario["slowest_requests"] = std::move(slowest);
    scenarios.push_back(std::move(scenario));
  }
  return {{"measured_s", seconds},
          {"start_unix_ms", stats.start_unix_ms()},
          {"discarded_warmup_samples", stats.discarded_warmup()},
          {"thresholds_passed", all_passed},
          {"scenarios", std::move(scenarios)}};
}

}  // namespace golive::load
