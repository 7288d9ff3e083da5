// Postgres helpers shared by the suites that read the database (RLS probes,
// schema checks, webhook post-conditions). Connection failures are data:
// connect_database returns an error text instead of throwing.
#pragma once

#include <functional>
#include <memory>
#include <pqxx/pqxx>
#include <string>

namespace golive::target {

struct DatabaseConnection {
  std::unique_ptr<pqxx::connection> connection;  // null when connecting failed
  std::string error;                             // libpq's message, redacted by callers' writers
  bool ok() const { return connection != nullptr; }
};

// Connects with a bounded connect_timeout (seconds) and an application_name
// of "golive", so probes are visible and attributable in pg_stat_activity.
DatabaseConnection connect_database(const std::string& url, int connect_timeout_s = 5);

// Runs `work` in a transaction that is ALWAYS rolled back, whatever `work`
// does or throws: probes leave no residue.
void with_rolled_back_transaction(pqxx::connection& connection,
                                  const std::function<void(pqxx::work&)>& work);

// Impersonates a Supabase caller inside `txn` exactly as PostgREST does:
// SET LOCAL ROLE <role> and request.jwt.claims (plus the legacy
// request.jwt.claim.sub / .role settings).
void impersonate(pqxx::work& txn, const std::string& role, const std::string& user_id);

// An SQL identifier in double quotes, embedded quotes doubled ("a""b").
std::string quote_ident(const std::string& name);

}  // namespace golive::target
