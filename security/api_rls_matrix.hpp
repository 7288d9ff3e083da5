// The API access matrix: row level security as users meet it, through the
// API, next to what the database itself allows.
//
// For every table the API exposes (the target's declared /rest/v1/<table>
// endpoints joined with the tables of the RLS table model; without a
// declaration every table of schema public), and for select (GET and a HEAD
// count), update (PATCH), insert (POST) and delete (DELETE), it calls the API
// as anon, as user A on A's row and as user A on user B's row (tables whose
// rows belong to a user: owner_crud, owner_read_only, owner_via and
// public_read_owner_write; any other table: anon and an authenticated user
// on a shared row). The rows are
// seeded through database_url inside the probe (security/api_rls_rows.hpp)
// and the users come from target::TestUsers. Each API outcome is compared
// with the same role's statement on the same row in the database (impersonated,
// rolled back): one cell each (security/api_rls_cells.hpp, which also gives a
// table's verdict over its cells):
//   - the database denies, the API allows: `api_bypasses_rls`, a critical
//     failure naming the route (the API queries with a privileged role);
//   - the database allows, the API refuses: `api_stricter`, informational.
// This file is the run around the cells: users, seeding order, the budget,
// function routes, clean-up and the residue count.
// The time budget is checked before each cell: once spent, a table's
// remaining cells are `not_tried` (no request sent) and the table's check is
// a skip unless a decided cell already found a bypass.
// Every seeded or inserted row is deleted again and the users released; the
// residue check compares every table's row count before and after.
//
// Declared resources on function routes (security.authz.resources with a
// "table") are compared the same way on the seeded rows of their table,
// before the table cells (security/api_rls_functions.hpp).
//
// Checks: security.api_rls.function.<resource>,
// security.api_rls.{schema}.{table} (one per exposed table, the
// cells in its evidence), security.api_rls.setup, security.api_rls.residue.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "config/environment.hpp"
#include "core/result_stream.hpp"
#include "http/observing_client.hpp"
#include "security/api_rls_users.hpp"
#include "target/endpoint_surface.hpp"

namespace golive::security {

struct ApiRlsOptions {
  // The endpoints the target declares; `declared_found` false = no
  // declaration, so every table of schema public counts as exposed.
  std::vector<target::DeclaredEndpoint> declared;
  bool declared_found = false;
  // Told of every request sent (the run's surface coverage); null: nobody.
  http::RequestObserver* request_observer = nullptr;
  std::chrono::milliseconds request_timeout{10000};  // per request
  // How the two users are obtained (api_rls_users.hpp); the setup check's
  // evidence says which way it went ("users": "auth" or "minted").
  MatrixUsers users = MatrixUsers::kAuto;
  // The schemas the REST API serves (api_rls_settings.hpp); tables of other
  // schemas than public are called with Accept-Profile / Content-Profile.
  std::vector<std::string> schemas{"public"};
  // Where minted tokens are registered as secrets; null: core::Redactor::global()
  // (the one every writer of a run redacts with).
  core::Redactor* redactor = nullptr;
  // The matrix's time budget, from its start. Checked before every table and
  // before every cell inside a table: a table not started in time is skipped,
  // and a started table's remaining cells are recorded as `not_tried`.
  std::chrono::milliseconds budget{std::chrono::seconds(60)};
};

struct ApiRlsOutcome {
  std::size_t tables_exposed = 0;
  std::size_t tables_compared = 0;  // tables with at least one decided cell
  std::size_t findings = 0;         // api_bypasses_rls cells
  std::size_t requests = 0;         // API requests sent by the matrix
  std::size_t cells_not_tried = 0;  // cells of started tables left when the budget ran out
  double elapsed_ms = 0;            // wall time, milliseconds
  // Declared endpoints ("POST /rest/v1/profiles") the matrix did not call, and why.
  std::map<std::string, std::string> not_sent;
};

// Runs the matrix (see above), recording every check in `sink`. Throws
// core::InputError for a bad security section (as the RLS suite does).
ApiRlsOutcome run_api_rls_matrix(const config::Environment& env, const ApiRlsOptions& options,
                                 core::ResultSink& sink);

// Needs database_url (seeding, the database's outcome) and base_url (the API).
config::Capability api_rls_capability(const config::Environment& env);

}  // namespace golive::security
