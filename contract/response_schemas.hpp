// ResponseSchemas: which JSON Schema a target's response must satisfy, by
// endpoint (method + path template) and status. Two sources:
//
//   golive's own catalogue, contract/schemas/endpoints.json (the reference
//   API's responses), whose paths start with {auth}, {rest} or {functions}
//   (replaced by the environment's path prefixes) and name schema files in
//   the same folder:
//     {"endpoints": [{"name": "functions.job.get", "method": "GET",
//                     "path": "{functions}/jobs/{id}", "status": "200",
//                     "schema": "function_job.json"}]}
//
//   an OpenAPI 3 document (environment key contract.openapi, a path relative
//   to the environment file): every
//   paths.<path>.<method>.responses.<code>.content.application/json.schema,
//   with local $refs to #/components/... resolved inside the document. The
//   endpoint name is the operationId, else "<method> <path>" made dotted.
//
// Status keys: an exact code ("200"), a class ("2XX", "4XX") or "default";
// the exact code wins over the class, the class over "default". A path
// segment "{name}" matches any one segment.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "contract/json_schema_validator.hpp"
#include "config/environment.hpp"

namespace golive::contract {

struct EndpointSchema {
  std::string name;    // check id suffix: contract.schema.<name>
  std::string method;  // upper case
  std::string path;    // template with the environment's prefixes applied
  std::string status;  // "200", "2XX" or "default"
  std::string origin;  // "<file>#<JSON pointer>" of the schema, for messages
  std::shared_ptr<const JsonSchemaValidator> validator;
};

class ResponseSchemas {
 public:
  // contract/schemas/endpoints.json of `schemas_dir`. InputError (file +
  // pointer) for a malformed catalogue or schema.
  static ResponseSchemas from_catalogue(const std::string& schemas_dir,
                                        const config::Environment& env);
  // An OpenAPI 3 document. InputError (file + pointer) when malformed.
  static ResponseSchemas from_openapi(const std::string& openapi_file);
  // contract.openapi when the environment sets it, else the catalogue.
  static ResponseSchemas for_environment(const config::Environment& env,
                                         const std::string& schemas_dir);

  // The schema for a response, or nullopt when no endpoint describes it.
  // `path` excludes the query string.
  const EndpointSchema* find(const std::string& method, const std::string& path, int status) const;

  const std::vector<EndpointSchema>& endpoints() const { return endpoints_; }
  const std::string& source() const { return source_; }  // the catalogue or OpenAPI file

 private:
  std::vector<EndpointSchema> endpoints_;
  std::string source_;
};

// The path of a URL ("http://h:1/rest/v1/x?select=id" -> "/rest/v1/x").
std::string url_path(const std::string& url);

}  // namespace golive::contract
