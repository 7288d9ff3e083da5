// The infrastructure suite's settings: env.sections["infra"], validated.
//
//   "infra": {
//     "enabled": true,                                     // false or "false": the suite is skipped
//     "replica_urls": ["postgresql://...replica..."],      // "" entries are ignored
//     "replication": {"min_replicas": 1, "max_lag_bytes": 16777216},
//     "archiving": {"max_age_s": 0},                       // 0: no recency bound
//     "backup": {"pgbackrest": {"stanza": "golive", "config": "/path/pgbackrest.conf",
//                               "bin": "pgbackrest", "run_as": "postgres"},
//                "max_age_hours": 24, "restore_drill": true, "pg_bin_dir": "/usr/lib/postgresql/15/bin"},
//     "redis_url": "redis://:password@127.0.0.1:6379/0",
//     "cache": {"probe": [{"path": "/rest/v1/plans?select=*"}], "repeat": 5, "key_pattern": "*"},
//     "static": {"frontend_url": "http://127.0.0.1:8080/"},
//     "instance_header": "X-Golive-Instance",
//     "load_balancing": {"min_instances": 2, "burst": 40, "max_skew": 0.8},
//     "failover": {"stop_command": "...", "start_command": "...", "rps": 100,
//                  "duration_s": 6, "max_error_rate": 0.001},
//     "allow_drills": false                                // the drills on production
//   }
// An empty string (a "${VAR:-}" that is unset) means "not configured": the
// check that needs it is skipped and says which setting would enable it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/environment.hpp"

namespace golive::infra {

struct PgBackRestSettings {
  std::string stanza;  // "" = pgBackRest not configured
  std::string config;  // --config=...; "" = pgBackRest's default
  std::string bin = "pgbackrest";
  std::string run_as;  // a local user to run pgBackRest and the drill's postgres as (root only)
};

struct CacheProbe {
  std::string path;  // below base_url
};

struct InfraSettings {
  std::vector<std::string> replica_urls;
  int min_replicas = 1;
  long long max_lag_bytes = 16 * 1024 * 1024;
  int archive_max_age_s = 0;
  PgBackRestSettings pgbackrest;
  int backup_max_age_hours = 24;
  bool restore_drill = true;
  std::string pg_bin_dir = "/usr/lib/postgresql/15/bin";
  std::string redis_url;
  std::vector<CacheProbe> cache_probes;
  int cache_repeat = 5;
  std::string cache_key_pattern = "*";
  std::string frontend_url;  // "" = base_url + "/"
  std::string instance_header;
  int min_instances = 2;
  int burst = 40;
  double max_skew = 0.8;  // the busiest instance's share of the burst
  std::string failover_stop_command;
  std::string failover_start_command;
  int failover_rps = 100;
  int failover_duration_s = 6;
  double failover_max_error_rate = 0.001;  // default: 1 - sla.availability
  bool allow_drills = false;
};

// The reference target's cache probes: anonymous reads of the public catalogue.
std::vector<CacheProbe> reference_cache_probes();

// Throws core::InputError naming the environment file and the JSON pointer.
InfraSettings read_infra_settings(const config::Environment& env);

}  // namespace golive::infra
