// EndpointSurface: the API endpoints a target declares, and which of them a
// run exercised, for the report's surface coverage (reports/README.md,
// `surface_coverage` record: endpoints_declared / endpoints_exercised).
//
// Declared endpoints come from
//   - the reference target's route list, GET /_golive/routes:
//       {"routes": [{"method": "GET", "pattern": "/rest/v1/{table}"}, ...],
//        "rest_tables": ["courses", ...]}
//     where a "{table}" segment is expanded to one endpoint per REST table
//     and golive's own routes (/_golive/..., /_mock/...) are left out; or
//   - an OpenAPI 3 document (paths + methods; the path of servers[0].url is
//     the prefix, e.g. "/rest/v1").
// Patterns use "{name}" for one path segment and, last only, "{*name}" for
// one or more. An endpoint is named "METHOD /pattern".
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace golive::target {

struct DeclaredEndpoint {
  std::string method;   // upper case
  std::string pattern;  // "/functions/v1/jobs/{id}"
  std::string name() const { return method + " " + pattern; }
};

// From a /_golive/routes body. Throws std::invalid_argument when it is not that shape.
std::vector<DeclaredEndpoint> endpoints_from_route_list(const nlohmann::json& body);
// From an OpenAPI document. Throws std::invalid_argument without a "paths" object.
std::vector<DeclaredEndpoint> endpoints_from_openapi(const nlohmann::json& document);

// True when `path` (no query) matches `pattern` segment by segment.
bool path_matches(const std::string& pattern, const std::string& path);
// True when two templates can name the same path: a {name} on either side
// matches one segment, a {*name} one or more; query strings are ignored.
bool templates_match(const std::string& a, const std::string& b);

// The declared endpoints that (method, url) requests hit. Only URLs that
// start with `base_url` count; the rest of each URL is matched as a path.
// Literal segments beat parameters: a request counts for its most specific
// match only.
std::vector<std::string> exercised_endpoints(
    const std::vector<DeclaredEndpoint>& declared,
    const std::vector<std::pair<std::string, std::string>>& requests, const std::string& base_url);

}  // namespace golive::target
