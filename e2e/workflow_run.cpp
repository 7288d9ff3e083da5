#include "e2e/workflow_run.hpp"

#include "core/ascii_case.hpp"
#include "core/url.hpp"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <cctype>
#include <random>

#include "core/input_error.hpp"
#include "e2e/digest_auth.hpp"
#include "e2e/response_checks.hpp"
#include "e2e/step_request.hpp"
#include "http/request_evidence.hpp"

namespace golive::e2e {

namespace {

using Clock = std::chrono::steady_clock;

double milliseconds_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

// Variables whose names say they hold credentials ("token", "password",
// "api_key", ...): their values are masked in evidence and messages, like the
// environment's secrets are by the Redactor.
bool names_a_credential(const std::string& name) {
  const std::string lower = core::ascii_lower(name);
  for (const char* marker : {"token", "password", "secret", "key"}) {
    if (lower.find(marker) != std::string::npos) return true;
  }
  return false;
}

std::uint64_t fresh_seed() {
  static thread_local std::random_device device;
  return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

}  // namespace

RunEnvironment::RunEnvironment(const config::Environment& environment)
    : field_values(environment_field_values(environment)),
      base_url(environment.base_url),
      stripe_webhook_secret(environment.stripe.webhook_secret),
      host_policy(environment.host_policy ? environment.host_policy
                                          : config::HostPolicy::for_target(
                                                environment.base_url, environment.safety.allowed_hosts)),
      tls(environment.tls),
      secret_variables(environment.secret_variables),
      source_file(environment.source_file) {
  auto section = environment.sections.find("e2e");
  if (section == environment.sections.end()) return;
  core::JsonReader e2e(section->second, environment.source_file, "/e2e");
  e2e.reject_unknown_keys({"variables"});
  if (!e2e.has("variables")) return;
  auto variables = e2e.at("variables");
  for (const auto& item : variables.as_object().items()) {
    auto value = variables.at(item.key());
    if (value.value().is_string()) {
      variable_overrides[item.key()] = value.as_string();
    } else if (value.value().is_number() || value.value().is_boolean()) {
      variable_overrides[item.key()] = value.value().dump();
    } else {
      value.fail("an e2e variable override is a string, number or boolean");
    }
  }
}

std::shared_ptr<WorkflowRun> WorkflowRun::create(std::shared_ptr<const Workflow> workflow,
                                                 http::HttpClient& client,
                                                 WorkflowRunOptions options) {
  return std::shared_ptr<WorkflowRun>(
      new WorkflowRun(std::move(workflow), client, std::move(options)));
}

WorkflowRun::WorkflowRun(std::shared_ptr<const Workflow> workflow, http::HttpClient& client,
                         WorkflowRunOptions options)
    : workflow_(std::move(workflow)),
      client_(client),
      options_(std::move(options)),
      timer_(client.executor()),
      values_(workflow_->symbols.size(), options_.seed != 0 ? options_.seed : fresh_seed()) {
  if (!options_.environment)
    throw std::invalid_argument("WorkflowRunOptions.environment is required");
  if (options_.id_prefix.empty()) options_.id_prefix = "e2e." + workflow_->name;
  if (!options_.redactor) options_.redactor = &core::Redactor::global();
  if (options_.dataset_row &&
      (!workflow_->dataset || *options_.dataset_row >= workflow_->dataset->rows.size())) {
    throw std::invalid_argument("dataset row out of range for workflow " + workflow_->name);
  }
  outcome_.workflow = workflow_->name;
  outcome_.id_prefix = options_.id_prefix;
  if (options_.results) {
    for (std::size_t slot = 0; slot < workflow_->symbols.size(); ++slot) {
      if (names_a_credential(workflow_->symbols.name(slot))) sensitive_slots_.push_back(slot);
    }
    // A value captured from a cookie is usually a session: masked like a token.
    for (const auto* steps : {&workflow_->steps, &workflow_->cleanup}) {
      for (const auto& step : *steps) {
        for (const auto& capture : step.captures) {
          if (capture.source == CaptureSource::kCookie &&
              std::find(sensitive_slots_.begin(), sensitive_slots_.end(), capture.slot) ==
                  sensitive_slots_.end()) {
            sensitive_slots_.push_back(capture.slot);
          }
        }
      }
    }
  }
}

void WorkflowRun::start(FinishedCallback on_finished) {
  on_finished_ = std::move(on_finished);
  run_started_ = Clock::now();
  initialise_values();
  schedule_next_step(std::chrono::milliseconds(0));
}

void WorkflowRun::request_stop() {
  if (stop_requested_ || phase_ != Phase::kMain) return;
  stop_requested_ = true;
  outcome_.stopped = true;
  timer_.cancel();  // a pending think or poll wait ends now; a request in flight completes
}

void WorkflowRun::initialise_values() {
  const auto& fields = options_.environment->field_values;
  // An empty field stays unset, so a step that needs it is skipped with a
  // reason instead of sending "Bearer " and passing for the wrong reason.
  for (std::size_t slot = 0; slot < fields.size(); ++slot) {
    if (!fields[slot].empty() || !environment_field_required_when_used(slot)) {
      values_.set(slot, fields[slot]);
    }
  }
  if (options_.dataset_row) {
    const Dataset& dataset = *workflow_->dataset;
    const auto& row = dataset.rows[*options_.dataset_row];
    for (std::size_t c = 0; c < dataset.slots.size(); ++c) values_.set(dataset.slots[c], row[c]);
  }
  // Initialisers only read env fields, dataset columns and earlier variables
  // (the parser guarantees it and orders them). One that reads an empty env
  // field stays unset, and a step using it says so instead of running.
  const auto& overrides = options_.environment->variable_overrides;
  for (const auto& variable : workflow_->variables) {
    if (!overrides.empty()) {
      auto override = overrides.find(workflow_->symbols.name(variable.slot));
      if (override != overrides.end()) {
        values_.set(variable.slot, override->second);
        continue;
      }
    }
    std::string value;
    if (!variable.value.render_into(values_, value)) values_.set(variable.slot, std::move(value));
  }
}

const std::vector<Step>& WorkflowRun::phase_steps() const {
  return phase_ == Phase::kMain ? workflow_->steps : workflow_->cleanup;
}

// Every transition to a new step goes through the executor (post or timer),
// so a client that completes synchronously cannot grow the stack.
void WorkflowRun::schedule_next_step(std::chrono::milliseconds delay) {
  auto self = shared_from_this();
  if (delay.count() <= 0) {
    boost::asio::post(client_.executor(), [self] { self->on_step_due(); });
    return;
  }
  timer_.expires_after(delay);
  timer_.async_wait([self](const boost::system::error_code&) { self->on_step_due(); });
}

void WorkflowRun::on_step_due() {
  if (phase_ == Phase::kMain && stop_requested_) {
    skip_remaining_main_steps("skipped: the run was stopped");
    enter_cleanup();
    return;
  }
  if (step_index_ >= phase_steps().size()) {
    if (phase_ == Phase::kMain) {
      enter_cleanup();
    } else {
      finish_run();
    }
    return;
  }
  step_started_ = Clock::now();
  attempts_ = 0;
  retries_ = 0;
  last_latency_ms_ = 0;
  request_sent_ = false;
  response_received_ = false;
  refused_not_allowed_ = false;
  const Step& step = current_step();
  if (auto reason = when_blocks(step)) {
    // A condition that does not hold skips this step only.
    ++outcome_.skipped;
    record(step, core::CheckStatus::kSkip, *reason, 0, false);
    ++step_index_;
    schedule_next_step(std::chrono::milliseconds(0));
    return;
  }
  redirect_chain_.clear();
  if (step.clear_cookies) cookies_.clear();
  poll_deadline_ = step_started_ + (step.poll ? step.poll->timeout : std::chrono::milliseconds(0));
  send_attempt();
}

void WorkflowRun::send_attempt() {
  const Step& step = current_step();
  ++attempts_;
  RequestContext context{options_.environment->base_url,
                         options_.environment->stripe_webhook_secret};
  if (auto failure = render_step_request(step, values_, workflow_->symbols, context, request_)) {
    bool skip = failure->kind == RenderFailure::Kind::kCannotSign ||
                failure->kind == RenderFailure::Kind::kMissingEnvField ||
                (phase_ == Phase::kCleanup && failure->kind == RenderFailure::Kind::kUnsetVariable);
    finish_step(skip ? core::CheckStatus::kSkip : core::CheckStatus::kError,
                (skip ? "skipped: " : "") + failure->message);
    return;
  }
  // The client refuses such a request too; refusing it here keeps it out of
  // the step's timing and names the rule in the step's message.
  const auto url = core::parse_url(request_.url);
  if (!url || !options_.environment->host_policy->allows(*url)) {
    refused_not_allowed_ = true;
    finish_step(core::CheckStatus::kError,
                "refused: host \"" + (url ? url->host : request_.url) +
                    "\" is not in the environment's safety.allowed_hosts");
    return;
  }
  redirect_chain_.clear();
  digest_answered_ = false;
  hop_url_ = request_.url;
  if (workflow_->cookies) {
    std::string cookie = cookies_.cookie_header(*url, std::chrono::system_clock::now());
    if (!cookie.empty()) request_.headers.emplace_back("Cookie", std::move(cookie));
  }
  sent_at_ = Clock::now();
  request_sent_ = true;
  send_hop(step.follow_redirects.has_value() || step.auth.scheme == AuthScheme::kDigest);
}

void WorkflowRun::send_hop(bool keep_copy) {
  auto self = shared_from_this();
  if (options_.on_exchange || options_.on_sample) {
    exchange_method_ = request_.method;
    exchange_url_ = request_.url;
  }
  if (keep_copy) hop_request_ = request_;
  // The request is kept for evidence only when results are recorded; the
  // load generator's runs hand it over without a copy (unless a redirect
  // or a Digest challenge may need it again).
  http::HttpRequest outgoing = options_.results ? request_ : std::move(request_);
  client_.send(std::move(outgoing),
               [self](http::HttpResponse&& response) { self->on_response(std::move(response)); });
}

std::optional<std::string> WorkflowRun::when_blocks(const Step& step) const {
  if (!step.when) return std::nullopt;
  const WhenSpec& when = *step.when;
  const bool set = values_.is_set(when.slot);
  bool holds = false;
  std::string actual = set ? "\"" + values_.get(when.slot) + "\"" : "not set";
  if (when.kind == WhenSpec::Kind::kExists) {
    holds = set == when.should_exist;
  } else {
    std::string expected;
    const bool expected_set = !when.expected.render_into(values_, expected);
    const bool equal = set && expected_set && values_.get(when.slot) == expected;
    holds = when.kind == WhenSpec::Kind::kEquals ? equal : (set && expected_set && !equal);
  }
  if (holds) return std::nullopt;
  return "skipped: when " + when.written + " does not hold (" + when.variable + " is " +
         mask_sensitive(actual) + ")";
}

bool WorkflowRun::should_retry(const Step& step) const {
  if (!step.retry || retries_ + 1 >= step.retry->attempts) return false;
  if (stop_requested_ && phase_ == Phase::kMain) return false;
  if (!response_.transport_ok()) {
    const std::string category = http::to_string(response_.error);
    return std::find(step.retry->errors.begin(), step.retry->errors.end(), category) !=
           step.retry->errors.end();
  }
  return std::find(step.retry->statuses.begin(), step.retry->statuses.end(), response_.status) !=
         step.retry->statuses.end();
}

bool WorkflowRun::follow_up(const Step& step, std::string& failure) {
  if (!response_.transport_ok()) return false;
  const bool digest = step.auth.scheme == AuthScheme::kDigest && response_.status == 401 &&
                      !digest_answered_;
  const bool redirect = step.follow_redirects && is_redirect(response_.status);
  if (!digest && !redirect) return false;
  http::HttpRequest next = hop_request_;
  if (digest) {
    const auto challenge = parse_digest_challenge(response_.header("www-authenticate").value_or(""));
    if (!challenge) return false;  // the 401 is the answer; assertions say what they expect
    std::string username, password;
    step.auth.username.render_into(values_, username);
    step.auth.secret.render_into(values_, password);
    const auto url = core::parse_url(next.url);
    if (!url) return false;
    const std::string cnonce = random_hex_digits(values_.random(), 16);
    remove_header(next.headers, "authorization");
    next.headers.emplace_back("Authorization",
                              digest_authorization(*challenge, username, password, next.method,
                                                   url->target, cnonce));
    digest_answered_ = true;
  } else {
    const auto location = response_.header("location");
    if (!location) return false;
    if (redirect_chain_.size() >= step.follow_redirects->max_hops) {
      failure = "more than " + std::to_string(step.follow_redirects->max_hops) +
                " redirects (the last to " + *location + ")";
      return false;
    }
    const std::string target = resolve_location(hop_url_, *location);
    redirect_chain_.push_back(std::to_string(response_.status) + " " + target);
    redirect_request(next, response_.status, hop_url_, target);
  }
  remove_header(next.headers, "cookie");
  const auto url = core::parse_url(next.url);
  if (!url || !options_.environment->host_policy->allows(*url)) {
    failure = "refused: redirect to \"" + (url ? url->host : next.url) +
              "\", which is not in the environment's safety.allowed_hosts";
    return false;
  }
  if (workflow_->cookies) {
    std::string cookie = cookies_.cookie_header(*url, std::chrono::system_clock::now());
    if (!cookie.empty()) next.headers.emplace_back("Cookie", std::move(cookie));
  }
  hop_url_ = next.url;
  request_ = std::move(next);
  send_hop(true);
  return true;
}

void WorkflowRun::on_response(http::HttpResponse&& response) {
  auto now = Clock::now();
  last_latency_ms_ = milliseconds_between(sent_at_, now);
  response_ = std::move(response);
  response_received_ = true;
  const Step& step = current_step();
  if (options_.on_exchange) {
    options_.on_exchange({workflow_->name, step.name, exchange_method_, exchange_url_, response_,
                          [this] {
                            nlohmann::json out = nlohmann::json::object();
                            if (options_.results) {
                              out = http::reproduction_of(request_, reproduction_secrets());
                            }
                            return out;
                          }});
  }
  if (workflow_->cookies && response_.transport_ok()) {
    if (const auto url = core::parse_url(hop_url_)) {
      cookies_.store_all(response_.headers, *url, std::chrono::system_clock::now());
    }
  }
  std::string follow_failure;
  if (follow_up(step, follow_failure)) return;
  if (should_retry(step)) {
    ++retries_;
    timer_.expires_after(step.retry->delay);
    auto self = shared_from_this();
    timer_.async_wait([self](const boost::system::error_code&) { self->on_poll_timer(); });
    return;
  }
  ResponseView view(response_, last_latency_ms_);
  view.set_context(workflow_->cookies ? &cookies_ : nullptr, hop_url_, redirect_chain_.size());

  std::optional<std::string> failure;
  bool transport_failed = !response_.transport_ok();
  if (!follow_failure.empty()) {
    failure = follow_failure;
  } else if (transport_failed) {
    failure = std::string("no response: ") + http::to_string(response_.error) +
              (response_.error_message.empty() ? "" : " (" + response_.error_message + ")");
  } else {
    failure = first_failed_assertion(step, view, values_);
  }

  if (options_.on_sample) {
    RequestSample sample;
    sample.workflow = workflow_->name;
    sample.step = step.name;
    sample.method = std::move(exchange_method_);  // on_exchange has had them: the last reader
    sample.url = std::move(exchange_url_);
    sample.latency_us =
        std::chrono::duration_cast<std::chrono::microseconds>(now - sent_at_).count();
    sample.error = response_.error;
    sample.status = response_.status;
    sample.assertions_passed = !failure.has_value();
    sample.timing = response_.timing;
    options_.on_sample(sample);
  }

  if (!failure) {
    if (auto capture_failure = apply_captures(step, view, values_)) {
      finish_step(core::CheckStatus::kFail, *capture_failure);
    } else {
      finish_step(core::CheckStatus::kPass, "");
    }
    return;
  }
  if (step.poll && stop_requested_ && phase_ == Phase::kMain) {
    finish_step(core::CheckStatus::kSkip, "skipped: the run was stopped while polling");
    return;
  }
  if (step.poll && now + step.poll->interval < poll_deadline_) {
    timer_.expires_after(step.poll->interval);
    auto self = shared_from_this();
    timer_.async_wait([self](const boost::system::error_code&) { self->on_poll_timer(); });
    return;
  }
  std::string message = *failure;
  if (step.poll) {
    message += " (still failing after " + std::to_string(attempts_) + " attempts over " +
               std::to_string(static_cast<long long>(milliseconds_between(step_started_, now))) +
               " ms; poll timeout " + std::to_string(step.poll->timeout.count()) + " ms)";
  }
  finish_step(transport_failed ? core::CheckStatus::kError : core::CheckStatus::kFail, message);
}

void WorkflowRun::on_poll_timer() {
  if (stop_requested_ && phase_ == Phase::kMain) {
    finish_step(core::CheckStatus::kSkip, "skipped: the run was stopped while polling");
    return;
  }
  send_attempt();
}

void WorkflowRun::finish_step(core::CheckStatus status, std::string message) {
  const Step& step = current_step();
  auto now = Clock::now();
  switch (status) {
    case core::CheckStatus::kPass:
      ++outcome_.passed;
      break;
    case core::CheckStatus::kFail:
      ++outcome_.failed;
      break;
    case core::CheckStatus::kError:
      ++outcome_.errors;
      break;
    case core::CheckStatus::kSkip:
      ++outcome_.skipped;
      break;
  }
  bool failed = status == core::CheckStatus::kFail || status == core::CheckStatus::kError;
  if (failed && outcome_.first_failure.empty()) outcome_.first_failure = step.name + ": " + message;
  if (status == core::CheckStatus::kPass) {
    message = std::to_string(step.assertions.size()) + " assertion" +
              (step.assertions.size() == 1 ? "" : "s") + " passed" +
              (attempts_ > 1 ? " on attempt " + std::to_string(attempts_) : "") +
              (redirect_chain_.empty()
                   ? ""
                   : " after " + std::to_string(redirect_chain_.size()) + " redirect" +
                         (redirect_chain_.size() == 1 ? "" : "s"));
  }
  record(step, status, message, milliseconds_between(step_started_, now), request_sent_);
  refused_not_allowed_ = false;  // the steps skipped after this one were not refused

  ++step_index_;
  if (phase_ == Phase::kMain && status != core::CheckStatus::kPass) {
    skip_remaining_main_steps(stop_requested_ ? "skipped: the run was stopped"
                                              : "skipped: step " + step.name + " did not pass");
    enter_cleanup();
    return;
  }
  schedule_next_step(status == core::CheckStatus::kPass ? step.think
                                                        : std::chrono::milliseconds(0));
}

void WorkflowRun::skip_remaining_main_steps(const std::string& reason) {
  for (; step_index_ < workflow_->steps.size(); ++step_index_) {
    ++outcome_.skipped;
    record(workflow_->steps[step_index_], core::CheckStatus::kSkip, reason, 0, false);
  }
}

void WorkflowRun::enter_cleanup() {
  phase_ = Phase::kCleanup;
  step_index_ = 0;
  schedule_next_step(std::chrono::milliseconds(0));
}

void WorkflowRun::finish_run() {
  phase_ = Phase::kDone;
  if (options_.captured) {
    for (std::size_t slot = 0; slot < workflow_->symbols.size(); ++slot) {
      if (values_.is_set(slot)) (*options_.captured)[workflow_->symbols.name(slot)] = values_.get(slot);
    }
  }
  outcome_.duration_ms = milliseconds_between(run_started_, Clock::now());
  auto on_finished = std::move(on_finished_);
  on_finished_ = nullptr;
  if (on_finished) on_finished(outcome_);
}

}  // namespace golive::e2e
