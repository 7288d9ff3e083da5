// ApiRlsRows: the database side of the API access matrix. It makes the rows
// the matrix aims at (seeded through the database as the owner role and
// committed, so the API sees them), builds candidate rows for API inserts,
// measures what PostgreSQL itself allows each API role on those rows
// (impersonated statements in a transaction that is always rolled back),
// and deletes everything it made again.
//
// Rows are copies of an existing row of the same table: the key gets a fresh
// value (or the owner's, when the owner column is part of the key), the owner
// column names the probe user, every foreign key to a table the probe has a
// row of for the same owner points at that row (so a chain-owned row hangs
// under the probe user's parent), and single-column unique text columns get a
// "-golive-<hex>" suffix. A table without a row to copy, or whose copy the database refuses
// (a constraint golive cannot satisfy), is not seeded, and says why.
#pragma once

#include <nlohmann/json.hpp>
#include <map>
#include <optional>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <vector>

#include "security/rls_table_model.hpp"

namespace golive::security {

// A foreign key of a table: its columns and the columns they reference.
struct ForeignKey {
  std::vector<std::string> columns;
  std::string table;  // "schema.table" referenced
  std::vector<std::string> referenced;
};

// Catalog facts beyond TableInfo that copying a row needs.
struct RowShape {
  std::vector<ForeignKey> references;
  std::set<std::string> skipped;      // identity or generated columns: never written
  std::set<std::string> unique_text;  // single-column unique text columns outside the key
  std::set<std::string> foreign_keys; // columns of a foreign key
};

RowShape read_row_shape(pqxx::work& txn, const TableInfo& table);

// One row as row_to_json gives it.
using RowValues = nlohmann::json;

// The probe's rows of one owner, by "schema.table": what foreign keys of a
// copy point at.
using OwnerRows = std::map<std::string, RowValues>;

// A seeded copy owned by `owner` ("" for tables without an owner), pointing
// at `parents` where it references them. Committed. nullopt with `why` when
// the table has no row to copy or the database refused the copy.
std::optional<RowValues> seed_row(pqxx::connection& connection, const TableInfo& table,
                                  const RowShape& shape, const std::string& owner,
                                  const OwnerRows& parents, std::string* why);

// A row `owner` already has in the table (one signup made, say), or nullopt.
std::optional<RowValues> existing_row(pqxx::connection& connection, const TableInfo& table,
                                      const std::string& owner);

// A row the API may be asked to insert: a copy of `source` with a fresh key,
// owned by `owner` and pointing at `parents`. Not inserted.
std::optional<RowValues> candidate_row(pqxx::connection& connection, const TableInfo& table,
                                       const RowShape& shape, const RowValues& source,
                                       const std::string& owner, const OwnerRows& parents,
                                       std::string* why);

// The key columns of `row` ({"id": "..."}), for filters and clean-up.
nlohmann::json key_of(const TableInfo& table, const RowValues& row);
// The column an update writes back unchanged (a non-key, non-owner column).
std::string touch_column(const TableInfo& table);

enum class ApiRlsOp { kSelect, kInsert, kUpdate, kDelete };
const char* to_string(ApiRlsOp op);

// What one role may do, as measured.
enum class Access { kAllowed, kDenied, kUndecided };
const char* to_string(Access access);

struct DbAttempt {
  Access access = Access::kUndecided;
  long long rows = 0;  // rows seen or affected
  std::string error;   // the database's message, when the statement failed
};

// `op` as `role` ("anon", "authenticated") with JWT subject `user_id` ("" for
// anon) on the row with key `key` (select, update, delete) or inserting
// `row` (insert), in a transaction that is rolled back.
DbAttempt database_attempt(pqxx::connection& connection, const TableInfo& table, ApiRlsOp op,
                           const std::string& role, const std::string& user_id,
                           const nlohmann::json& key, const RowValues& row);

// Deletes the rows with these keys (as the connection's role, committed);
// returns how many rows went.
long long delete_rows(pqxx::connection& connection, const TableInfo& table,
                      const std::vector<nlohmann::json>& keys);

}  // namespace golive::security
