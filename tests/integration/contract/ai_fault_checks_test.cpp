// Upstream fault injection against the real reference target: the service is
// started pointed at golive's AiProviderStub, every contract.ai_retry.* check
// passes on the clean service, and the seeded ai-no-retry defect makes the
// retry checks fail. Plus the environment key's validation.
#include "contract/ai_fault_checks.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>

#include "contract/ai_provider_stub.hpp"
#include "config/environment.hpp"
#include "core/input_error.hpp"
#include "core/result_stream.hpp"
#include "tests/support/curl_reproduction.hpp"
#include "tests/support/reference_env.hpp"

namespace golive::contract {
namespace {

// Started before the target (the service needs its URL) and outliving it.
AiProviderStub& stub() {
  static AiProviderStub instance;
  return instance;
}

testing::ReferenceEnv& target() {
  ::setenv("GOLIVE_REF_RATE_LIMIT_PER_MINUTE", "1000", 1);
  ::setenv("GOLIVE_REF_ACCOUNT_RATE_LIMIT_PER_MINUTE", "1000", 1);
  testing::ReferenceEnv::Options options;
  options.ai_provider_url = stub().url();
  return testing::shared_reference_env(options);
}

config::Environment load_env(core::Redactor& redactor, const std::string& listen) {
  ::setenv("GOLIVE_AI_STUB_ADDRESS", listen.c_str(), 1);
  return config::load_environment(target().write_env_file(), config::process_variables(), redactor);
}

std::map<std::string, core::CheckResult> run_checks(const std::string& listen) {
  core::Redactor redactor;
  const config::Environment env = load_env(redactor, listen);
  core::CollectingSink sink;
  run_ai_fault_checks(env, false, sink);
  std::map<std::string, core::CheckResult> by_id;
  for (const auto& result : sink.results()) by_id[result.id] = result;
  return by_id;
}

std::string describe(const core::CheckResult& result) {
  return result.id + ": " + core::to_string(result.status) + ": " + result.message + "\n" +
         result.evidence.dump();
}

TEST(AiFaultChecks, EveryCheckPassesOnTheCleanTarget) {
  const auto results = run_checks(stub().address());
  ASSERT_EQ(results.size(), 4u);
  for (const auto& [id, result] : results) {
    EXPECT_EQ(result.status, core::CheckStatus::kPass) << describe(result);
  }
  // The backoff was measured from the stub: 1 call + 3 retries, gaps growing.
  const auto& backoff = results.at("contract.ai_retry.backoff");
  EXPECT_EQ(backoff.evidence["provider_calls"].size(), 4u) << describe(backoff);
  const auto gaps = backoff.evidence["gaps_ms"];
  std::cout << "[ measure ] gaps between provider calls (ms): " << gaps.dump() << "\n";
  ASSERT_EQ(gaps.size(), 3u);
  EXPECT_GE(gaps[2].get<double>(), gaps[0].get<double>() * 2.25);  // 1.5 per step, see backoff_shortfalls
  const auto& dead = results.at("contract.ai_retry.dead_letter");
  EXPECT_EQ(dead.evidence["job"]["error"]["attempts"], 4) << describe(dead);
  EXPECT_EQ(dead.evidence["database_row"]["status"], "failed") << describe(dead);
}

TEST(AiFaultChecks, TheNoRetryDefectIsCaught) {
  target().restart_service({"ai-no-retry"});
  const auto results = run_checks(stub().address());
  const std::string base_url = target().base_url();
  target().restart_service({});
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results.at("contract.ai_retry.backoff").status, core::CheckStatus::kFail)
      << describe(results.at("contract.ai_retry.backoff"));
  EXPECT_NE(results.at("contract.ai_retry.backoff").message.find("not retried"), std::string::npos);
  EXPECT_EQ(results.at("contract.ai_retry.recovers").status, core::CheckStatus::kFail);
  EXPECT_EQ(results.at("contract.ai_retry.timeout").status, core::CheckStatus::kFail);
  // Each failing check carries its job's submission as curl, with the marker
  // the stub scripted its faults for; the user's token and the anon key as variables.
  for (const char* id : {"contract.ai_retry.backoff", "contract.ai_retry.recovers",
                         "contract.ai_retry.timeout"}) {
    const auto& result = results.at(id);
    std::string problems;
    const auto curl = testing::parse_curl_reproduction(
        result.evidence, "POST", base_url + "/functions/v1/extract-topics",
        testing::reference_secret_values(target()), &problems);
    EXPECT_EQ(problems, "") << id;
    ASSERT_TRUE(curl) << id;
    EXPECT_EQ(curl->header("apikey"), "${GOLIVE_REF_ANON_KEY}") << id;
    EXPECT_EQ(curl->header("Authorization"), "Bearer ${GOLIVE_TOKEN}") << id;
    EXPECT_NE(curl->body.find(result.evidence.value("marker", "?")), std::string::npos) << curl->body;
  }
  EXPECT_FALSE(results.at("contract.ai_retry.dead_letter").evidence.contains("reproduction"));
  // Dead-lettering itself still works: the first failure is final, with details.
  EXPECT_EQ(results.at("contract.ai_retry.dead_letter").status, core::CheckStatus::kPass)
      << describe(results.at("contract.ai_retry.dead_letter"));
}

TEST(AiFaultChecks, SkipsWhenTheTargetIsNotPointedAtAStub) {
  const auto results = run_checks("");
  ASSERT_EQ(results.size(), 4u);
  for (const auto& [id, result] : results) {
    EXPECT_EQ(result.status, core::CheckStatus::kSkip) << describe(result);
    EXPECT_NE(result.message.find("contract.ai_provider_stub"), std::string::npos);
  }
}

TEST(AiFaultChecks, AMalformedAddressIsAnInputErrorWithItsPointer) {
  core::Redactor redactor;
  const config::Environment env = load_env(redactor, "localhost-no-port");
  try {
    read_ai_stub_config(env);
    FAIL() << "accepted a malformed listen address";
  } catch (const core::InputError& error) {
    EXPECT_NE(std::string(error.what()).find("/contract/ai_provider_stub/listen"),
              std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace golive::contract
