// golive's safety rails, proven by counting what a local target receives
// (TestHttpServer on 127.0.0.1) while the real `golive` binary runs:
//
//   - an environment marked production is refused by `golive load`, `golive
//     load --replay`, `golive replay stripe`, `golive e2e` and `golive run`
//     without --allow-production: exit 2, a message saying why, no request,
//     no run directory;
//   - safety.allowed_hosts holds for every request: a workflow step, a load
//     profile or a Stripe webhook URL that names another host ("localhost", which resolves to the
//     very same server) is refused with category not_allowed and never sent;
//   - safety.max_rps caps what the target sees: a profile asking 500 req/s
//     under a 100 req/s cap arrives at about 100 req/s, measured at the server.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/child_process.hpp"
#include "tests/support/test_http_server.hpp"

namespace golive::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr std::chrono::seconds kRunTimeout{60};

class SafetyRailsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("golive-safety-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "out");
    fs::create_directories(dir_ / "workflows");
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::string out_dir() const { return path("out"); }

  void write(const std::string& name, const std::string& text) const {
    std::ofstream(dir_ / name, std::ios::binary | std::ios::trunc) << text;
  }

  // An environment pointing at the test server; allowed_hosts is 127.0.0.1 only.
  std::string write_env(bool production, double max_rps = 0) const {
    nlohmann::json env = {{"name", production ? "prod-rails" : "staging-rails"},
                          {"production", production},
                          {"base_url", "http://127.0.0.1:" + std::to_string(server_.port())},
                          {"anon_key", "anon-rails"},
                          {"stripe", {{"webhook_secret", "whsec_rails_test_secret"}}},
                          {"safety", {{"allowed_hosts", {"127.0.0.1"}}, {"max_rps", max_rps}}}};
    const std::string name = production ? "production.json" : "env.json";
    write(name, env.dump(2));
    return path(name);
  }

  // A constant-arrival-rate profile of GET `url` (relative to base_url or absolute).
  std::string write_profile(const std::string& name, const std::string& url, double rate,
                            double seconds) const {
    nlohmann::json profile = {{"description", "safety rails: " + name},
                              {"scenarios",
                               {{{"name", "rail"},
                                 {"executor", "constant_arrival_rate"},
                                 {"rate", rate},
                                 {"duration_s", seconds},
                                 {"request", {{"url", url}}}}}}};
    write(name + ".json", profile.dump(2));
    return path(name + ".json");
  }

  ProcessOutcome golive(std::vector<std::string> arguments) const {
    arguments.insert(arguments.begin(), GOLIVE_BINARY);
    return run_process(arguments, {{"NO_COLOR", "1"}}, kRunTimeout);
  }

  std::size_t out_entries() const {
    return static_cast<std::size_t>(
        std::distance(fs::directory_iterator(out_dir()), fs::directory_iterator()));
  }

  // Every record of the one run directory under out/.
  std::vector<nlohmann::json> results() const {
    std::vector<nlohmann::json> records;
    for (const auto& entry : fs::directory_iterator(out_dir())) {
      if (!entry.is_directory() || entry.is_symlink()) continue;
      std::ifstream in(entry.path() / "results.jsonl");
      std::string line;
      while (std::getline(in, line)) {
        if (!line.empty()) records.push_back(nlohmann::json::parse(line));
      }
    }
    return records;
  }

  TestHttpServer server_;
  fs::path dir_;
};

TEST_F(SafetyRailsTest, ProductionIsRefusedBeforeAnyRequestWithoutAllowProduction) {
  const std::string env = write_env(/*production=*/true);
  const std::string profile = write_profile("prod_load", "/ok", 50, 1);
  write("access.log", "{\"ts\": 1, \"path\": \"/ok\"}\n{\"ts\": 2, \"path\": \"/ok\"}\n");
  write("workflows/ping.json",
        R"({"description": "one GET", "steps": [{"name": "ping", "url": "/ok"}]})");

  struct Refusal {
    std::vector<std::string> arguments;
    std::string activity;  // what the message says is refused
  };
  const std::vector<Refusal> refusals = {
      {{"load", "--env", env, "--out", out_dir(), profile}, "refusing load testing"},
      {{"load", "--env", env, "--out", out_dir(), "--replay", path("access.log")},
       "refusing load testing"},
      {{"replay", "stripe", "--env", env, "--out", out_dir()}, "refusing Stripe webhook replay"},
      {{"e2e", "--env", env, "--out", out_dir(), "--workflows-dir", path("workflows")},
       "refusing e2e workflows"},
      {{"run", "--env", env, "--out", out_dir()}, "refusing the stages that write data"},
      {{"run", "--env", env, "--out", out_dir(), "--suite", "load"}, "(load)"},
      {{"run", "--env", env, "--out", out_dir(), "--suite", "contract"}, "(contract)"},
  };
  for (const auto& refusal : refusals) {
    SCOPED_TRACE(refusal.arguments[0] + " " + refusal.arguments[1]);
    const auto outcome = golive(refusal.arguments);
    EXPECT_EQ(outcome.exit_code, 2) << outcome.stderr_text << outcome.stdout_text;
    EXPECT_NE(outcome.stderr_text.find("production.json at /production"), std::string::npos)
        << outcome.stderr_text;
    EXPECT_NE(outcome.stderr_text.find("is marked production"), std::string::npos);
    EXPECT_NE(outcome.stderr_text.find(refusal.activity), std::string::npos) << outcome.stderr_text;
    EXPECT_NE(outcome.stderr_text.find("without --allow-production"), std::string::npos);
    EXPECT_EQ(server_.requests_received(), 0u) << "a refused run must not send anything";
    EXPECT_EQ(server_.connections_accepted(), 0u);
    EXPECT_EQ(out_entries(), 0u) << "a refused run must not write a run directory";
  }

  // The control: the same production environment and profile with the
  // override do reach the server, so the zero counts above mean something.
  const auto allowed =
      golive({"load", "--env", env, "--out", out_dir(), "--allow-production", "--quiet", profile});
  EXPECT_NE(allowed.exit_code, 2) << allowed.stderr_text;
  EXPECT_GE(server_.requests_received(), 40u) << allowed.stdout_text << allowed.stderr_text;
}

