// `golive watch` as a user runs it, against a local test server: a bounded
// --duration run whose log has one valid JSON line per probe and whose exit
// code says whether the probes met the SLA; SIGTERM and SIGINT while it
// serves /metrics (the figures read over HTTP, a clean stop with a valid
// log, nothing left running); bad settings: no probes, a port in use; and
// `golive probe observability` refusing an alert rule file that is not YAML.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "http/curl/curl_http_client.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/golive_cli_harness.hpp"
#include "tests/support/test_http_server.hpp"

namespace {

using namespace golive::testing::cli;

std::string write_watch_env(const std::string& dir, const std::string& base_url,
                            const nlohmann::json& probes) {
  const std::string path = dir + "/env.json";
  std::ofstream(path) << nlohmann::json{
      {"name", "watched"},
      {"base_url", base_url},
      {"anon_key", "anon-key-for-tests"},
      {"sla", {{"availability", 0.99}}},
      {"observability", {{"watch", {{"interval_seconds", 0.2}, {"listen", "127.0.0.1:0"},
                                    {"probes", probes}}}}}}.dump(2);
  return path;
}

// Every line of the log, parsed (a line that is not JSON fails the test).
std::vector<nlohmann::json> log_lines(const std::string& path) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(slurp(path));
  std::string line;
  while (std::getline(in, line)) {
    const nlohmann::json parsed = nlohmann::json::parse(line, nullptr, false);
    EXPECT_TRUE(parsed.is_object()) << "not a JSON line: " << line;
    if (parsed.is_object()) lines.push_back(parsed);
  }
  return lines;
}

TEST(WatchCommand, ABoundedRunLogsEveryProbeAndFailsBelowTheSla) {
  golive::testing::TestHttpServer server;
  const std::string dir = scratch_dir("watch_bounded");
  const std::string env = write_watch_env(
      dir, server.url(""),
      {{{"name", "ok"}, {"path", "/ok"}, {"body_contains", "ok"}},
       {{"name", "down"}, {"path", "/status/503"}}});
  const auto run = golive::testing::run_process(
      {GOLIVE_BINARY, "watch", "--env", env, "--duration", "1.5", "--log", dir + "/watch.jsonl"}, {},
      std::chrono::seconds(60));
  EXPECT_EQ(run.exit_code, 1) << run.digest();
  EXPECT_NE(run.stdout_text.find("probes succeeded (availability 0.5"), std::string::npos)
      << run.stdout_text;
  const auto lines = log_lines(dir + "/watch.jsonl");
  ASSERT_GE(lines.size(), 8u) << "1.5 s at 0.2 s intervals: at least 4 rounds of 2 probes";
  int ok = 0;
  int down = 0;
  for (const auto& line : lines) {
    if (line["probe"] == "ok") {
      ++ok;
      EXPECT_TRUE(line["success"].get<bool>()) << line.dump();
    } else {
      ++down;
      EXPECT_FALSE(line["success"].get<bool>()) << line.dump();
      EXPECT_EQ(line["status"], 503);
      EXPECT_EQ(line["error"], "answered 503, expected 200");
    }
  }
  EXPECT_EQ(ok, down);
}

class WatchSignal : public ::testing::TestWithParam<int> {};

