#include "infra/check_ids.hpp"

namespace golive::infra {

std::vector<std::string> infra_check_ids() {
  return {
      // The suite as a whole, skipped when the environment declares no infrastructure.
      "infra",
      // Streaming replicas and their LSN lag (replication_checks.cpp).
      "infra.replication.streaming",
      "infra.replication.lag",
      // WAL archiving, pgBackRest and the restore drill (backup_checks.cpp, restore_drill.cpp).
      "infra.archiving.status",
      "infra.backup.recent",
      "infra.backup.retention",
      "infra.backup.restore_drill",
      // The cache's own statistics (cache_checks.cpp).
      "infra.cache.hits",
      "infra.cache.ttl",
      "infra.cache.eviction_policy",
      // Static assets and the edge cache in front of them (static_checks.cpp).
      "infra.static.asset_cache_headers",
      "infra.static.html_not_long_cached",
      "infra.static.validators",
      "infra.static.compression",
      "infra.static.edge_cache",
      // Load balancing and the failover drill (balancing_checks.cpp).
      "infra.lb.instances",
      "infra.lb.failover",
  };
}

}  // namespace golive::infra
