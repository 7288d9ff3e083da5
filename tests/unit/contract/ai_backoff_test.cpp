// backoff_shortfalls: what counts as an exponential backoff between the AI
// provider's arrivals, with the scheduling jitter a loaded machine adds.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "contract/ai_fault_checks.hpp"

namespace golive::contract {
namespace {

std::string joined(const std::vector<std::string>& shortfalls) {
  std::string text;
  for (const auto& s : shortfalls) text += s + "\n";
  return text;
}

TEST(AiBackoff, DoublingGapsPassWithOrWithoutJitter) {
  EXPECT_TRUE(backoff_shortfalls({100, 200, 400}).empty());
  // The reference target's 100/200/400 ms with its first arrival delayed by a
  // busy machine (measured under a parallel test run).
  EXPECT_TRUE(backoff_shortfalls({139, 206, 416}).empty()) << joined(backoff_shortfalls({139, 206, 416}));
  EXPECT_TRUE(backoff_shortfalls({1000, 2000}).empty());
  EXPECT_TRUE(backoff_shortfalls({}).empty());
}

TEST(AiBackoff, ConstantOrImmediateRetriesFail) {
  const auto constant = backoff_shortfalls({100, 100, 100});
  ASSERT_FALSE(constant.empty());
  EXPECT_NE(joined(constant).find("does not grow exponentially"), std::string::npos);
  const auto immediate = backoff_shortfalls({2, 4, 8});
  ASSERT_FALSE(immediate.empty());
  EXPECT_NE(joined(immediate).find("no backoff"), std::string::npos);
  // Growth that stalls in the middle: 100, 400, 400 grows overall but one step does not.
  EXPECT_FALSE(backoff_shortfalls({100, 400, 400}).empty());
  // Slow linear growth of large gaps: each step under 1.5x by more than the allowance.
  EXPECT_FALSE(backoff_shortfalls({1000, 1200, 1400}).empty());
}

}  // namespace
}  // namespace golive::contract
