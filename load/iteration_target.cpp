#include "load/iteration_target.hpp"

#include <algorithm>
#include <chrono>
#include <strings.h>
#include <cstring>

#include "core/random_id.hpp"

namespace golive::load {

ErrorCategory error_category(http::HttpErrorCategory error) {
  switch (error) {
    case http::HttpErrorCategory::kNone:
      return ErrorCategory::kNone;
    case http::HttpErrorCategory::kDns:
    case http::HttpErrorCategory::kConnect:
      return ErrorCategory::kConnect;
    case http::HttpErrorCategory::kNotAllowed:
      return ErrorCategory::kNotAllowed;
    case http::HttpErrorCategory::kTls:
      return ErrorCategory::kTls;
    case http::HttpErrorCategory::kTimeout:
      return ErrorCategory::kTimeout;
    case http::HttpErrorCategory::kReset:
    case http::HttpErrorCategory::kTooLarge:
    case http::HttpErrorCategory::kProtocol:
      return ErrorCategory::kProtocol;
    case http::HttpErrorCategory::kCancelled:
    case http::HttpErrorCategory::kOther:
      return ErrorCategory::kOther;
  }
  return ErrorCategory::kOther;
}

IterationTarget::IterationTarget(const RequestTarget& request, const std::string& base_url,
                                 LoadStats& stats, const std::string& scenario)
    : stats_(stats), scenario_(scenario) {
  const bool absolute = request.url.rfind("http://", 0) == 0 || request.url.rfind("https://", 0) == 0;
  request_.method = request.method;
  request_.url = absolute ? request.url : base_url + request.url;
  request_.headers = request.headers;
  request_.body = request.body;
  request_.timeout = std::chrono::milliseconds(request.timeout_ms);
  request_.discard_response = true;  // only status and timing are recorded
  request_key_ = stats_.register_step(scenario_, request.name);
  request_name_ = request.name;
}

IterationTarget::IterationTarget(std::shared_ptr<const e2e::Workflow> workflow,
                                 std::shared_ptr<const e2e::RunEnvironment> environment,
                                 LoadStats& stats, const std::string& scenario)
    : stats_(stats),
      scenario_(scenario),
      workflow_(std::move(workflow)),
      environment_(std::move(environment)) {
  // Every key is registered now: the hot path never allocates.
  for (const auto* steps : {&workflow_->steps, &workflow_->cleanup}) {
    for (const e2e::Step& step : *steps) {
      step_keys_.emplace(step.name, stats_.register_step(scenario_, step.name));
    }
  }
  stats_.register_scenario(scenario_);
}

IterationTarget::IterationTarget(std::shared_ptr<const RequestLog> log, const RequestTarget& defaults,
                                 const std::string& base_url, LoadStats& stats,
                                 const std::string& scenario)
    : stats_(stats), scenario_(scenario), replay_log_(std::move(log)), base_url_(base_url) {
  request_.headers = defaults.headers;
  request_.timeout = std::chrono::milliseconds(defaults.timeout_ms);
  constexpr std::size_t kNamedRoutes = 50;
  std::map<std::string, std::uint64_t> counts;
  std::vector<std::string> routes;
  routes.reserve(replay_log_->requests.size());
  for (const LoggedRequest& request : replay_log_->requests) {
    routes.push_back(route_of(request.method, request.target));
    ++counts[routes.back()];
  }
  std::vector<std::pair<std::uint64_t, std::string>> busiest;
  for (const auto& [route, count] : counts) busiest.emplace_back(count, route);
  std::sort(busiest.begin(), busiest.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  std::map<std::string, StepKey> named;
  for (std::size_t i = 0; i < busiest.size() && i < kNamedRoutes; ++i) {
    named.emplace(busiest[i].second, stats_.register_step(scenario_, busiest[i].second));
  }
  const StepKey other = busiest.size() > kNamedRoutes ? stats_.register_step(scenario_, "other") : StepKey{};
  for (const std::string& route : routes) {
    auto found = named.find(route);
    replay_keys_.push_back(found != named.end() ? found->second : other);
  }
  stats_.register_scenario(scenario_);
}

StepKey IterationTarget::step_key(std::string_view step) {
  const auto it = step_keys_.find(step);
  if (it != step_keys_.end()) return it->second;
  return step_keys_.emplace(std::string(step), stats_.register_step(scenario_, std::string(step)))
      .first->second;
}

namespace {

std::uint32_t ms_to_us(double ms) {
  return ms > 0 ? static_cast<std::uint32_t>(std::min(ms * 1000.0, 4.0e9)) : 0;
}

}  // namespace

void IterationTarget::record(StepKey key, Clock::time_point from, Clock::time_point completed,
                             ErrorCategory error, const http::HttpTiming& timing, const Sent& sent) {
  RequestSample sample;
  sample.completed_at = completed;
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(completed - from).count();
  sample.latency_us = us > 0 ? static_cast<std::uint64_t>(us) : 0;
  sample.error = error;
  if (timing.new_connection) [[unlikely]] {
    sample.new_connection = true;
    sample.connect_us = ms_to_us(timing.connect_ms - timing.dns_ms);
    sample.handshake_us = ms_to_us(timing.handshake_ms);
    sample.tls_resumed = timing.tls_resumed;
  }
  ++samples_;
  if (stats_.wants_slow(key, sample)) [[unlikely]] {
    SlowRequest slow;
    slow.latency_us = sample.latency_us;
    slow.completed_unix_ms = stats_.unix_ms_of(completed);
    slow.step = sent.step;
    slow.method = sent.method;
    std::string url(sent.url_base);
    url.append(sent.url_rest);
    slow.url = redact_url(url);
    slow.status = sent.status;
    slow.error = error == ErrorCategory::kNone ? "" : to_string(error);
    if (const http::CorrelationIds* ids = correlating_ ? correlating_->completing() : nullptr) {
      slow.trace_id = ids->trace_id_text();
      slow.request_id = ids->request_id_text();
    }
    auto ms_or_missing = [](double ms) { return ms > 0 ? ms : -1.0; };
    slow.total_ms = ms_or_missing(timing.total_ms);
    slow.first_byte_ms = ms_or_missing(timing.first_byte_ms);
    if (timing.new_connection) {
      slow.connect_ms = std::max(0.0, timing.connect_ms - timing.dns_ms);
      if (timing.handshake_ms > 0) slow.handshake_ms = timing.handshake_ms;
    }
    stats_.record_slow(key, std::move(slow));
  }
  stats_.record(key, sample);
}

std::shared_ptr<e2e::WorkflowRun> IterationTarget::start(http::HttpClient& client,
                                                         Clock::time_point intended,
                                                         std::uint64_t iteration,
                                                         DoneCallback on_done) {
  if (replay_log_) {
    const LoggedRequest& logged = replay_log_->requests.at(iteration);
    http::HttpRequest request;
    request.method = logged.method;
    request.url = base_url_ + logged.target;
    request.headers = logged.headers;
    for (const auto& header : request_.headers) {
      const bool present = std::any_of(request.headers.begin(), request.headers.end(), [&](const auto& h) {
        return strcasecmp(h.first.c_str(), header.first.c_str()) == 0;
      });
      if (!present) request.headers.push_back(header);
    }
    request.body = logged.body;
    request.timeout = request_.timeout;
    request.discard_response = true;  // only status and timing are recorded
    const StepKey key = replay_keys_[iteration];
    client.send(request, [this, key, intended, &logged, on_done = std::move(on_done)](http::HttpResponse&& response) {
      ErrorCategory error = error_category(response.error);
      if (error == ErrorCategory::kNone && (response.status < 200 || response.status >= 400)) {
        error = ErrorCategory::kHttpStatus;
      }
      Sent sent{"replay", logged.method, base_url_, logged.target, response.status};
      record(key, intended, Clock::now(), error, response.timing, sent);
      on_done();
    });
    return nullptr;
  }
  if (!workflow_) {
    client.send(request_, [this, intended, on_done = std::move(on_done)](http::HttpResponse&& response) {
      ErrorCategory error = error_category(response.error);
      if (error == ErrorCategory::kNone && (response.status < 200 || response.status >= 400)) {
        error = ErrorCategory::kHttpStatus;
      }
      record(request_key_, intended, Clock::now(), error, response.timing,
             Sent{request_name_, request_.method, request_.url, {}, response.status});
      on_done();
    });
    return nullptr;
  }
  e2e::WorkflowRunOptions options;
  options.environment = environment_;
  options.results = nullptr;
  options.seed = next_seed_++ * 0x9E3779B97F4A7C15ULL;
  if (options.seed == 0) options.seed = 1;  // 0 asks the runner for a fresh seed
  // The lag between the intended start and now goes into the first request.
  auto lag = std::make_shared<std::chrono::microseconds>(
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - intended));
  options.on_sample = [this, lag](const e2e::RequestSample& sample) {
    ErrorCategory error = error_category(sample.error);
    if (error == ErrorCategory::kNone && !sample.assertions_passed) {
      error = sample.status >= 400 || sample.status < 200 ? ErrorCategory::kHttpStatus
                                                          : ErrorCategory::kAssertion;
    }
    const Clock::time_point now = Clock::now();
    const auto latency = std::chrono::microseconds(sample.latency_us) + *lag;
    *lag = std::chrono::microseconds(0);
    record(step_key(sample.step), now - latency, now, error, sample.timing,
           Sent{sample.step, sample.method, sample.url, {}, sample.status});
  };
  auto run = e2e::WorkflowRun::create(workflow_, client, std::move(options));
  run->start([on_done = std::move(on_done)](const e2e::WorkflowOutcome&) { on_done(); });
  return run;
}

std::uint64_t IterationTarget::initial_seed() {
  const std::string bytes = core::random_bytes(sizeof(std::uint64_t));
  std::uint64_t seed = 0;
  std::memcpy(&seed, bytes.data(), sizeof(seed));
  return seed | 1;
}

}  // namespace golive::load
