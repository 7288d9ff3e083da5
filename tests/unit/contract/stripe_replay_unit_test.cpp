// Unit tests of the replay suite's offline parts: fixture rendering, capture
// loading (every accepted format and pointer-precise errors), the signed
// request, and evidence that never carries the v1 signature.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "contract/event_capture.hpp"
#include "contract/stripe_event_fixtures.hpp"
#include "contract/subscription_observer.hpp"
#include "config/environment.hpp"
#include "target/stripe_signature.hpp"
#include "contract/webhook_client.hpp"
#include "core/input_error.hpp"

namespace golive::contract {
namespace {

const std::string kEventsDir = std::string(GOLIVE_SOURCE_DIR) + "/contract/events";

EventVariables full_variables() {
  return {{"event_id", "evt_1"},          {"created", 1700000000},
          {"subscription_id", "sub_1"},   {"customer_id", "cus_1"},
          {"user_id", "u-1"},             {"status", "active"},
          {"previous_status", "incomplete"}, {"current_period_end", 1800000000},
          {"price_id", "price_x"},        {"plan_id", "plan-1"},
          {"checkout_session_id", "cs_test_1"}, {"invoice_id", "in_1"},
          {"request_id", "req_1"}};
}

// Each test runs in its own process, in parallel with others: the pid keeps
// their files apart.
std::string write_temp(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("golive_contract_" + std::to_string(::getpid()) + "_" + name);
  std::ofstream(path, std::ios::binary) << text;
  return path.string();
}

TEST(StripeEventFixtures, EveryFixtureRendersInStripesEventShape) {
  const StripeEventFixtures fixtures(kEventsDir);
  for (const std::string& type : stripe_fixture_types()) {
    const nlohmann::json event = fixtures.render(type, full_variables());
    EXPECT_EQ(event["id"], "evt_1") << type;
    EXPECT_EQ(event["object"], "event") << type;
    EXPECT_TRUE(event["api_version"].is_string()) << type;
    EXPECT_TRUE(event["created"].is_number_integer()) << type;  // a number, not "1700000000"
    EXPECT_EQ(event["created"], 1700000000) << type;
    EXPECT_TRUE(event["data"]["object"].is_object()) << type;
    EXPECT_TRUE(event["data"].contains("previous_attributes")) << type;
    EXPECT_EQ(event["livemode"], false) << type;
    EXPECT_TRUE(event["pending_webhooks"].is_number_integer()) << type;
    EXPECT_TRUE(event.contains("request")) << type;
    EXPECT_EQ(event["type"], type);
    EXPECT_EQ(event.dump().find("{{"), std::string::npos) << type;
  }
}

TEST(StripeEventFixtures, CarriesTheFieldsTheReferenceHandlerReads) {
  const StripeEventFixtures fixtures(kEventsDir);
  const auto subscription = fixtures.render("customer.subscription.updated", full_variables());
  const auto& object = subscription["data"]["object"];
  EXPECT_EQ(object["id"], "sub_1");
  EXPECT_EQ(object["customer"], "cus_1");
  EXPECT_EQ(object["status"], "active");
  EXPECT_EQ(object["items"]["data"][0]["current_period_end"], 1800000000);  // basil and later
  EXPECT_EQ(object["metadata"]["user_id"], "u-1");
  EXPECT_EQ(object["items"]["data"][0]["price"]["id"], "price_x");
  const auto checkout = fixtures.render("checkout.session.completed", full_variables());
  EXPECT_EQ(checkout["data"]["object"]["client_reference_id"], "u-1");
  EXPECT_EQ(checkout["data"]["object"]["subscription"], "sub_1");
  EXPECT_EQ(checkout["data"]["object"]["metadata"]["plan_id"], "plan-1");
  const auto invoice = fixtures.render("invoice.payment_failed", full_variables());
  EXPECT_EQ(invoice["data"]["object"]["parent"]["subscription_details"]["subscription"], "sub_1");
  EXPECT_EQ(invoice["api_version"], "2026-10-28.endive");  // the version stripe-node 23.1 pins
  EXPECT_TRUE(invoice["data"]["object"]["amount_due"].is_number_integer());
}

TEST(StripeEventFixtures, MissingVariableNamesThePointer) {
  const nlohmann::json document = {{"data", {{"object", {{"id", "x-{{missing}}"}}}}}};
  try {
    render_event_template(document, {}, "fixture.json");
    FAIL() << "expected an InputError";
  } catch (const core::InputError& error) {
    EXPECT_EQ(error.file(), "fixture.json");
    EXPECT_EQ(error.location(), "/data/object/id");
    EXPECT_NE(error.problem().find("missing"), std::string::npos);
  }
}

TEST(StripeEventFixtures, EmbeddedPlaceholdersRenderAsText) {
  const nlohmann::json rendered =
      render_event_template({{"a", "n={{n}}!"}}, {{"n", 42}}, "inline");
  EXPECT_EQ(rendered["a"], "n=42!");
}

TEST(StripeIdFactory, IdsAreUniqueAndTagged) {
  StripeIdFactory ids;
  const std::string a = ids.next("evt");
  const std::string b = ids.next("evt");
  EXPECT_NE(a, b);
  EXPECT_EQ(a.rfind("evt_golive_", 0), 0u);
  EXPECT_NE(a.find(ids.run_tag()), std::string::npos);
  EXPECT_NE(StripeIdFactory().run_tag(), ids.run_tag());
}

const char* kEventA = R"({"id":"evt_a","type":"x.y","created":10,"data":{"object":{}}})";
const char* kEventB = R"({"id":"evt_b","type":"x.y","created":20,"data":{"object":{}}})";

TEST(EventCapture, ReadsAListPagesAndJsonLines) {
  const auto list = load_event_capture(write_temp("list.json", std::string("[") + kEventA + "," + kEventB + "]"));
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[1].event["id"], "evt_b");
  EXPECT_EQ(list[1].location, "/1");
  const auto page = load_event_capture(write_temp(
      "page.json", std::string(R"({"object":"list","has_more":false,"data":[)") + kEventA + "," + kEventB + "]}"));
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].location, "/data/0");
  const auto lines =
      load_event_capture(write_temp("events.jsonl", std::string(kEventA) + "\n\n" + kEventB + "\n"));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[1].created, 20);
  EXPECT_EQ(lines[1].location, "line 3");
}

