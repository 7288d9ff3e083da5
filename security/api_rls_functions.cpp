#include "security/api_rls_functions.hpp"

#include "core/interrupt.hpp"
#include "security/api_rls_cells.hpp"
#include "security/api_rls_rows.hpp"

namespace golive::security {

namespace {

using core::Severity;

bool below(const std::string& path, const std::string& prefix) {
  return !prefix.empty() && path.compare(0, prefix.size(), prefix) == 0;
}

std::string with_id(std::string path, const std::string& id) {
  for (std::size_t at = path.find("{{id}}"); at != std::string::npos; at = path.find("{{id}}", at)) {
    path.replace(at, 6, id);
    at += id.size();
  }
  return path;
}

// The declared body with the row's key in place of {{id}}: a string that is
// exactly "{{id}}" becomes the key's JSON value (a number stays a number),
// any other string has each {{id}} replaced by the key's text.
nlohmann::json body_with_id(const nlohmann::json& body, const nlohmann::json& value, const std::string& id) {
  if (body.is_string()) {
    const std::string text = body.get<std::string>();
    return text == "{{id}}" ? value : nlohmann::json(with_id(text, id));
  }
  if (!body.is_structured()) return body;
  nlohmann::json out = body;
  for (auto& item : out.items()) item.value() = body_with_id(item.value(), value, id);
  return out;
}

// "GET /functions/v1/courses/{id}/print": the declared route, {{id}} shown as {id}.
std::string route_of(const ResourceRequest& request) {
  std::string path = request.path;
  for (std::size_t at = path.find("{{id}}"); at != std::string::npos; at = path.find("{{id}}", at)) {
    path.replace(at, 6, "{id}");
  }
  return request.method + " " + path;
}

Access api_access(const http::HttpResponse& response, std::string* note) {
  if (!response.transport_ok()) {
    *note = "no answer: " + response.error_message;
    return Access::kUndecided;
  }
  if (response.status == 401 || response.status == 403 || response.status == 404) return Access::kDenied;
  if (response.status / 100 == 2) return Access::kAllowed;
  *note = "status " + std::to_string(response.status);
  return Access::kUndecided;
}

std::string verdict_of(Access db, Access api) {
  if (db == Access::kUndecided || api == Access::kUndecided) return "undecided";
  if (db == api) return "agree";
  return db == Access::kDenied ? "api_bypasses_rls" : "api_stricter";
}

}  // namespace

std::vector<AuthzResource> function_resources(const config::Environment& env) {
  std::vector<AuthzResource> covered;
  for (AuthzResource& resource : read_authz_resources(env)) {
    if (resource.table.empty()) continue;
    const bool read = resource.read && below(resource.read->path, env.paths.functions);
    const bool update = resource.update && below(resource.update->path, env.paths.functions);
    const bool remove = resource.remove && below(resource.remove->path, env.paths.functions);
    if (read || update || remove) covered.push_back(std::move(resource));
  }
  return covered;
}

std::string function_check_id(const AuthzResource& resource) {
  return "security.api_rls.function." + resource.name;
}

core::CheckResult probe_function_resource(const AuthzResource& resource, const TableInfo& table,
                                          const std::vector<FunctionCaller>& callers,
                                          pqxx::connection& connection, const ProbeClient& client,
                                          FunctionProbeCount& count) {
  CheckBuilder check(function_check_id(resource),
                     "The function routes of " + resource.name + " grant no more than the database's row "
                     "level security on " + table.qualified(),
                     Severity::kCritical);
  struct Op {
    const char* name;
    const std::optional<ResourceRequest>& request;
    ApiRlsOp db_op;
  };
  nlohmann::json cells = nlohmann::json::array();
  std::vector<std::string> bypasses, stricter;
  std::size_t decided = 0;
  // Deletes last, and never as the owner: a function that may delete A's own
  // row would take the row the table cells aim at.
  for (const Op& op : {Op{"select", resource.read, ApiRlsOp::kSelect}, Op{"update", resource.update, ApiRlsOp::kUpdate},
                       Op{"delete", resource.remove, ApiRlsOp::kDelete}}) {
    if (!op.request) continue;
    for (const FunctionCaller& caller : callers) {
      if (core::interrupted()) break;
      if (op.db_op == ApiRlsOp::kDelete && caller.name == "own") continue;
      if (caller.key.size() != 1) {
        cells.push_back({{"op", op.name}, {"actor", caller.name}, {"route", route_of(*op.request)},
                         {"verdict", "undecided"}, {"note", "the table's key is not one column: no {{id}}"}});
        continue;
      }
      const nlohmann::json& value = caller.key.begin().value();
      const std::string id = value.is_string() ? value.get<std::string>() : value.dump();
      const DbAttempt db = database_attempt(connection, table, op.db_op, caller.role, caller.user_id, caller.key,
                                            nlohmann::json::object());
      ++count.requests;
      const http::HttpRequest request =
          client.request_as(caller.token, op.request->method, with_id(op.request->path, id),
                            op.request->body.is_null() ? "" : body_with_id(op.request->body, value, id).dump());
      const http::HttpResponse response = client.send(request);
      std::string note;
      const Access api = api_access(response, &note);
      const std::string verdict = verdict_of(db.access, api);
      nlohmann::json cell = {{"op", op.name},        {"actor", caller.name},       {"route", route_of(*op.request)},
                             {"db", to_string(db.access)}, {"api", to_string(api)}, {"status", response.status},
                             {"verdict", verdict}};
      if (!db.error.empty()) cell["db_error"] = db.error.substr(0, 200);
      if (!note.empty()) cell["note"] = note;
      if (verdict != "undecided") ++decided;
      const std::string what = route_of(*op.request) + " as " + caller.name + " (" + op.name + ")";
      if (verdict == "api_bypasses_rls") {
        cell["response"] = response_excerpt(response, 120);
        cell.update(client.reproduction(request));
        bypasses.push_back(what);
      }
      if (verdict == "api_stricter") stricter.push_back(what);
      cells.push_back(std::move(cell));
    }
  }
  auto join = [](const std::vector<std::string>& items) {
    std::string text;
    for (const auto& item : items) text += (text.empty() ? "" : "; ") + item;
    return text;
  };
  const nlohmann::json evidence = {{"table", table.qualified()}, {"cells", cells},
                                   {"api_bypasses_rls", bypasses}, {"api_stricter", stricter}};
  count.findings += bypasses.size();
  reproduce_first_bypass(check, cells);
  if (!bypasses.empty()) {
    return check.fail("api_bypasses_rls: the function returned or changed rows the database denies the same role: " +
                          join(bypasses) + ". The function queries with a role that bypasses row level security "
                          "(e.g. the service role) without checking the caller.",
                      evidence);
  }
  if (decided == 0) return check.skip("not compared: no cell was decided on both sides", evidence);
  std::string message = std::to_string(decided) + " of " + std::to_string(cells.size()) +
                        " cells decided; the function allowed nothing the database denies.";
  if (!stricter.empty()) {
    message += " Informational, api_stricter (the function refuses what the database allows): " + join(stricter) + ".";
  }
  return check.pass(message, evidence);
}

}  // namespace golive::security
