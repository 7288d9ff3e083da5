// Incident reproduction (`golive load --replay`) and the live metrics
// endpoint (`--metrics-addr`): request logs parse with errors naming file and
// line, a replay keeps the recorded inter-arrival times (scaled by --speed)
// against a scripted local server, and /metrics serves Prometheus text.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <unistd.h>

#include "core/input_error.hpp"
#include "core/result_stream.hpp"
#include "load/load_profile.hpp"
#include "load/load_suite.hpp"
#include "load/metrics_endpoint.hpp"
#include "load/request_log.hpp"
#include "tests/support/test_http_server.hpp"

namespace golive::load {
namespace {

namespace fs = std::filesystem;

std::string write_temp(const std::string& name, const std::string& text) {
  fs::path path = fs::temp_directory_path() / ("golive-replay-" + std::to_string(::getpid()) + "-" + name);
  std::ofstream(path, std::ios::binary) << text;
  return path.string();
}

TEST(RequestLog, NginxCombinedLinesSpreadOverTheirSecondAndSkipWrites) {
  const std::string path = write_temp("access.log",
      "10.0.0.1 - - [22/Nov/2026:10:00:00 +0000] \"GET /rest/v1/courses?select=* HTTP/1.1\" 200 512 \"-\" \"ua\"\n"
      "10.0.0.2 - - [22/Nov/2026:10:00:00 +0000] \"GET /health HTTP/1.1\" 200 2 \"-\" \"ua\"\n"
      "10.0.0.3 - bob [22/Nov/2026:11:00:02 +0100] \"POST /auth/v1/signup HTTP/1.1\" 200 2 \"-\" \"ua\"\n"
      "10.0.0.4 - - [22/Nov/2026:10:00:03 +0000] \"HEAD /terms HTTP/1.1\" 200 0 \"-\" \"ua\"\n");
  const RequestLog log = read_request_log(path);
  EXPECT_EQ(log.format, "nginx-combined");
  ASSERT_EQ(log.requests.size(), 3u);
  EXPECT_EQ(log.skipped_methods, 1u);  // the POST
  EXPECT_EQ(log.requests[0].target, "/rest/v1/courses?select=*");
  EXPECT_DOUBLE_EQ(log.requests[0].at_s, 0.0);
  EXPECT_DOUBLE_EQ(log.requests[1].at_s, 0.5);  // second of two in 10:00:00
  EXPECT_EQ(log.requests[2].method, "HEAD");
  EXPECT_DOUBLE_EQ(log.requests[2].at_s, 3.0);
  EXPECT_EQ(log.requests[2].line, 4u);
  fs::remove(path);
}

TEST(RequestLog, JsonlTakesUnixOrIsoTimesHeadersAndBodies) {
  const std::string path = write_temp("log.jsonl",
      "{\"ts\": 1796120000.250, \"method\": \"POST\", \"path\": \"/functions/v1/checkout\", "
      "\"headers\": {\"content-type\": \"application/json\"}, \"body\": \"{}\"}\n"
      "\n"
      "{\"ts\": \"2026-12-01T10:13:20.000Z\", \"url\": \"https://prod.example.com/health?x=1\"}\n");
  RequestLogOptions options;
  options.methods = {"GET", "POST"};
  const RequestLog log = read_request_log(path, options);
  EXPECT_EQ(log.format, "jsonl");
  ASSERT_EQ(log.requests.size(), 2u);
  // 2026-12-01T10:13:20Z is 1796120000; sorted by time, the health check comes first.
  EXPECT_EQ(log.requests[0].target, "/health?x=1");
  EXPECT_DOUBLE_EQ(log.requests[1].at_s, 0.25);
  EXPECT_EQ(log.requests[1].body, "{}");
  ASSERT_EQ(log.requests[1].headers.size(), 1u);
  EXPECT_EQ(log.requests[1].headers[0].first, "content-type");
  fs::remove(path);
}

TEST(RequestLog, MalformedLinesNameTheFileAndLine) {
  struct Case {
    std::string text;
    std::string location;
    std::string fragment;
  };
  const std::vector<Case> cases = {
      {"not a log line\n", "line 1", "nginx combined"},
      {"1.1.1.1 - - [99/Xyz/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\"\n", "line 1", "bad time"},
      {"{\"ts\": 1, \"path\": \"/a\"}\n{\"ts\": 2, \"path\": \"/b\"\n", "line 2", "invalid JSON"},
      {"{\"ts\": true, \"path\": \"/a\"}\n", "/ts", "ISO 8601"},
      {"{\"ts\": 1, \"path\": \"/a\", \"url\": \"/b\"}\n", "", "exactly one of"},
      {"{\"ts\": 1, \"path\": \"relative\"}\n", "/path", "starting with '/'"},
      {"1.1.1.1 - - [22/Nov/2026:10:00:00 +0000] \"POST /x HTTP/1.1\" 200 1 \"-\" \"-\"\n", "", "no request to replay"},
      // Fuzzing (request_log_fuzz): a number too large for a double made
      // nlohmann throw out_of_range, which escaped as a crash instead of an InputError.
      {"{\"ts\": 1, \"path\": \"/a\"}\n{\"ts\": 1e999, \"path\": \"/b\"}\n", "line 2", "number overflow"},
      {"{\"ts\": 358888800000000000000000000000000e0002847463414400658464.25 \"/f.unctions/v1/c\"\n",
       "line 1", "invalid JSON"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    const std::string path = write_temp("bad.log", c.text);
    try {
      read_request_log(path);
      ADD_FAILURE() << "accepted";
    } catch (const core::InputError& e) {
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(c.fragment), std::string::npos) << e.what();
      if (!c.location.empty()) {
        EXPECT_NE(std::string(e.what()).find(c.location), std::string::npos) << e.what();
      }
    }
    fs::remove(path);
  }
  EXPECT_THROW(read_request_log("/nonexistent/golive.log"), core::InputError);
}

TEST(RequestLog, RoutesGroupIdsAndDropQueries) {
  EXPECT_EQ(route_of("GET", "/rest/v1/courses?id=eq.5"), "GET /rest/v1/courses");
  EXPECT_EQ(route_of("GET", "/storage/v1/object/123/file.pdf"), "GET /storage/v1/object/:id/file.pdf");
  EXPECT_EQ(route_of("DELETE", "/x/6f1c2a9e-0b1d-4c1e-9a55-2f3b4c5d6e7f"), "DELETE /x/:id");
  EXPECT_EQ(route_of("GET", "/"), "GET /");
  EXPECT_EQ(route_of("GET", "/health"), "GET /health");
}

config::Environment local_environment(const testing::TestHttpServer& server) {
  config::Environment env;
  env.source_file = "test-env.json";
  env.name = "test";
  env.base_url = server.url("");
  env.safety.allowed_hosts = {"127.0.0.1"};
  return env;
}

TEST(Replay, KeepsTheRecordedInterArrivalTimesScaledBySpeed) {
  testing::TestHttpServer server;
  std::mutex mutex;
  std::vector<std::pair<std::string, std::chrono::steady_clock::time_point>> arrivals;
  std::vector<std::string> apikeys;
  server.on("/r/", [&](const testing::TestRequest& request) {
    std::lock_guard lock(mutex);
    arrivals.emplace_back(request.target, std::chrono::steady_clock::now());
    for (const auto& [name, value] : request.headers) {
      if (name == "apikey") apikeys.push_back(value);
    }
    return testing::TestReply{200, {}, "ok"};
  });
  // Offsets 0, 0.4, 0.8, 1.2, 1.6 s at 2x: sent 0.2 s apart.
  std::string text;
  for (int i = 0; i < 5; ++i) {
    text += "{\"ts\": " + std::to_string(1796300000.0 + 0.4 * i) + ", \"path\": \"/r/" + std::to_string(i) + "\"}\n";
  }
  const std::string path = write_temp("timing.jsonl", text);
  auto log = std::make_shared<const RequestLog>(read_request_log(path));
  LoadOptions options;
  options.profile = replay_profile(log, 2.0, {{"apikey", "anon-key"}}, {}, 100);
  options.drain_grace = std::chrono::milliseconds(2000);
  core::CollectingSink sink;
  const LoadRunOutcome outcome = run_load_suite(local_environment(server), options, sink);

  std::lock_guard lock(mutex);
  ASSERT_EQ(arrivals.size(), 5u);
  std::sort(arrivals.begin(), arrivals.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
  for (int i = 0; i < 5; ++i) EXPECT_EQ(arrivals[i].first, "/r/" + std::to_string(i));
  for (int i = 1; i < 5; ++i) {
    const double gap_ms = std::chrono::duration<double, std::milli>(arrivals[i].second - arrivals[i - 1].second).count();
    EXPECT_NEAR(gap_ms, 200, 60) << "between requests " << i - 1 << " and " << i;
  }
  EXPECT_EQ(apikeys, std::vector<std::string>(5, "anon-key"));
  ASSERT_EQ(outcome.load_summaries.size(), 1u);
  EXPECT_EQ(outcome.load_summaries[0]["scenario"], "replay");
  EXPECT_EQ(outcome.load_summaries[0]["requests"].get<std::uint64_t>(), 5u);
  EXPECT_EQ(outcome.stats.find("replay", "step:GET /r/:id") != nullptr, true);  // ids grouped
  fs::remove(path);
}

TEST(Replay, ProfileFilesCanReplayALogToo) {
  const std::string log_path = write_temp("profile-log.jsonl", "{\"ts\": 1, \"path\": \"/ok\"}\n{\"ts\": 1.5, \"path\": \"/ok\"}\n");
  nlohmann::json document = {{"description", "replay in a profile"},
                             {"scenarios", {{{"name", "incident"}, {"executor", "replay"},
                                             {"log", fs::path(log_path).filename().string()},
                                             {"speed", 4}, {"thresholds", {"error_rate < 1%"}}}}}};
  const LoadProfile profile = parse_profile(document, (fs::temp_directory_path() / "p.json").string(), "/nonexistent");
  ASSERT_EQ(profile.scenarios.size(), 1u);
  EXPECT_EQ(profile.scenarios[0].executor, ExecutorKind::kReplay);
  EXPECT_EQ(profile.scenarios[0].replay_log->requests.size(), 2u);
  EXPECT_DOUBLE_EQ(profile.scenarios[0].replay_speed, 4);

  nlohmann::json wrong = document;
  wrong["scenarios"][0]["rate"] = 10;
  try {
    parse_profile(wrong, "p.json", "/nonexistent");
    ADD_FAILURE() << "accepted a rate on a replay";
  } catch (const core::InputError& e) {
    EXPECT_EQ(e.location(), "/scenarios/0/rate");
  }
  nlohmann::json misplaced = {{"description", "x"},
                              {"scenarios", {{{"name", "a"}, {"executor", "constant_arrival_rate"}, {"rate", 1},
                                              {"duration_s", 1}, {"speed", 2}, {"request", {{"url", "/ok"}}}}}}};
  try {
    parse_profile(misplaced, "p.json", "/nonexistent");
    ADD_FAILURE() << "accepted speed outside a replay";
  } catch (const core::InputError& e) {
    EXPECT_EQ(e.location(), "/scenarios/0/speed");
  }
  fs::remove(log_path);
}

// GET `target` from 127.0.0.1:port; the whole response text.
std::string http_get(std::uint16_t port, const std::string& target) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  const std::string request = "GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n";
  boost::asio::write(socket, boost::asio::buffer(request));
  std::string response;
  boost::system::error_code error;
  char buffer[4096];
  while (true) {
    std::size_t n = socket.read_some(boost::asio::buffer(buffer), error);
    response.append(buffer, n);
    if (error) break;
  }
  return response;
}

TEST(MetricsEndpoint, ServesTheLatestFiguresInPrometheusTextFormat) {
  MetricsEndpoint endpoint("127.0.0.1:0", "smoke");
  ASSERT_GT(endpoint.port(), 0);
  EXPECT_EQ(endpoint.url(), "http://127.0.0.1:" + std::to_string(endpoint.port()) + "/metrics");
  LoadProgress progress;
  progress.requests = 5120;
  progress.errors = 3;
  progress.active_vus = 850;
  progress.rps = 512;
  progress.p95_ms = 3.5;
  progress.elapsed_s = 12;
  progress.planned_s = 20;
  endpoint.update(progress);
  const std::string response = http_get(endpoint.port(), "/metrics");
  EXPECT_EQ(response.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << response;
  EXPECT_NE(response.find("text/plain; version=0.0.4"), std::string::npos);
  EXPECT_NE(response.find("# TYPE golive_load_requests_total counter\n"), std::string::npos);
  EXPECT_NE(response.find("golive_load_requests_total{profile=\"smoke\"} 5120\n"), std::string::npos) << response;
  EXPECT_NE(response.find("golive_load_errors_total{profile=\"smoke\"} 3\n"), std::string::npos);
  EXPECT_NE(response.find("golive_load_active_vus{profile=\"smoke\"} 850\n"), std::string::npos);
  EXPECT_NE(response.find("golive_load_p95_seconds{profile=\"smoke\"} 0.0035\n"), std::string::npos);
  EXPECT_EQ(http_get(endpoint.port(), "/other").rfind("HTTP/1.1 404", 0), 0u);
}

TEST(MetricsEndpoint, BadAddressesAreInputErrors) {
  EXPECT_THROW(MetricsEndpoint("no-port", "p"), core::InputError);
  EXPECT_THROW(MetricsEndpoint("127.0.0.1:http", "p"), core::InputError);
  EXPECT_THROW(MetricsEndpoint("127.0.0.1:70000", "p"), core::InputError);
  EXPECT_THROW(MetricsEndpoint("not-an-ip:9000", "p"), core::InputError);
  MetricsEndpoint taken("127.0.0.1:0", "p");
  EXPECT_THROW(MetricsEndpoint("127.0.0.1:" + std::to_string(taken.port()), "p"), core::InputError);
}

TEST(MetricsEndpoint, LabelValuesAreEscaped) {
  const std::string text = MetricsEndpoint::exposition(LoadProgress{}, "a\"b\\c");
  EXPECT_NE(text.find("{profile=\"a\\\"b\\\\c\"}"), std::string::npos) << text;
}

}  // namespace
}  // namespace golive::load
