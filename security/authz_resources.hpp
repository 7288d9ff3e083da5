// Cross-user (BOLA) probes on any REST API, from the environment's
// "security.authz.resources":
//
//   "authz": {"resources": [{
//     "name": "note",
//     "create": {"method": "POST", "path": "/api/notes", "body": {"text": "golive"}, "id": "/id"},
//     "read": "/api/notes/{{id}}",
//     "update": {"method": "PATCH", "path": "/api/notes/{{id}}", "body": {"text": "changed by A"}},
//     "delete": "/api/notes/{{id}}"}]}
//
// User B (test user #2) creates the resource; user A (#1) then reads, updates
// and deletes it, each of which must be refused (401, 403 or 404). B reading
// it back afterwards proves it still exists unchanged, so a refusal is not a
// missing resource. B deletes it at the end. Checks:
// security.authz.bola.<name>.read|update|delete, and
// security.authz.bola.<name>.setup when B cannot create it (a 401 there means
// the target does not accept B's token: an error naming the status).
//
// A resource may name the database table that holds it ("table":
// "public.courses"); the API access matrix (api_rls_matrix.hpp) then calls
// its read, update and delete routes on the matrix's own rows of that table and
// compares them with the database. With "table", "create" may be left out:
// the BOLA probes then skip the resource (the matrix covers it), and when no
// declared resource has "create" the authz probe keeps its built-in probes.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "config/environment.hpp"
#include "core/result_stream.hpp"
#include "security/http_probe_support.hpp"

namespace golive::security {

struct ResourceRequest {
  std::string method;
  std::string path;     // below base_url; {{id}} is the created resource's id
  nlohmann::json body;  // null = no body
};

struct AuthzResource {
  std::string name;
  ResourceRequest create;  // answered with the id at `id_pointer`
  bool has_create = true;  // false: no "create" (allowed only with `table`)
  std::string table;       // "schema.table" holding the resource; "" = not said
  std::string id_pointer = "/id";
  std::optional<ResourceRequest> read;
  std::optional<ResourceRequest> update;
  std::optional<ResourceRequest> remove;
};

// Reads security.authz.resources; empty when absent. Throws InputError
// (file + pointer).
std::vector<AuthzResource> read_authz_resources(const config::Environment& env);

// One resource created by `owner` for a probe, or why it could not be.
struct CreatedResource {
  std::string id;         // "" when creation failed
  std::string read_path;  // resource.read with the id in place
  std::string why;        // the failure, naming the request and its status
  nlohmann::json response = nlohmann::json::object();  // excerpt of the create answer
};
CreatedResource create_resource(const ProbeClient& client, const AuthzResource& resource,
                                const ProbeUser& owner, const std::string& who);
// Deletes it as its owner, when the resource declares "delete"; false when
// that was refused.
bool delete_resource(const ProbeClient& client, const AuthzResource& resource,
                     const ProbeUser& owner, const std::string& id);

// Runs the cross-user probes of every resource as users A and B.
void probe_authz_resources(const ProbeClient& client, const std::vector<AuthzResource>& resources,
                           const ProbeUser& a, const ProbeUser& b, core::ResultSink& sink);

}  // namespace golive::security
