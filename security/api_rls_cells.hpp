// The cells of the API access matrix: one operation (select, count, update,
// insert, delete) by one actor (anon, user A on A's row, user A on user B's
// row, or an authenticated user on a shared row) on one seeded row of one
// table. A cell asks the database first (the actor's role, impersonated, in a
// transaction that is rolled back; security/api_rls_rows.hpp), then the API
// (one PostgREST-style request), and compares:
//   - both agree: "agree";
//   - the database denies, the API allows: "api_bypasses_rls" (critical);
//   - the database allows, the API refuses: "api_stricter" (informational);
//   - either side undecided: "undecided"; never sent: "not_tried".
// An API answer is allowed when it is 2xx with rows (GET, PATCH and DELETE
// with return=representation), a created row (POST) or a positive
// Content-Range total (HEAD with count=exact); denied when 2xx without rows
// or 401/403; anything else decides nothing (409 a constraint, 404 a table
// not exposed, 5xx broken).
//
// A table's check is the verdict over its cells (table_check below). The run
// around the cells (seeding, order, budget, clean-up) is api_rls_matrix.cpp.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "config/environment.hpp"
#include "core/check_result.hpp"
#include "security/api_rls_rows.hpp"
#include "security/http_probe_support.hpp"
#include "security/rls_table_model.hpp"

namespace golive::security {

// The operations of a table's cells, in probing order: deletes last, since a
// row deleted early would blind the later cells.
inline constexpr const char* kCellOps[] = {"select", "count", "update", "insert", "delete"};

// Who calls the API in one cell.
struct MatrixActor {
  std::string name;     // "anon", "own", "cross", "authenticated"
  std::string label;    // "anon", "user A on A's row", ...
  std::string role;     // database role: "anon" or "authenticated"
  std::string user_id;  // the JWT subject ("" for anon)
  std::string token;    // the bearer token ("" for anon: the apikey alone)
};

// The row one actor's cells aim at.
struct CellTarget {
  MatrixActor actor;
  RowValues row;
  std::string owner;  // the row's owner; "" for shared rows
};

// What a cell needs from the run around it.
struct CellContext {
  const config::Environment& env;
  pqxx::connection& connection;  // the database side and insert candidates
  const ProbeClient& client;     // the API side
};

struct CellOutcome {
  nlohmann::json cell;  // {"op", "actor", "route", "db", "api", "status", "verdict", ...}
  bool sent = false;    // one API request went out
  // The key of a row the API created (deleted again after the matrix).
  std::optional<nlohmann::json> inserted;
};

// One cell of `op` (one of kCellOps) on `table`. `parents` are the probe's
// rows of the target's owner in the tables seeded so far (what an insert
// candidate points at).
CellOutcome run_cell(const CellContext& context, const TableInfo& table, const RowShape& shape,
                     const CellTarget& target, const std::string& op, const OwnerRows& parents);

// A cell recorded without a request: the matrix's time budget ran out.
nlohmann::json not_tried_cell(const CellContext& context, const TableInfo& table,
                              const CellTarget& target, const std::string& op,
                              const std::string& why);

// "GET", "HEAD", "PATCH", "DELETE" or "POST" for a cell operation.
const char* method_of(const std::string& op);
// "PATCH /rest/v1/<table>": how cells and the coverage name a route; a table
// outside schema public adds its schema ("PATCH /rest/v1/notes (schema app)").
std::string table_route(const config::Environment& env, const std::string& method,
                        const TableInfo& table);
// The PostgREST profile header that selects a table's schema: none for
// public, Accept-Profile for GET and HEAD, Content-Profile otherwise.
std::vector<std::pair<std::string, std::string>> profile_headers(const std::string& method,
                                                                 const TableInfo& table);

struct TableVerdict {
  core::CheckResult check;
  std::size_t findings = 0;   // api_bypasses_rls cells
  std::size_t not_tried = 0;  // cells never sent
  bool compared = false;      // at least one cell was decided (or a bypass found)
};

// The check security.api_rls.<schema>.<table> over a table's cells: fail on
// any api_bypasses_rls (naming each route and actor), skip while cells are
// not tried or none was decided, otherwise pass (listing api_stricter cells
// as informational). `budget` is the budget's text for messages ("60 s").
TableVerdict table_check(const TableInfo& table, const nlohmann::json& cells,
                         const std::string& budget);

// The check id and title of a table's check.
std::string table_check_id(const TableInfo& table);
// The first api_bypasses_rls cell's curl reproduction (each such cell carries
// its request as "reproduction") becomes the check's (CheckBuilder::reproduce).
void reproduce_first_bypass(CheckBuilder& check, const nlohmann::json& cells);
std::string table_check_title(const TableInfo& table);

}  // namespace golive::security
