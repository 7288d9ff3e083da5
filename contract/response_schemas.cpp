#include "contract/response_schemas.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "core/ascii_case.hpp"
#include "core/input_error.hpp"

namespace golive::contract {

namespace {

namespace fs = std::filesystem;

constexpr const char* kHttpMethods[] = {"get", "put", "post", "delete", "patch", "head", "options"};

std::string upper(const std::string& text) { return core::ascii_upper(text); }

std::vector<std::string> segments(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t slash = path.find('/', start);
    const std::string part =
        path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (!part.empty()) parts.push_back(part);
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return parts;
}

bool path_matches(const std::string& pattern, const std::string& path) {
  const auto want = segments(pattern);
  const auto have = segments(path);
  if (want.size() != have.size()) return false;
  for (std::size_t i = 0; i < want.size(); ++i) {
    const bool variable = want[i].size() >= 2 && want[i].front() == '{' && want[i].back() == '}';
    if (!variable && want[i] != have[i]) return false;
  }
  return true;
}

// 3 exact code, 2 class ("2XX"), 1 default, 0 no match.
int status_rank(const std::string& key, int status) {
  if (key == std::to_string(status)) return 3;
  if (key.size() == 3 && (key[1] == 'X' || key[1] == 'x') && key[0] - '0' == status / 100) return 2;
  if (key == "default") return 1;
  return 0;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

// OpenAPI 3.0's "nullable: true" is not JSON Schema: it becomes a "null" type.
void translate_nullable(nlohmann::json& schema) {
  if (schema.is_array()) {
    for (auto& item : schema) translate_nullable(item);
    return;
  }
  if (!schema.is_object()) return;
  if (schema.value("nullable", false) && schema.contains("type") && schema["type"].is_string()) {
    schema["type"] = nlohmann::json::array({schema["type"], "null"});
  }
  schema.erase("nullable");
  for (auto& [key, value] : schema.items()) translate_nullable(value);
}

std::string dotted_name(const std::string& method, const std::string& path) {
  std::string name;
  for (const auto& part : segments(path)) {
    std::string clean;
    for (char c : part) {
      if (std::isalnum(static_cast<unsigned char>(c)) || c == '_')
        clean += c;
      else if (c == '-')
        clean += '_';
    }
    if (!clean.empty()) name += clean + ".";
  }
  return name + core::ascii_lower(method);
}

}  // namespace

std::string url_path(const std::string& url) {
  std::size_t start = 0;
  if (const std::size_t scheme = url.find("://"); scheme != std::string::npos) {
    start = url.find('/', scheme + 3);
    if (start == std::string::npos) return "/";
  }
  const std::size_t end = url.find_first_of("?#", start);
  return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

ResponseSchemas ResponseSchemas::from_catalogue(const std::string& schemas_dir,
                                                const config::Environment& env) {
  ResponseSchemas schemas;
  schemas.source_ = (fs::path(schemas_dir) / "endpoints.json").string();
  const nlohmann::json catalogue = core::load_json_file(schemas.source_);
  const core::JsonReader root(catalogue, schemas.source_);
  root.reject_unknown_keys({"description", "endpoints"});
  const core::JsonReader list = root.at("endpoints");
  for (std::size_t i = 0; i < list.as_array().size(); ++i) {
    const core::JsonReader entry = list.at(i);
    entry.reject_unknown_keys({"name", "method", "path", "status", "schema"});
    EndpointSchema endpoint;
    endpoint.name = entry.at("name").as_string();
    endpoint.method = upper(entry.at("method").as_string());
    std::string path = entry.at("path").as_string();
    path = replace_all(path, "{auth}", env.paths.auth);
    path = replace_all(path, "{rest}", env.paths.rest);
    path = replace_all(path, "{functions}", env.paths.functions);
    path = replace_all(path, "{storage}", env.paths.storage);
    endpoint.path = path;
    endpoint.status = entry.at("status").as_string();
    const std::string file = (fs::path(schemas_dir) / entry.at("schema").as_string()).string();
    endpoint.origin = file;
    try {
      endpoint.validator = std::make_shared<JsonSchemaValidator>(core::load_json_file(file), file);
    } catch (const std::runtime_error& error) {
      entry.at("schema").fail(error.what());
    }
    schemas.endpoints_.push_back(std::move(endpoint));
  }
  return schemas;
}

ResponseSchemas ResponseSchemas::from_openapi(const std::string& openapi_file) {
  ResponseSchemas schemas;
  schemas.source_ = openapi_file;
  const nlohmann::json document = core::load_json_file(openapi_file);
  const core::JsonReader root(document, openapi_file);
  const std::string version = root.at("openapi").as_string();
  if (version.rfind("3.", 0) != 0)
    root.at("openapi").fail("only OpenAPI 3 documents are supported");
  const nlohmann::json components =
      document.contains("components") ? document["components"] : nlohmann::json::object();
  const core::JsonReader paths = root.at("paths");
  for (const auto& [path, item] : paths.as_object().items()) {
    const core::JsonReader path_item = paths.at(path);
    for (const char* method : kHttpMethods) {
      if (!path_item.has(method)) continue;
      const core::JsonReader operation = path_item.at(method);
      if (!operation.has("responses")) continue;
      const std::string name = operation.string_or("operationId", dotted_name(method, path));
      const core::JsonReader responses = operation.at("responses");
      for (const auto& [status, response] : responses.as_object().items()) {
        const nlohmann::json* schema = nullptr;
        if (response.contains("content") && response["content"].contains("application/json") &&
            response["content"]["application/json"].contains("schema")) {
          schema = &response["content"]["application/json"]["schema"];
        }
        if (schema == nullptr) continue;
        const std::string pointer = responses.at(status).pointer() + "/content/" +
                                    core::escape_pointer_token("application/json") + "/schema";
        // The schema with the document's components beside it, so that
        // "#/components/..." references resolve inside the compiled document.
        nlohmann::json compiled = *schema;
        if (!compiled.is_object())
          responses.at(status).fail("the response schema is not an object");
        if (!compiled.contains("components")) compiled["components"] = components;
        translate_nullable(compiled);
        EndpointSchema endpoint;
        endpoint.name = name;
        endpoint.method = upper(method);
        endpoint.path = path;
        endpoint.status = status;
        endpoint.origin = openapi_file + "#" + pointer;
        try {
          endpoint.validator = std::make_shared<JsonSchemaValidator>(compiled, endpoint.origin);
        } catch (const std::runtime_error& error) {
          throw core::InputError(openapi_file, pointer, error.what());
        }
        schemas.endpoints_.push_back(std::move(endpoint));
      }
    }
  }
  return schemas;
}

ResponseSchemas ResponseSchemas::for_environment(const config::Environment& env,
                                                 const std::string& schemas_dir) {
  const auto found = env.sections.find("contract");
  if (found != env.sections.end() && found->second.contains("openapi")) {
    const core::JsonReader reader(found->second, env.source_file, "/contract");
    std::string file = reader.at("openapi").as_string();
    if (fs::path(file).is_relative()) {
      file = (fs::path(env.source_file).parent_path() / file).string();
    }
    if (!fs::exists(file)) reader.at("openapi").fail("no such file: " + file);
    return from_openapi(file);
  }
  return from_catalogue(schemas_dir, env);
}

const EndpointSchema* ResponseSchemas::find(const std::string& method, const std::string& path,
                                            int status) const {
  const EndpointSchema* best = nullptr;
  int best_rank = 0;
  const std::string wanted = upper(method);
  for (const auto& endpoint : endpoints_) {
    if (endpoint.method != wanted || !path_matches(endpoint.path, path)) continue;
    const int rank = status_rank(endpoint.status, status);
    if (rank > best_rank) {
      best = &endpoint;
      best_rank = rank;
    }
  }
  return best;
}

}  // namespace golive::contract