TEST(EventCapture, MalformedEventNamesFileAndPointer) {
  const std::string path = write_temp(
      "bad.json", std::string("[") + kEventA + R"(,{"id":"evt_c","type":"x","created":"soon","data":{"object":{}}}])");
  try {
    load_event_capture(path);
    FAIL() << "expected an InputError";
  } catch (const core::InputError& error) {
    EXPECT_EQ(error.file(), path);
    EXPECT_EQ(error.location(), "/1");
    EXPECT_NE(error.problem().find("created"), std::string::npos);
  }
}

TEST(EventCapture, MalformedJsonLineNamesTheLine) {
  const std::string path = write_temp("bad.jsonl", std::string(kEventA) + "\n{not json\n");
  try {
    load_event_capture(path);
    FAIL() << "expected an InputError";
  } catch (const core::InputError& error) {
    EXPECT_NE((error.file() + error.location() + error.what()).find("line 2"), std::string::npos)
        << error.what();
  }
}

// A hostile export nesting lists a hundred thousand deep is refused at the
// first level deeper than a list of pages of events, not by a stack overflow.
TEST(EventCapture, DeeplyNestedListsAreAnInputError) {
  const std::string nested = std::string(100'000, '[') + kEventA + std::string(100'000, ']');
  try {
    parse_event_capture("deep.json", nested);
    FAIL() << "expected an InputError";
  } catch (const core::InputError& error) {
    EXPECT_EQ(error.file(), "deep.json");
    EXPECT_EQ(error.location(), "/0/0/0/0");
    EXPECT_NE(error.problem().find("nested deeper"), std::string::npos) << error.what();
  }
  // A list of pages of events is as deep as real exports go, and reads.
  const std::string pages = std::string(R"([{"object":"list","data":[)") + kEventA + "]}]";
  EXPECT_EQ(parse_event_capture("pages.json", pages).size(), 1u);
}

TEST(WebhookRequest, SignsTheBodyAndEvidenceHidesV1) {
  const std::string secret = "whsec_unit_test_secret_value";
  WebhookDelivery delivery;
  delivery.body = kEventA;
  delivery.timestamp = 1700000000;
  const http::HttpRequest request = make_webhook_request("http://127.0.0.1:1/x", secret, delivery);
  std::string header;
  for (const auto& [name, value] : request.headers)
    if (name == "Stripe-Signature") header = value;
  target::StripeVerifyOptions verify;
  verify.now_unix = 1700000000;
  EXPECT_TRUE(target::verify_stripe_signature(request.body, header, secret, verify).ok);
  const std::string v1 = target::stripe_signature_v1(request.body, secret, 1700000000);
  const nlohmann::json evidence = signature_evidence(request);
  EXPECT_EQ(evidence["t"], 1700000000);
  EXPECT_EQ(evidence["v1_fingerprint"][0].get<std::string>().size(), 12u);
  EXPECT_EQ(evidence.dump().find(v1), std::string::npos);
  EXPECT_EQ(evidence.dump().find(v1.substr(0, 12)), std::string::npos);
}

TEST(WebhookRequest, BadSignatureModesFailVerification) {
  const std::string secret = "whsec_unit_test_secret_value";
  target::StripeVerifyOptions verify;
  verify.now_unix = 1700000000;
  for (SignatureMode mode : {SignatureMode::kWrongSecret, SignatureMode::kMissingHeader,
                             SignatureMode::kTamperedBody}) {
    WebhookDelivery delivery;
    delivery.body = kEventA;
    delivery.tampered_body = kEventB;
    delivery.timestamp = 1700000000;
    delivery.mode = mode;
    const http::HttpRequest request = make_webhook_request("http://127.0.0.1:1/x", secret, delivery);
    std::string header;
    for (const auto& [name, value] : request.headers)
      if (name == "Stripe-Signature") header = value;
    EXPECT_FALSE(target::verify_stripe_signature(request.body, header, secret, verify).ok)
        << static_cast<int>(mode);
  }
}

TEST(WebhookRequest, RotationAcceptsAndV0OnlyRejects) {
  const std::string secret = "whsec_unit_test_secret_value";
  target::StripeVerifyOptions verify;
  verify.now_unix = 1700000000;
  auto header_for = [&](SignatureMode mode) {
    WebhookDelivery delivery;
    delivery.body = kEventA;
    delivery.timestamp = 1700000000;
    delivery.mode = mode;
    const http::HttpRequest request = make_webhook_request("http://127.0.0.1:1/x", secret, delivery);
    for (const auto& [name, value] : request.headers)
      if (name == "Stripe-Signature") return value;
    return std::string();
  };
  const std::string rotated = header_for(SignatureMode::kRotation);
  EXPECT_EQ(target::parse_stripe_signature(rotated)->v1.size(), 2u);
  EXPECT_TRUE(target::verify_stripe_signature(kEventA, rotated, secret, verify).ok);
  const auto v0 = target::verify_stripe_signature(kEventA, header_for(SignatureMode::kV0Only),
                                                  secret, verify);
  EXPECT_FALSE(v0.ok);
  EXPECT_EQ(v0.error, target::StripeVerifyError::kNoV1Signature);
}

// stripe.observe is read from an environment file; mistakes name the key.
config::Environment env_with_stripe(const nlohmann::json& stripe, const std::string& database_url) {
  nlohmann::json doc = {{"name", "observe-unit"},
                        {"base_url", "http://127.0.0.1:9"},
                        {"stripe", stripe}};
  if (!database_url.empty()) doc["database_url"] = database_url;
  const std::string path = write_temp("observe_env.json", doc.dump());
  core::Redactor redactor;
  return config::load_environment(path, config::process_variables(), redactor);
}

std::string observe_error(const nlohmann::json& observe, const std::string& database_url = "") {
  const config::Environment env = env_with_stripe(
      {{"webhook_secret", "whsec_unit"}, {"observe", observe}}, database_url);
  try {
    read_observe_settings(env, false);
  } catch (const core::InputError& error) {
    return error.what();
  }
  return "";
}

TEST(ObserveSettings, DefaultsFollowTheEnvironment) {
  const auto bare = env_with_stripe({{"webhook_secret", "whsec_unit"}}, "");
  EXPECT_EQ(read_observe_settings(bare, false).kind, ObserverKind::kNone);
  const auto with_db = env_with_stripe({{"webhook_secret", "whsec_unit"}}, "postgres://u@127.0.0.1/db");
  const ObserveSettings sql = read_observe_settings(with_db, false);
  EXPECT_EQ(sql.kind, ObserverKind::kSql);
  EXPECT_NE(sql.subscription_query.find("{{subscription_id}}"), std::string::npos);
  EXPECT_FALSE(sql.event_query.empty());
  const auto http_env = env_with_stripe(
      {{"webhook_secret", "whsec_unit"},
       {"observe",
        {{"kind", "http"},
         {"state_url", "http://127.0.0.1:9/s/{{subscription_id}}"},
         {"pointers", {{"status", "/status"}, {"update_count", "/n"}}}}}},
      "");
  const ObserveSettings http = read_observe_settings(http_env, false);
  EXPECT_EQ(http.kind, ObserverKind::kHttp);
  EXPECT_EQ(http.pointers.size(), 2u);
  EXPECT_EQ(http.pointers.at(ObservedField::kUpdateCount), "/n");
}

TEST(ObserveSettings, MistakesNameTheKey) {
  const std::string unknown = observe_error(
      {{"kind", "sql"}, {"subscription_query", "SELECT status FROM s WHERE id = {{data.object.id}}"}},
      "postgres://u@127.0.0.1/db");
  EXPECT_NE(unknown.find("/stripe/observe/subscription_query"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("{{data.object.id}}"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("{{subscription_id}}"), std::string::npos) << unknown;  // what is known

  const std::string no_db = observe_error({{"kind", "sql"}});
  EXPECT_NE(no_db.find("/stripe/observe/kind"), std::string::npos) << no_db;
  EXPECT_NE(no_db.find("database_url"), std::string::npos) << no_db;

  const std::string no_status = observe_error(
      {{"kind", "http"}, {"state_url", "http://127.0.0.1:9/{{subscription_id}}"}, {"pointers", {{"update_count", "/n"}}}});
  EXPECT_NE(no_status.find("/stripe/observe/pointers"), std::string::npos) << no_status;
  EXPECT_NE(no_status.find("status"), std::string::npos) << no_status;

  const std::string bad_pointer = observe_error(
      {{"kind", "http"}, {"state_url", "http://127.0.0.1:9/x"}, {"pointers", {{"status", "status"}}}});
  EXPECT_NE(bad_pointer.find("/stripe/observe/pointers/status"), std::string::npos) << bad_pointer;

  const std::string bad_kind = observe_error({{"kind", "graphql"}});
  EXPECT_NE(bad_kind.find("/stripe/observe/kind"), std::string::npos) << bad_kind;

  const std::string bad_url_var = observe_error(
      {{"kind", "http"}, {"state_url", "http://127.0.0.1:9/{{sub}}"}, {"pointers", {{"status", "/s"}}}});
  EXPECT_NE(bad_url_var.find("/stripe/observe/state_url"), std::string::npos) << bad_url_var;
}

}  // namespace
}  // namespace golive::contract
