#include "contract/stripe_replay_suite.hpp"

#include <algorithm>
#include <chrono>
#include <memory>
#include <stdexcept>

#include "target/test_users.hpp"
#include "contract/stripe_replay_scenarios.hpp"
#include "core/input_error.hpp"
#include "core/interrupt.hpp"
#include "target/target_profile.hpp"

namespace golive::contract {

namespace {

bool is_live_stripe_key(const std::string& key) {
  return key.rfind("sk_live_", 0) == 0 || key.rfind("rk_live_", 0) == 0;
}

core::CheckResult base_result(const StripeScenario& scenario) {
  core::CheckResult result;
  result.id = std::string("contract.stripe.") + scenario.name;
  result.suite = "contract";
  result.title = scenario.title;
  result.severity = scenario.severity;
  return result;
}

std::string section_string(const config::Environment& env, const char* key, const char* fallback) {
  const auto found = env.sections.find("contract");
  if (found == env.sections.end()) return fallback;
  return core::JsonReader(found->second, env.source_file, "/contract").string_or(key, fallback);
}

}  // namespace

const std::vector<std::string>& stripe_scenario_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& scenario : stripe_scenarios()) out.emplace_back(scenario.name);
    return out;
  }();
  return names;
}

std::string stripe_webhook_url(const config::Environment& env) {
  if (!env.stripe.webhook_url.empty()) return env.stripe.webhook_url;
  return env.url(env.paths.functions) + "/stripe-webhook";
}

void validate_contract_run(const config::Environment& env, const ContractOptions& options,
                           bool allow_production) {
  if (is_live_stripe_key(env.stripe.secret_key)) {
    throw core::InputError(env.source_file, "/stripe/secret_key",
                           "a live Stripe key (sk_live_/rk_live_): replay runs only in test mode");
  }
  config::require_non_production(env, allow_production, "Stripe webhook replay");
  if (env.stripe.webhook_secret.empty()) {
    throw core::InputError(env.source_file, "/stripe/webhook_secret",
                           "needed to sign replayed webhooks");
  }
  if (const auto found = env.sections.find("contract"); found != env.sections.end()) {
    const core::JsonReader reader(found->second, env.source_file, "/contract");
    reader.as_object();
    reader.reject_unknown_keys(
        {"price_id", "plan_id", "storm_size", "ai_provider_stub", "openapi"});
    if (reader.has("price_id")) reader.at("price_id").as_string();
    if (reader.has("plan_id")) reader.at("plan_id").as_string();
    if (reader.has("storm_size")) {
      const std::int64_t storm = reader.at("storm_size").as_integer();
      if (storm < 1 || storm > 1000) reader.at("storm_size").fail("must be 1 to 1000");
    }
  }
  const ObserveSettings observe = read_observe_settings(env, false);  // InputError: malformed
  for (const auto& name : options.scenarios) {
    const auto& names = stripe_scenario_names();
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      std::string known;
      for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
      throw core::InputError("--scenario", "",
                             "unknown scenario \"" + name + "\"; known: " + known);
    }
  }
  if (options.storm_size < 1 || options.storm_size > 1000) {
    throw core::InputError("--storm-size", "", "must be 1 to 1000");
  }
  // The fixtures are read now, so a missing or broken one is exit 2 before a
  // run directory exists or a webhook is sent.
  // A post-condition naming a field the events do not have is exit 2 too.
  if (!options.events_dir.empty()) {
    validate_event_post_conditions(observe.events, StripeEventFixtures{options.events_dir},
                                   env.source_file);
  }
}

