#include "import/openapi_reader.hpp"

#include <algorithm>
#include <set>

#include "core/ascii_case.hpp"
#include "core/encoding.hpp"
#include "core/glob.hpp"
#include "core/input_error.hpp"
#include "import/correlation.hpp"
#include "import/openapi_document.hpp"

namespace golive::imports {

namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kServerHost = "http://openapi-server.invalid";
const std::vector<std::string> kMethods = {"get", "put", "post", "delete", "options", "head", "patch", "trace"};
constexpr int kMaxDepth = 12;  // schema nesting followed when generating a value

class Reader {
 public:
  Reader(Json document, std::string file, OpenApiFilter filter)
      : doc_(std::move(document)), file_(std::move(file)), tag_(filter.tag), only_(std::move(filter.only)) {}

  OpenApiImport read() {
    if (!doc_.is_object()) fail("", "an OpenAPI document is a JSON object");
    // YAML's unquoted `openapi: 3.1` reads as a number.
    if (doc_.contains("openapi") && doc_["openapi"].is_number()) doc_["openapi"] = doc_["openapi"].dump();
    if (!doc_.contains("openapi") || !doc_["openapi"].is_string()) {
      fail(doc_.contains("swagger") ? "/swagger" : "/openapi",
           doc_.contains("swagger") ? "Swagger 2.0 is not read: convert it to OpenAPI 3 first"
                                    : "missing \"openapi\": \"3.x\" (only OpenAPI 3 documents are read)");
    }
    if (doc_["openapi"].get<std::string>().rfind("3.", 0) != 0) {
      fail("/openapi", "version \"" + doc_["openapi"].get<std::string>() + "\" is not 3.x");
    }
    if (doc_.contains("info") && doc_["info"].is_object() && doc_["info"].contains("title") &&
        doc_["info"]["title"].is_string()) {
      out_.title = doc_["info"]["title"].get<std::string>();
    }
    read_server_prefix();
    const Json& paths = object_at(doc_, "paths", "");
    for (auto path_it = paths.begin(); path_it != paths.end(); ++path_it) {
      const std::string path = path_it.key();
      const std::string path_pointer = "/paths/" + core::escape_pointer_token(path);
      if (path.empty() || path[0] != '/') fail(path_pointer, "a path must start with '/'");
      const Json& item = resolve(path_it.value(), path_pointer);
      if (!item.is_object()) fail(path_pointer, "a path item is an object");
      for (const auto& method : kMethods) {
        if (!item.contains(method)) continue;
        const std::string op_pointer = path_pointer + "/" + method;
        const Json& operation = item[method];
        if (!operation.is_object()) fail(op_pointer, "an operation is an object");
        ++out_.operations;
        if (!tag_.empty() && !has_tag(operation, op_pointer)) continue;
        const std::string label = core::ascii_upper(method) + " " + path;
        if (!only_.empty() && std::none_of(only_.begin(), only_.end(), [&](const std::string& pattern) {
              return core::glob_match(pattern, label);
            })) {
          continue;
        }
        read_operation(path, method, item, operation, op_pointer);
      }
    }
    if (out_.operations == 0) fail("/paths", "the document declares no operation");
    if (out_.exchanges.empty()) {
      std::string wanted = tag_.empty() ? "" : "tagged \"" + tag_ + "\"";
      for (const auto& pattern : only_) wanted += (wanted.empty() ? "matching \"" : ", \"") + pattern + "\"";
      fail("/paths", "no operation is " + wanted);
    }
    return std::move(out_);
  }

 private:
  [[noreturn]] void fail(const std::string& pointer, const std::string& problem) const {
    throw core::InputError(file_, pointer.empty() ? "/" : pointer, problem);
  }

  const Json& object_at(const Json& holder, const std::string& key, const std::string& pointer) const {
    if (!holder.contains(key)) fail(pointer, "missing \"" + key + "\"");
    const Json& value = holder[key];
    if (!value.is_object()) fail(pointer + "/" + core::escape_pointer_token(key), "\"" + key + "\" must be an object");
    return value;
  }

