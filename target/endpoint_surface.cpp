#include "target/endpoint_surface.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <stdexcept>

#include "core/ascii_case.hpp"

namespace golive::target {

namespace {

std::vector<std::string> segments_of(const std::string& path) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    if (slash > start) out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

bool is_parameter(const std::string& segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}
bool is_rest_parameter(const std::string& segment) {
  return is_parameter(segment) && segment.size() > 2 && segment[1] == '*';
}

// Lower is more specific: per segment 0 literal, 1 parameter, 2 rest.
std::vector<int> specificity(const std::string& pattern) {
  std::vector<int> out;
  for (const auto& segment : segments_of(pattern)) {
    out.push_back(is_rest_parameter(segment) ? 2 : is_parameter(segment) ? 1 : 0);
  }
  return out;
}

bool internal_route(const std::string& pattern) {
  return pattern.rfind("/_golive/", 0) == 0 || pattern.rfind("/_mock/", 0) == 0;
}

std::string upper(const std::string& text) { return core::ascii_upper(text); }

// "https://x.example.com/rest/v1/" -> "/rest/v1"; "/rest/v1" -> "/rest/v1".
std::string server_path(const std::string& url) {
  std::string path = url;
  if (const auto scheme = url.find("://"); scheme != std::string::npos) {
    const auto slash = url.find('/', scheme + 3);
    path = slash == std::string::npos ? "" : url.substr(slash);
  }
  while (!path.empty() && path.back() == '/') path.pop_back();
  return path;
}

}  // namespace

std::vector<DeclaredEndpoint> endpoints_from_route_list(const nlohmann::json& body) {
  if (!body.is_object() || !body.contains("routes") || !body["routes"].is_array()) {
    throw std::invalid_argument("expected {\"routes\": [{\"method\", \"pattern\"}, ...]}");
  }
  std::vector<std::string> tables;
  if (body.contains("rest_tables") && body["rest_tables"].is_array()) {
    for (const auto& table : body["rest_tables"]) {
      if (table.is_string()) tables.push_back(table.get<std::string>());
    }
  }
  std::set<std::pair<std::string, std::string>> seen;
  std::vector<DeclaredEndpoint> out;
  auto add = [&](const std::string& method, const std::string& pattern) {
    if (seen.emplace(method, pattern).second) out.push_back({method, pattern});
  };
  for (const auto& route : body["routes"]) {
    if (!route.is_object() || !route.contains("method") || !route.contains("pattern") ||
        !route["method"].is_string() || !route["pattern"].is_string()) {
      throw std::invalid_argument("a route needs string \"method\" and \"pattern\"");
    }
    const std::string method = upper(route["method"].get<std::string>());
    const std::string pattern = route["pattern"].get<std::string>();
    if (internal_route(pattern)) continue;
    const auto at = pattern.find("{table}");
    if (at != std::string::npos && !tables.empty()) {
      for (const auto& table : tables) {
        add(method, pattern.substr(0, at) + table + pattern.substr(at + 7));
      }
    } else {
      add(method, pattern);
    }
  }
  return out;
}

std::vector<DeclaredEndpoint> endpoints_from_openapi(const nlohmann::json& document) {
  if (!document.is_object() || !document.contains("paths") || !document["paths"].is_object()) {
    throw std::invalid_argument("an OpenAPI document needs a \"paths\" object");
  }
  std::string prefix;
  if (document.contains("servers") && document["servers"].is_array() &&
      !document["servers"].empty() && document["servers"][0].contains("url") &&
      document["servers"][0]["url"].is_string()) {
    prefix = server_path(document["servers"][0]["url"].get<std::string>());
  } else if (document.contains("basePath") && document["basePath"].is_string()) {
    prefix = server_path(document["basePath"].get<std::string>());  // Swagger 2 (PostgREST)
  }
  static const std::set<std::string> kMethods = {"get",  "put",     "post", "delete",
                                                 "patch", "options", "head", "trace"};
  std::vector<DeclaredEndpoint> out;
  for (const auto& [path, item] : document["paths"].items()) {
    if (!item.is_object()) continue;
    for (const auto& [method, operation] : item.items()) {
      if (kMethods.count(method)) out.push_back({upper(method), prefix + path});
    }
  }
  return out;
}

bool path_matches(const std::string& pattern, const std::string& path) {
  const auto want = segments_of(pattern);
  const auto have = segments_of(path);
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (is_rest_parameter(want[i])) return i + 1 == want.size() && have.size() > i;
    if (i >= have.size()) return false;
    if (!is_parameter(want[i]) && want[i] != have[i]) return false;
  }
  return want.size() == have.size();
}

bool templates_match(const std::string& a, const std::string& b) {
  const auto left = segments_of(a.substr(0, a.find_first_of("?#")));
  const auto right = segments_of(b.substr(0, b.find_first_of("?#")));
  for (std::size_t i = 0; i < left.size() || i < right.size(); ++i) {
    const bool left_rest = i < left.size() && is_rest_parameter(left[i]);
    const bool right_rest = i < right.size() && is_rest_parameter(right[i]);
    if (left_rest || right_rest) return i < left.size() && i < right.size();
    if (i >= left.size() || i >= right.size()) return false;
    if (!is_parameter(left[i]) && !is_parameter(right[i]) && left[i] != right[i]) return false;
  }
  return true;
}

std::vector<std::string> exercised_endpoints(
    const std::vector<DeclaredEndpoint>& declared,
    const std::vector<std::pair<std::string, std::string>>& requests, const std::string& base_url) {
  std::set<std::string> hit;
  for (const auto& [method, url] : requests) {
    if (url.rfind(base_url, 0) != 0) continue;
    std::string path = url.substr(base_url.size());
    path = path.substr(0, path.find_first_of("?#"));
    if (path.empty()) path = "/";
    if (path.front() != '/') continue;  // base_url was only a prefix of the host name
    const DeclaredEndpoint* best = nullptr;
    std::vector<int> best_rank;
    const std::string verb = upper(method);
    for (const auto& endpoint : declared) {
      if (endpoint.method != verb || !path_matches(endpoint.pattern, path)) continue;
      auto rank = specificity(endpoint.pattern);
      if (!best || rank < best_rank) {
        best = &endpoint;
        best_rank = std::move(rank);
      }
    }
    if (best) hit.insert(best->name());
  }
  return {hit.begin(), hit.end()};
}

}  // namespace golive::target
