// `golive replay stripe` against webhook receivers the team did not write for
// golive: tests/node/stripe_receiver.js, built on Stripe's official Node
// library (stripe.webhooks.constructEvent), in a correct variant and in
// variants with one real-world mistake each. The environment holds only the
// webhook URL and secret (and, for the post-condition checks, an "http"
// observer on the receiver's state URL): no database, no Supabase routes.
//
// Each variant must end with the expected exit code, the mistake's check
// failing with a message that names it, and no `error` result.
// Skips when node or tests/node/node_modules/stripe is absent (scripts/npm-deps).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/golive_cli_harness.hpp"
#include "tests/support/child_process.hpp"

namespace golive::testing::cli {
namespace {

constexpr const char* kSecret = "whsec_golive_foreign_receiver_7a1c";

std::string node_skip_reason() {
  if (std::system("command -v node >/dev/null 2>&1") != 0) return "node is not on PATH";
  if (!fs::exists(fs::path(GOLIVE_SOURCE_DIR) / "tests/node/node_modules/stripe/package.json")) {
    return "tests/node/node_modules/stripe is absent; run scripts/npm-deps";
  }
  return "";
}

// One receiver process on a free port of 127.0.0.1, stopped by PID.
class NodeReceiver {
 public:
  explicit NodeReceiver(const std::string& variant)
      : process_({"node", std::string(GOLIVE_SOURCE_DIR) + "/tests/node/stripe_receiver.js", "--secret", kSecret,
                  "--variant", variant}) {}

  int port() const { return process_.port(); }
  std::string url(const std::string& path) const { return process_.base_url() + path; }

 private:
  golive::testing::LoopbackServerProcess process_;
};

enum class Observe { kNone, kHttp };

struct ReplayRun {
  GoliveExit exit;
  std::map<std::string, nlohmann::json> checks;  // by id
  std::map<std::string, int> by_status;
};

// The receiver's state URL, with a post-condition per event type: the
// subscription the event names holds the status it implies and the event's
// `created` as its newest.
nlohmann::json http_observer(const NodeReceiver& receiver) {
  const auto state = [&](const std::string& id_path, const std::string& status) {
    return nlohmann::json{
        {"url", receiver.url("/state/subscriptions/{{" + id_path + "}}")},
        {"expect", {{"/status", status}, {"/last_event_created", "{{created}}"}}}};
  };
  const std::string invoice_subscription = "data.object.parent.subscription_details.subscription";
  return {{"kind", "http"},
          {"state_url", receiver.url("/state/subscriptions/{{subscription_id}}")},
          {"pointers",
           {{"status", "/status"},
            {"update_count", "/applied"},
            {"last_event_created", "/last_event_created"}}},
          {"events",
           {{"checkout.session.completed", state("data.object.subscription", "active")},
            {"customer.subscription.created", state("data.object.id", "{{data.object.status}}")},
            {"customer.subscription.updated", state("data.object.id", "{{data.object.status}}")},
            {"customer.subscription.deleted", state("data.object.id", "canceled")},
            {"invoice.payment_succeeded", state(invoice_subscription, "active")},
            {"invoice.payment_failed", state(invoice_subscription, "past_due")}}}};
}

ReplayRun replay(const NodeReceiver& receiver, const std::string& name,
                 const std::optional<nlohmann::json>& observe) {
  const std::string dir = scratch_dir(name);
  nlohmann::json stripe = {{"webhook_url", receiver.url("/webhook")}, {"webhook_secret", kSecret}};
  if (observe) stripe["observe"] = *observe;
  const std::string env_path = dir + "/env.json";
  std::ofstream(env_path) << nlohmann::json{{"name", "foreign-" + name},
                                            {"base_url", receiver.url("")},
                                            {"stripe", stripe}}
                                 .dump(2);
  ReplayRun run;
  const auto process = start_golive(
      {"replay", "stripe", "--env", env_path, "--out", dir + "/out", "--storm-size", "10"}, dir);
  run.exit = wait_golive(process, std::chrono::seconds(60));
  const std::string results = latest_run(dir + "/out") + "/results.jsonl";
  if (fs::exists(results)) {
    for (const auto& record : read_results(results)) {
      if (record.contains("record")) continue;
      run.checks[record["id"].get<std::string>()] = record;
      ++run.by_status[record["status"].get<std::string>()];
    }
  }
  return run;
}

std::string describe(const ReplayRun& run) {
  std::string text = "exit " + std::to_string(run.exit.exit_code) + "\n" + run.exit.stdout_text +
                     run.exit.stderr_text;
  return text;
}

const nlohmann::json& check(const ReplayRun& run, const std::string& name) {
  static const nlohmann::json missing = {{"status", "missing"}, {"message", ""}};
  const auto found = run.checks.find("contract.stripe." + name);
  return found == run.checks.end() ? missing : found->second;
}

class ForeignReceiver : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const std::string reason = node_skip_reason(); !reason.empty()) GTEST_SKIP() << reason;
  }
};