ContractSummary run_contract_suite(const config::Environment& env, const ContractOptions& options,
                                   core::ResultSink& sink) {
  ContractSummary summary;
  const auto should_stop =
      options.should_stop ? options.should_stop : [] { return core::interrupted(); };
  std::vector<const StripeScenario*> selected;
  for (const auto& scenario : stripe_scenarios()) {
    if (options.scenarios.empty() || std::find(options.scenarios.begin(), options.scenarios.end(),
                                               scenario.name) != options.scenarios.end()) {
      selected.push_back(&scenario);
    }
  }
  auto record_all = [&](core::CheckStatus status, const std::string& message) {
    for (const StripeScenario* scenario : selected) {
      core::CheckResult result = base_result(*scenario);
      result.status = status;
      result.message = message;
      sink.record(result);
      if (status == core::CheckStatus::kSkip)
        ++summary.skipped;
      else
        ++summary.failed;
      if (status == core::CheckStatus::kError) ++summary.errors;
    }
  };

  const StripeEventFixtures fixtures(options.events_dir);  // InputError: bad fixture files
  http::ClientOptions user_options = http::client_options_for(env);
  user_options.observer = options.request_observer;
  const target::TestUsers users(env, user_options);
  // Users are optional here: only the revocation scenario (and the Supabase
  // API observer) needs one, and the signature family needs none.
  target::TestUserOutcome subscriber = users.acquire(0, "golive-contract");
  target::TestUserOutcome access_user;
  if (subscriber.user) access_user = users.acquire(1, "golive-contract");
  std::string no_user_reason;
  // Skipped (not an error) only where users are not configured by design
  // (TestUserOutcome::not_configured): a bare webhook endpoint.
  bool no_user_is_error = false;
  if (!subscriber.user || !access_user.user) {
    const target::TestUserOutcome& failed = !subscriber.user ? subscriber : access_user;
    no_user_reason = failed.error;
    no_user_is_error = !failed.not_configured;
    if (subscriber.user) users.release(*subscriber.user);
    subscriber.user.reset();
    access_user.user.reset();
  }
  StripeIdFactory ids;
  // Without a user, events name a synthetic one (metadata.user_id).
  const target::TestUser synthetic{"user_" + ids.run_tag(), "", "", "", false};
  const target::TestUser& event_user = subscriber.user ? *subscriber.user : synthetic;

  std::unique_ptr<SubscriptionObserver> observer;
  try {
    observer = std::make_unique<SubscriptionObserver>(
        env, read_observe_settings(env, subscriber.user.has_value()));
  } catch (const core::InputError&) {
    throw;
  } catch (const std::exception& error) {
    if (subscriber.user) users.release(*subscriber.user);
    if (access_user.user) users.release(*access_user.user);
    record_all(core::CheckStatus::kError, error.what());
    return summary;
  }
  // A configuration mistake is exit 2 before the first delivery.
  try {
    validate_event_post_conditions(observer->event_post_conditions(), fixtures, env.source_file);
    observer->preflight(ids.next("sub"));
  } catch (...) {
    if (subscriber.user) users.release(*subscriber.user);
    if (access_user.user) users.release(*access_user.user);
    throw;
  }

  http::ClientOptions engine_options = http::client_options_for(env);
  engine_options.observer = options.request_observer;
  WebhookClient client(stripe_webhook_url(env), env.stripe.webhook_secret, engine_options);
  std::size_t storm_size = options.storm_size;
  if (const auto found = env.sections.find("contract");
      found != env.sections.end() && found->second.contains("storm_size")) {
    storm_size =
        static_cast<std::size_t>(core::JsonReader(found->second, env.source_file, "/contract")
                                     .at("storm_size")
                                     .as_integer());
  }
  ScenarioContext context{env,
                          fixtures,
                          ids,
                          client,
                          *observer,
                          event_user,
                          access_user.user ? &*access_user.user : nullptr,
                          no_user_reason,
                          no_user_is_error,
                          section_string(env, "price_id", target::read_target_profile(env).price_id.c_str()),
                          section_string(env, "plan_id", target::read_target_profile(env).plan_id.c_str()),
                          storm_size};

  for (const StripeScenario* scenario : selected) {
    core::CheckResult result = base_result(*scenario);
    if (should_stop()) {
      summary.stopped = true;
      break;
    }
    const auto started = std::chrono::steady_clock::now();
    try {
      ScenarioVerdict verdict = scenario->run(context);
      result.status = verdict.status;
      result.message = verdict.message;
      result.evidence = std::move(verdict.evidence);
      if (verdict.unreachable) summary.target_unreachable = true;
      if (verdict.needs_observer) ++summary.skipped_for_observer;
    } catch (const std::exception& error) {
      result.status = core::CheckStatus::kError;
      result.message = std::string("scenario aborted: ") + error.what();
    }
    if (result.status != core::CheckStatus::kFail && result.status != core::CheckStatus::kError) {
      drop_reproductions(result.evidence);
    }
    result.evidence["webhook_url"] = client.url();
    result.evidence["observed_through"] = observer->source();
    result.duration_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    if (result.status == core::CheckStatus::kPass)
      ++summary.passed;
    else if (result.status == core::CheckStatus::kSkip)
      ++summary.skipped;
    else
      ++summary.failed;
    if (result.status == core::CheckStatus::kError) ++summary.errors;
    sink.record(result);
  }

  // Cleanup always runs: users (cascading to their subscriptions) and this
  // run's webhook_events rows.
  if (subscriber.user) users.release(*subscriber.user);
  if (access_user.user) users.release(*access_user.user);
  try {
    observer->clean_up(ids.run_tag());
  } catch (const std::exception&) {
    // Leftover rows have unique ids and harm nothing; the run's verdict stands.
  }
  return summary;
}

config::Capability stripe_replay_capability(const config::Environment& env) {
  if (env.stripe.webhook_secret.empty()) {
    return {"contract.stripe", false, "no stripe.webhook_secret: webhook replay will be skipped"};
  }
  ObserveSettings observe;
  try {
    observe = read_observe_settings(env, !env.anon_key.empty());
  } catch (const core::InputError& error) {
    return {"contract.stripe", false, std::string("stripe.observe is invalid: ") + error.what()};
  }
  std::string seen;
  switch (observe.kind) {
    case ObserverKind::kSql: seen = "post-conditions read from database_url"; break;
    case ObserverKind::kHttp: seen = "post-conditions read from " + observe.state_url; break;
    case ObserverKind::kSupabaseApi: seen = "post-conditions read through the REST API as the subscriber"; break;
    case ObserverKind::kNone:
      seen = "no stripe.observe and no database_url: post-condition checks will be skipped";
      break;
  }
  if (observe.kind != ObserverKind::kNone) {
    seen += observe.events.empty()
                ? "; no stripe.observe.events: the per-event-type check will be skipped"
                : "; " + std::to_string(observe.events.size()) + " event types with post-conditions";
  }
  return {"contract.stripe", true, "webhook replay to " + env.stripe.webhook_url + "; " + seen};
}

}  // namespace golive::contract
