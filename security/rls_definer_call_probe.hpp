// The dynamic side of the SECURITY DEFINER audit: every SECURITY DEFINER
// function of the exposed schemas that anon or authenticated may EXECUTE is
// called, when its required arguments can be derived, as the weakest role
// allowed (anon if it may, else user A), inside a savepoint that is always
// rolled back. What the call changed is read from pg_stat_xact_user_tables
// (rows inserted, updated, deleted per table in this transaction) before the
// rollback, so nothing is kept and nothing is guessed.
//
// Arguments: uuid -> user B's id, then user A's; an enum -> each label (up
// to 8); text and varchar -> 'golive-probe'; integers and numeric -> 1;
// boolean -> true; parameters with defaults are left to them. The
// combinations are tried (at most 16 calls) until one changes rows, so a
// call that is a no-op for one value (a role B already holds) is not read
// as harmless. Any other type: the function is skipped with the type named.
//
// One check per function, `security.rls.definer_call.<schema>.<function>`:
//   fail   a call changed rows and the caller was anon, or it was given
//          user B's id, or it changed a table of the auth schema;
//   pass   denied (42501), or it changed nothing, or user A changed rows
//          with no other user's id in its arguments (its own, by design);
//   skip   an argument cannot be derived, or the call failed with another
//          error (inconclusive, SQLSTATE in the evidence).
#pragma once

#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "core/check_result.hpp"
#include "security/rls_cross_user_probe.hpp"

namespace golive::security {

std::vector<core::CheckResult> probe_definer_functions(pqxx::connection& connection,
                                                       const std::vector<std::string>& schemas,
                                                       const ProbeUsers& users);

}  // namespace golive::security
