// The load executors against a scripted local server: coordinated-omission
// correction, dropped iterations, the max_rps cap, threshold verdicts,
// closed-model VUs, and profile errors that name the file and pointer.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "core/input_error.hpp"
#include "core/result_stream.hpp"
#include "load/arrival_schedule.hpp"
#include "load/load_profile.hpp"
#include "load/load_suite.hpp"
#include "tests/support/test_http_server.hpp"

namespace golive::load {
namespace {

const std::string kWorkflowsDir = std::string(GOLIVE_TEST_DATA) + "/../../e2e/workflows";

config::Environment local_environment(const testing::TestHttpServer& server, double max_rps = 0) {
  config::Environment env;
  env.source_file = "test-env.json";
  env.name = "test";
  env.base_url = server.url("");
  env.safety.allowed_hosts = {"127.0.0.1"};
  env.safety.max_rps = max_rps;
  return env;
}

LoadProfile profile_from(const nlohmann::json& document) {
  return parse_profile(document, "test-profile.json", kWorkflowsDir);
}

nlohmann::json open_profile(double rate, double duration_s, const std::string& url,
                            std::uint32_t max_vus = 500, nlohmann::json thresholds = nlohmann::json::array()) {
  return {{"description", "test"},
          {"scenarios",
           {{{"name", "open"},
             {"executor", "constant_arrival_rate"},
             {"rate", rate},
             {"duration_s", duration_s},
             {"max_vus", max_vus},
             {"request", {{"url", url}, {"timeout_ms", 5000}}},
             {"thresholds", thresholds}}}}};
}

LoadRunOutcome run(const config::Environment& env, const nlohmann::json& profile, core::ResultSink& sink) {
  LoadOptions options;
  options.profile = profile_from(profile);
  options.drain_grace = std::chrono::milliseconds(3000);
  return run_load_suite(env, options, sink);
}

TEST(ArrivalSchedule, ConstantRateDueTimesAreEvenlySpaced) {
  const LoadProfile profile = profile_from(open_profile(100, 2, "/ok"));
  const ArrivalSchedule schedule(profile.scenarios[0], 1.0);
  EXPECT_DOUBLE_EQ(*schedule.due_s(0), 0.0);
  EXPECT_NEAR(*schedule.due_s(50), 0.5, 1e-9);
  EXPECT_NEAR(*schedule.due_s(199), 1.99, 1e-9);
  EXPECT_FALSE(schedule.due_s(200).has_value());
  // Two workers with half the rate each interleave: together they are the whole schedule.
  const ArrivalSchedule second_half(profile.scenarios[0], 0.5, 0.5);
  EXPECT_NEAR(*second_half.due_s(0), 0.01, 1e-9);
}

TEST(ArrivalSchedule, RampingRateFollowsTheIntegralOfTheRate) {
  nlohmann::json document = {{"description", "ramp"},
                             {"scenarios",
                              {{{"name", "ramp"},
                                {"executor", "ramping_arrival_rate"},
                                {"start_rate", 0},
                                {"stages", {{{"duration_s", 10}, {"target_rate", 100}}}},
                                {"request", {{"url", "/ok"}}}}}}};
  const LoadProfile profile = profile_from(document);
  const ArrivalSchedule schedule(profile.scenarios[0], 1.0);
  EXPECT_NEAR(schedule.total_iterations(), 500, 1e-9);
  // N(t) = 5 t^2: iteration 125 is due at t = 5 s, iteration 20 at t = 2 s.
  EXPECT_NEAR(*schedule.due_s(125), 5.0, 1e-9);
  EXPECT_NEAR(*schedule.due_s(20), 2.0, 1e-9);
}

TEST(LoadProfile, ErrorsNameTheFileAndThePointer) {
  nlohmann::json bad_executor = open_profile(10, 1, "/ok");
  bad_executor["scenarios"][0]["executor"] = "constant_vus_typo";
  try {
    profile_from(bad_executor);
    FAIL() << "accepted an unknown executor";
  } catch (const core::InputError& error) {
    const std::string text = error.what();
    EXPECT_NE(text.find("test-profile.json"), std::string::npos) << text;
    EXPECT_NE(text.find("/scenarios/0/executor"), std::string::npos) << text;
  }
  nlohmann::json bad_threshold = open_profile(10, 1, "/ok", 10, {"p(99) < 15xx"});
  try {
    profile_from(bad_threshold);
    FAIL() << "accepted a malformed threshold";
  } catch (const core::InputError& error) {
    const std::string text = error.what();
    EXPECT_NE(text.find("/scenarios/0/thresholds/0"), std::string::npos) << text;
    EXPECT_NE(text.find("column"), std::string::npos) << text;
  }
  nlohmann::json no_description = open_profile(10, 1, "/ok");
  no_description.erase("description");
  EXPECT_THROW(profile_from(no_description), core::InputError);
}

nlohmann::json capacity_profile(nlohmann::json overrides = nlohmann::json::object()) {
  nlohmann::json scenario = {{"name", "capacity"},
                             {"executor", "capacity"},
                             {"start_rate", 10},
                             {"step_rate", 15},
                             {"step_duration_s", 2},
                             {"max_rate", 55},
                             {"request", {{"url", "/ok"}}}};
  scenario.update(overrides);
  return {{"description", "capacity"}, {"scenarios", {scenario}}};
}

// "file at POINTER: ..." for a profile that must be refused.
std::string profile_error(const nlohmann::json& document) {
  try {
    profile_from(document);
  } catch (const core::InputError& error) {
    return error.what();
  }
  return "accepted";
}

TEST(CapacityProfile, StepsAreFlatAndSettingsAreChecked) {
  const LoadProfile profile = profile_from(capacity_profile());
  const ScenarioProfile& scenario = profile.scenarios[0];
  ASSERT_EQ(scenario.stages.size(), 4u);  // 10, 25, 40, 55
  EXPECT_DOUBLE_EQ(scenario.stages[3].target, 55);
  EXPECT_DOUBLE_EQ(scenario.value_at(0.1), 10);
  EXPECT_DOUBLE_EQ(scenario.value_at(2.1), 25);  // a step, not a ramp
  EXPECT_DOUBLE_EQ(scenario.duration_s(), 8);
  const ArrivalSchedule schedule(scenario, 1.0);
  EXPECT_NEAR(*schedule.due_s(19), 1.9, 1e-9);         // 10/s for the first 2 s
  EXPECT_NEAR(*schedule.due_s(20), 2.0, 1e-9);         // then 25/s at once
  EXPECT_NEAR(*schedule.due_s(21), 2.0 + 1 / 25.0, 1e-9);

  EXPECT_NE(profile_error(capacity_profile({{"max_rate", 5}})).find("test-profile.json at /scenarios/0/max_rate"),
            std::string::npos);
  EXPECT_NE(profile_error(capacity_profile({{"step_duration_s", 0.5}})).find("/scenarios/0/step_duration_s"),
            std::string::npos);
  EXPECT_NE(profile_error(capacity_profile({{"step_rate", 0}})).find("/scenarios/0/step_rate"), std::string::npos);
  EXPECT_NE(profile_error(capacity_profile({{"rate", 5}})).find("/scenarios/0/rate"), std::string::npos);
  nlohmann::json missing = capacity_profile();
  missing["scenarios"][0].erase("max_rate");
  EXPECT_NE(profile_error(missing).find("/scenarios/0: missing required key \"max_rate\""), std::string::npos)
      << profile_error(missing);
  nlohmann::json two = capacity_profile();
  two["scenarios"].push_back(open_profile(10, 1, "/ok")["scenarios"][0]);
  EXPECT_NE(profile_error(two).find("/scenarios/0/executor"), std::string::npos) << profile_error(two);
  nlohmann::json step_elsewhere = open_profile(10, 1, "/ok");
  step_elsewhere["scenarios"][0]["step_rate"] = 5;
  EXPECT_NE(profile_error(step_elsewhere).find("/scenarios/0/step_rate"), std::string::npos);
  nlohmann::json bad_slowest = open_profile(10, 1, "/ok");
  bad_slowest["scenarios"][0]["slowest_requests"] = 2.5;
  EXPECT_NE(profile_error(bad_slowest).find("/scenarios/0/slowest_requests"), std::string::npos);
}

TEST(LoadProfile, ShippedProfilesParse) {
  const std::string dir = std::string(GOLIVE_TEST_DATA) + "/../../load/profiles/";
  for (const char* name : {"smoke.json", "checkout_1000_vus.json", "capacity.json"}) {
    const LoadProfile profile = load_profile(dir + name, kWorkflowsDir);
    EXPECT_FALSE(profile.description.empty()) << name;
    EXPECT_FALSE(profile.scenarios.empty()) << name;
  }
  EXPECT_EQ(load_profile(dir + "checkout_1000_vus.json", kWorkflowsDir).scenarios[0].peak(), 1000);
}

TEST(LoadShard, ParsesOneBasedShares) {
  const ShardSpec shard = parse_shard("2/4");
  EXPECT_EQ(shard.index, 1u);
  EXPECT_EQ(shard.count, 4u);
  EXPECT_THROW(parse_shard("0/4"), core::InputError);
  EXPECT_THROW(parse_shard("5/4"), core::InputError);
  EXPECT_THROW(parse_shard("two"), core::InputError);
}

// A target that stalls once for 1 s (its only thread sleeps): every request
// due during the stall waits, and latency from the intended start shows it.
TEST(OpenModel, AStallShowsUpInThePercentiles) {
  testing::TestHttpServer server;
  const auto started = std::chrono::steady_clock::now();
  std::atomic<bool> stalled{false};
  server.on("/stall", [&](const testing::TestRequest&) {
    if (std::chrono::steady_clock::now() - started > std::chrono::milliseconds(1500) &&
        !stalled.exchange(true)) {
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
    return testing::TestReply{200, {}, "ok"};
  });
  core::CollectingSink sink;
  const auto outcome = run(local_environment(server), open_profile(100, 4, "/stall"), sink);
  ASSERT_TRUE(stalled.load());
  const MetricSnapshot snapshot = outcome.stats.snapshot("open");
  EXPECT_GE(snapshot.requests, 350u);
  EXPECT_EQ(snapshot.dropped_iterations, 0u);
  const double p99_ms = static_cast<double>(snapshot.latency.value_at_percentile(99)) / 1000.0;
  const double p50_ms = static_cast<double>(snapshot.latency.value_at_percentile(50)) / 1000.0;
  std::printf("[ measure  ] 100 req/s, one 1 s stall: p50 %.1f ms, p99 %.1f ms\n", p50_ms, p99_ms);
  EXPECT_GE(p99_ms, 850.0);
  EXPECT_LT(p50_ms, 200.0);
}

TEST(OpenModel, IterationsBeyondMaxVusAreDroppedNotDelayed) {
  testing::TestHttpServer server;
  core::CollectingSink sink;
  const auto outcome = run(local_environment(server), open_profile(200, 2, "/delay/200", 2), sink);
  const MetricSnapshot snapshot = outcome.stats.snapshot("open");
  EXPECT_LE(server.peak_requests_in_flight(), 2u);
  EXPECT_GT(snapshot.dropped_iterations, 300u);
  EXPECT_GT(snapshot.requests, 5u);
  EXPECT_LT(snapshot.requests, 40u);
  // A dropped iteration is a failed intended request for the SLA.
  EXPECT_FALSE(outcome.sla_met);
}

TEST(OpenModel, MaxRpsFromTheEnvironmentCapsTheRate) {
  testing::TestHttpServer server;
  core::CollectingSink sink;
  const auto outcome = run(local_environment(server, 50), open_profile(500, 2, "/ok"), sink);
  EXPECT_NEAR(outcome.rate_scale, 0.1, 1e-9);
  EXPECT_LE(server.requests_received(), 110u);
  EXPECT_GE(server.requests_received(), 80u);
}

TEST(Thresholds, AFailedThresholdIsAFailingCheckWithTheChecklistId) {
  testing::TestHttpServer server;
  core::CollectingSink sink;
  const auto outcome = run(local_environment(server),
                           open_profile(50, 1.5, "/delay/20", 100, {"p(99) < 1ms", "error_rate < 1%"}), sink);
  EXPECT_FALSE(outcome.thresholds_passed);
  bool saw_fail = false;
  bool saw_pass = false;
  for (const core::CheckResult& check : sink.results()) {
    if (check.id == "load.open.threshold.1") saw_fail = check.status == core::CheckStatus::kFail;
    if (check.id == "load.open.threshold.2") saw_pass = check.status == core::CheckStatus::kPass;
  }
  EXPECT_TRUE(saw_fail);
  EXPECT_TRUE(saw_pass);
  ASSERT_EQ(outcome.load_summaries.size(), 1u);
  EXPECT_EQ(outcome.load_summaries[0]["thresholds"][0]["pass"], false);
  EXPECT_GE(outcome.load_summaries[0]["latency_ms"]["p99"].get<double>(), 19.0);
}

TEST(ClosedModel, VirtualUsersRampAndLoopTheirIterations) {
  testing::TestHttpServer server;
  nlohmann::json document = {{"description", "closed"},
                             {"scenarios",
                              {{{"name", "vus"},
                                {"executor", "ramping_vus"},
                                {"start_vus", 0},
                                {"stages", {{{"duration_s", 0.5}, {"target_vus", 6}},
                                            {{"duration_s", 1.5}, {"target_vus", 6}}}},
                                {"iteration_pause_ms", 20},
                                {"request", {{"url", "/delay/30"}}}}}}};
  core::CollectingSink sink;
  const auto outcome = run(local_environment(server), document, sink);
  const MetricSnapshot snapshot = outcome.stats.snapshot("vus");
  EXPECT_GT(snapshot.requests, 60u);
  EXPECT_EQ(snapshot.errors, 0u);
  EXPECT_LE(server.peak_requests_in_flight(), 6u);
  EXPECT_EQ(outcome.load_summaries[0]["peak_vus"], 6);
  bool concurrency_passed = false;
  for (const core::CheckResult& check : sink.results()) {
    if (check.id == "load.vus.concurrency") concurrency_passed = check.status == core::CheckStatus::kPass;
  }
  EXPECT_TRUE(concurrency_passed);
}

// Four VUs looping /ok for a second on one worker thread; `native_http` picks the client.
struct EngineRun {
  MetricSnapshot snapshot;
  std::size_t connections_accepted = 0;
};
EngineRun run_closed_loop(bool native_http) {
  testing::TestHttpServer server;
  nlohmann::json document = {{"description", "closed, one engine"},
                             {"scenarios",
                              {{{"name", "vus"},
                                {"executor", "ramping_vus"},
                                {"start_vus", 4},
                                {"stages", {{{"duration_s", 1.0}, {"target_vus", 4}}}},
                                {"iteration_pause_ms", 10},
                                {"request", {{"url", "/ok"}}}}}}};
  LoadOptions options;
  options.profile = profile_from(document);
  options.drain_grace = std::chrono::milliseconds(3000);
  options.threads = 1;
  options.native_http = native_http;
  core::CollectingSink sink;
  const auto outcome = run_load_suite(local_environment(server), options, sink);
  return {outcome.stats.snapshot("vus"), server.connections_accepted()};
}

// By default plain http:// rides http::NativeHttpClient's keep-alive pool.
TEST(ClosedModel, NativeEngineIsTheDefaultAndKeepsConnectionsAlive) {
  EXPECT_TRUE(LoadOptions{}.native_http);
  const EngineRun run = run_closed_loop(/*native_http=*/true);
  EXPECT_GT(run.snapshot.requests, 40u);
  EXPECT_EQ(run.snapshot.errors, 0u);
  EXPECT_LE(run.connections_accepted, 4u);  // one kept-alive connection per VU at most
}

// golive load --engine curl: the same traffic through libcurl.
TEST(ClosedModel, CurlEngineCarriesTheSameTrafficWhenChosen) {
  const EngineRun run = run_closed_loop(/*native_http=*/false);
  EXPECT_GT(run.snapshot.requests, 40u);
  EXPECT_EQ(run.snapshot.errors, 0u);
  EXPECT_LE(run.connections_accepted, 4u);
}

TEST(Safety, ProductionIsRefusedWithoutAllowProduction) {
  testing::TestHttpServer server;
  config::Environment env = local_environment(server);
  env.production = true;
  core::CollectingSink sink;
  EXPECT_THROW(run(env, open_profile(10, 1, "/ok"), sink), core::InputError);
  EXPECT_EQ(server.requests_received(), 0u);
}

}  // namespace
}  // namespace golive::load
