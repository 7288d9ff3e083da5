#include "security/authz_resources.hpp"

#include "core/input_error.hpp"
#include "core/interrupt.hpp"

namespace golive::security {

namespace {

using core::Severity;

ResourceRequest read_request(const core::JsonReader& reader, const std::string& default_method) {
  ResourceRequest request;
  if (reader.value().is_string()) {
    request.method = default_method;
    request.path = reader.as_string();
  } else {
    reader.reject_unknown_keys({"method", "path", "body", "id"});
    request.method = reader.string_or("method", default_method);
    request.path = reader.at("path").as_string();
    if (reader.has("body")) request.body = reader.value().at("body");
  }
  if (request.path.empty() || request.path.front() != '/') {
    (reader.value().is_string() ? reader : reader.at("path"))
        .fail("a path below base_url starts with \"/\", e.g. \"/api/notes/{{id}}\"");
  }
  return request;
}

std::string with_id(std::string path, const std::string& id) {
  for (std::size_t at = path.find("{{id}}"); at != std::string::npos; at = path.find("{{id}}", at)) {
    path.replace(at, 6, id);
    at += id.size();
  }
  return path;
}

http::HttpResponse send(const ProbeClient& client, const ProbeUser& user,
                        const ResourceRequest& request, const std::string& id) {
  return client.send_as(user.access_token, request.method, with_id(request.path, id),
                        request.body.is_null() ? "" : request.body.dump());
}

bool refused(const http::HttpResponse& response) {
  return response.transport_ok() &&
         (response.status == 401 || response.status == 403 || response.status == 404);
}

std::string status_of(const http::HttpResponse& response) {
  return response.transport_ok() ? std::to_string(response.status)
                                 : std::string(http::to_string(response.error));
}

}  // namespace

std::vector<AuthzResource> read_authz_resources(const config::Environment& env) {
  std::vector<AuthzResource> resources;
  const auto section = env.sections.find("security");
  if (section == env.sections.end() || !section->second.contains("authz")) return resources;
  const core::JsonReader authz =
      core::JsonReader(section->second, env.source_file, "/security").at("authz");
  authz.reject_unknown_keys({"resources"});
  if (!authz.has("resources")) return resources;
  const core::JsonReader list = authz.at("resources");
  for (std::size_t i = 0; i < list.as_array().size(); ++i) {
    const core::JsonReader item = list.at(i);
    item.reject_unknown_keys({"name", "create", "read", "update", "delete", "table"});
    AuthzResource resource;
    resource.name = item.at("name").as_string();
    if (item.has("table")) {
      resource.table = item.at("table").as_string();
      if (resource.table.find('.') == std::string::npos) resource.table = "public." + resource.table;
    }
    resource.has_create = item.has("create") || resource.table.empty();
    if (resource.has_create) {
      resource.create = read_request(item.at("create"), "POST");
      if (item.at("create").value().is_object()) {
        resource.id_pointer = item.at("create").string_or("id", "/id");
      }
    }
    if (item.has("read")) resource.read = read_request(item.at("read"), "GET");
    if (item.has("update")) resource.update = read_request(item.at("update"), "PATCH");
    if (item.has("delete")) resource.remove = read_request(item.at("delete"), "DELETE");
    if (!resource.read) item.fail("needs \"read\": A's cross-user read is the core BOLA probe");
    resources.push_back(std::move(resource));
  }
  return resources;
}

CreatedResource create_resource(const ProbeClient& client, const AuthzResource& resource,
                                const ProbeUser& owner, const std::string& who) {
  CreatedResource made;
  if (!resource.has_create) {
    made.why = "the resource declares no \"create\" request";
    return made;
  }
  const http::HttpResponse created = send(client, owner, resource.create, "");
  made.response = response_excerpt(created);
  const nlohmann::json body = nlohmann::json::parse(created.body, nullptr, false);
  const nlohmann::json::json_pointer id_at(resource.id_pointer);
  if (!created.transport_ok() || created.status / 100 != 2 || body.is_discarded() ||
      !body.contains(id_at)) {
    made.why = created.transport_ok() && (created.status == 401 || created.status == 403)
                   ? "the target refused user " + who + "'s token: " +
                         resource.create.method + " " + resource.create.path + " answered " +
                         status_of(created)
                   : resource.create.method + " " + resource.create.path + " as " + who +
                         " answered " + status_of(created) + " without an id at " +
                         resource.id_pointer;
    return made;
  }
  const nlohmann::json& id_value = body.at(id_at);
  made.id = id_value.is_string() ? id_value.get<std::string>() : id_value.dump();
  made.read_path = with_id(resource.read->path, made.id);
  return made;
}

bool delete_resource(const ProbeClient& client, const AuthzResource& resource,
                     const ProbeUser& owner, const std::string& id) {
  if (!resource.remove || id.empty()) return true;
  const http::HttpResponse response = send(client, owner, *resource.remove, id);
  return response.transport_ok() && response.status / 100 == 2;
}

void probe_authz_resources(const ProbeClient& client, const std::vector<AuthzResource>& resources,
                           const ProbeUser& a, const ProbeUser& b, core::ResultSink& sink) {
  for (const AuthzResource& resource : resources) {
    if (core::interrupted()) return;
    const std::string prefix = "security.authz.bola." + resource.name;
    CheckBuilder setup(prefix + ".setup", "User B can create a " + resource.name, Severity::kHigh);
    if (!resource.has_create) {
      sink.record(setup.skip("no \"create\" request: the API access matrix covers " + resource.name +
                             " on its own rows of " + resource.table + " (security.api_rls.function." +
                             resource.name + ")"));
      continue;
    }
    const CreatedResource created = create_resource(client, resource, b, "B");
    if (created.id.empty()) {
      sink.record(setup.error(created.why, {{"response", created.response}}));
      continue;
    }
    const std::string& id = created.id;
    const std::string& read_path = created.read_path;
    const http::HttpResponse before = send(client, b, *resource.read, id);

    struct Attempt {
      const char* verb;
      const std::optional<ResourceRequest>& request;
    };
    for (const Attempt& attempt : {Attempt{"read", resource.read}, Attempt{"update", resource.update},
                                   Attempt{"delete", resource.remove}}) {
      CheckBuilder check(prefix + "." + attempt.verb,
                         "User A cannot " + std::string(attempt.verb) + " user B's " + resource.name,
                         Severity::kCritical);
      if (!attempt.request) {
        sink.record(check.skip(std::string("security.authz.resources[].") + attempt.verb +
                               " is not set for " + resource.name));
        continue;
      }
      const http::HttpResponse as_a = send(client, a, *attempt.request, id);
      const http::HttpResponse as_b = send(client, b, *resource.read, id);
      nlohmann::json evidence = {
          {"request", attempt.request->method + " " + with_id(attempt.request->path, id)},
          {"as_a", response_excerpt(as_a)},
          {"owner_reads_after", response_excerpt(as_b)}};
      if (!as_a.transport_ok() || as_a.status / 100 == 5 || as_a.status / 100 == 3) {
        sink.record(check.error("A's request answered " + status_of(as_a) +
                                    ": neither allowed nor refused",
                                evidence));
      } else if (!refused(as_a)) {
        sink.record(check.fail("user A could " + std::string(attempt.verb) + " user B's " +
                                   resource.name + " (" + attempt.request->method + " " +
                                   with_id(attempt.request->path, id) + " answered " +
                                   status_of(as_a) + ")",
                               evidence));
      } else if (as_b.status != 200 || as_b.body != before.body) {
        sink.record(check.fail("A's request was refused (" + status_of(as_a) + "), but B's " +
                                   resource.name + " changed: GET " + read_path + " as B answered " +
                                   status_of(as_b),
                               evidence));
      } else {
        sink.record(check.pass("refused with " + status_of(as_a) + "; B's " + resource.name +
                                   " is unchanged",
                               evidence));
      }
    }
    delete_resource(client, resource, b, id);
  }
}

}  // namespace golive::security
