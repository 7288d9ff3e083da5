// The digest a failed `golive run` assertion prints: long output keeps every
// line that explains a failure (in either spelling golive's consoles use) and
// the last lines; short output is kept whole.
#include <gtest/gtest.h>

#include <string>

#include "tests/support/child_process.hpp"

namespace {

using golive::testing::ProcessOutcome;

std::string passes(int count) {
  std::string text;
  for (int i = 0; i < count; ++i) text += "[pass] e2e.step_" + std::to_string(i) + ": 1 assertion passed\n";
  return text;
}

TEST(ProcessDigest, LongOutputKeepsEveryFailingLineInBothSpellings) {
  ProcessOutcome outcome;
  outcome.exit_code = 1;
  outcome.stdout_text = "golive run 20261206T000000Z-abcdef against \"local\"\n" + passes(100) +
                        "[FAIL] e2e.ai_job.pending_job_finishes: timed out after 20000 ms\n" + passes(100) +
                        "[ERR]  observability.sentry.delivered: the sink did not start\n" +
                        "[fail] security.rate_limit.token (12.0 ms)  no 429 after 40 requests\n" +
                        "[skip] security.storage.bucket: inconclusive: the bucket answered 503\n" + passes(100) +
                        "verdict: NO-GO for release 1.0.0\n";
  const std::string digest = outcome.digest();
  EXPECT_NE(digest.find("exit code 1\n"), std::string::npos) << digest;
  EXPECT_NE(digest.find("[FAIL] e2e.ai_job.pending_job_finishes: timed out"), std::string::npos) << digest;
  EXPECT_NE(digest.find("[ERR]  observability.sentry.delivered"), std::string::npos) << digest;
  EXPECT_NE(digest.find("[fail] security.rate_limit.token"), std::string::npos) << digest;
  EXPECT_NE(digest.find("inconclusive: the bucket answered 503"), std::string::npos) << digest;
  EXPECT_NE(digest.find("verdict: NO-GO"), std::string::npos) << digest;
  // Passes appear only among the last lines, not in the failure list.
  EXPECT_EQ(digest.find("e2e.step_0:"), std::string::npos) << digest;
  EXPECT_LT(digest.size(), outcome.stdout_text.size() / 4) << digest;
}

TEST(ProcessDigest, ShortOutputIsKeptWhole) {
  ProcessOutcome outcome;
  outcome.exit_code = 2;
  outcome.stderr_text = "golive: env.json /base_url: not a URL\n";
  outcome.stdout_text = passes(3);
  const std::string digest = outcome.digest();
  EXPECT_NE(digest.find("exit code 2"), std::string::npos);
  EXPECT_NE(digest.find(outcome.stdout_text), std::string::npos) << digest;
  EXPECT_NE(digest.find("/base_url: not a URL"), std::string::npos) << digest;
}

}  // namespace
