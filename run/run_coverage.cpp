#include "run/run_coverage.hpp"

#include <filesystem>
#include <fstream>
#include <set>

#include "target/endpoint_surface.hpp"
#include "http/curl/curl_http_client.hpp"
#include "http/observing_client.hpp"

namespace golive::run {

namespace fs = std::filesystem;

Declaration declared_endpoints(const config::Environment& env) {
  Declaration declaration;
  http::HttpRequest request;
  request.url = env.url("/_golive/routes");
  request.timeout = std::chrono::milliseconds(5000);
  const http::ClientOptions options = http::client_options_for(env);
  const http::HttpResponse response = http::fetch(request, options);
  if (response.transport_ok() && response.status == 200) {
    try {
      declaration.endpoints = target::endpoints_from_route_list(nlohmann::json::parse(response.body));
      declaration.source = "GET /_golive/routes";
      declaration.found = true;
      return declaration;
    } catch (const std::exception&) {
      // Not golive's route list (some other app answering the path): try OpenAPI.
    }
  }
  const auto contract = env.sections.find("contract");
  if (contract != env.sections.end() && contract->second.is_object() &&
      contract->second.contains("openapi") && contract->second["openapi"].is_string()) {
    fs::path file = contract->second["openapi"].get<std::string>();
    if (file.is_relative()) file = fs::path(env.source_file).parent_path() / file;
    std::ifstream in(file);
    try {
      declaration.endpoints = target::endpoints_from_openapi(nlohmann::json::parse(in));
      declaration.source = "openapi: " + file.string();
      declaration.found = true;
    } catch (const std::exception& e) {
      declaration.source = "openapi " + file.string() + " unreadable: " + e.what();
    }
    return declaration;
  }
  declaration.source =
      "none: the target has no /_golive/routes and the environment names no contract.openapi";
  return declaration;
}

namespace {

// "table <name>" for <rest>/<name>, else the API the path belongs to
// ("/storage/v1", "/auth/v1"; "/" for top-level routes).
std::string endpoint_group(const std::string& pattern, const std::string& rest_prefix) {
  const std::string prefix = rest_prefix + "/";
  if (pattern.rfind(prefix, 0) == 0) {
    const std::string rest = pattern.substr(prefix.size());
    if (rest.find('/') == std::string::npos && rest.find('{') == std::string::npos) return "table " + rest;
  }
  const std::size_t second = pattern.find('/', 1);
  if (second == std::string::npos) return "/";
  const std::size_t third = pattern.find('/', second + 1);
  return third == std::string::npos ? pattern : pattern.substr(0, third);
}

}  // namespace

void SurfaceCoverage::note_not_exercised(const std::map<std::string, std::string>& why) {
  std::lock_guard lock(table_mutex_);
  for (const auto& [endpoint, reason] : why) not_exercised_why_[endpoint] = reason;
}

void SurfaceCoverage::note_table_coverage(const nlohmann::json& record) {
  if (!record.is_object()) return;
  std::lock_guard lock(table_mutex_);
  for (const char* key : {"tables_probed", "tables_present"}) {
    if (record.contains(key)) table_coverage_[key] = record[key];
  }
}

nlohmann::json SurfaceCoverage::record(const config::Environment& env) const {
  const auto requests = requests_.requests();
  nlohmann::json record = nlohmann::json::object();
  const Declaration declaration = declared_endpoints(env);
  record["endpoints_source"] = declaration.source;
  if (declaration.found) {
    nlohmann::json names = nlohmann::json::array();
    for (const auto& endpoint : declaration.endpoints) names.push_back(endpoint.name());
    record["endpoints_declared"] = std::move(names);
    const std::vector<std::string> exercised = target::exercised_endpoints(declaration.endpoints, requests, env.base_url);
    const std::set<std::string> hit(exercised.begin(), exercised.end());
    nlohmann::json missing = nlohmann::json::array();
    std::lock_guard lock(table_mutex_);
    for (const auto& endpoint : declaration.endpoints) {
      if (hit.count(endpoint.name()) > 0) continue;
      const auto noted = not_exercised_why_.find(endpoint.name());
      missing.push_back({{"endpoint", endpoint.name()},
                         {"group", endpoint_group(endpoint.pattern, env.paths.rest)},
                         {"method", endpoint.method},
                         {"why", noted != not_exercised_why_.end()
                                     ? noted->second
                                     : "no functional suite sent this request (load stages are not observed)"}});
    }
    record["endpoints_exercised"] = exercised;
    record["endpoints_not_exercised"] = std::move(missing);
  } else {
    // Nothing to match against: count the distinct request paths on the target.
    std::set<std::pair<std::string, std::string>> paths;
    for (const auto& [method, url] : requests) {
      if (url.rfind(env.base_url, 0) == 0) paths.emplace(method, url.substr(env.base_url.size()));
    }
    record["endpoints_exercised"] = paths.size();
  }
  std::lock_guard lock(table_mutex_);
  for (const auto& [key, value] : table_coverage_.items()) record[key] = value;
  return record;
}

}  // namespace golive::run
