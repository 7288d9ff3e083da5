// The cache, from its own statistics when infra.redis_url is given: keyspace
// hits rise across repeated identical reads (infra.cache.probe), sampled keys
// carry TTLs, and the eviction policy is not noeviction. Without a Redis URL
// only client-visible signals are left (X-Cache, Age), and the checks say so.
#include "infra/http_support.hpp"
#include "infra/infra_check.hpp"
#include "infra/infra_suite.hpp"
#include "infra/redis_client.hpp"

namespace golive::infra {

namespace {

const std::vector<std::string> kR62{"s001.R6.2", "s001.success.infrastructure_provisioned"};

long long stat(const RedisReply& info, const std::string& key) {
  const std::string value = info_value(info.text, key);
  return value.empty() ? 0 : std::stoll(value);
}

// Sends every probe `repeat` times in turn; returns the responses' summary.
nlohmann::json send_probes(const config::Environment& env, const InfraSettings& settings, int* failures,
                           int* visible_hits) {
  nlohmann::json sent = nlohmann::json::array();
  for (const CacheProbe& probe : settings.cache_probes) {
    nlohmann::json statuses = nlohmann::json::array();
    for (int i = 0; i < settings.cache_repeat; ++i) {
      http::HttpResponse response = infra_fetch(env, infra_request(env, env.url(probe.path)));
      statuses.push_back(response.status);
      if (!response.transport_ok() || response.status >= 400) ++*failures;
      const std::string x_cache = response.header("x-cache").value_or("");
      if (x_cache.find("HIT") != std::string::npos || response.header("age")) ++*visible_hits;
    }
    sent.push_back({{"path", probe.path}, {"statuses", statuses}});
  }
  return sent;
}

}  // namespace

void check_cache(const config::Environment& env, const InfraSettings& settings, core::ResultSink& sink) {
  InfraCheck hits(sink, "infra.cache.hits", "Repeated identical reads are served from the cache",
                  core::Severity::kMedium, kR62);
  InfraCheck ttl(sink, "infra.cache.ttl", "Cached entries expire (sampled keys carry a TTL)",
                 core::Severity::kMedium, kR62);
  InfraCheck policy(sink, "infra.cache.eviction_policy", "The cache evicts under memory pressure",
                    core::Severity::kLow, kR62);
  if (settings.redis_url.empty()) {
    int failures = 0;
    int visible = 0;
    const nlohmann::json sent = send_probes(env, settings, &failures, &visible);
    const std::string why = "no infra.redis_url: only client-visible signals (X-Cache, Age) are checked";
    if (visible > 0) {
      hits.pass(why + "; " + std::to_string(visible) + " response(s) came from a cache", {{"probes", sent}});
    } else {
      hits.skip(why + "; none showed a cache hit. Set infra.redis_url to read the cache's statistics",
                {{"probes", sent}});
    }
    ttl.skip("no infra.redis_url: key TTLs cannot be read");
    policy.skip("no infra.redis_url: maxmemory-policy cannot be read");
    return;
  }
  RedisAddress address;
  if (const std::string problem = parse_redis_url(settings.redis_url, &address); !problem.empty()) {
    hits.error("/infra/redis_url " + problem);
    ttl.error("/infra/redis_url " + problem);
    policy.error("/infra/redis_url " + problem);
    return;
  }
  RedisClient redis;
  if (const std::string problem = redis.connect(address); !problem.empty()) {
    const std::string why = "/infra/redis_url: " + problem;
    hits.error(why);
    ttl.error(why);
    policy.error(why);
    return;
  }
  const RedisReply before = redis.command({"INFO", "stats"});
  int failures = 0;
  int visible = 0;
  const nlohmann::json sent = send_probes(env, settings, &failures, &visible);
  const RedisReply after = redis.command({"INFO", "stats"});
  if (!before.ok() || !after.ok()) {
    hits.error("INFO stats failed: " + (before.ok() ? after.error : before.error));
  } else {
    const long long hit_delta = stat(after, "keyspace_hits") - stat(before, "keyspace_hits");
    const long long miss_delta = stat(after, "keyspace_misses") - stat(before, "keyspace_misses");
    const long long repeats =
        static_cast<long long>(settings.cache_probes.size()) * (settings.cache_repeat - 1);
    nlohmann::json evidence = {{"keyspace_hits_delta", hit_delta}, {"keyspace_misses_delta", miss_delta},
                               {"repeated_reads", repeats}, {"probes", sent}};
    if (failures > 0) {
      hits.error(std::to_string(failures) + " probe request(s) failed; check infra.cache.probe", evidence);
    } else if (hit_delta >= repeats) {
      hits.pass("keyspace hits rose by " + std::to_string(hit_delta) + " across " + std::to_string(repeats) +
                    " repeated reads",
                evidence);
    } else {
      hits.fail("keyspace hits rose by " + std::to_string(hit_delta) + " across " + std::to_string(repeats) +
                    " repeated identical reads: they are not served from the cache",
                evidence);
    }
  }

  // TTLs of a sample of keys (SCAN, never KEYS).
  nlohmann::json sample = nlohmann::json::array();
  nlohmann::json without_ttl = nlohmann::json::array();
  std::string cursor = "0";
  for (int round = 0; round < 10 && sample.size() < 20; ++round) {
    const RedisReply page = redis.command({"SCAN", cursor, "MATCH", settings.cache_key_pattern, "COUNT", "100"});
    if (!page.ok() || page.elements.size() != 2) break;
    cursor = page.elements[0].text;
    for (const RedisReply& key : page.elements[1].elements) {
      if (sample.size() >= 20) break;
      const RedisReply seconds = redis.command({"TTL", key.text});
      if (!seconds.ok()) continue;
      const long long value = std::stoll(seconds.text);
      if (value == -2) continue;  // expired meanwhile
      sample.push_back({{"key", key.text.substr(0, 120)}, {"ttl_s", value}});
      if (value == -1) without_ttl.push_back(key.text.substr(0, 120));
    }
    if (cursor == "0") break;
  }
  if (sample.empty()) {
    ttl.skip("no key matches '" + settings.cache_key_pattern + "': nothing to sample", {{"pattern", settings.cache_key_pattern}});
  } else if (without_ttl.empty()) {
    ttl.pass(std::to_string(sample.size()) + " sampled key(s), all with a TTL", {{"sample", sample}});
  } else {
    ttl.fail(std::to_string(without_ttl.size()) + " of " + std::to_string(sample.size()) +
                 " sampled key(s) never expire (TTL -1)",
             {{"sample", sample}, {"without_ttl", without_ttl}});
  }

  // INFO memory works where CONFIG is disabled (managed Redis).
  const RedisReply memory = redis.command({"INFO", "memory"});
  if (!memory.ok()) {
    policy.error("INFO memory failed: " + memory.error);
  } else {
    const std::string name = info_value(memory.text, "maxmemory_policy");
    const std::string limit = info_value(memory.text, "maxmemory");
    nlohmann::json evidence = {{"maxmemory_policy", name}, {"maxmemory", limit}};
    if (name.empty()) {
      policy.skip("INFO memory does not report maxmemory_policy", evidence);
    } else if (name == "noeviction") {
      policy.fail("maxmemory-policy is noeviction: a full cache refuses writes instead of evicting", evidence);
    } else {
      policy.pass("maxmemory-policy " + name + " (maxmemory " + limit + " bytes)", evidence);
    }
  }
}

}  // namespace golive::infra