  // Follows local $refs (chains included); `pointer` is where `value` sits.
  const Json& resolve(const Json& value, const std::string& pointer, int depth = 0) const {
    if (!value.is_object() || !value.contains("$ref")) return value;
    const Json& ref = value["$ref"];
    const std::string at = pointer + "/$ref";
    if (!ref.is_string()) fail(at, "$ref must be a string");
    const std::string target = ref.get<std::string>();
    if (target.rfind("#/", 0) != 0) fail(at, "$ref \"" + target + "\" is not local (only \"#/...\" is resolved)");
    if (depth > kMaxDepth) fail(at, "$ref \"" + target + "\" loops");
    const nlohmann::json::json_pointer json_pointer(target.substr(1));
    if (!doc_.contains(json_pointer)) fail(at, "$ref \"" + target + "\" does not resolve in the document");
    return resolve(doc_.at(json_pointer), target.substr(1), depth + 1);
  }

  void read_server_prefix() {
    if (!doc_.contains("servers")) return;
    const Json& servers = doc_["servers"];
    if (!servers.is_array()) fail("/servers", "\"servers\" must be an array");
    if (servers.empty()) return;
    if (!servers[0].is_object() || !servers[0].contains("url") || !servers[0]["url"].is_string()) {
      fail("/servers/0", "a server needs a \"url\" string");
    }
    prefix_ = openapi_server_path(doc_);
    if (prefix_.empty() && servers[0]["url"].get<std::string>().find('{') != std::string::npos) {
      out_.notes.push_back("servers[0] has variables (" + servers[0]["url"].get<std::string>() +
                           "): its path is not used, URLs start at env.base_url");
    }
  }

  static std::string path_pointer_of(const std::string& op_pointer) { return op_pointer.substr(0, op_pointer.rfind('/')); }

  bool has_tag(const Json& operation, const std::string& pointer) const {
    if (!operation.contains("tags")) return false;
    if (!operation["tags"].is_array()) fail(pointer + "/tags", "\"tags\" must be an array");
    return std::any_of(operation["tags"].begin(), operation["tags"].end(),
                       [&](const Json& t) { return t.is_string() && t.get<std::string>() == tag_; });
  }

  // The example a parameter, media type or schema gives, if any.
  std::optional<Json> example_of(const Json& holder, const std::string& pointer) const {
    if (holder.contains("example")) return holder["example"];
    if (holder.contains("examples") && holder["examples"].is_object() && !holder["examples"].empty()) {
      const auto first = holder["examples"].begin();
      const Json& example = resolve(first.value(), pointer + "/examples/" + core::escape_pointer_token(first.key()));
      if (example.is_object() && example.contains("value")) return example["value"];
    }
    return std::nullopt;
  }

  std::optional<Json> schema_hint(const Json& schema_value, const std::string& pointer) const {
    const Json& schema = resolve(schema_value, pointer);
    if (!schema.is_object()) return std::nullopt;
    if (schema.contains("example")) return schema["example"];
    if (schema.contains("examples") && schema["examples"].is_array() && !schema["examples"].empty()) {
      return schema["examples"][0];  // OpenAPI 3.1 (JSON Schema 2020-12)
    }
    if (schema.contains("default")) return schema["default"];
    if (schema.contains("enum") && schema["enum"].is_array() && !schema["enum"].empty()) return schema["enum"][0];
    return std::nullopt;
  }

  std::string declare_variable(const std::string& wanted, const std::string& why) {
    std::string name = variable_name(wanted);
    if (name.empty()) name = "value";
    if (variables_.insert(name).second) {
      out_.variables.emplace_back(name, "");
      out_.to_fill.push_back(name + ": " + why);
    } else if (std::find(out_.to_fill.begin(), out_.to_fill.end(), name + ": " + why) == out_.to_fill.end()) {
      for (auto& line : out_.to_fill) {
        if (line.rfind(name + ": ", 0) == 0) line += "; " + why;
      }
    }
    return "{{" + name + "}}";
  }

