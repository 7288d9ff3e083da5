// An OpenAPI document as JSON, whichever way it is written: JSON text
// (a document starting with '{'), else YAML converted member by member, keys
// in document order. Shared by the OpenAPI importer and `golive e2e`'s
// schema conformance of workflows that name a document.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace golive::imports {

// Throws core::InputError: JSON syntax with line and column, YAML syntax
// with the line, an unreadable file.
nlohmann::ordered_json load_openapi_document(const std::string& path);

// The path of servers[0].url ("/v1" of "https://api.example.com/v1"; "" when
// there is none, it is "/", or it has {variables}): the document's paths are
// relative to it.
std::string openapi_server_path(const nlohmann::ordered_json& document);

}  // namespace golive::imports
