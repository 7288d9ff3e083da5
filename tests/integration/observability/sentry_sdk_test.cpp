// golive's Sentry sink against Sentry's own SDK: tests/node/sentry_send.js
// sends two errors through @sentry/node (the official Node SDK, from npm) to
// a DSN on the sink. Both arrive as envelopes with the DSN's key (which the
// JavaScript SDK sends in the query), the large one gzip-compressed by the
// SDK, each with the context the script set and a stack trace, and the
// event checks golive runs on a target's events accept them.
// Skips when node or tests/node/node_modules/@sentry/node is absent (scripts/npm-deps).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "observability/sentry_event_checks.hpp"
#include "observability/sentry_sink.hpp"
#include "tests/support/child_process.hpp"

namespace golive::observability {
namespace {

namespace fs = std::filesystem;

std::string node_skip_reason() {
  if (std::system("command -v node >/dev/null 2>&1") != 0) return "node is not on PATH";
  if (!fs::exists(fs::path(GOLIVE_SOURCE_DIR) / "tests/node/node_modules/@sentry/node/package.json")) {
    return "tests/node/node_modules/@sentry/node is absent; run scripts/npm-deps";
  }
  return "";
}

TEST(SentrySdk, TheOfficialNodeSdkDeliversToTheSink) {
  if (const std::string why = node_skip_reason(); !why.empty()) GTEST_SKIP() << why;
  SentrySink sink("127.0.0.1", 0, "0123456789abcdef0123456789abcdef");
  const std::string user_id = "2b1f6c1e-0000-4000-8000-000000000001";
  const std::string course_id = "7c1a9e2d-0000-4000-8000-000000000002";
  const auto outcome = testing::run_process(
      {"node", std::string(GOLIVE_SOURCE_DIR) + "/tests/node/sentry_send.js", "--dsn",
       sink.dsn("42"), "--user-id", user_id, "--course-id", course_id},
      {}, std::chrono::seconds(60));
  ASSERT_TRUE(outcome.succeeded()) << outcome.exit_code << "\n"
                                   << outcome.digest();
  const auto printed = nlohmann::json::parse(outcome.stdout_text);
  ASSERT_EQ(printed["event_ids"].size(), 2u) << outcome.stdout_text;

  const auto deliveries = sink.deliveries();
  std::vector<nlohmann::json> events;
  bool saw_gzip = false;
  for (const auto& delivery : deliveries) {
    EXPECT_TRUE(delivery.accepted()) << delivery.status << " " << delivery.error;
    EXPECT_EQ(delivery.endpoint, "envelope");
    EXPECT_EQ(delivery.project_id, "42");
    EXPECT_EQ(delivery.public_key, sink.required_key());
    if (delivery.content_encoding == "gzip") saw_gzip = true;
    for (const auto& event : delivery.events) events.push_back(event);
  }
  EXPECT_TRUE(saw_gzip) << "the SDK compresses bodies over 32 KiB; none arrived gzip-encoded";
  ASSERT_EQ(events.size(), 2u);
  for (const auto& event : events) {
    const auto failures = sentry_context_failures(event, {"sdk-test", user_id, course_id});
    EXPECT_TRUE(failures.empty()) << failures.front() << "\n" << event.dump(2).substr(0, 2000);
    EXPECT_EQ(sentry_stacktrace_failure(event), "") << event.dump(2).substr(0, 2000);
    EXPECT_GT(sentry_frame_count(event), 0u);
    EXPECT_EQ(event["release"], "golive-sdk-check@1.0.0");
  }
  const std::vector<std::string> ids = {printed["event_ids"][0], printed["event_ids"][1]};
  for (const auto& event : events) {
    EXPECT_NE(std::find(ids.begin(), ids.end(), event.value("event_id", "")), ids.end());
  }
}

}  // namespace
}  // namespace golive::observability