  // A minimal value satisfying `schema_value`: required properties only,
  // type-correct scalars honouring format, enum, minimum and minLength.
  Json generate(const Json& schema_value, const std::string& pointer, const std::string& property, int depth) {
    if (depth > kMaxDepth) return nullptr;
    const Json& schema = resolve(schema_value, pointer);
    if (!schema.is_object()) return nullptr;
    if (auto hint = schema_hint(schema, pointer)) return *hint;
    if (schema.contains("const")) return schema["const"];
    for (const char* choice : {"oneOf", "anyOf"}) {
      if (schema.contains(choice) && schema[choice].is_array() && !schema[choice].empty()) {
        return generate(schema[choice][0], pointer + "/" + choice + "/0", property, depth + 1);
      }
    }
    if (schema.contains("allOf") && schema["allOf"].is_array()) {
      Json merged = Json::object();
      for (std::size_t i = 0; i < schema["allOf"].size(); ++i) {
        Json part = generate(schema["allOf"][i], pointer + "/allOf/" + std::to_string(i), property, depth + 1);
        if (part.is_object()) merged.update(part);
        else if (!part.is_null()) return part;
      }
      return merged;
    }
    std::string type;
    if (schema.contains("type")) {
      const Json& t = schema["type"];
      if (t.is_string()) type = t.get<std::string>();
      else if (t.is_array() && !t.empty() && t[0].is_string()) type = t[0].get<std::string>();
    }
    if (type.empty()) type = schema.contains("properties") ? "object" : schema.contains("items") ? "array" : "string";
    if (type == "object") {
      Json object = Json::object();
      if (!schema.contains("required") || !schema["required"].is_array()) return object;
      const Json empty = Json::object();
      const Json& properties = schema.contains("properties") && schema["properties"].is_object() ? schema["properties"] : empty;
      for (const auto& name_value : schema["required"]) {
        if (!name_value.is_string()) continue;
        const std::string name = name_value.get<std::string>();
        if (!properties.contains(name)) {
          object[name] = "";
          continue;
        }
        object[name] = generate(properties[name], pointer + "/properties/" + core::escape_pointer_token(name), name, depth + 1);
      }
      return object;
    }
    if (type == "array") {
      Json array = Json::array();
      const std::size_t min_items = schema.contains("minItems") && schema["minItems"].is_number_unsigned()
                                        ? schema["minItems"].get<std::size_t>()
                                        : 0;
      for (std::size_t i = 0; i < std::min<std::size_t>(min_items, 8) && schema.contains("items"); ++i) {
        array.push_back(generate(schema["items"], pointer + "/items", property, depth + 1));
      }
      return array;
    }
    if (type == "integer" || type == "number") {
      double value = 0;
      if (schema.contains("minimum") && schema["minimum"].is_number()) value = schema["minimum"].get<double>();
      if (schema.contains("exclusiveMinimum") && schema["exclusiveMinimum"].is_number()) {
        value = schema["exclusiveMinimum"].get<double>() + 1;  // 3.1: the bound itself
      } else if (schema.value("exclusiveMinimum", false) == true) {
        value += 1;  // 3.0: a flag on minimum
      }
      if (schema.contains("maximum") && schema["maximum"].is_number() && value > schema["maximum"].get<double>()) {
        value = schema["maximum"].get<double>();
      }
      if (type == "integer") return static_cast<std::int64_t>(value);
      return value;
    }
    if (type == "boolean") return false;
    if (type == "null") return nullptr;
    const std::string format = schema.value("format", "");
    const std::string lower = core::ascii_lower(property);
    if (format == "email") return "{{random.email}}";
    if (format == "uuid") return "{{uuid}}";
    if (format == "date-time") return "2026-01-01T00:00:00Z";
    if (format == "date") return "2026-01-01";
    if (format == "uri" || format == "url") return "https://example.com/";
    if (format == "password" || lower.find("password") != std::string::npos) return "golive-{{random.hex}}";
    std::string text = "golive";
    if (schema.contains("minLength") && schema["minLength"].is_number_unsigned()) {
      const std::size_t min_length = std::min<std::size_t>(schema["minLength"].get<std::size_t>(), 256);
      while (text.size() < min_length) text += 'x';
    }
    if (schema.contains("maxLength") && schema["maxLength"].is_number_unsigned()) {
      text.resize(std::min<std::size_t>(text.size(), schema["maxLength"].get<std::size_t>()));
    }
    return text;
  }

  static std::string scalar_text(const Json& value) {
    return value.is_string() ? value.get<std::string>() : value.dump();
  }