// The signature family needs nothing but the endpoint and the secret.
TEST_F(ForeignReceiver, CorrectReceiverPassesWithOnlyUrlAndSecret) {
  NodeReceiver receiver("correct");
  ASSERT_GT(receiver.port(), 0);
  const ReplayRun run = replay(receiver, "correct_bare", std::nullopt);
  EXPECT_EQ(run.exit.exit_code, 0) << describe(run);
  EXPECT_EQ(run.by_status.count("error"), 0u) << describe(run);
  EXPECT_EQ(run.by_status.count("fail"), 0u) << describe(run);
  for (const char* name : {"signature_invalid_rejected", "signature_missing_rejected",
                           "signature_tampered_body_rejected", "signature_stale_timestamp_rejected",
                           "signature_v0_only_rejected", "signature_rotation_accepted",
                           "signature_future_timestamp_noted", "unknown_type_ignored"}) {
    EXPECT_EQ(check(run, name)["status"], "pass") << name << "\n" << describe(run);
  }
  EXPECT_EQ(check(run, "signature_future_timestamp_noted")["severity"], "info");
  for (const char* name : {"checkout_completed_applied", "duplicate_applied_once",
                           "duplicate_concurrent_storm_applied_once",
                           "subscription_out_of_order_newest_wins", "payment_failed_past_due",
                           "event_post_conditions_hold", "subscription_deleted_revokes_access"}) {
    EXPECT_EQ(check(run, name)["status"], "skip") << name;
    EXPECT_NE(check(run, name)["message"].get<std::string>().find("stripe.observe"),
              std::string::npos)
        << name << ": " << check(run, name)["message"];
  }
  EXPECT_NE(run.exit.stdout_text.find("need stripe.observe"), std::string::npos) << describe(run);
}

struct BrokenCase {
  std::string variant;
  bool observed;
  std::vector<std::string> must_fail;
  std::string mistake;  // a word the first failing check's message must contain
};

class BrokenReceiver : public ForeignReceiver,
                       public ::testing::WithParamInterface<BrokenCase> {};

TEST_P(BrokenReceiver, MistakeIsCaughtAndNamed) {
  const BrokenCase& test_case = GetParam();
  NodeReceiver receiver(test_case.variant);
  ASSERT_GT(receiver.port(), 0);
  const ReplayRun run =
      replay(receiver, test_case.variant,
             test_case.observed ? std::optional<nlohmann::json>(http_observer(receiver))
                                : std::nullopt);
  EXPECT_EQ(run.exit.exit_code, 1) << describe(run);
  EXPECT_EQ(run.by_status.count("error"), 0u) << describe(run);
  for (const auto& name : test_case.must_fail) {
    EXPECT_EQ(check(run, name)["status"], "fail") << name << "\n" << describe(run);
  }
  const std::string message = check(run, test_case.must_fail.front())["message"];
  EXPECT_NE(message.find(test_case.mistake), std::string::npos) << message;
  // Nothing else fails: each variant has exactly its one mistake.
  EXPECT_EQ(static_cast<std::size_t>(run.by_status.count("fail") ? run.by_status.at("fail") : 0),
            test_case.must_fail.size())
      << describe(run);
}

