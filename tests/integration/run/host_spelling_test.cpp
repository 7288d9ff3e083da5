// Base URLs spelled as people write them reach the target through every
// client: `golive e2e`, `golive load` on both engines, `golive probe headers`
// and `golive replay stripe`, for http://LOCALHOST:PORT (hosts are
// case-insensitive), http://localhost.:PORT (a trailing dot) and
// http://[::1]:PORT against a server listening on ::1. Counted at the
// server (TestHttpServer): every command's requests arrive, none is refused
// as not_allowed, and a load run's requests all reach the percentiles.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/child_process.hpp"
#include "tests/support/test_http_server.hpp"
#include "tests/support/test_tls_server.hpp"

namespace golive::testing {
namespace {

namespace fs = std::filesystem;

struct Spelling {
  std::string name;     // for the test's name
  std::string address;  // where the server listens
  std::string host;     // how the base URL writes the host
};

class HostSpellingCommandsTest : public ::testing::TestWithParam<Spelling> {
 protected:
  void SetUp() override {
    server_ = std::make_unique<TestHttpServer>(GetParam().address);
    dir_ = fs::temp_directory_path() / ("golive-hosts-" + std::to_string(::getpid()) + "-" + GetParam().name);
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "workflows");
    const std::string base = "http://" + GetParam().host + ":" + std::to_string(server_->port());
    write("env.json", nlohmann::json{{"name", "hosts-" + GetParam().name},
                                     {"base_url", base},
                                     {"anon_key", "anon-hosts"},
                                     {"stripe", {{"webhook_secret", "whsec_hosts_test_secret"},
                                                 {"webhook_url", base + "/stripe-webhook"}}}}
                          .dump(2));
    write("workflows/ping.json",
          R"({"description": "one GET", "steps": [{"name": "ping", "url": "/ok", "assert": [{"status": 200}]}]})");
    write("profile.json", nlohmann::json{{"description", "host spellings"},
                                         {"scenarios",
                                          {{{"name", "ping"},
                                            {"executor", "constant_arrival_rate"},
                                            {"rate", 40},
                                            {"duration_s", 1},
                                            {"request", {{"url", "/ok"}}}}}}}
                              .dump(2));
    write("capture.json",
          R"([{"id": "evt_hosts_1", "object": "event", "type": "invoice.paid",
               "created": 1700000000, "data": {"object": {"id": "in_hosts_1"}}}])");
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  void write(const std::string& name, const std::string& text) const {
    std::ofstream(dir_ / name, std::ios::binary | std::ios::trunc) << text;
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // Runs golive with a fresh --out and returns every record it wrote.
  std::vector<nlohmann::json> golive(std::vector<std::string> arguments, ProcessOutcome& outcome) {
    const std::string out = path("out-" + std::to_string(++runs_));
    fs::create_directories(out);
    arguments.insert(arguments.begin(), GOLIVE_BINARY);
    arguments.insert(arguments.end(), {"--env", path("env.json"), "--out", out});
    outcome = run_process(arguments, {{"NO_COLOR", "1"}}, std::chrono::seconds(60));
    std::vector<nlohmann::json> records;
    for (const auto& entry : fs::directory_iterator(out)) {
      std::ifstream in(entry.path() / "results.jsonl");
      for (std::string line; std::getline(in, line);) {
        if (!line.empty()) records.push_back(nlohmann::json::parse(line));
      }
    }
    return records;
  }

  static bool mentions_not_allowed(const std::vector<nlohmann::json>& records) {
    for (const auto& record : records) {
      if (record.dump().find("not_allowed\"") != std::string::npos &&
          record.dump().find("\"not_allowed\":0") == std::string::npos) {
        return true;
      }
    }
    return false;
  }

  std::unique_ptr<TestHttpServer> server_;
  fs::path dir_;
  int runs_ = 0;
};

TEST_P(HostSpellingCommandsTest, E2eStepsAreSentAndPass) {
  ProcessOutcome outcome;
  const auto records = golive({"e2e", "--workflows-dir", path("workflows")}, outcome);
  EXPECT_EQ(outcome.exit_code, 0) << outcome.digest();
  EXPECT_EQ(server_->requests_received(), 1u);
  EXPECT_FALSE(mentions_not_allowed(records));
}

TEST_P(HostSpellingCommandsTest, LoadReachesTheTargetOnBothEngines) {
  for (const std::string engine : {"native", "curl"}) {
    SCOPED_TRACE(engine);
    const std::size_t before = server_->requests_received();
    ProcessOutcome outcome;
    const auto records = golive({"load", "--engine", engine, "--quiet", path("profile.json")}, outcome);
    EXPECT_NE(outcome.exit_code, 2) << outcome.stderr_text;
    const std::size_t arrived = server_->requests_received() - before;
    EXPECT_GE(arrived, 30u) << outcome.digest();
    bool summarised = false;
    for (const auto& record : records) {
      if (record.value("record", "") != "load_summary") continue;
      summarised = true;
      EXPECT_EQ(record["errors"].value("not_allowed", 0), 0) << record.dump();
      EXPECT_EQ(record.value("requests", 0u), arrived) << record.dump();
    }
    EXPECT_TRUE(summarised);
  }
}

TEST_P(HostSpellingCommandsTest, HeaderProbeAndStripeReplayAreSent) {
  ProcessOutcome probe;
  const auto probe_records = golive({"probe", "headers"}, probe);
  EXPECT_NE(probe.exit_code, 2) << probe.stderr_text;
  EXPECT_GE(server_->requests_received(), 1u) << probe.stdout_text;
  EXPECT_FALSE(mentions_not_allowed(probe_records)) << probe.stdout_text;

  const std::size_t before = server_->requests_received();
  ProcessOutcome replay;
  const auto replay_records = golive({"replay", "stripe", "--events", path("capture.json")}, replay);
  EXPECT_NE(replay.exit_code, 2) << replay.stderr_text;
  EXPECT_EQ(server_->requests_received() - before, 1u) << replay.stdout_text << replay.stderr_text;
  EXPECT_FALSE(mentions_not_allowed(replay_records)) << replay.stdout_text;
}

// An https:// staging with a private CA: trusted through the environment's
// tls.ca_file, a categorised tls error without it, and tls.insecure refused
// for an environment marked production before anything is sent.
TEST(PrivateCaTarget, TrustedThroughCaFileRefusedWithoutItInsecureNotInProduction) {
  TestTlsServer tls;
  const fs::path dir = fs::temp_directory_path() / ("golive-tls-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "workflows");
  std::ofstream(dir / "workflows/ping.json")
      << R"({"description": "one GET", "steps": [{"name": "ping", "url": "/ok", "assert": [{"status": 200}]}]})";
  auto run_with = [&](const nlohmann::json& extra, const std::string& name) {
    nlohmann::json env = {{"name", name}, {"base_url", tls.url("")}};
    env.update(extra);
    std::ofstream(dir / (name + ".json")) << env.dump(2);
    fs::create_directories(dir / ("out-" + name));
    return run_process({GOLIVE_BINARY, "e2e", "--env", (dir / (name + ".json")).string(), "--out",
                        (dir / ("out-" + name)).string(), "--workflows-dir", (dir / "workflows").string(),
                        "--format", "json"},
                       {{"NO_COLOR", "1"}}, std::chrono::seconds(60));
  };
  const auto trusted = run_with({{"tls", {{"ca_file", tls.ca_file()}}}}, "trusted");
  EXPECT_EQ(trusted.exit_code, 0) << trusted.stdout_text << trusted.stderr_text;

  const auto untrusted = run_with(nlohmann::json::object(), "untrusted");
  EXPECT_NE(untrusted.exit_code, 0);
  EXPECT_NE(untrusted.stdout_text.find("\"error\":\"tls\""), std::string::npos) << untrusted.stdout_text;

  const std::size_t answered = tls.requests_answered();
  const auto production = run_with({{"production", true}, {"tls", {{"insecure", true}}}}, "production");
  EXPECT_EQ(production.exit_code, 2) << production.stderr_text;
  EXPECT_NE(production.stderr_text.find("/tls/insecure"), std::string::npos) << production.stderr_text;
  EXPECT_EQ(tls.requests_answered(), answered);
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Spellings, HostSpellingCommandsTest,
                         ::testing::Values(Spelling{"upper_case", "127.0.0.1", "LOCALHOST"},
                                           Spelling{"trailing_dot", "127.0.0.1", "localhost."},
                                           Spelling{"ipv6", "::1", "[::1]"}),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace golive::testing