  // Path-level parameters, overridden by the operation's (same name and in).
  std::vector<std::pair<const Json*, std::string>> parameters(const Json& item, const Json& operation,
                                                              const std::string& op_pointer) const {
    std::vector<std::pair<const Json*, std::string>> list;
    auto add = [&](const Json& holder, const std::string& holder_pointer) {
      if (!holder.contains("parameters")) return;
      if (!holder["parameters"].is_array()) fail(holder_pointer + "/parameters", "\"parameters\" must be an array");
      for (std::size_t i = 0; i < holder["parameters"].size(); ++i) {
        const std::string pointer = holder_pointer + "/parameters/" + std::to_string(i);
        const Json& parameter = resolve(holder["parameters"][i], pointer);
        if (!parameter.is_object() || !parameter.contains("name") || !parameter["name"].is_string() ||
            !parameter.contains("in") || !parameter["in"].is_string()) {
          fail(pointer, "a parameter needs \"name\" and \"in\" strings");
        }
        auto same = std::find_if(list.begin(), list.end(), [&](const auto& p) {
          return (*p.first)["name"] == parameter["name"] && (*p.first)["in"] == parameter["in"];
        });
        if (same != list.end()) *same = {&parameter, pointer};
        else list.emplace_back(&parameter, pointer);
      }
    };
    add(item, op_pointer.substr(0, op_pointer.rfind('/')));
    add(operation, op_pointer);
    return list;
  }

  std::string parameter_value(const Json& parameter, const std::string& pointer, const std::string& why) {
    std::optional<Json> value = example_of(parameter, pointer);
    if (!value && parameter.contains("schema")) value = schema_hint(parameter["schema"], pointer + "/schema");
    if (value && !value->is_object() && !value->is_array() && !value->is_null()) return scalar_text(*value);
    return declare_variable(parameter["name"].get<std::string>(), why);
  }

  void read_operation(const std::string& path, const std::string& method, const Json& item, const Json& operation,
                      const std::string& op_pointer) {
    RecordedExchange exchange;
    exchange.method = core::ascii_upper(method);
    exchange.origin = file_ + " at " + op_pointer;
    const std::string label = exchange.method + " " + path;
    const std::string operation_id = operation.value("operationId", "");
    exchange.name = variable_name(!operation_id.empty() ? operation_id : method + "_" + path);
    if (exchange.name.empty()) exchange.name = method + "_root";

    std::string url_path = path;
    std::vector<std::string> query;
    for (const auto& [parameter_ptr, pointer] : parameters(item, operation, op_pointer)) {
      const Json& parameter = *parameter_ptr;
      const std::string name = parameter["name"].get<std::string>();
      const std::string in = parameter["in"].get<std::string>();
      const bool required = parameter.value("required", false) || in == "path";
      if (!required) continue;
      const std::string why = in + " parameter of " + label;
      if (in == "path") {
        const std::string placeholder = "{" + name + "}";
        const auto at = url_path.find(placeholder);
        if (at == std::string::npos) fail(pointer + "/name", "path parameter \"" + name + "\" is not in " + path);
        std::string value = parameter_value(parameter, pointer, why);
        if (value.find("{{") == std::string::npos) value = core::percent_encode(value);
        url_path.replace(at, placeholder.size(), value);
      } else if (in == "query") {
        std::string value = parameter_value(parameter, pointer, why);
        query.push_back(core::percent_encode(name) + "=" +
                        (value.find("{{") == std::string::npos ? core::percent_encode(value) : value));
      } else if (in == "header") {
        exchange.headers.emplace_back(name, parameter_value(parameter, pointer, why));
      } else {
        step_notes_.push_back("required " + in + " parameter " + name + " is not sent");
        out_.notes.push_back(exchange.name + ": " + step_notes_.back());
      }
    }
    // A {parameter} the operation does not declare (a common slip): a variable to fill.
    for (std::size_t open = url_path.find('{'); open != std::string::npos; open = url_path.find('{', open)) {
      if (url_path.compare(open, 2, "{{") == 0) {
        open = url_path.find("}}", open);
        if (open == std::string::npos) break;
        continue;
      }
      const std::size_t close = url_path.find('}', open);
      if (close == std::string::npos) fail(path_pointer_of(op_pointer), "unclosed '{' in the path " + path);
      const std::string name = url_path.substr(open + 1, close - open - 1);
      step_notes_.push_back("path parameter " + name + " is not declared by the operation");
      out_.notes.push_back(exchange.name + ": " + step_notes_.back());
      const std::string value = declare_variable(name, "undeclared path parameter of " + label);
      url_path.replace(open, close - open + 1, value);
      open += value.size();
    }
    exchange.url = kServerHost + prefix_ + url_path;
    for (std::size_t i = 0; i < query.size(); ++i) exchange.url += (i ? "&" : "?") + query[i];

    read_security(operation, op_pointer, exchange);
    if (operation.contains("requestBody")) {
      read_body(resolve(operation["requestBody"], op_pointer + "/requestBody"), op_pointer + "/requestBody", exchange);
    }
    read_responses(operation, op_pointer, exchange);
    std::string summary = operation.value("summary", "");
    exchange.description = label + (summary.empty() ? "" : ": " + summary) + " (" + op_pointer + ")";
    for (const auto& note : step_notes_) exchange.description += ". Note: " + note;
    step_notes_.clear();
    out_.exchanges.push_back(std::move(exchange));
  }

