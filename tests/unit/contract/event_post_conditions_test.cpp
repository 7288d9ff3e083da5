// Unit tests of the per-event-type post-conditions of Stripe replay
// ("stripe.observe.events"): the event's dotted paths, parsing with
// pointer-precise errors, validation against the event fixtures before any
// delivery, and the comparison of what a delivered event left.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "config/environment.hpp"
#include "contract/event_post_conditions.hpp"
#include "contract/observe_template.hpp"
#include "contract/stripe_event_fixtures.hpp"
#include "contract/subscription_observer.hpp"
#include "core/input_error.hpp"
#include "core/redactor.hpp"

namespace golive::contract {
namespace {

const std::string kEventsDir = std::string(GOLIVE_SOURCE_DIR) + "/contract/events";
const char* kDatabase = "postgres://u@127.0.0.1/db";

config::Environment environment(const nlohmann::json& observe, const std::string& database_url) {
  nlohmann::json stripe = {{"webhook_secret", "whsec_unit"}};
  if (!observe.is_null()) stripe["observe"] = observe;  // null: no stripe.observe section
  nlohmann::json doc = {{"name", "unit"}, {"base_url", "http://127.0.0.1:9"}, {"stripe", stripe}};
  if (!database_url.empty()) doc["database_url"] = database_url;
  // Tests run as parallel processes: the pid keeps their files apart.
  const auto path = std::filesystem::temp_directory_path() /
                    ("golive_post_conditions_env_" + std::to_string(::getpid()) + ".json");
  std::ofstream(path) << doc.dump();
  core::Redactor redactor;
  return config::load_environment(path.string(), config::process_variables(), redactor);
}

std::string settings_error(const nlohmann::json& observe, const std::string& database_url = "") {
  try {
    read_observe_settings(environment(observe, database_url), false);
  } catch (const core::InputError& error) {
    return error.what();
  }
  return "";
}

std::string validation_error(const nlohmann::json& events) {
  const ObserveSettings settings =
      read_observe_settings(environment({{"kind", "sql"}, {"events", events}}, kDatabase), false);
  try {
    validate_event_post_conditions(settings.events, StripeEventFixtures(kEventsDir), "env.json");
  } catch (const core::InputError& error) {
    return error.what();
  }
  return "";
}

TEST(ObserveTemplate, FlattensAnEventIntoDottedPaths) {
  const auto flat = flatten_event(nlohmann::json::parse(R"({
    "id": "evt_1", "created": 1700000000, "livemode": false, "request": {"idempotency_key": null},
    "data": {"object": {"id": "sub_1", "items": {"data": [{"price": {"id": "price_9"}}]}}}})"));
  EXPECT_EQ(flat.at("id"), "evt_1");
  EXPECT_EQ(flat.at("created"), "1700000000");
  EXPECT_EQ(flat.at("livemode"), "false");
  EXPECT_EQ(flat.at("request.idempotency_key"), "");
  EXPECT_EQ(flat.at("data.object.id"), "sub_1");
  EXPECT_EQ(flat.at("data.object.items.data.0.price.id"), "price_9");
  EXPECT_EQ(flat.count("data.object"), 0u);  // only scalars are variables
}

TEST(ObserveTemplate, BindsEventPathsAsParametersNeverText) {
  const auto [sql, parameters] = bind_sql(
      "SELECT status FROM s WHERE id = {{data.object.id}} AND c = {{ data.object.customer }}",
      {{"data.object.id", "sub_1'; DROP TABLE s; --"}, {"data.object.customer", "cus_1"}});
  EXPECT_EQ(sql, "SELECT status FROM s WHERE id = $1 AND c = $2");
  ASSERT_EQ(parameters.size(), 2u);
  EXPECT_EQ(parameters[0], "sub_1'; DROP TABLE s; --");
  EXPECT_EQ(render_template("http://h/s/{{data.object.id}}", {{"data.object.id", "a b/c"}}, true),
            "http://h/s/a%20b%2Fc");
}

TEST(EventPostConditions, TheReferenceTargetsAreTheDefaultsOfSql) {
  const ObserveSettings defaults = read_observe_settings(environment(nullptr, kDatabase), false);
  ASSERT_EQ(defaults.events.size(), 6u);
  EXPECT_EQ(defaults.events[0].type, "checkout.session.completed");
  EXPECT_EQ(defaults.events[0].expect.at("status"), "active");
  // Every default names fields the shipped fixtures have.
  EXPECT_NO_THROW(validate_event_post_conditions(defaults.events, StripeEventFixtures(kEventsDir),
                                                 "env.json"));
  // A schema of one's own (subscription_query) brings its own post-conditions.
  const ObserveSettings own = read_observe_settings(
      environment({{"kind", "sql"}, {"subscription_query", "SELECT status FROM s WHERE id = {{subscription_id}}"}},
                  kDatabase),
      false);
  EXPECT_TRUE(own.events.empty());
  // No database: nothing to query.
  EXPECT_TRUE(read_observe_settings(environment(nullptr, ""), false).events.empty());
}

TEST(EventPostConditions, HttpPostConditionsReadJsonPointers) {
  const ObserveSettings http = read_observe_settings(
      environment({{"kind", "http"},
                   {"state_url", "http://127.0.0.1:9/s/{{subscription_id}}"},
                   {"pointers", {{"status", "/status"}}},
                   {"events",
                    {{"invoice.payment_failed",
                      {{"url", "http://127.0.0.1:9/s/{{data.object.parent.subscription_details.subscription}}"},
                       {"expect", {{"/status", "past_due"}, {"/applied", 1}}}}}}}},
                  ""),
      false);
  ASSERT_EQ(http.events.size(), 1u);
  EXPECT_EQ(http.events[0].expect.at("/status"), "past_due");
  EXPECT_EQ(http.events[0].expect.at("/applied"), "1");  // numbers compare as their JSON text
  EXPECT_EQ(http.events[0].pointer, "/stripe/observe/events/invoice.payment_failed");
}

TEST(EventPostConditions, MistakesNameTheKey) {
  const std::string sql_url = settings_error(
      {{"kind", "sql"}, {"events", {{"invoice.paid", {{"url", "http://x/{{data.object.id}}"}}}}}},
      kDatabase);
  EXPECT_NE(sql_url.find("/stripe/observe/events/invoice.paid"), std::string::npos) << sql_url;
  EXPECT_NE(sql_url.find("url"), std::string::npos) << sql_url;

  const std::string not_pointer = settings_error(
      {{"kind", "http"},
       {"state_url", "http://127.0.0.1:9/{{subscription_id}}"},
       {"pointers", {{"status", "/status"}}},
       {"events", {{"invoice.payment_failed", {{"url", "http://x/y"}, {"expect", {{"status", "past_due"}}}}}}}});
  EXPECT_NE(not_pointer.find("/stripe/observe/events/invoice.payment_failed/expect/status"),
            std::string::npos)
      << not_pointer;

  const std::string unclosed = settings_error(
      {{"kind", "sql"}, {"events", {{"invoice.payment_failed", {{"query", "SELECT 1 WHERE {{data"}}}}}},
      kDatabase);
  EXPECT_NE(unclosed.find("/stripe/observe/events/invoice.payment_failed/query"), std::string::npos)
      << unclosed;

  const std::string empty = settings_error({{"kind", "sql"}, {"events", nlohmann::json::object()}},
                                           kDatabase);
  EXPECT_NE(empty.find("/stripe/observe/events"), std::string::npos) << empty;
}

TEST(EventPostConditions, ValidationAgainstTheFixturesNamesTheKey) {
  const std::string unknown_type =
      validation_error({{"invoice.paid", {{"query", "SELECT 1 AS status"}}}});
  EXPECT_NE(unknown_type.find("/stripe/observe/events/invoice.paid"), std::string::npos) << unknown_type;
  EXPECT_NE(unknown_type.find("invoice.payment_failed"), std::string::npos) << unknown_type;  // known

  const std::string unknown_path = validation_error(
      {{"invoice.payment_failed",
        {{"query", "SELECT status FROM s WHERE id = {{data.object.subscription}}"}}}});
  EXPECT_NE(unknown_path.find("/stripe/observe/events/invoice.payment_failed/query"), std::string::npos)
      << unknown_path;
  EXPECT_NE(unknown_path.find("{{data.object.subscription}}"), std::string::npos) << unknown_path;

  const std::string unknown_in_expect = validation_error(
      {{"customer.subscription.updated",
        {{"query", "SELECT status FROM s WHERE id = {{data.object.id}}"},
         {"expect", {{"status", "{{data.object.state}}"}}}}}});
  EXPECT_NE(unknown_in_expect.find("/stripe/observe/events/customer.subscription.updated/expect/status"),
            std::string::npos)
      << unknown_in_expect;

  EXPECT_EQ(validation_error({{"customer.subscription.updated",
                               {{"query", "SELECT status FROM s WHERE id = {{data.object.id}}"},
                                {"expect", {{"status", "{{data.object.status}}"}}}}}}),
            "");
}

TEST(EventPostConditions, ComparesWhatTheEventLeftWithWhatItDeclares) {
  EventPostCondition condition;
  condition.type = "customer.subscription.updated";
  condition.expect = {{"status", "{{data.object.status}}"}, {"tier", "pro"}};
  const TemplateVariables event = {{"data.object.status", "past_due"}};

  EventObservation held{true, {{"status", "past_due"}, {"tier", "pro"}}, "SELECT ..."};
  EXPECT_TRUE(unmet_expectations(condition, event, held).empty());

  EventObservation stale{true, {{"status", "active"}}, "SELECT ..."};
  const auto unmet = unmet_expectations(condition, event, stale);
  ASSERT_EQ(unmet.size(), 2u);
  EXPECT_NE(unmet[0].find("status is \"active\", expected \"past_due\""), std::string::npos) << unmet[0];
  EXPECT_NE(unmet[1].find("tier is absent"), std::string::npos) << unmet[1];

  EventObservation nothing{false, {}, "http://h/s/sub_1"};
  const auto missing = unmet_expectations(condition, event, nothing);
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_NE(missing[0].find("left nothing at http://h/s/sub_1"), std::string::npos) << missing[0];
}

}  // namespace
}  // namespace golive::contract
