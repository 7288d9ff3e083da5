// Connection figures of a load run: ConnectionTotals counts, merges and
// serialises exactly; LoadStats keeps them per scenario through the shard
// format and the report summary; a profile's "keep_alive": false is read and
// checked; and a storm through ConnectionClosingClient and the native client
// against a real TLS server opens one connection per request, resuming the
// TLS session after the first.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "core/input_error.hpp"
#include "http/native/native_http_client.hpp"
#include "load/connection_closing_client.hpp"
#include "load/connection_totals.hpp"
#include "load/load_profile.hpp"
#include "load/load_stats.hpp"
#include "tests/support/http_client_test_helpers.hpp"
#include "tests/support/test_tls_server.hpp"

namespace golive::load {
namespace {

TEST(ConnectionTotalsTest, CountsOnlyNewConnectionsAndMergesExactly) {
  ConnectionTotals a;
  a.add(false, 100, 900, false);  // a reused connection: nothing
  a.add(true, 100, 0, false);     // plain http: a connect, no handshake
  a.add(true, 120, 900, false);   // full TLS handshake
  a.add(true, 110, 300, true);    // resumed
  EXPECT_EQ(a.opened, 3u);
  EXPECT_EQ(a.tls_handshakes, 2u);
  EXPECT_EQ(a.tls_resumed, 1u);
  EXPECT_EQ(a.handshake_latency.count(), 2u);
  EXPECT_EQ(a.handshake_latency.max(), 900u);

  ConnectionTotals b = ConnectionTotals::from_json(a.to_json(), "shard.json", "/connections");
  EXPECT_EQ(a, b);
  b.merge(a);
  EXPECT_EQ(b.opened, 6u);
  EXPECT_EQ(b.tls_resumed, 2u);

  const nlohmann::json summary = a.summary(2.0);
  EXPECT_DOUBLE_EQ(summary["opened_per_s"].get<double>(), 1.5);
  EXPECT_DOUBLE_EQ(summary["tls_handshakes_per_s"].get<double>(), 1.0);
  EXPECT_NEAR(summary["handshake_ms"]["max"].get<double>(), 0.9, 1e-9);
}

TEST(ConnectionTotalsTest, InconsistentShardCountsAreAnInputError) {
  ConnectionTotals totals;
  totals.add(true, 100, 500, true);
  nlohmann::json bad = totals.to_json();
  bad["tls_resumed"] = 2;
  EXPECT_THROW(ConnectionTotals::from_json(bad, "shard.json", "/connections"), core::InputError);
}

TEST(ConnectionTotalsTest, LoadStatsKeepThemPerScenarioThroughTheShardFormat) {
  LoadStats stats;
  const StepKey key = stats.register_step("storm", "request");
  RequestSample sample;
  sample.completed_at = Clock::now();
  sample.latency_us = 2000;
  sample.new_connection = true;
  sample.connect_us = 150;
  sample.handshake_us = 800;
  stats.record(key, sample);
  sample.tls_resumed = true;
  stats.record(key, sample);
  sample.new_connection = false;
  stats.record(key, sample);
  ASSERT_NE(stats.connections("storm"), nullptr);
  EXPECT_EQ(stats.connections("storm")->opened, 2u);
  EXPECT_EQ(stats.connections("storm")->tls_resumed, 1u);

  LoadStats loaded = LoadStats::from_json(stats.to_json(), "shard.json");
  EXPECT_EQ(*loaded.connections("storm"), *stats.connections("storm"));
  loaded.merge(stats);
  EXPECT_EQ(loaded.connections("storm")->tls_handshakes, 4u);

  const nlohmann::json summary = summary_json(stats);
  EXPECT_EQ(summary["scenarios"][0]["connections"]["opened"], 2);

  nlohmann::json old_format = stats.to_json();  // written before connections were counted
  old_format["scenarios"][0].erase("connections");
  EXPECT_EQ(LoadStats::from_json(old_format, "old.json").connections("storm")->opened, 0u);
}

nlohmann::json storm_profile(nlohmann::json keep_alive) {
  return {{"description", "storm"},
          {"scenarios",
           {{{"name", "storm"},
             {"executor", "constant_arrival_rate"},
             {"rate", 10},
             {"duration_s", 1},
             {"keep_alive", keep_alive},
             {"request", {{"url", "/health"}}}}}}};
}

TEST(ConnectionTotalsTest, ProfileReadsKeepAlive) {
  EXPECT_FALSE(parse_profile(storm_profile(false), "storm.json", "/nonexistent").scenarios[0].keep_alive);
  nlohmann::json defaulted = storm_profile(true);
  defaulted["scenarios"][0].erase("keep_alive");
  EXPECT_TRUE(parse_profile(defaulted, "storm.json", "/nonexistent").scenarios[0].keep_alive);
  try {
    parse_profile(storm_profile("no"), "storm.json", "/nonexistent");
    ADD_FAILURE() << "a string keep_alive was accepted";
  } catch (const core::InputError& error) {
    EXPECT_NE(std::string(error.what()).find("/scenarios/0/keep_alive"), std::string::npos) << error.what();
  }
}

TEST(ConnectionTotalsTest, ClosingClientOpensAConnectionPerRequestAndResumesTls) {
  golive::testing::TestTlsServer server;
  boost::asio::io_context io{1};
  http::ClientOptions options;
  options.tls.ca_file = server.ca_file();
  http::NativeHttpClient native(io, options);
  ConnectionClosingClient storm(native);
  ConnectionTotals totals;
  for (int i = 0; i < 5; ++i) {
    const http::HttpResponse response = golive::testing::send_and_wait(io, storm, golive::testing::get(server.url("/ok")));
    ASSERT_EQ(response.status, 200) << response.error_message;
    totals.add(response.timing.new_connection, 100, static_cast<std::uint64_t>(response.timing.handshake_ms * 1000),
               response.timing.tls_resumed);
  }
  EXPECT_EQ(totals.opened, 5u);
  EXPECT_EQ(totals.tls_handshakes, 5u);
  EXPECT_EQ(totals.tls_resumed, 4u);
  EXPECT_EQ(server.handshakes_completed(), 5u);
  EXPECT_EQ(server.handshakes_resumed(), 4u);
}

}  // namespace
}  // namespace golive::load
