#include "repo/openapi_docs.hpp"

#include <yaml-cpp/yaml.h>

#include <set>

#include "core/ascii_case.hpp"
#include "core/input_error.hpp"

namespace golive::repo {

namespace {

using core::Severity;

const std::set<std::string> kMethods = {"get", "put", "post", "delete", "patch", "options", "head", "trace"};

// A YAML node as JSON: scalars stay strings except plain true/false/null and
// numbers, which is all an OpenAPI document's structure needs.
nlohmann::json to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& entry : node) out[entry.first.as<std::string>()] = to_json(entry.second);
      return out;
    }
    case YAML::NodeType::Sequence: {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& item : node) out.push_back(to_json(item));
      return out;
    }
    case YAML::NodeType::Scalar: {
      const std::string text = node.Scalar();
      if (node.Tag() == "!") return text;  // quoted
      if (text == "true") return true;
      if (text == "false") return false;
      if (text == "null" || text == "~") return nullptr;
      return text;
    }
    default:
      return nullptr;
  }
}

// A media-type map ({"application/json": {"example": ...}}) with an example.
bool content_has_example(const nlohmann::json& holder) {
  if (!holder.is_object() || !holder.contains("content") || !holder["content"].is_object()) return false;
  for (const auto& [type, media] : holder["content"].items()) {
    if (media.is_object() && (media.contains("example") || (media.contains("examples") && !media["examples"].empty()))) {
      return true;
    }
  }
  return false;
}

bool operation_has_example(const nlohmann::json& operation) {
  if (!operation.is_object()) return false;
  if (operation.contains("requestBody") && content_has_example(operation["requestBody"])) return true;
  if (operation.contains("responses") && operation["responses"].is_object()) {
    for (const auto& [code, response] : operation["responses"].items()) {
      if (content_has_example(response)) return true;
    }
  }
  return false;
}

}  // namespace

nlohmann::json parse_openapi(const std::string& file, const std::string& text) {
  nlohmann::json document;
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && text[first] == '{') {
    try {
      document = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
      throw core::InputError(file, "byte " + std::to_string(e.byte), "not valid JSON: " + std::string(e.what()));
    }
  } else {
    try {
      document = to_json(YAML::Load(text));
    } catch (const YAML::Exception& e) {
      throw core::InputError(file, "line " + std::to_string(e.mark.line + 1) + ", column " + std::to_string(e.mark.column + 1),
                             "not valid YAML: " + e.msg);
    }
  }
  if (!document.is_object() || !document.contains("openapi") || !document["openapi"].is_string() ||
      document["openapi"].get<std::string>().rfind("3.", 0) != 0) {
    throw core::InputError(file, "/openapi", "not an OpenAPI 3 document: expected \"openapi\": \"3.x\"");
  }
  if (!document.contains("paths") || !document["paths"].is_object()) {
    throw core::InputError(file, "/paths", "an OpenAPI document needs a \"paths\" object");
  }
  return document;
}

OpenApiCoverage compare_openapi(const nlohmann::json& document,
                                const std::vector<target::DeclaredEndpoint>& declared) {
  OpenApiCoverage coverage;
  const auto operations = target::endpoints_from_openapi(document);  // prefixed with servers[0]'s path
  coverage.operations = operations.size();
  for (const auto& endpoint : declared) {
    bool covered = false;
    for (const auto& operation : operations) {
      covered = covered || (operation.method == endpoint.method && target::templates_match(operation.pattern, endpoint.pattern));
    }
    if (!covered) coverage.missing_routes.push_back(endpoint.name());
  }
  for (const auto& [path, item] : document["paths"].items()) {
    if (!item.is_object()) continue;
    for (const auto& [method, operation] : item.items()) {
      if (kMethods.count(method) && !operation_has_example(operation)) {
        coverage.without_examples.push_back(core::ascii_upper(method) + " " + path);
      }
    }
  }
  return coverage;
}

void check_openapi_docs(const RepoSettings& settings, core::ResultSink& sink) {
  Stopwatch watch;
  auto result = repo_result("repo.docs.openapi_covers_routes",
                            "The OpenAPI document covers every declared route, each operation with an example",
                            Severity::kMedium, {"s001.R7.4", "s001.success.documentation_complete"});
  result.evidence["file"] = settings.openapi;
  result.evidence["routes_source"] = settings.declared_source;
  auto record = [&]() {
    result.duration_ms = watch.elapsed_ms();
    sink.record(result);
  };
  const auto text = read_repo_text(settings, settings.openapi);
  if (text && settings.declared_endpoints.empty()) {
    result.status = core::CheckStatus::kSkip;
    result.message = "the target's declared routes are unknown (" +
                     (settings.declared_source.empty() ? std::string("no target") : settings.declared_source) +
                     "): run golive run against a target that serves GET /_golive/routes, or set contract.openapi";
    record();
    return;
  }
  std::vector<Finding> findings;
  if (!text) {
    findings.push_back({settings.openapi, 0, "the OpenAPI document does not exist (repo.openapi)", ""});
    conclude(result, findings, "");
    record();
    return;
  }
  nlohmann::json document;
  try {
    document = parse_openapi(settings.openapi, *text);
  } catch (const core::InputError& e) {
    result.status = core::CheckStatus::kError;
    result.message = std::string(e.what());
    record();
    return;
  }
  const OpenApiCoverage coverage = compare_openapi(document, settings.declared_endpoints);
  for (const auto& route : coverage.missing_routes) {
    findings.push_back({settings.openapi, 0, "no operation for the declared route " + route, ""});
  }
  for (const auto& operation : coverage.without_examples) {
    findings.push_back({settings.openapi, 0, "operation " + operation + " has no request or response example", ""});
  }
  result.evidence["operations"] = coverage.operations;
  result.evidence["declared_routes"] = settings.declared_endpoints.size();
  result.evidence["missing_routes"] = coverage.missing_routes;
  result.evidence["without_examples"] = coverage.without_examples;
  conclude(result, findings,
           std::to_string(settings.declared_endpoints.size()) + " declared routes documented by " +
               std::to_string(coverage.operations) + " operations, each with an example");
  record();
}

}  // namespace golive::repo
