#include "infra/infra_settings.hpp"

#include <algorithm>

#include "core/input_error.hpp"
#include "core/url.hpp"

namespace golive::infra {

std::vector<CacheProbe> reference_cache_probes() {
  return {{"/rest/v1/plans?select=*"}, {"/rest/v1/subscription_tiers?select=*"}};
}

namespace {

int integer_in(const core::JsonReader& parent, const std::string& key, int fallback, int low, int high) {
  if (!parent.has(key)) return fallback;
  const auto value = parent.at(key).as_integer();
  if (value < low || value > high) {
    parent.at(key).fail("must be " + std::to_string(low) + " to " + std::to_string(high));
  }
  return static_cast<int>(value);
}

double number_in(const core::JsonReader& parent, const std::string& key, double fallback, double low,
                 double high) {
  if (!parent.has(key)) return fallback;
  const double value = parent.at(key).as_number();
  if (value < low || value > high) {
    parent.at(key).fail("must be between " + std::to_string(low) + " and " + std::to_string(high));
  }
  return value;
}

void read_backup(const core::JsonReader& backup, InfraSettings& settings) {
  backup.as_object();
  backup.reject_unknown_keys({"pgbackrest", "max_age_hours", "restore_drill", "pg_bin_dir"});
  if (backup.has("pgbackrest")) {
    const auto pgbackrest = backup.at("pgbackrest");
    pgbackrest.as_object();
    pgbackrest.reject_unknown_keys({"stanza", "config", "bin", "run_as"});
    settings.pgbackrest.stanza = pgbackrest.string_or("stanza", "");
    settings.pgbackrest.config = pgbackrest.string_or("config", "");
    settings.pgbackrest.bin = pgbackrest.string_or("bin", "pgbackrest");
    settings.pgbackrest.run_as = pgbackrest.string_or("run_as", "");
    if (settings.pgbackrest.bin.empty()) pgbackrest.at("bin").fail("must name the pgbackrest binary");
  }
  settings.backup_max_age_hours = integer_in(backup, "max_age_hours", 24, 1, 24 * 365);
  settings.restore_drill = backup.bool_or("restore_drill", true);
  settings.pg_bin_dir = backup.string_or("pg_bin_dir", settings.pg_bin_dir);
}

void read_cache(const core::JsonReader& cache, InfraSettings& settings) {
  cache.as_object();
  cache.reject_unknown_keys({"probe", "repeat", "key_pattern"});
  if (cache.has("probe")) {
    const auto probes = cache.at("probe");
    settings.cache_probes.clear();
    for (std::size_t i = 0; i < probes.as_array().size(); ++i) {
      const auto probe = probes.at(i);
      probe.as_object();
      probe.reject_unknown_keys({"path"});
      const std::string path = probe.at("path").as_string();
      if (path.empty() || path[0] != '/') probe.at("path").fail("must be a path below base_url, starting with /");
      settings.cache_probes.push_back({path});
    }
    if (settings.cache_probes.empty()) probes.fail("must declare at least one request");
  }
  settings.cache_repeat = integer_in(cache, "repeat", 5, 2, 100);
  settings.cache_key_pattern = cache.string_or("key_pattern", "*");
}

}  // namespace

InfraSettings read_infra_settings(const config::Environment& env) {
  InfraSettings settings;
  settings.cache_probes = reference_cache_probes();
  // The failover drill's error budget is the SLA's unless the section sets one.
  settings.failover_max_error_rate = std::max(0.0, 1.0 - env.sla.availability);
  auto section = env.sections.find("infra");
  if (section == env.sections.end()) return settings;
  core::JsonReader infra(section->second, env.source_file, "/infra");
  infra.as_object();
  infra.reject_unknown_keys({"enabled", "replica_urls", "replication", "archiving", "backup", "redis_url", "cache",
                             "static", "instance_header", "load_balancing", "failover", "allow_drills"});
  if (infra.has("replica_urls")) {
    const auto urls = infra.at("replica_urls");
    for (std::size_t i = 0; i < urls.as_array().size(); ++i) {
      const std::string url = urls.at(i).as_string();
      if (url.empty()) continue;
      if (url.rfind("postgres://", 0) != 0 && url.rfind("postgresql://", 0) != 0) {
        urls.at(i).fail("must be a postgresql:// URL of a replica");
      }
      settings.replica_urls.push_back(url);
    }
  }
  if (infra.has("replication")) {
    const auto replication = infra.at("replication");
    replication.as_object();
    replication.reject_unknown_keys({"min_replicas", "max_lag_bytes"});
    settings.min_replicas = integer_in(replication, "min_replicas", 1, 0, 64);
    if (replication.has("max_lag_bytes")) {
      const auto lag = replication.at("max_lag_bytes").as_integer();
      if (lag < 0) replication.at("max_lag_bytes").fail("must be 0 or more bytes");
      settings.max_lag_bytes = lag;
    }
  }
  if (infra.has("archiving")) {
    const auto archiving = infra.at("archiving");
    archiving.as_object();
    archiving.reject_unknown_keys({"max_age_s"});
    settings.archive_max_age_s = integer_in(archiving, "max_age_s", 0, 0, 7 * 86400);
  }
  if (infra.has("backup")) read_backup(infra.at("backup"), settings);
  settings.redis_url = infra.string_or("redis_url", "");
  if (!settings.redis_url.empty() && settings.redis_url.rfind("redis://", 0) != 0) {
    infra.at("redis_url").fail("must be a redis://[:password@]host:port[/db] URL");
  }
  if (infra.has("cache")) read_cache(infra.at("cache"), settings);
  if (infra.has("static")) {
    const auto statics = infra.at("static");
    statics.as_object();
    statics.reject_unknown_keys({"frontend_url"});
    settings.frontend_url = statics.string_or("frontend_url", "");
    if (!settings.frontend_url.empty()) {
      if (!core::parse_url(settings.frontend_url)) statics.at("frontend_url").fail("is not an absolute http(s) URL");
    }
  }
  settings.instance_header = infra.string_or("instance_header", "");
  if (infra.has("load_balancing")) {
    const auto balancing = infra.at("load_balancing");
    balancing.as_object();
    balancing.reject_unknown_keys({"min_instances", "burst", "max_skew"});
    settings.min_instances = integer_in(balancing, "min_instances", 2, 1, 1000);
    settings.burst = integer_in(balancing, "burst", 40, 4, 1000);
    settings.max_skew = number_in(balancing, "max_skew", 0.8, 0.0, 1.0);
  }
  if (infra.has("failover")) {
    const auto failover = infra.at("failover");
    failover.as_object();
    failover.reject_unknown_keys({"stop_command", "start_command", "rps", "duration_s", "max_error_rate"});
    settings.failover_stop_command = failover.string_or("stop_command", "");
    settings.failover_start_command = failover.string_or("start_command", "");
    if (settings.failover_stop_command.empty() != settings.failover_start_command.empty()) {
      failover.fail("needs both stop_command and start_command, or neither");
    }
    settings.failover_rps = integer_in(failover, "rps", 100, 1, 1000);
    settings.failover_duration_s = integer_in(failover, "duration_s", 6, 2, 600);
    settings.failover_max_error_rate =
        number_in(failover, "max_error_rate", settings.failover_max_error_rate, 0.0, 1.0);
  }
  settings.allow_drills = infra.bool_or("allow_drills", false);
  return settings;
}

}  // namespace golive::infra