INSTANTIATE_TEST_SUITE_P(
    Variants, BrokenReceiver,
    ::testing::Values(
        BrokenCase{"wide-tolerance", false, {"signature_stale_timestamp_rejected"}, "stale"},
        BrokenCase{"unsigned-accepted", false, {"signature_missing_rejected"}, "unsigned"},
        BrokenCase{"payment-failed-ignored",
                   true,
                   {"payment_failed_past_due", "event_post_conditions_hold"},
                   "past_due"},
        BrokenCase{"duplicates-applied",
                   true,
                   {"duplicate_applied_once", "duplicate_concurrent_storm_applied_once"},
                   "update_count is 2"},
        BrokenCase{"arrival-order", true, {"subscription_out_of_order_newest_wins"}, "incomplete"}),
    [](const auto& info) {
      std::string name = info.param.variant;
      for (char& c : name)
        if (c == '-') c = '_';
      return name;
    });

// With an observer, the correct receiver passes the post-condition checks
// too; only the entitlement check (it needs a test user) is skipped.
TEST_F(ForeignReceiver, CorrectReceiverPassesPostConditionsThroughHttpObserver) {
  NodeReceiver receiver("correct");
  ASSERT_GT(receiver.port(), 0);
  const ReplayRun run = replay(receiver, "correct_http", http_observer(receiver));
  EXPECT_EQ(run.exit.exit_code, 0) << describe(run);
  EXPECT_EQ(run.by_status.count("error"), 0u) << describe(run);
  EXPECT_EQ(run.by_status.count("fail"), 0u) << describe(run);
  EXPECT_EQ(run.by_status.at("skip"), 1) << describe(run);
  EXPECT_EQ(check(run, "subscription_deleted_revokes_access")["status"], "skip");
  EXPECT_NE(check(run, "subscription_deleted_revokes_access")["message"].get<std::string>().find(
                "test user"),
            std::string::npos);
  EXPECT_EQ(check(run, "duplicate_applied_once")["evidence"]["observed_through"], "http");
}

// Configuration mistakes in stripe.observe: exit 2, the key named, nothing delivered.
TEST_F(ForeignReceiver, StateUrlThatIsNotJsonIsExitTwo) {
  NodeReceiver receiver("correct");
  ASSERT_GT(receiver.port(), 0);
  nlohmann::json observe = http_observer(receiver);
  observe["state_url"] = receiver.url("/health?subscription={{subscription_id}}");
  const ReplayRun run = replay(receiver, "not_json", observe);
  EXPECT_EQ(run.exit.exit_code, 2) << describe(run);
  EXPECT_NE(run.exit.stderr_text.find("/stripe/observe/state_url"), std::string::npos)
      << describe(run);
  EXPECT_NE(run.exit.stderr_text.find("not JSON"), std::string::npos) << describe(run);
  EXPECT_TRUE(run.checks.empty());
}

TEST_F(ForeignReceiver, SqlTemplateWithUnknownVariableIsExitTwo) {
  NodeReceiver receiver("correct");
  ASSERT_GT(receiver.port(), 0);
  const std::string dir = scratch_dir("unknown_variable");
  const std::string env_path = dir + "/env.json";
  std::ofstream(env_path) << nlohmann::json{
      {"name", "foreign-sql"},
      {"base_url", receiver.url("")},
      {"database_url", "postgres://nobody@127.0.0.1:1/none"},
      {"stripe",
       {{"webhook_url", receiver.url("/webhook")},
        {"webhook_secret", kSecret},
        {"observe",
         {{"kind", "sql"},
          {"subscription_query",
           "SELECT status FROM subs WHERE id = {{data.object.id}}"}}}}}}.dump(2);
  const auto process =
      start_golive({"replay", "stripe", "--env", env_path, "--out", dir + "/out"}, dir);
  const GoliveExit exit = wait_golive(process, std::chrono::seconds(30));
  EXPECT_EQ(exit.exit_code, 2) << exit.stdout_text << exit.stderr_text;
  EXPECT_NE(exit.stderr_text.find("/stripe/observe/subscription_query"), std::string::npos)
      << exit.stderr_text;
  EXPECT_NE(exit.stderr_text.find("{{data.object.id}}"), std::string::npos) << exit.stderr_text;
  EXPECT_FALSE(fs::exists(dir + "/out/latest"));
}

}  // namespace
}  // namespace golive::testing::cli
