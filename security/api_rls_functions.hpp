// Function routes in the API access matrix: a declared resource
// (security.authz.resources, see authz_resources.hpp) that names its table
// ("table": "public.courses") and whose routes are function routes (below
// paths.functions, e.g. GET /functions/v1/courses/{{id}}/print) is called as
// anon on user A's row, as user A on A's row and as user A on user B's row,
// on the matrix's own seeded rows of that table ({{id}} = the row's key). Each
// answer is compared with the same role's statement on the same row in the
// database, as the table cells are: a function that returns or changes B's
// row while the database denies A is `api_bypasses_rls` naming the route
// (the function queries as the service role without checking the caller).
// The row's key goes where the route says {{id}}: in the path
// (/functions/v1/courses/{{id}}/print) or in the declared body
// ({"course_id": "{{id}}"}, e.g. a purchase or redeem function taking the id
// in a POST body). Read (select), update and delete are probed; delete only
// as anon on A's row and as A on B's row (never on A's own row, which the
// table cells still need). 2xx is allowed; 401, 403 and 404 are denied;
// anything else decides nothing.
//
// Check: security.api_rls.function.<resource>.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "config/environment.hpp"
#include "core/check_result.hpp"
#include "security/authz_resources.hpp"
#include "security/http_probe_support.hpp"
#include "security/rls_table_model.hpp"

namespace golive::security {

// One caller of a function route and the row it aims at.
struct FunctionCaller {
  std::string name;     // "anon", "own", "cross"
  std::string role;     // database role: "anon" or "authenticated"
  std::string user_id;  // the JWT subject ("" for anon)
  std::string token;    // bearer token ("" for anon)
  nlohmann::json key;   // the row's key ({"id": "..."})
};

// The declared resources the matrix covers: a table and a read or update
// route below env.paths.functions.
std::vector<AuthzResource> function_resources(const config::Environment& env);

struct FunctionProbeCount {
  std::size_t requests = 0;
  std::size_t findings = 0;  // api_bypasses_rls cells
};

// The check of one resource on `table`, calling its routes as each caller.
core::CheckResult probe_function_resource(const AuthzResource& resource, const TableInfo& table,
                                          const std::vector<FunctionCaller>& callers,
                                          pqxx::connection& connection, const ProbeClient& client,
                                          FunctionProbeCount& count);

// The check id of a resource.
std::string function_check_id(const AuthzResource& resource);

}  // namespace golive::security