TEST_P(WatchSignal, ServesMetricsAndStopsCleanlyWithAValidLog) {
  golive::testing::TestHttpServer server;
  const std::string dir = scratch_dir(GetParam() == SIGINT ? "watch_sigint" : "watch_sigterm");
  const std::string env = write_watch_env(dir, server.url(""), {{{"name", "ok"}, {"path", "/ok"}}});
  const GoliveProcess process = start_golive({"watch", "--env", env, "--log", dir + "/watch.jsonl"}, dir);
  ASSERT_GT(process.pid, 0);
  std::string url;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  const std::regex metrics_url("metrics at (http://127\\.0\\.0\\.1:[0-9]+/metrics)");
  while (url.empty() && std::chrono::steady_clock::now() < until) {
    std::smatch match;
    const std::string out = slurp(process.stdout_path);
    if (std::regex_search(out, match, metrics_url)) url = match[1];
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_FALSE(url.empty()) << "golive watch never announced its /metrics";
  while (server.requests_received() < 3 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  golive::http::HttpRequest request;
  request.url = url;
  const auto response = golive::http::fetch(request);
  EXPECT_EQ(response.status, 200) << response.error_message;
  EXPECT_NE(response.body.find("golive_watch_probes_total{probe=\"ok\",result=\"success\"}"),
            std::string::npos)
      << response.body;
  EXPECT_NE(response.body.find("golive_watch_probe_duration_seconds_bucket{probe=\"ok\",le=\"+Inf\"}"),
            std::string::npos);

  kill(process.pid, GetParam());
  const GoliveExit exit = wait_golive(process, std::chrono::seconds(20));
  ASSERT_FALSE(exit.timed_out) << "golive watch ignored the signal";
  ASSERT_TRUE(exit.exited) << "died of signal " << exit.signal_number << "\n" << exit.stderr_text;
  EXPECT_EQ(exit.exit_code, 0) << exit.stdout_text << exit.stderr_text;
  EXPECT_LT(exit.elapsed_s, 15.0);
  EXPECT_NE(exit.stdout_text.find("stopped by a signal"), std::string::npos) << exit.stdout_text;
  EXPECT_FALSE(process_group_alive(process.pid));
  const auto lines = log_lines(dir + "/watch.jsonl");
  EXPECT_GE(lines.size(), 3u);
  // After the stop nothing listens any more.
  EXPECT_FALSE(golive::http::fetch(request).transport_ok());
}

INSTANTIATE_TEST_SUITE_P(Signals, WatchSignal, ::testing::Values(SIGTERM, SIGINT),
                         [](const auto& info) { return info.param == SIGINT ? "sigint" : "sigterm"; });

TEST(WatchCommand, BadSettingsExitTwoNamingTheSetting) {
  golive::testing::TestHttpServer server;
  const std::string dir = scratch_dir("watch_bad");
  std::string env = write_watch_env(dir, server.url(""), nlohmann::json::array());
  auto run = golive::testing::run_process({GOLIVE_BINARY, "watch", "--env", env, "--duration", "1"}, {},
                                          std::chrono::seconds(30));
  EXPECT_EQ(run.exit_code, 2) << run.digest();
  EXPECT_NE(run.stderr_text.find("/observability/watch/probes"), std::string::npos) << run.stderr_text;

  env = write_watch_env(dir, server.url(""), {{{"name", "ok"}, {"path", "/ok"}}});
  const std::string busy = server.url("").substr(std::string("http://").size());  // the server's own port
  run = golive::testing::run_process(
      {GOLIVE_BINARY, "watch", "--env", env, "--duration", "1", "--listen", busy}, {},
      std::chrono::seconds(30));
  EXPECT_EQ(run.exit_code, 2) << run.digest();
  EXPECT_NE(run.stderr_text.find("--listen"), std::string::npos) << run.stderr_text;
  EXPECT_NE(run.stderr_text.find("cannot listen on " + busy), std::string::npos) << run.stderr_text;
}

TEST(ProbeObservability, ARuleFileThatIsNotYamlExitsTwoNamingFileAndLine) {
  golive::testing::TestHttpServer server;
  const std::string dir = scratch_dir("probe_observability_bad_rules");
  std::ofstream(dir + "/alerts.yml") << "groups:\n  - name: a\n    rules: [\n";
  const std::string env = dir + "/env.json";
  std::ofstream(env) << nlohmann::json{{"name", "bad-rules"},
                                       {"base_url", server.url("")},
                                       {"anon_key", "anon-key-for-tests"},
                                       {"observability", {{"alert_rules", {"alerts.yml"}}}}}.dump(2);
  const auto run = golive::testing::run_process(
      {GOLIVE_BINARY, "probe", "observability", "--env", env, "--out", dir + "/out"}, {},
      std::chrono::seconds(60));
  EXPECT_EQ(run.exit_code, 2) << run.digest();
  EXPECT_NE(run.stderr_text.find(dir + "/alerts.yml"), std::string::npos) << run.stderr_text;
  EXPECT_NE(run.stderr_text.find("line 4"), std::string::npos) << run.stderr_text;
  EXPECT_NE(run.stderr_text.find("not valid YAML"), std::string::npos) << run.stderr_text;
  EXPECT_EQ(server.requests_received(), 0u) << "bad input is refused before any traffic";
}

}  // namespace
