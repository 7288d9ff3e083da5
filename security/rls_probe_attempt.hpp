// One impersonated statement of the RLS probes and what it proves.
//
// The statement runs as an API role (SET LOCAL ROLE plus the JWT claims
// PostgREST sets) inside a SAVEPOINT that is always rolled back. Its outcome:
//   denied        42501 (RLS or privilege), or no row seen / affected;
//   allowed       rows seen, or rows written and, when a confirmation query
//                 is given, the effect read back as the connecting role
//                 inside the same savepoint (a row really owned by user B,
//                 an ownership really moved);
//   unconfirmed   rows affected but the read-back finds no effect (a trigger
//                 or default rewrote the row): proves nothing is leaked;
//   inconclusive  any other error (a generated column 428C9, an exception
//                 raised in a BEFORE trigger, a check constraint): the
//                 statement proves nothing either way; SQLSTATE kept.
#pragma once

#include <optional>
#include <pqxx/pqxx>
#include <string>

namespace golive::security {

// Who acts in an attempt.
struct Actor {
  std::string role;     // "anon" or "authenticated"
  std::string user_id;  // "" for anon
  std::string name;     // "user A", "an outsider"; "" for anon
  std::string label() const { return user_id.empty() ? role : name + " (" + user_id + ")"; }
};

enum class Outcome { kDenied, kAllowed, kUnconfirmed, kInconclusive };

struct Attempt {
  Outcome outcome = Outcome::kInconclusive;
  long long rows = 0;            // rows seen (counting SQL) or affected (writes)
  long long confirmed_rows = -1;  // rows the read-back found, -1 when none was run
  std::string error;             // the database's message when the statement failed
  std::string sqlstate;          // its SQLSTATE ("" when it did not fail)
};

// SET LOCAL ROLE plus the claims PostgREST sets, undone with `sub`.
void impersonate_in(pqxx::subtransaction& sub, const Actor& actor);

// The SQLSTATE of `e` (libpqxx 6.4 leaves sqlstate() empty for some classes).
std::string sqlstate_of(const pqxx::sql_error& e);

// Runs `sql` as `actor` in a rolled-back savepoint of `txn`. `counting` SQL
// returns one count; other SQL is a write whose affected rows count. A write
// that affects rows is confirmed with `confirm_sql` (one count, run as the
// connecting role) when given.
Attempt attempt(pqxx::work& txn, const Actor& actor, const std::string& sql, bool counting,
                const std::optional<std::string>& confirm_sql = std::nullopt);

}  // namespace golive::security