TEST_F(SafetyRailsTest, WorkflowStepOutsideAllowedHostsIsRefusedAndNeverSent) {
  const std::string env = write_env(false);
  const std::string other_host = "http://localhost:" + std::to_string(server_.port());
  // "localhost" is the same server by another name: were the rail missing,
  // the second step would arrive there and be counted.
  write("workflows/escape.json",
        R"({"description": "an allowed step, then one to a host outside allowed_hosts",
            "steps": [{"name": "allowed", "url": "/ok", "assert": [{"status": 200}]},
                      {"name": "escape", "url": ")" +
            other_host + R"(/ok"}]})");
  const auto outcome = golive({"e2e", "--env", env, "--out", out_dir(), "--workflows-dir",
                               path("workflows"), "--format", "json"});
  EXPECT_EQ(outcome.exit_code, 1) << outcome.stderr_text << outcome.stdout_text;
  EXPECT_EQ(server_.requests_received(), 1u) << "only the allowed step may reach the target";

  bool refused = false;
  for (const auto& record : results()) {
    if (record.value("id", "") != "e2e.escape.escape") continue;
    refused = true;
    EXPECT_EQ(record["status"], "error");
    EXPECT_NE(
        record["message"].get<std::string>().find("not in the environment's safety.allowed_hosts"),
        std::string::npos)
        << record.dump();
    EXPECT_EQ(record["evidence"]["error"], "not_allowed") << record.dump();
    EXPECT_EQ(record["evidence"]["sent"], false) << record.dump();
  }
  EXPECT_TRUE(refused) << "no result for the refused step";
}

TEST_F(SafetyRailsTest, LoadRequestsOutsideAllowedHostsAreRefusedAsNotAllowed) {
  const std::string env = write_env(false);
  const std::string profile = write_profile(
      "escape_load", "http://localhost:" + std::to_string(server_.port()) + "/ok", 20, 1);
  const auto outcome = golive({"load", "--env", env, "--out", out_dir(), "--quiet", profile});
  EXPECT_EQ(outcome.exit_code, 1) << outcome.stderr_text << outcome.stdout_text;
  EXPECT_EQ(server_.requests_received(), 0u);
  EXPECT_EQ(server_.connections_accepted(), 0u);

  bool summarised = false;
  for (const auto& summary : results()) {
    if (summary.value("record", "") != "load_summary") continue;
    summarised = true;
    EXPECT_GE(summary["errors"].value("not_allowed", 0), 15) << summary.dump();
    EXPECT_EQ(summary["errors"].value("connect", 0), 0) << summary.dump();
  }
  EXPECT_TRUE(summarised) << "no load_summary record";
}

TEST_F(SafetyRailsTest, WebhookUrlOutsideAllowedHostsIsRefusedAndNeverSent) {
  nlohmann::json env = {
      {"name", "webhook-rails"},
      {"base_url", "http://127.0.0.1:" + std::to_string(server_.port())},
      {"anon_key", "anon-rails"},
      {"stripe",
       {{"webhook_secret", "whsec_rails_test_secret"},
        {"webhook_url", "http://localhost:" + std::to_string(server_.port()) + "/stripe-webhook"}}},
      {"safety", {{"allowed_hosts", {"127.0.0.1"}}}}};
  write("webhook_env.json", env.dump(2));
  write("capture.json",
        R"([{"id": "evt_rails_1", "object": "event", "type": "invoice.paid",
             "created": 1700000000, "data": {"object": {"id": "in_rails_1"}}}])");
  const auto outcome = golive({"replay", "stripe", "--env", path("webhook_env.json"), "--out",
                               out_dir(), "--events", path("capture.json")});
  EXPECT_EQ(outcome.exit_code, 1) << outcome.stderr_text << outcome.stdout_text;
  EXPECT_EQ(server_.requests_received(), 0u);
  EXPECT_EQ(server_.connections_accepted(), 0u);
  bool refused = false;
  for (const auto& record : results()) {
    if (!record.contains("evidence") || !record["evidence"].contains("response")) continue;
    refused = true;
    EXPECT_EQ(record["evidence"]["response"]["error"], "not_allowed") << record.dump();
  }
  EXPECT_TRUE(refused) << "no delivery result";
}

