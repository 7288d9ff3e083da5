// The load report's slowest requests against the real reference target with
// the slow-under-load defect (every request waits 2 ms per request in
// flight): each listed request carries the X-Request-Id and trace id golive
// sent, and the target's own JSON access log has a line with that id, the
// same method and status, and its handling time, so an engineer can go from
// the report to the target's logs.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>

#include "config/environment.hpp"
#include "core/redactor.hpp"
#include "core/result_stream.hpp"
#include "load/load_suite.hpp"
#include "tests/support/reference_env.hpp"

namespace golive::load {
namespace {

const std::string kSourceDir = std::string(GOLIVE_TEST_DATA) + "/../..";

testing::ReferenceEnv& slow_target() {
  ::setenv("GOLIVE_REF_ACCESS_LOG", "1", 1);  // one HTTP_REQUEST line per request, with its request_id
  testing::ReferenceEnv::Options options;
  options.defects = {"slow-under-load"};
  return testing::shared_reference_env(options);
}

// request_id -> the target's HTTP_REQUEST log line.
std::map<std::string, nlohmann::json> access_log_by_request_id(const std::string& path) {
  std::map<std::string, nlohmann::json> lines;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    const nlohmann::json entry = nlohmann::json::parse(line, nullptr, false);
    if (entry.is_object() && entry.value("event", "") == "HTTP_REQUEST" && entry.contains("request_id")) {
      lines[entry["request_id"].get<std::string>()] = entry;
    }
  }
  return lines;
}

TEST(SlowestRequests, ListedRequestsAreFoundInTheTargetsLogByTheirIds) {
  testing::ReferenceEnv& target = slow_target();
  core::Redactor redactor;
  const config::Environment env =
      config::load_environment(target.write_env_file(), config::process_variables(), redactor);
  // 16 VUs looping a request: about 16 in flight, so the defect holds each ~32 ms.
  const nlohmann::json profile = {
      {"description", "slowest requests"},
      {"scenarios",
       {{{"name", "health"},
         {"executor", "ramping_vus"},
         {"start_vus", 16},
         {"stages", {{{"duration_s", 3}, {"target_vus", 16}}}},
         {"slowest_requests", 5},
         {"request", {{"url", "/health?probe=1&access_token=not-for-reports"}}}}}}};
  LoadOptions options;
  options.profile = parse_profile(profile, "slowest.json", kSourceDir + "/e2e/workflows");
  core::CollectingSink sink;
  const LoadRunOutcome outcome = run_load_suite(env, options, sink);
  ASSERT_EQ(outcome.load_summaries.size(), 1u);
  const nlohmann::json& summary = outcome.load_summaries[0];
  const nlohmann::json& slowest = summary["slowest_requests"];
  std::printf("[ measure  ] %llu requests, p50 %.1f ms; slowest:\n%s\n",
              static_cast<unsigned long long>(summary["requests"].get<std::uint64_t>()),
              summary["latency_ms"]["p50"].get<double>(), slowest.dump(1).c_str());
  ASSERT_EQ(slowest.size(), 5u);

  const auto logged = access_log_by_request_id(target.var("GOLIVE_REF_SERVICE_LOG"));
  double previous = 1e18;
  for (const nlohmann::json& request : slowest) {
    SCOPED_TRACE(request.dump());
    const double latency_ms = request["latency_ms"].get<double>();
    EXPECT_LE(latency_ms, previous);  // slowest first
    previous = latency_ms;
    EXPECT_GE(latency_ms, summary["latency_ms"]["p50"].get<double>());
    EXPECT_EQ(request["method"], "GET");
    EXPECT_EQ(request["url"], env.base_url + "/health?probe=1&access_token=[REDACTED]");
    EXPECT_EQ(request["status"], 200);
    const std::string id = request["request_id"].get<std::string>();
    ASSERT_EQ(id.size(), 32u);
    EXPECT_EQ(request["trace_id"], id);  // X-Request-Id carries the traceparent's trace id
    EXPECT_TRUE(request["timing_ms"]["total"].is_number());
    EXPECT_TRUE(request["timing_ms"]["first_byte"].is_number());
    // The target logged this very request under the id golive sent, held back by the defect.
    const auto line = logged.find(id);
    ASSERT_NE(line, logged.end()) << "request id not in the target's access log";
    EXPECT_EQ(line->second["status"], 200);
    EXPECT_EQ(line->second["method"], "GET");
    // Its handling time is in the log; the defect's wait comes before the handler
    // (so the log's figure is small) and shows in what golive measured.
    EXPECT_LE(line->second["duration_ms"].get<double>(), latency_ms + 1.0);
    EXPECT_GE(latency_ms, 10.0);  // about 16 in flight x 2 ms
  }
}

}  // namespace
}  // namespace golive::load
