// The API reference (seed 001 R7.4): the repository's OpenAPI 3 document
// (repo.openapi, JSON or YAML) has an operation for every route the target
// declares, and every operation carries an example (a request or response
// `example` / `examples`).
//   repo.docs.openapi_covers_routes  routes covered, operations with examples
//
// The declared routes come from the target (target/endpoint_surface.hpp: the
// reference target's GET /_golive/routes, or the environment's
// contract.openapi), passed in by `golive run` through RepoSettings; without
// them the check skips. A declared pattern's query (`?id=eq.X`) is ignored and
// a `{name}` segment on either side matches any one segment, `{*name}` one or
// more.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/result_stream.hpp"
#include "repo/repo_files.hpp"
#include "target/endpoint_surface.hpp"

namespace golive::repo {

// Parses `text` (JSON when it starts with '{', else YAML) as an OpenAPI 3
// document. Throws core::InputError naming `file` when it is neither, or when
// it has no "openapi": "3.x" or no "paths" object.
nlohmann::json parse_openapi(const std::string& file, const std::string& text);

struct OpenApiCoverage {
  std::size_t operations = 0;
  std::vector<std::string> missing_routes;     // "GET /rest/v1/courses", declared without an operation
  std::vector<std::string> without_examples;   // "POST /auth/v1/token", operations without an example
};

// Declared routes and documented operations are compared with the one
// template matcher of the endpoint surface.
using target::templates_match;

OpenApiCoverage compare_openapi(const nlohmann::json& document,
                                const std::vector<target::DeclaredEndpoint>& declared);

void check_openapi_docs(const RepoSettings& settings, core::ResultSink& sink);

}  // namespace golive::repo