  void read_body(const Json& body, const std::string& pointer, RecordedExchange& exchange) {
    if (!body.is_object()) fail(pointer, "a requestBody is an object");
    const Json& content = object_at(body, "content", pointer);
    const std::string content_pointer = pointer + "/content";
    auto pick = [&]() -> Json::const_iterator {
      for (auto it = content.begin(); it != content.end(); ++it) {
        const std::string type = core::ascii_lower(it.key());
        if (type == "application/json" || (type.size() > 5 && type.compare(type.size() - 5, 5, "+json") == 0)) return it;
      }
      for (auto it = content.begin(); it != content.end(); ++it) {
        if (core::ascii_lower(it.key()) == "application/x-www-form-urlencoded") return it;
      }
      return content.begin();
    };
    if (content.empty()) return;
    const auto chosen = pick();
    const std::string type = core::ascii_lower(chosen.key());
    const std::string media_pointer = content_pointer + "/" + core::escape_pointer_token(chosen.key());
    const Json& media = resolve(chosen.value(), media_pointer);
    if (!media.is_object()) fail(media_pointer, "a media type is an object");
    std::optional<Json> value = example_of(media, media_pointer);
    if (!value && media.contains("schema")) value = generate(media["schema"], media_pointer + "/schema", "", 0);
    if (!value) value = Json::object();
    exchange.body_type = type.find("json") != std::string::npos ? "application/json" : type;
    if (type == "application/x-www-form-urlencoded" && value->is_object()) {
      for (auto it = value->begin(); it != value->end(); ++it) {
        if (!exchange.body.empty()) exchange.body += '&';
        const std::string text = scalar_text(it.value());
        exchange.body += core::percent_encode(it.key()) + "=" +
                         (text.find("{{") == std::string::npos ? core::percent_encode(text) : text);
      }
    } else if (exchange.body_type == "application/json") {
      exchange.body = value->dump();
    } else if (value->is_string()) {
      exchange.body = value->get<std::string>();
    } else {
      exchange.body = value->dump();
      out_.notes.push_back(exchange.name + ": request body of type " + type + " written as JSON text");
    }
    exchange.headers.emplace_back("Content-Type", type.find("json") != std::string::npos ? "application/json" : type);
  }

  void read_responses(const Json& operation, const std::string& op_pointer, RecordedExchange& exchange) {
    const Json& responses = object_at(operation, "responses", op_pointer);
    int lowest = 0;
    std::string lowest_key;
    const bool class_2xx = responses.contains("2XX") || responses.contains("2xx");
    // The lowest 2xx; an operation that declares none but a redirect (a form
    // post answered by 303) asserts its lowest 3xx.
    for (const char success : {'2', '3'}) {
      for (auto it = responses.begin(); it != responses.end(); ++it) {
        const std::string key = it.key();
        if (key.size() == 3 && key[0] == success && std::all_of(key.begin(), key.end(), ::isdigit)) {
          const int code = std::stoi(key);
          if (lowest == 0 || code < lowest) {
            lowest = code;
            lowest_key = key;
          }
        }
      }
      if (lowest != 0 || class_2xx) break;
    }
    if (lowest != 0) {
      exchange.assertions.push_back({{"status", lowest}});
      if (lowest >= 300) {
        step_notes_.push_back("declares no 2xx status: asserting its lowest redirect, " + std::to_string(lowest));
      }
    } else {
      exchange.assertions.push_back({{"status", Json::array({200, 201, 202, 204})}});
      out_.notes.push_back(exchange.name + ": declares no exact 2xx status (" + (class_2xx ? "2XX" : "none") +
                           "): asserting 200, 201, 202 or 204");
      lowest_key = class_2xx ? (responses.contains("2XX") ? "2XX" : "2xx") : "default";
    }
    if (!responses.contains(lowest_key)) return;
    const std::string response_pointer = op_pointer + "/responses/" + core::escape_pointer_token(lowest_key);
    const Json& response = resolve(responses[lowest_key], response_pointer);
    if (response.is_object() && response.contains("content") && response["content"].is_object()) {
      for (auto it = response["content"].begin(); it != response["content"].end(); ++it) {
        if (core::ascii_lower(it.key()).find("json") != std::string::npos && it.value().is_object() &&
            it.value().contains("schema")) {
          ++out_.with_response_schema;
          break;
        }
      }
    }
  }

