#include "load/load_profile.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

#include "core/input_error.hpp"
#include "load/slowest_requests.hpp"

namespace golive::load {

namespace {

double positive_number(const core::JsonReader& field, bool allow_zero) {
  const double value = field.as_number();
  if (!std::isfinite(value) || value < 0 || (!allow_zero && value == 0)) {
    field.fail(allow_zero ? "must be a number >= 0" : "must be a number > 0");
  }
  return value;
}

std::optional<ExecutorKind> parse_executor(const std::string& name) {
  if (name == "constant_arrival_rate") return ExecutorKind::kConstantArrivalRate;
  if (name == "ramping_arrival_rate") return ExecutorKind::kRampingArrivalRate;
  if (name == "ramping_vus") return ExecutorKind::kRampingVus;
  if (name == "replay") return ExecutorKind::kReplay;
  if (name == "capacity") return ExecutorKind::kCapacity;
  return std::nullopt;
}

RequestTarget parse_request(const core::JsonReader& reader) {
  reader.reject_unknown_keys({"name", "method", "url", "headers", "body", "timeout_ms"});
  RequestTarget target;
  target.name = reader.string_or("name", target.name);
  if (target.name.empty()) reader.at("name").fail("must not be empty");
  target.method = reader.string_or("method", target.method);
  target.url = reader.at("url").as_string();
  if (target.url.empty()) reader.at("url").fail("must not be empty");
  if (reader.has("headers")) {
    const core::JsonReader headers = reader.at("headers");
    for (const auto& [name, value] : headers.as_object().items()) {
      target.headers.emplace_back(name, headers.at(name).as_string());
      (void)value;
    }
  }
  target.body = reader.string_or("body", "");
  if (reader.has("timeout_ms")) {
    const double ms = positive_number(reader.at("timeout_ms"), false);
    if (ms > 3'600'000) reader.at("timeout_ms").fail("must be at most 3600000 (one hour)");
    target.timeout_ms = static_cast<std::uint32_t>(ms);
  }
  return target;
}

std::vector<Stage> parse_stages(const core::JsonReader& reader, const char* target_key) {
  std::vector<Stage> stages;
  const auto& array = reader.as_array();
  if (array.empty()) reader.fail("needs at least one stage");
  for (std::size_t i = 0; i < array.size(); ++i) {
    const core::JsonReader stage = reader.at(i);
    stage.reject_unknown_keys({"duration_s", target_key});
    stages.push_back({positive_number(stage.at("duration_s"), false),
                      positive_number(stage.at(target_key), true)});
  }
  return stages;
}

// The log's arrival rate as 1 s stages (10 s for logs over an hour), in
// replay time: what progress, peaks and the max_rps cap read.
void describe_replay_rate(ScenarioProfile& scenario) {
  const RequestLog& log = *scenario.replay_log;
  const double span_s = log.span_s() / scenario.replay_speed;
  const double bucket_s = span_s > 3600 ? 10 : 1;
  std::vector<double> counts(static_cast<std::size_t>(span_s / bucket_s) + 1, 0);
  for (const LoggedRequest& request : log.requests) {
    counts[static_cast<std::size_t>(request.at_s / scenario.replay_speed / bucket_s)] += 1;
  }
  scenario.start = counts.front() / bucket_s;
  scenario.stages.clear();
  for (double count : counts) scenario.stages.push_back({bucket_s, count / bucket_s});
}

ScenarioProfile parse_scenario(const core::JsonReader& reader, const std::string& profile_dir,
                               const std::string& workflows_dir) {
  reader.reject_unknown_keys({"name", "description", "executor", "rate", "duration_s", "start_rate",
                              "start_vus", "stages", "max_vus", "iteration_pause_ms", "request",
                              "workflow", "workflow_file", "thresholds", "log", "speed", "methods",
                              "keep_alive", "slowest_requests", "step_rate", "step_duration_s",
                              "max_rate", "http_version", "max_connections"});
  ScenarioProfile scenario;
  scenario.name = reader.at("name").as_string();
  if (scenario.name.empty() ||
      scenario.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") != std::string::npos) {
    reader.at("name").fail("must be non-empty lowercase letters, digits, '_' or '-'");
  }
  const core::JsonReader executor = reader.at("executor");
  const auto kind = parse_executor(executor.as_string());
  if (!kind) {
    executor.fail("unknown executor \"" + executor.as_string() +
                  "\" (constant_arrival_rate, ramping_arrival_rate, ramping_vus, replay, capacity)");
  }
  scenario.executor = *kind;
  auto forbid = [&](const char* key) {
    if (reader.has(key)) {
      reader.at(key).fail(std::string("not used by executor ") + to_string(scenario.executor));
    }
  };
  switch (scenario.executor) {
    case ExecutorKind::kConstantArrivalRate: {
      forbid("stages");
      forbid("start_rate");
      forbid("start_vus");
      forbid("iteration_pause_ms");
      const double rate = positive_number(reader.at("rate"), false);
      scenario.start = rate;
      scenario.stages.push_back({positive_number(reader.at("duration_s"), false), rate});
      break;
    }
    case ExecutorKind::kRampingArrivalRate:
      forbid("rate");
      forbid("duration_s");
      forbid("start_vus");
      forbid("iteration_pause_ms");
      scenario.start = reader.has("start_rate") ? positive_number(reader.at("start_rate"), true) : 0;
      scenario.stages = parse_stages(reader.at("stages"), "target_rate");
      break;
    case ExecutorKind::kRampingVus:
      forbid("rate");
      forbid("duration_s");
      forbid("start_rate");
      forbid("max_vus");
      scenario.start = reader.has("start_vus") ? positive_number(reader.at("start_vus"), true) : 0;
      scenario.stages = parse_stages(reader.at("stages"), "target_vus");
      if (reader.has("iteration_pause_ms")) {
        scenario.iteration_pause_ms =
            static_cast<std::uint32_t>(positive_number(reader.at("iteration_pause_ms"), true));
      }
      break;
    case ExecutorKind::kCapacity: {
      for (const char* key : {"rate", "duration_s", "start_vus", "stages", "iteration_pause_ms"}) forbid(key);
      const double start_rate = positive_number(reader.at("start_rate"), false);
      const double step_rate = positive_number(reader.at("step_rate"), false);
      const double step_s = positive_number(reader.at("step_duration_s"), false);
      const double max_rate = positive_number(reader.at("max_rate"), false);
      if (step_s < 1) reader.at("step_duration_s").fail("must be at least 1 (second)");
      if (max_rate < start_rate) reader.at("max_rate").fail("must be at least start_rate");
      const double steps = std::floor((max_rate - start_rate) / step_rate + 1e-9) + 1;
      if (steps > 1000) reader.at("step_rate").fail("makes more than 1000 steps up to max_rate");
      scenario.start = start_rate;
      scenario.stepped = true;
      scenario.step_rate = step_rate;
      for (double i = 0; i < steps; ++i) scenario.stages.push_back({step_s, start_rate + i * step_rate});
      break;
    }
    case ExecutorKind::kReplay: {
      for (const char* key : {"rate", "duration_s", "start_rate", "start_vus", "stages",
                              "iteration_pause_ms", "request", "workflow", "workflow_file"}) {
        forbid(key);
      }
      RequestLogOptions log_options;
      if (reader.has("methods")) {
        const core::JsonReader methods = reader.at("methods");
        log_options.methods.clear();
        for (std::size_t i = 0; i < methods.as_array().size(); ++i) {
          log_options.methods.insert(methods.at(i).as_string());
        }
      }
      const std::filesystem::path log_path = std::filesystem::path(profile_dir) / reader.at("log").as_string();
      scenario.replay_log = std::make_shared<const RequestLog>(read_request_log(log_path.string(), log_options));
      if (reader.has("speed")) scenario.replay_speed = positive_number(reader.at("speed"), false);
      describe_replay_rate(scenario);
      break;
    }
  }
  if (reader.has("keep_alive")) scenario.keep_alive = reader.at("keep_alive").as_bool();
  if (reader.has("slowest_requests")) {
    const core::JsonReader field = reader.at("slowest_requests");
    const double count = field.as_number();
    if (count != std::floor(count) || count < 0 || count > SlowestRequests::kMaxCapacity) {
      field.fail("must be a whole number 0.." + std::to_string(SlowestRequests::kMaxCapacity));
    }
    scenario.slowest_requests = static_cast<std::uint32_t>(count);
  }
  if (reader.has("http_version")) {
    const core::JsonReader field = reader.at("http_version");
    const std::string version = field.as_string();
    if (version == "1.1") {
      scenario.http_version = http::HttpVersion::kHttp1_1;
    } else if (version == "2") {
      scenario.http_version = http::HttpVersion::kHttp2PriorKnowledge;
    } else if (version == "auto") {
      scenario.http_version = http::HttpVersion::kHttp2;
    } else {
      field.fail("unknown http_version \"" + version + "\" (\"1.1\", \"2\" or \"auto\")");
    }
  }
  if (!scenario.keep_alive && scenario.http_version != http::HttpVersion::kHttp1_1) {
    // HTTP/2 has no Connection: close; a handshake storm is an HTTP/1.1 scenario.
    reader.at("keep_alive").fail("false needs \"http_version\": \"1.1\" (HTTP/2 keeps its connections)");
  }
  if (reader.has("max_connections")) {
    const core::JsonReader field = reader.at("max_connections");
    const double connections = positive_number(field, false);
    if (connections != static_cast<double>(static_cast<std::uint32_t>(connections)) || connections > 1e6) {
      field.fail("must be a whole number of connections from 1 to 1,000,000");
    }
    scenario.max_connections = static_cast<std::uint32_t>(connections);
  }
  for (const char* key : {"log", "speed", "methods"}) {
    if (scenario.executor != ExecutorKind::kReplay && reader.has(key)) {
      reader.at(key).fail(std::string("only the replay executor reads it"));
    }
  }
  for (const char* key : {"step_rate", "step_duration_s", "max_rate"}) {
    if (scenario.executor != ExecutorKind::kCapacity && reader.has(key)) {
      reader.at(key).fail(std::string("only the capacity executor reads it"));
    }
  }
  if (scenario.open_model()) {
    if (scenario.peak() > 1e6) reader.fail("rate above 1,000,000 iterations/s");
    scenario.max_vus = reader.has("max_vus")
                           ? static_cast<std::uint32_t>(positive_number(reader.at("max_vus"), false))
                           : 0;
  } else if (scenario.peak() > 1e6) {
    reader.fail("more than 1,000,000 virtual users");
  }

  const int targets = reader.has("request") + reader.has("workflow") + reader.has("workflow_file");
  if (scenario.executor == ExecutorKind::kReplay) {
    scenario.request = RequestTarget{};  // the log supplies each request; no extra headers
    scenario.request->name = "replay";
  } else if (targets != 1) {
    reader.fail("needs exactly one of \"request\", \"workflow\", \"workflow_file\"");
  } else if (reader.has("request")) {
    scenario.request = parse_request(reader.at("request"));
  } else {
    const bool by_name = reader.has("workflow");
    const core::JsonReader field = reader.at(by_name ? "workflow" : "workflow_file");
    const std::string value = field.as_string();
    const std::filesystem::path path = by_name ? std::filesystem::path(workflows_dir) / (value + ".json")
                                               : std::filesystem::path(profile_dir) / value;
    if (value.empty() || !std::filesystem::is_regular_file(path)) {
      field.fail("no workflow file " + path.string());
    }
    scenario.workflow_path = path.string();
  }
  if (reader.has("thresholds")) {
    const core::JsonReader thresholds = reader.at("thresholds");
    for (std::size_t i = 0; i < thresholds.as_array().size(); ++i) {
      scenario.thresholds.push_back(threshold_spec_from_json(thresholds.at(i)));
    }
  }
  return scenario;
}

}  // namespace

const char* to_string(ExecutorKind kind) {
  switch (kind) {
    case ExecutorKind::kConstantArrivalRate:
      return "constant_arrival_rate";
    case ExecutorKind::kRampingArrivalRate:
      return "ramping_arrival_rate";
    case ExecutorKind::kRampingVus:
      return "ramping_vus";
    case ExecutorKind::kReplay:
      return "replay";
    case ExecutorKind::kCapacity:
      return "capacity";
  }
  return "?";
}

double ScenarioProfile::duration_s() const {
  double total = 0;
  for (const Stage& stage : stages) total += stage.duration_s;
  return total;
}

double ScenarioProfile::peak() const {
  double highest = start;
  for (const Stage& stage : stages) highest = std::max(highest, stage.target);
  return highest;
}

double ScenarioProfile::value_at(double t_s) const {
  double from = start;
  double stage_start = 0;
  for (const Stage& stage : stages) {
    if (t_s < stage_start + stage.duration_s) {
      if (stepped) return stage.target;
      return from + (stage.target - from) * (t_s - stage_start) / stage.duration_s;
    }
    stage_start += stage.duration_s;
    from = stage.target;
  }
  return t_s < stage_start ? from : 0;
}

double LoadProfile::duration_s() const {
  double longest = 0;
  for (const ScenarioProfile& scenario : scenarios) longest = std::max(longest, scenario.duration_s());
  return std::min(longest, max_duration_s);
}

LoadProfile parse_profile(const nlohmann::json& document, const std::string& path,
                          const std::string& workflows_dir) {
  const core::JsonReader reader(document, path);
  reader.as_object();
  reader.reject_unknown_keys({"description", "warmup_s", "max_duration_s", "max_requests", "scenarios"});
  LoadProfile profile;
  profile.file = path;
  profile.name = std::filesystem::path(path).stem().string();
  profile.description = reader.at("description").as_string();
  if (profile.description.empty()) reader.at("description").fail("must say what the profile shows");
  if (reader.has("warmup_s")) profile.warmup_s = positive_number(reader.at("warmup_s"), true);
  if (reader.has("max_duration_s")) {
    profile.max_duration_s = positive_number(reader.at("max_duration_s"), false);
  }
  if (reader.has("max_requests")) {
    profile.max_requests = static_cast<std::uint64_t>(positive_number(reader.at("max_requests"), false));
  }
  const core::JsonReader scenarios = reader.at("scenarios");
  if (scenarios.as_array().empty()) scenarios.fail("needs at least one scenario");
  const std::string profile_dir = std::filesystem::path(path).parent_path().string();
  std::set<std::string> names;
  for (std::size_t i = 0; i < scenarios.as_array().size(); ++i) {
    ScenarioProfile scenario = parse_scenario(scenarios.at(i), profile_dir, workflows_dir);
    if (!names.insert(scenario.name).second) {
      scenarios.at(i).at("name").fail("duplicate scenario \"" + scenario.name + "\"");
    }
    profile.scenarios.push_back(std::move(scenario));
  }
  for (std::size_t i = 0; i < profile.scenarios.size(); ++i) {
    // A capacity search judges each step on the whole run's figures, so nothing else may run.
    if (profile.scenarios[i].executor != ExecutorKind::kCapacity) continue;
    if (profile.scenarios.size() > 1) {
      scenarios.at(i).at("executor").fail("a capacity scenario must be the profile's only scenario");
    }
    if (profile.warmup_s > 0) {
      reader.at("warmup_s").fail("not used with a capacity scenario (each step is judged on its own)");
    }
  }
  if (profile.warmup_s >= profile.duration_s()) {
    reader.at("warmup_s").fail("must be shorter than the run");
  }
  return profile;
}

LoadProfile replay_profile(std::shared_ptr<const RequestLog> log, double speed,
                           std::vector<std::pair<std::string, std::string>> headers,
                           std::vector<ThresholdSpec> thresholds, std::uint32_t max_vus) {
  LoadProfile profile;
  profile.file = log->file;
  profile.name = "replay";
  profile.description = "replay of " + std::to_string(log->requests.size()) + " requests from " +
                        log->file + " (" + log->format + ", " +
                        std::to_string(static_cast<long>(log->span_s())) + " s recorded) at " +
                        std::to_string(speed).substr(0, std::to_string(speed).find('.') + 3) + "x";
  // The log bounds the count exactly; the cap is only a safety net (it is
  // split per worker, rounding down, so it must not be the exact count).
  profile.max_requests = 2 * log->requests.size() + 64;
  ScenarioProfile scenario;
  scenario.name = "replay";
  scenario.executor = ExecutorKind::kReplay;
  scenario.replay_log = std::move(log);
  scenario.replay_speed = speed;
  scenario.max_vus = max_vus;
  scenario.thresholds = std::move(thresholds);
  RequestTarget defaults;
  defaults.name = "replay";
  defaults.headers = std::move(headers);
  scenario.request = std::move(defaults);
  describe_replay_rate(scenario);
  profile.max_duration_s = scenario.duration_s() + 1;
  profile.scenarios.push_back(std::move(scenario));
  return profile;
}

LoadProfile load_profile(const std::string& path, const std::string& workflows_dir) {
  // Syntax errors name the line and column, as for every other input file.
  const nlohmann::json document = core::load_json_file(path);
  return parse_profile(document, path, workflows_dir);
}

}  // namespace golive::load