// The arrivals the server counted: mean rate over the run and the busiest
// one-second window anywhere in it.
struct MeasuredRate {
  std::size_t requests = 0;
  double mean_rps = 0;
  std::size_t busiest_second = 0;
};

MeasuredRate measure(const std::vector<Clock::time_point>& arrivals) {
  MeasuredRate rate;
  rate.requests = arrivals.size();
  if (arrivals.size() < 2) return rate;
  const double span_s = std::chrono::duration<double>(arrivals.back() - arrivals.front()).count();
  rate.mean_rps = static_cast<double>(arrivals.size() - 1) / span_s;
  for (std::size_t first = 0, last = 0; last < arrivals.size(); ++last) {
    while (arrivals[last] - arrivals[first] >= std::chrono::seconds(1)) ++first;
    rate.busiest_second = std::max(rate.busiest_second, last - first + 1);
  }
  return rate;
}

// Runs `profile_json` (its request is GET /capped) under safety.max_rps 100
// and returns what the server saw.
MeasuredRate run_capped(TestHttpServer& server, const std::string& env, const std::string& profile,
                        std::string& stdout_text) {
  std::mutex mutex;
  std::vector<Clock::time_point> arrivals;
  server.on("/capped", [&](const TestRequest&) {
    std::lock_guard<std::mutex> lock(mutex);
    arrivals.push_back(Clock::now());
    return TestReply{200, {}, "ok"};
  });
  const auto outcome = run_process({GOLIVE_BINARY, "load", "--env", env, "--out",
                                    fs::path(env).parent_path().string() + "/out", profile},
                                   {{"NO_COLOR", "1"}}, kRunTimeout);
  EXPECT_NE(outcome.exit_code, 2) << outcome.stderr_text;
  EXPECT_FALSE(outcome.timed_out);
  stdout_text = outcome.stdout_text;
  std::lock_guard<std::mutex> lock(mutex);
  return measure(arrivals);
}

// Open model: a profile asking 500 req/s for 4 s under safety.max_rps 100.
// The cap must hold in every one-second window (± 15 %), and the run must come
// close to it, so the test cannot pass by sending nothing.
TEST_F(SafetyRailsTest, MaxRpsCapsAnArrivalRateAtTheServer) {
  const std::string env = write_env(false, /*max_rps=*/100);
  const std::string profile = write_profile("capped", "/capped", 500, 4);
  std::string stdout_text;
  const MeasuredRate rate = run_capped(server_, env, profile, stdout_text);
  std::cout << "open model, max_rps 100, asked 500/s for 4 s: " << rate.requests << " requests, "
            << rate.mean_rps << " req/s, busiest 1-s window " << rate.busiest_second << "\n";
  EXPECT_NE(stdout_text.find("capped the open-model rates to 20% of the profile"),
            std::string::npos)
      << stdout_text;
  EXPECT_LE(rate.busiest_second, 115u);
  EXPECT_LE(rate.mean_rps, 110.0);
  EXPECT_GE(rate.mean_rps, 80.0);
  EXPECT_GE(rate.requests, 300u);
}

// Closed model: 20 virtual users with no think time would send thousands of
// requests a second to a local server; the per-worker send cap holds them to
// the same 100 req/s.
TEST_F(SafetyRailsTest, MaxRpsCapsVirtualUsersWithoutThinkTime) {
  const std::string env = write_env(false, /*max_rps=*/100);
  nlohmann::json profile = {{"description", "safety rails: 20 VUs as fast as they can"},
                            {"scenarios",
                             {{{"name", "rail"},
                               {"executor", "ramping_vus"},
                               {"stages", {{{"duration_s", 3}, {"target_vus", 20}}}},
                               {"request", {{"url", "/capped"}}}}}}};
  write("vus.json", profile.dump(2));
  std::string stdout_text;
  const MeasuredRate rate = run_capped(server_, env, path("vus.json"), stdout_text);
  std::cout << "closed model, max_rps 100, 20 VUs for 3 s: " << rate.requests << " requests, "
            << rate.mean_rps << " req/s, busiest 1-s window " << rate.busiest_second << "\n";
  EXPECT_LE(rate.busiest_second, 115u) << stdout_text;
  EXPECT_LE(rate.mean_rps, 110.0);
  EXPECT_GE(rate.requests, 100u) << stdout_text;
}

}  // namespace
}  // namespace golive::testing