  void read_security(const Json& operation, const std::string& op_pointer, RecordedExchange& exchange) {
    const bool own = operation.contains("security");
    if (!own && !doc_.contains("security")) return;
    const Json& requirements = own ? operation["security"] : doc_["security"];
    const std::string pointer = own ? op_pointer + "/security" : "/security";
    if (!requirements.is_array()) fail(pointer, "\"security\" must be an array");
    if (requirements.empty()) return;
    std::vector<std::string> unmet;
    for (std::size_t r = 0; r < requirements.size(); ++r) {
      const Json& requirement = requirements[r];
      if (!requirement.is_object()) fail(pointer + "/" + std::to_string(r), "a security requirement is an object");
      if (requirement.empty()) return;  // {}: anonymous access allowed
      HeaderList headers;
      std::vector<std::string> query;
      std::string missing;
      for (auto it = requirement.begin(); it != requirement.end(); ++it) {
        const std::string scheme_pointer = "/components/securitySchemes/" + core::escape_pointer_token(it.key());
        const nlohmann::json::json_pointer json_pointer(scheme_pointer);
        if (!doc_.contains(json_pointer)) {
          fail(pointer + "/" + std::to_string(r) + "/" + core::escape_pointer_token(it.key()),
               "security scheme \"" + it.key() + "\" is not in components.securitySchemes");
        }
        const Json& scheme = resolve(doc_.at(json_pointer), scheme_pointer);
        const std::string type = scheme.is_object() ? scheme.value("type", "") : "";
        const std::string in = scheme.is_object() ? scheme.value("in", "") : "";
        if (type == "http" && core::ascii_lower(scheme.value("scheme", "")) == "bearer") {
          headers.emplace_back("Authorization", "Bearer {{env.anon_key}}");
        } else if (type == "apiKey" && in == "header" && scheme.contains("name")) {
          headers.emplace_back(scheme.value("name", ""), "{{env.anon_key}}");
        } else if (type == "apiKey" && in == "query" && scheme.contains("name")) {
          query.push_back(core::percent_encode(scheme.value("name", "")) + "={{env.anon_key}}");
        } else {
          missing = it.key() + " (" + type + (type == "http" ? " " + scheme.value("scheme", "") : in.empty() ? "" : " in " + in) + ")";
          break;
        }
      }
      if (!missing.empty()) {
        unmet.push_back(missing);
        continue;
      }
      for (auto& header : headers) exchange.headers.push_back(std::move(header));
      for (const auto& parameter : query) {
        exchange.url += (exchange.url.find('?') == std::string::npos ? "?" : "&") + parameter;
      }
      if (!used_env_key_) {
        out_.notes.push_back("bearer and apiKey security schemes send {{env.anon_key}}: the environment's key "
                             "(replace it by a captured access token where an operation needs a user)");
        used_env_key_ = true;
      }
      return;
    }
    std::string list;
    for (const auto& scheme : unmet) list += (list.empty() ? "" : ", ") + scheme;
    const std::string note = "needs " + list + ", which golive cannot satisfy: kept without credentials (expect 401 or 403)";
    out_.notes.push_back(exchange.name + ": " + note);
    step_notes_.push_back(note);
  }

  Json doc_;
  std::string file_;
  std::string tag_;
  std::vector<std::string> only_;
  std::string prefix_;
  std::set<std::string> variables_;
  std::vector<std::string> step_notes_;  // of the operation being read
  bool used_env_key_ = false;
  OpenApiImport out_;
};

}  // namespace

OpenApiImport read_openapi(const std::string& path, const OpenApiFilter& filter) {
  return Reader(load_openapi_document(path), path, filter).read();
}

}  // namespace golive::imports
