// RlsCrossUserProbe: the dynamic half of the RLS suite. For one table it
// impersonates anon and an authenticated user A (target::impersonate, as
// PostgREST does) and tries to read, insert, update and delete what the
// table's expectation forbids: user B's rows, rows owned by B, A's own rows
// moved to B, service-only writes, inactive catalogue rows.
//
// Everything runs in ONE transaction per table that is always rolled back,
// and every attempt in its own SAVEPOINT, rolled back too, so an error in one
// attempt never hides the next and nothing persists. A check passes when the
// attempt is denied: 42501 (insufficient privilege / RLS violation) or zero
// rows seen or affected.
#pragma once

#include <map>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "core/check_result.hpp"
#include "security/rls_table_model.hpp"

namespace golive::security {

// The users whose data the probes use: A acts, B is the victim, the
// outsider is a signed-in user who owns nothing and belongs to nothing.
struct ProbeUsers {
  std::string a;
  std::string b;
  std::string outsider;  // a fresh uuid, in no table
  std::string why;       // how A and B were chosen, for the evidence
};

// Picks the two users owning rows in the most directly owned tables (ties by
// id), A among users holding no app role (no row in a role table such as
// user_roles, whose rights would read as leaks), or nullopt when fewer than
// two users own anything or every candidate for A holds a role.
std::optional<ProbeUsers> pick_probe_users(pqxx::work& txn, const std::vector<TableInfo>& tables);

struct TableProbeOutcome {
  std::vector<core::CheckResult> checks;  // security.rls.<op>.<schema>.<table>
  bool probed = false;                    // at least one attempt ran (not all skipped)
};

// Probes `table` on `connection` (a role that may SET ROLE to anon and
// authenticated, e.g. the database owner).
TableProbeOutcome probe_table(pqxx::connection& connection, const TableInfo& table, const ProbeUsers& users);

// Row count of every table, read outside any probe transaction.
std::map<std::string, long long> count_rows(pqxx::connection& connection, const std::vector<TableInfo>& tables);

}  // namespace golive::security
