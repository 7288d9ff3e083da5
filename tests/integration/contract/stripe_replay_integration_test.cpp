// The Stripe replay suite against the real reference target: every scenario
// passes on the clean service, each seeded webhook defect makes its intended
// scenario fail, and a quick measurement of signed deliveries per second.
#include <gtest/gtest.h>
#include <stdio.h>

#include <array>
#include <memory>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "contract/stripe_event_fixtures.hpp"
#include "contract/stripe_replay_suite.hpp"
#include "contract/webhook_client.hpp"
#include "config/environment.hpp"
#include "core/input_error.hpp"
#include "core/result_stream.hpp"
#include "tests/support/curl_reproduction.hpp"
#include "tests/support/reference_env.hpp"

namespace golive::contract {
namespace {

testing::ReferenceEnv& target() {
  ::setenv("GOLIVE_REF_RATE_LIMIT_PER_MINUTE", "1000", 1);
  ::setenv("GOLIVE_REF_ACCOUNT_RATE_LIMIT_PER_MINUTE", "1000", 1);
  return testing::shared_reference_env();
}

config::Environment load_env(core::Redactor& redactor) {
  return config::load_environment(target().write_env_file(), config::process_variables(), redactor);
}

std::map<std::string, core::CheckResult> run_scenarios(const std::vector<std::string>& names) {
  core::Redactor redactor;
  const config::Environment env = load_env(redactor);
  ContractOptions options;
  options.events_dir = std::string(GOLIVE_SOURCE_DIR) + "/contract/events";
  options.scenarios = names;
  validate_contract_run(env, options, false);
  core::CollectingSink sink;
  run_contract_suite(env, options, sink);
  std::map<std::string, core::CheckResult> by_id;
  for (const auto& result : sink.results()) by_id[result.id] = result;
  return by_id;
}

std::string describe(const core::CheckResult& result) {
  return result.id + ": " + core::to_string(result.status) + ": " + result.message + "\n" +
         result.evidence.dump();
}

// Restores the clean service after a defect test, whatever happened.
struct DefectGuard {
  explicit DefectGuard(const std::string& defect) { target().restart_service({defect}); }
  ~DefectGuard() { target().restart_service({}); }
};

TEST(StripeReplay, EveryScenarioPassesOnTheCleanTarget) {
  const auto results = run_scenarios({});
  ASSERT_EQ(results.size(), stripe_scenario_names().size());
  for (const auto& name : stripe_scenario_names()) {
    const auto found = results.find("contract.stripe." + name);
    ASSERT_NE(found, results.end()) << name;
    EXPECT_EQ(found->second.status, core::CheckStatus::kPass) << describe(found->second);
    EXPECT_EQ(found->second.evidence.value("observed_through", ""), "database");
  }
}

// A custom sql observer that sees only the status: checks needing more say
// which column would enable them, and those it can judge still run.
TEST(StripeReplay, SqlObserverSeesOnlyWhatItsQueryReturns) {
  core::Redactor redactor;
  config::Environment env = load_env(redactor);
  env.stripe.observe = {
      {"kind", "sql"},
      {"subscription_query",
       "SELECT status FROM public.subscriptions WHERE stripe_subscription_id = {{subscription_id}}"}};
  ContractOptions options;
  options.events_dir = std::string(GOLIVE_SOURCE_DIR) + "/contract/events";
  options.scenarios = {"checkout_completed_applied", "duplicate_applied_once",
                       "subscription_out_of_order_newest_wins", "signature_invalid_rejected"};
  validate_contract_run(env, options, false);
  core::CollectingSink sink;
  const ContractSummary summary = run_contract_suite(env, options, sink);
  std::map<std::string, core::CheckResult> by_id;
  for (const auto& result : sink.results()) by_id[result.id] = result;
  const auto& duplicate = by_id.at("contract.stripe.duplicate_applied_once");
  EXPECT_EQ(duplicate.status, core::CheckStatus::kSkip) << describe(duplicate);
  EXPECT_NE(duplicate.message.find("update_count"), std::string::npos) << duplicate.message;
  for (const char* name : {"contract.stripe.checkout_completed_applied",
                           "contract.stripe.subscription_out_of_order_newest_wins",
                           "contract.stripe.signature_invalid_rejected"}) {
    EXPECT_EQ(by_id.at(name).status, core::CheckStatus::kPass) << describe(by_id.at(name));
  }
  EXPECT_EQ(summary.skipped_for_observer, 1u);
}

// A query that does not run is a configuration error before any delivery.
TEST(StripeReplay, SqlObserverQueryThatFailsIsAnInputError) {
  core::Redactor redactor;
  config::Environment env = load_env(redactor);
  env.stripe.observe = {{"kind", "sql"},
                        {"subscription_query",
                         "SELECT status FROM public.no_such_table WHERE id = {{subscription_id}}"}};
  ContractOptions options;
  options.events_dir = std::string(GOLIVE_SOURCE_DIR) + "/contract/events";
  options.scenarios = {"signature_invalid_rejected"};
  validate_contract_run(env, options, false);
  core::CollectingSink sink;
  try {
    run_contract_suite(env, options, sink);
    ADD_FAILURE() << "expected an InputError";
  } catch (const core::InputError& error) {
    EXPECT_EQ(error.location(), "/stripe/observe/subscription_query");
    EXPECT_NE(std::string(error.what()).find("no_such_table"), std::string::npos) << error.what();
  }
  EXPECT_TRUE(sink.results().empty());
}

// A per-event post-condition expecting a column its query does not return
// (or a query that does not run) stops the run before any delivery.
TEST(StripeReplay, EventPostConditionMistakesStopBeforeDelivery) {
  core::Redactor redactor;
  config::Environment env = load_env(redactor);
  ContractOptions options;
  options.events_dir = std::string(GOLIVE_SOURCE_DIR) + "/contract/events";
  options.scenarios = {"signature_invalid_rejected"};
  const std::string by_id =
      "SELECT status FROM public.subscriptions WHERE stripe_subscription_id = {{data.object.id}}";
  struct Mistake {
    nlohmann::json events;
    std::string location;
    std::string named;
  };
  std::vector<Mistake> mistakes;
  mistakes.push_back({nlohmann::json::object(),
                      "/stripe/observe/events/customer.subscription.updated/expect/tier",
                      "returns no column \"tier\""});
  mistakes.back().events["customer.subscription.updated"] = {{"query", by_id},
                                                             {"expect", {{"tier", "pro"}}}};
  mistakes.push_back({nlohmann::json::object(),
                      "/stripe/observe/events/customer.subscription.deleted/query",
                      "no_such_table"});
  mistakes.back().events["customer.subscription.deleted"] = {
      {"query", "SELECT status FROM public.no_such_table WHERE id = {{data.object.id}}"}};
  for (const auto& [events, location, named] : mistakes) {
    env.stripe.observe = {{"kind", "sql"}, {"events", events}};
    core::CollectingSink sink;
    try {
      run_contract_suite(env, options, sink);
      ADD_FAILURE() << "expected an InputError at " << location;
    } catch (const core::InputError& error) {
      EXPECT_EQ(error.location(), location);
      EXPECT_NE(std::string(error.what()).find(named), std::string::npos) << error.what();
    }
    EXPECT_TRUE(sink.results().empty());
  }
}

struct DefectCase {
  std::string defect;
  std::vector<std::string> must_fail;
  std::vector<std::string> must_pass;  // neighbours the defect does not touch
};

class StripeReplayDefect : public ::testing::TestWithParam<DefectCase> {};

TEST_P(StripeReplayDefect, IntendedScenarioFails) {
  const DefectCase& test_case = GetParam();
  DefectGuard guard(test_case.defect);
  std::vector<std::string> names = test_case.must_fail;
  names.insert(names.end(), test_case.must_pass.begin(), test_case.must_pass.end());
  const auto results = run_scenarios(names);
  for (const auto& name : test_case.must_fail) {
    const auto& result = results.at("contract.stripe." + name);
    EXPECT_EQ(result.status, core::CheckStatus::kFail) << describe(result);
    // Its last request (a delivery, or an entitlement read) as curl, at top
    // level where the reports show it; a delivery's signature is a variable.
    const std::string command = result.evidence.value("reproduction", "");
    const bool delivery = command.find(" -X POST ") != std::string::npos;
    std::string problems;
    const auto curl = testing::parse_curl_reproduction(
        result.evidence, delivery ? "POST" : "GET", target().base_url() + "/functions/v1/",
        testing::reference_secret_values(target()), &problems);
    EXPECT_EQ(problems, "") << name;
    ASSERT_TRUE(curl) << name;
    if (delivery && name == "signature_missing_rejected") {
      EXPECT_FALSE(curl->header("Stripe-Signature")) << name;  // the delivery the scenario sends unsigned
    } else if (delivery) {
      EXPECT_EQ(curl->header("Stripe-Signature"), "${STRIPE_SIGNATURE}") << name;
      EXPECT_TRUE(nlohmann::json::parse(curl->body, nullptr, false).contains("type")) << name;
    } else {
      EXPECT_EQ(curl->header("Authorization"), "Bearer ${GOLIVE_TOKEN}") << name;
    }
    if (result.evidence.contains("storm")) {
      // The storm's failure names one of its deliveries, sent N times at once.
      EXPECT_EQ(result.evidence["storm"].value("reproduction", ""), command) << name;
      EXPECT_TRUE(delivery) << name;
    }
  }
  for (const auto& name : test_case.must_pass) {
    const auto& result = results.at("contract.stripe." + name);
    EXPECT_EQ(result.status, core::CheckStatus::kPass) << describe(result);
    EXPECT_FALSE(result.evidence.contains("reproduction")) << name;
  }
}

// A failed scenario's deliveries carry a curl reproduction whose
// Stripe-Signature is $STRIPE_SIGNATURE (never the value sent, never the
// webhook secret); run with real curl and any signature, it gets the status
// the scenario saw from the target that skips verification. A passed
// scenario carries none.
TEST(StripeReplay, AFailedScenarioCarriesARunnableCurlReproduction) {
  DefectGuard guard("webhook-skip-signature");
  const auto results = run_scenarios({"signature_invalid_rejected", "checkout_completed_applied"});
  const auto& failed = results.at("contract.stripe.signature_invalid_rejected");
  ASSERT_EQ(failed.status, core::CheckStatus::kFail) << describe(failed);
  ASSERT_TRUE(failed.evidence.contains("deliveries")) << describe(failed);
  std::size_t replayed = 0;
  for (const auto& [label, delivery] : failed.evidence["deliveries"].items()) {
    ASSERT_TRUE(delivery.contains("reproduction")) << label << ": " << delivery.dump();
    const std::string command = delivery["reproduction"].get<std::string>();
    EXPECT_NE(command.find("-H \"Stripe-Signature: ${STRIPE_SIGNATURE}\""), std::string::npos) << command;
    EXPECT_EQ(command.find(target().var("GOLIVE_REF_WEBHOOK_SECRET")), std::string::npos);
    EXPECT_EQ(delivery["reproduction_env"].dump().find(target().var("GOLIVE_REF_WEBHOOK_SECRET")),
              std::string::npos);
    const std::string script = "STRIPE_SIGNATURE='t=1,v1=00' " + command + " -o /dev/null -w '%{http_code}'";
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(script.c_str(), "r"), pclose);
    std::array<char, 64> buffer{};
    std::string status;
    while (std::size_t n = fread(buffer.data(), 1, buffer.size(), pipe.get())) status.append(buffer.data(), n);
    EXPECT_EQ(status, std::to_string(delivery["response"].value("status", 0))) << command;
    ++replayed;
  }
  EXPECT_GT(replayed, 0u);
  const auto& passed = results.at("contract.stripe.checkout_completed_applied");
  ASSERT_EQ(passed.status, core::CheckStatus::kPass) << describe(passed);
  for (const auto& [label, delivery] : passed.evidence.value("deliveries", nlohmann::json::object()).items()) {
    EXPECT_FALSE(delivery.contains("reproduction")) << label;
  }
}

INSTANTIATE_TEST_SUITE_P(
    SeededDefects, StripeReplayDefect,
    ::testing::Values(
        DefectCase{"webhook-skip-signature",
                   {"signature_invalid_rejected", "signature_missing_rejected",
                    "signature_tampered_body_rejected", "signature_stale_timestamp_rejected"},
                   {"checkout_completed_applied"}},
        DefectCase{"webhook-no-tolerance",
                   {"signature_stale_timestamp_rejected"},
                   {"signature_invalid_rejected", "signature_tampered_body_rejected"}},
        DefectCase{"webhook-not-idempotent",
                   {"duplicate_applied_once", "duplicate_concurrent_storm_applied_once"},
                   {"checkout_completed_applied"}},
        DefectCase{"webhook-duplicate-race",
                   {"duplicate_concurrent_storm_applied_once"},
                   {"duplicate_applied_once"}},
        DefectCase{"webhook-order-unsafe",
                   {"subscription_out_of_order_newest_wins"},
                   {"duplicate_applied_once"}},
        DefectCase{"webhook-payment-failed-ignored",
                   {"payment_failed_past_due", "event_post_conditions_hold"},
                   {"payment_succeeded_active", "checkout_completed_applied"}}),
    [](const auto& info) {
      std::string name = info.param.defect;
      for (char& c : name)
        if (c == '-') c = '_';
      return name;
    });

// Signed deliveries per second through one CurlHttpClient, 64 in flight. Events
// of an unknown type: each is verified, recorded in webhook_events and
// acknowledged, the full exactly-once path minus a subscription change.
TEST(StripeReplay, MeasuresSignedDeliveriesPerSecond) {
  core::Redactor redactor;
  const config::Environment env = load_env(redactor);
  WebhookClient client(stripe_webhook_url(env), env.stripe.webhook_secret);
  StripeIdFactory ids;
  constexpr std::size_t kDeliveries = 4000;
  std::vector<http::HttpRequest> requests;
  requests.reserve(kDeliveries);
  const auto sign_started = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < kDeliveries; ++i) {
    const nlohmann::json event = {{"id", ids.next("evt")},
                                  {"object", "event"},
                                  {"type", "golive.bench.unknown"},
                                  {"created", 1700000000 + static_cast<std::int64_t>(i)},
                                  {"livemode", false},
                                  {"data", {{"object", {{"id", "obj_bench"}}}}}};
    requests.push_back(client.request_for(signed_now(event.dump())));
  }
  const double sign_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - sign_started).count();
  const auto started = std::chrono::steady_clock::now();
  const auto responses = client.send_all(std::move(requests), 64);
  const double elapsed_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::size_t accepted = 0;
  for (const auto& response : responses) accepted += is_2xx(response);
  const double rate = static_cast<double>(accepted) / elapsed_s;
  std::cout << "[ measure ] " << accepted << "/" << kDeliveries << " signed deliveries in "
            << elapsed_s << " s = " << rate << " deliveries/s (64 in flight); signing "
            << (sign_s * 1e6 / kDeliveries) << " us/event\n";
  ::testing::Test::RecordProperty("deliveries_per_second", std::to_string(rate));
  EXPECT_EQ(accepted, kDeliveries);
  EXPECT_GT(rate, 100.0);  // a sanity floor; the figure itself goes in the report
}

}  // namespace
}  // namespace golive::contract
