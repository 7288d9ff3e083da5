// The infrastructure suite against the full embedded topology (primary +
// streaming replica, pgBackRest, Redis, two service instances behind nginx):
// every check passes on the clean topology, each infrastructure defect is
// caught by its check, and bad settings (a replica URL that is the primary, a
// stanza that does not exist, a Redis password that is refused) are errors
// naming their key.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "config/environment.hpp"
#include "core/redactor.hpp"
#include "core/result_stream.hpp"
#include "infra/infra_suite.hpp"
#include "infra/redis_client.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/curl_reproduction.hpp"
#include "tests/support/reference_env.hpp"

namespace {

using golive::core::CheckResult;
using golive::core::CheckStatus;
using golive::testing::ReferenceEnv;

ReferenceEnv::Options full_topology(std::vector<std::string> defects = {}) {
  ReferenceEnv::Options options;
  options.topology = "full";
  options.defects = std::move(defects);
  return options;
}

golive::config::Environment load(const ReferenceEnv& target,
                                 const std::function<void(nlohmann::json&)>& edit = {}) {
  std::string path = target.write_env_file();
  if (edit) {
    std::ifstream in(path);
    nlohmann::json doc = nlohmann::json::parse(in);
    edit(doc);
    path = target.state_dir() + "/env-edited.json";
    std::ofstream(path) << doc.dump(2);
  }
  static golive::core::Redactor redactor;
  return golive::config::load_environment(path, golive::config::process_variables(), redactor);
}

std::map<std::string, CheckResult> run(const golive::config::Environment& env,
                                       golive::infra::InfraOptions options = {}) {
  golive::core::CollectingSink sink;
  golive::infra::run_infra_suite(env, options, sink);
  std::map<std::string, CheckResult> by_id;
  for (const auto& result : sink.results()) by_id[result.id] = result;
  return by_id;
}

std::string describe(const std::map<std::string, CheckResult>& results) {
  std::string text;
  for (const auto& [id, result] : results) {
    text += id + " " + golive::core::to_string(result.status) + ": " + result.message + "\n";
  }
  return text;
}

TEST(InfraSuite, EveryCheckPassesOnTheCleanFullTopology) {
  ReferenceEnv& target = golive::testing::shared_reference_env(full_topology());
  const auto env = load(target);
  ASSERT_TRUE(golive::infra::infra_capability(env).available);
  const auto results = run(env);
  EXPECT_EQ(results.size(), 16u) << describe(results);
  for (const auto& [id, result] : results) {
    EXPECT_EQ(result.status, CheckStatus::kPass) << id << ": " << result.message;
    EXPECT_FALSE(result.checklist.empty()) << id;
  }
  const auto& drill = results.at("infra.backup.restore_drill");
  EXPECT_GT(drill.evidence.value("size_bytes", 0LL), 1'000'000LL);
  EXPECT_TRUE(drill.evidence.value("schema_matches", false));
  const auto& failover = results.at("infra.lb.failover");
  EXPECT_EQ(failover.evidence.value("errors", -1), 0) << failover.message;
  EXPECT_EQ(failover.evidence["per_instance"].size(), 2u);
}

TEST(InfraSuite, CacheDefectsAreCaughtAfterAServiceRestart) {
  ReferenceEnv& target = golive::testing::shared_reference_env(full_topology());
  golive::infra::InfraOptions cache_only;
  cache_only.replication = cache_only.backup = cache_only.statics = cache_only.balancing = cache_only.failover = false;

  target.restart_service({"cache-disabled"});
  auto results = run(load(target), cache_only);
  EXPECT_EQ(results.at("infra.cache.hits").status, CheckStatus::kFail) << describe(results);

  target.restart_service({"cache-no-ttl"});
  results = run(load(target), cache_only);
  EXPECT_EQ(results.at("infra.cache.ttl").status, CheckStatus::kFail) << describe(results);

  target.restart_service({"static-no-cache"});
  golive::infra::InfraOptions static_only;
  static_only.replication = static_only.backup = static_only.cache = static_only.balancing = static_only.failover = false;
  results = run(load(target), static_only);
  EXPECT_EQ(results.at("infra.static.asset_cache_headers").status, CheckStatus::kFail) << describe(results);
  EXPECT_EQ(results.at("infra.static.edge_cache").status, CheckStatus::kFail) << describe(results);
  // Both carry the first asset request that shows the missing header as curl.
  for (const char* id : {"infra.static.asset_cache_headers", "infra.static.edge_cache"}) {
    std::string problems;
    const auto curl = golive::testing::parse_curl_reproduction(
        results.at(id).evidence, "GET", "http://127.0.0.1:",
        golive::testing::reference_secret_values(target), &problems);
    EXPECT_EQ(problems, "") << id;
    ASSERT_TRUE(curl) << id;
    EXPECT_NE(curl->url.find("/assets/"), std::string::npos) << id << ": " << curl->url;
    EXPECT_EQ(curl->header("apikey"), "${GOLIVE_REF_ANON_KEY}") << id;
    EXPECT_EQ(curl->header("Accept-Encoding"), "gzip, br") << id;
  }
  target.restart_service({});
  // The entries cache-no-ttl stored never expire: later tests start from an empty cache.
  golive::infra::RedisAddress address;
  ASSERT_EQ(golive::infra::parse_redis_url(target.var("GOLIVE_REF_REDIS_URL"), &address), "");
  golive::infra::RedisClient redis;
  ASSERT_EQ(redis.connect(address), "");
  EXPECT_TRUE(redis.command({"FLUSHDB"}).ok());
}

TEST(InfraSuite, BadSettingsAreErrorsNamingTheirKey) {
  ReferenceEnv& target = golive::testing::shared_reference_env(full_topology());
  const auto results = run(load(target, [&](nlohmann::json& doc) {
    doc["infra"]["replica_urls"] = {target.database_url()};  // the primary, not a replica
    doc["infra"]["backup"]["pgbackrest"]["stanza"] = "no-such-stanza";
    doc["infra"]["backup"]["restore_drill"] = false;
    doc["infra"]["redis_url"] = "redis://:wrong-password@" +
                                target.var("GOLIVE_REF_REDIS_URL").substr(target.var("GOLIVE_REF_REDIS_URL").find('@') + 1);
    doc["infra"].erase("failover");
  }));
  const auto& lag = results.at("infra.replication.lag");
  EXPECT_EQ(lag.status, CheckStatus::kError);
  EXPECT_NE(lag.message.find("/infra/replica_urls/0 is not a replica"), std::string::npos) << lag.message;
  const auto& backup = results.at("infra.backup.recent");
  EXPECT_EQ(backup.status, CheckStatus::kError);
  EXPECT_NE(backup.message.find("/infra/backup/pgbackrest/stanza"), std::string::npos) << backup.message;
  const auto& cache = results.at("infra.cache.hits");
  EXPECT_EQ(cache.status, CheckStatus::kError);
  EXPECT_NE(cache.message.find("/infra/redis_url: AUTH refused"), std::string::npos) << cache.message;
  EXPECT_EQ(results.at("infra.lb.failover").status, CheckStatus::kSkip);
}

// The CLI: `golive probe infra --env` runs the suite (exit 0 on the clean
// topology) and a bad infra section is exit 2 naming the file and pointer.
TEST(InfraSuite, ProbeInfraCommandPassesAndRefusesBadSettings) {
  ReferenceEnv& target = golive::testing::shared_reference_env(full_topology());
  const std::string out = target.state_dir() + "/probe-out";
  auto clean = golive::testing::run_process(
      {GOLIVE_BINARY, "probe", "infra", "--env", target.write_env_file(), "--no-failover", "--out", out}, {},
      std::chrono::minutes(3));
  EXPECT_EQ(clean.exit_code, 0) << clean.stdout_text << clean.stderr_text;
  EXPECT_NE(clean.stdout_text.find("infra.backup.restore_drill"), std::string::npos) << clean.stdout_text;

  std::ifstream in(target.write_env_file());
  nlohmann::json doc = nlohmann::json::parse(in);
  doc["infra"]["redis_url"] = "memcached://127.0.0.1:1";
  const std::string bad = target.state_dir() + "/env-bad-infra.json";
  std::ofstream(bad) << doc.dump(2);
  auto refused = golive::testing::run_process({GOLIVE_BINARY, "probe", "infra", "--env", bad, "--out", out}, {},
                                              std::chrono::minutes(1));
  EXPECT_EQ(refused.exit_code, 2) << refused.stderr_text;
  EXPECT_NE(refused.stderr_text.find("env-bad-infra.json"), std::string::npos) << refused.stderr_text;
  EXPECT_NE(refused.stderr_text.find("/infra/redis_url"), std::string::npos) << refused.stderr_text;
}

// The topology defects need a topology of their own; one target carries all
// four, and each is caught by its own check.
TEST(InfraSuite, TopologyDefectsAreEachCaughtByTheirCheck) {
  ReferenceEnv target(full_topology({"single-instance", "replica-absent", "archiving-broken", "backup-stale"}));
  const auto results = run(load(target));
  EXPECT_EQ(results.at("infra.lb.instances").status, CheckStatus::kFail) << describe(results);
  // The burst's request as curl, so the one instance can be seen by hand.
  const std::string reproduction = results.at("infra.lb.instances").evidence.value("reproduction", "");
  EXPECT_NE(reproduction.find("curl"), std::string::npos) << results.at("infra.lb.instances").evidence.dump();
  EXPECT_NE(reproduction.find("/health"), std::string::npos) << reproduction;
  EXPECT_EQ(results.at("infra.lb.failover").status, CheckStatus::kFail) << describe(results);
  EXPECT_EQ(results.at("infra.replication.streaming").status, CheckStatus::kFail) << describe(results);
  EXPECT_EQ(results.at("infra.archiving.status").status, CheckStatus::kFail) << describe(results);
  EXPECT_EQ(results.at("infra.backup.recent").status, CheckStatus::kFail) << describe(results);
  // The clean parts of the same topology still pass.
  EXPECT_EQ(results.at("infra.cache.hits").status, CheckStatus::kPass) << describe(results);
  EXPECT_EQ(results.at("infra.static.edge_cache").status, CheckStatus::kPass) << describe(results);
}

// Each check of a report that did not pass, with its message and evidence:
// what a failed verdict needs to explain itself in a CI log.
std::string failing_checks(const nlohmann::json& report) {
  std::string out;
  for (const auto& check : report["checks"]) {
    if (check.value("status", "") == "pass" || check.value("status", "") == "skip") continue;
    out += check.value("status", "") + " " + check.value("id", "") + ": " + check.value("message", "") + "\n";
    if (check.contains("evidence")) out += "  evidence: " + check["evidence"].dump().substr(0, 2000) + "\n";
  }
  return out;
}

// `golive run` on the clean full topology (the same shared target as the infra
// tests): GO, every R6.x item and infrastructure_provisioned verified-pass,
// and the AI jobs it ran left their responses in Redis with a TTL.
TEST(InfraSuite, GoliveRunOnTheFullTopologyIsGoWithEveryInfrastructureItemVerified) {
  ReferenceEnv& target = golive::testing::shared_reference_env(full_topology());
  const std::string out = target.state_dir() + "/run-out";
  auto outcome = golive::testing::run_process({GOLIVE_BINARY, "run", "--env", target.write_env_file(), "--out", out},
                                              {}, std::chrono::minutes(8));
  EXPECT_EQ(outcome.exit_code, 0) << outcome.digest();
  EXPECT_NE(outcome.stdout_text.find("verdict: GO"), std::string::npos) << outcome.digest();
  std::ifstream in(out + "/latest/report.json");
  ASSERT_TRUE(in.good()) << outcome.digest();
  const nlohmann::json report = nlohmann::json::parse(in);
  EXPECT_EQ(report["summary"]["verdict"], "pass") << failing_checks(report);
  std::vector<std::string> seen;
  for (const auto& item : report["checklist"]) {
    const std::string id = item.value("id", "");
    if (id.rfind("s001.R6.", 0) != 0 && id != "s001.success.infrastructure_provisioned") continue;
    seen.push_back(id);
    EXPECT_EQ(item.value("status", ""), "verified-pass") << item.dump(2);
  }
  EXPECT_EQ(seen.size(), 6u) << ::testing::PrintToString(seen);
  for (const auto& check : report["checks"]) {
    const std::string id = check.value("id", "");
    if (id.rfind("infra.", 0) == 0) EXPECT_EQ(check.value("status", ""), "pass") << check.dump(2);
  }

  // The AI response cache is in Redis too (key golive:ai:HASH), with TTLs.
  golive::infra::RedisAddress address;
  ASSERT_EQ(golive::infra::parse_redis_url(target.var("GOLIVE_REF_REDIS_URL"), &address), "");
  golive::infra::RedisClient redis;
  ASSERT_EQ(redis.connect(address), "");
  const auto keys = redis.command({"KEYS", "golive:ai:*"});
  ASSERT_TRUE(keys.ok());
  ASSERT_FALSE(keys.elements.empty()) << "no AI response cached in Redis after the run";
  const auto ttl = redis.command({"TTL", keys.elements.front().text});
  ASSERT_TRUE(ttl.ok());
  EXPECT_GT(std::stoll(ttl.text), 0) << keys.elements.front().text;
}

}  // namespace
