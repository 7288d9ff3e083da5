// The infrastructure suite: what a production deployment is made of, checked
// from where golive stands (the database URL, HTTP responses, the cache's own
// statistics, pgBackRest's repository). Checks, all of suite "infra":
//   infra.replication.streaming     pg_stat_replication: >= min_replicas streaming   (R6.1)
//   infra.replication.lag           replay lag by LSN, primary against each replica  (R6.1)
//   infra.archiving.status          pg_stat_archiver: on, recent, no failure since   (R6.1, R6.5)
//   infra.backup.recent             pgbackrest info: a full backup < max_age_hours   (R6.5)
//   infra.backup.retention          pgBackRest's retention policy is set             (R6.5)
//   infra.backup.restore_drill      latest backup restored into a scratch dir, started
//                                   on a free port, row counts and schema compared  (R6.1, R6.5)
//   infra.cache.hits                Redis keyspace hits rise across repeated reads   (R6.2)
//   infra.cache.ttl                 sampled keys carry TTLs                          (R6.2)
//   infra.cache.eviction_policy     maxmemory-policy is not noeviction               (R6.2)
//   infra.static.*                  hashed assets cached a day+, HTML not long, ETag or
//                                   Last-Modified, compression, an edge cache hit    (R6.3)
//   infra.lb.instances              >= min_instances answer a burst, skew reported   (R6.4)
//   infra.lb.failover               one instance stopped under steady load: errors
//                                   within budget, the balancer stops sending to it  (R6.4)
// The drills (restore, failover) are refused on a production environment
// unless both infra.allow_drills and --allow-production say so.
#pragma once

#include <cstddef>

#include "config/environment.hpp"
#include "core/result_stream.hpp"
#include "infra/infra_settings.hpp"

namespace golive::infra {

struct InfraOptions {
  bool replication = true;
  bool backup = true;
  bool cache = true;
  bool statics = true;
  bool balancing = true;
  bool failover = true;
  bool allow_production = false;  // --allow-production
};

// Runs the selected checks. Returns the number of failed (fail or error)
// checks. Throws core::InputError for a bad infra section.
std::size_t run_infra_suite(const config::Environment& env, const InfraOptions& options,
                            core::ResultSink& sink);

// What this suite can do with `env` (see config::Capability): available when
// the environment has an "infra" section whose "enabled" is not false.
config::Capability infra_capability(const config::Environment& env);

// The individual families.
void check_replication(const config::Environment& env, const InfraSettings& settings,
                       core::ResultSink& sink);
void check_archiving_and_backups(const config::Environment& env, const InfraSettings& settings,
                                 bool drills_allowed, core::ResultSink& sink);
void check_restore_drill(const config::Environment& env, const InfraSettings& settings,
                         bool drills_allowed, core::ResultSink& sink);
void check_cache(const config::Environment& env, const InfraSettings& settings, core::ResultSink& sink);
void check_static_assets(const config::Environment& env, const InfraSettings& settings,
                         core::ResultSink& sink);
void check_load_balancing(const config::Environment& env, const InfraSettings& settings,
                          core::ResultSink& sink);
void check_failover(const config::Environment& env, const InfraSettings& settings, bool drills_allowed,
                    core::ResultSink& sink);

}  // namespace golive::infra
