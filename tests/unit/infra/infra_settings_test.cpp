// The infra section's reader and the RESP client's URL parser: defaults,
// bad input naming the file and JSON pointer, and "${VAR:-}" that is unset
// meaning "not configured".
#include <gtest/gtest.h>

#include "config/environment.hpp"
#include "core/input_error.hpp"
#include "infra/infra_settings.hpp"
#include "infra/infra_suite.hpp"
#include "infra/redis_client.hpp"

namespace {

golive::config::Environment env_with(const nlohmann::json& infra) {
  golive::config::Environment env;
  env.source_file = "envs/staging.json";
  env.base_url = "https://staging.example.test";
  env.sections["infra"] = infra;
  return env;
}

std::string error_of(const nlohmann::json& infra) {
  try {
    golive::infra::read_infra_settings(env_with(infra));
  } catch (const golive::core::InputError& error) {
    return error.what();
  }
  return "";
}

TEST(InfraSettings, DefaultsAreTheReferenceTargets) {
  const auto settings = golive::infra::read_infra_settings(env_with(nlohmann::json::object()));
  EXPECT_EQ(settings.min_replicas, 1);
  EXPECT_EQ(settings.backup_max_age_hours, 24);
  EXPECT_EQ(settings.cache_probes.size(), 2u);
  EXPECT_EQ(settings.failover_rps, 100);
  EXPECT_TRUE(settings.redis_url.empty());
  EXPECT_FALSE(settings.allow_drills);
}

TEST(InfraSettings, EmptyStringsMeanNotConfigured) {
  const auto settings = golive::infra::read_infra_settings(
      env_with({{"replica_urls", {""}}, {"redis_url", ""},
                {"backup", {{"pgbackrest", {{"stanza", ""}, {"config", ""}}}}},
                {"failover", {{"stop_command", ""}, {"start_command", ""}}}}));
  EXPECT_TRUE(settings.replica_urls.empty());
  EXPECT_TRUE(settings.redis_url.empty());
  EXPECT_TRUE(settings.pgbackrest.stanza.empty());
  EXPECT_TRUE(settings.failover_stop_command.empty());
}

TEST(InfraSettings, BadInputNamesTheFileAndPointer) {
  struct Case {
    nlohmann::json infra;
    std::string pointer;
  };
  const std::vector<Case> cases = {
      {{{"replica_urls", {"http://not-postgres"}}}, "/infra/replica_urls/0"},
      {{{"redis_url", "memcached://x"}}, "/infra/redis_url"},
      {{{"replication", {{"min_replicas", -1}}}}, "/infra/replication/min_replicas"},
      {{{"backup", {{"max_age_hours", 0}}}}, "/infra/backup/max_age_hours"},
      {{{"backup", {{"pgbackrest", {{"stanzaa", "x"}}}}}}, "/infra/backup/pgbackrest"},
      {{{"cache", {{"probe", {{{"path", "no-slash"}}}}}}}, "/infra/cache/probe/0/path"},
      {{{"failover", {{"stop_command", "x"}}}}, "/infra/failover"},
      {{{"load_balancing", {{"max_skew", 2}}}}, "/infra/load_balancing/max_skew"},
      {{{"static", {{"frontend_url", "ftp://x"}}}}, "/infra/static/frontend_url"},
      {{{"replicas", {}}}, "/infra"},
  };
  for (const auto& c : cases) {
    const std::string message = error_of(c.infra);
    EXPECT_NE(message.find("envs/staging.json"), std::string::npos) << c.infra.dump() << ": " << message;
    EXPECT_NE(message.find(c.pointer), std::string::npos) << c.infra.dump() << ": " << message;
  }
}

TEST(InfraSettings, TheSuiteRunsOnlyWhenEnabled) {
  golive::config::Environment none;
  none.source_file = "x.json";
  EXPECT_FALSE(golive::infra::infra_capability(none).available);
  EXPECT_FALSE(golive::infra::infra_capability(env_with({{"enabled", "false"}})).available);
  EXPECT_FALSE(golive::infra::infra_capability(env_with({{"enabled", ""}})).available);
  EXPECT_TRUE(golive::infra::infra_capability(env_with({{"enabled", "true"}})).available);
  EXPECT_TRUE(golive::infra::infra_capability(env_with({{"enabled", true}})).available);
  EXPECT_THROW(golive::infra::infra_capability(env_with({{"enabled", "yes"}})), golive::core::InputError);
}

TEST(RedisUrl, ParsesPasswordUserDatabaseAndRefusesNonsense) {
  golive::infra::RedisAddress address;
  EXPECT_EQ(golive::infra::parse_redis_url("redis://:s3cret@127.0.0.1:6380/2", &address), "");
  EXPECT_EQ(address.host, "127.0.0.1");
  EXPECT_EQ(address.port, 6380);
  EXPECT_EQ(address.password, "s3cret");
  EXPECT_EQ(address.database, 2);
  EXPECT_EQ(golive::infra::parse_redis_url("redis://app:pw@cache.internal", &address), "");
  EXPECT_EQ(address.username, "app");
  EXPECT_EQ(address.port, 6379);
  EXPECT_NE(golive::infra::parse_redis_url("rediss://x:1", &address), "");
  EXPECT_NE(golive::infra::parse_redis_url("redis://x:99999", &address), "");
  EXPECT_NE(golive::infra::parse_redis_url("redis://x:1/abc", &address), "");
  EXPECT_NE(golive::infra::parse_redis_url("redis://:pw@", &address), "");
}

TEST(RedisInfo, ReadsFieldsOfAnInfoReply) {
  const std::string info = "# Stats\r\nkeyspace_hits:42\r\nkeyspace_misses:7\r\n";
  EXPECT_EQ(golive::infra::info_value(info, "keyspace_hits"), "42");
  EXPECT_EQ(golive::infra::info_value(info, "keyspace_misses"), "7");
  EXPECT_EQ(golive::infra::info_value(info, "absent"), "");
}

}  // namespace
