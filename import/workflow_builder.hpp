// WorkflowBuilder: recorded exchanges (HAR entries, curl commands) into one
// golive workflow a person can read and edit:
//   - kept: requests to the app's hosts (the --host list, else the host of the
//     first request), minus static assets (unless keep_assets) and CORS
//     preflights; the first host's URLs become relative to env.base_url and
//     Supabase-style prefixes become {{env.paths.auth|rest|functions|storage}};
//   - one step per request, named after its method and resource, asserting
//     the recorded status (or a 2xx list when nothing was recorded);
//   - headers minimised: no cookies (the run's jar keeps them), no HTTP/2
//     pseudo-headers, hop-by-hop or browser-chrome headers; headers every
//     step sends alike become the workflow's default headers;
//   - bodies kept: JSON as JSON, urlencoded forms as "form", others as text;
//   - generated credentials: a recorded email and password (a signup's)
//     become {{random.email}} and fresh-password variables, so each run (and
//     each virtual user in load) is a new user;
//   - correlation and secrets as value_mapping.hpp and correlation.hpp say.
// The result is parsed by the workflow parser before it is returned, so an
// import never writes a file `golive e2e` refuses.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "import/recorded_exchange.hpp"
#include "import/workflow_format.hpp"

namespace golive::imports {

struct ImportOptions {
  std::string source_kind;         // "HAR 1.2", "curl"
  std::string source_name;         // the input file's name, for the description
  std::string output_path;         // where the workflow goes (files it names are relative to it)
  std::vector<std::string> hosts;  // "host" or "host:port"; empty = the first request's
  bool keep_assets = false;
  bool think_time = false;         // think_ms from the recorded gaps
  double max_think_ms = 10000;     // cap of one recorded gap (ms)
  bool generate_credentials = true;
  // "$NAME" and "${NAME}" (curl commands' shell variables) become {{name}},
  // a variable the environment file sets (e2e.variables).
  bool shell_variables = false;
  // Postman: the input's text already speaks {{name}} templates (kept, not
  // broken up), and these variables are declared with these values.
  bool input_has_templates = false;
  std::vector<std::pair<std::string, std::string>> declared_variables;
  std::string postman_environment;  // a Postman environment file (optional)
  std::string openapi_tag;          // OpenAPI: keep only this tag's operations (empty: all)
  std::vector<std::string> openapi_only;  // OpenAPI: keep only operations whose "METHOD /path" matches a glob
  // Exact values of the environment's secrets and the template each becomes
  // ("<anon key>" -> "{{env.anon_key}}").
  std::vector<std::pair<std::string, std::string>> environment_secrets;
  // Path prefixes of the environment ("auth" -> "/auth/v1"), Supabase's by default.
  std::vector<std::pair<std::string, std::string>> path_prefixes = {
      {"auth", "/auth/v1"}, {"rest", "/rest/v1"}, {"functions", "/functions/v1"}, {"storage", "/storage/v1"}};
};

struct ImportSummary {
  std::size_t read = 0;                // exchanges in the input
  std::string read_unit = "recorded request";  // what `read` counts, for the console
  std::size_t kept = 0;                // steps written
  std::vector<std::string> dropped;    // one line per dropped request, with the reason
  std::vector<std::string> captures;   // "access_token from step post_token /access_token"
  std::vector<std::string> secrets;    // "a JWT with role anon -> {{env.anon_key}}"
  std::vector<std::string> not_converted;  // what the importer could not express, per step
  std::vector<std::string> to_fill;        // OpenAPI: variables with no example, and where they are used
  std::size_t response_schemas = 0;        // OpenAPI: steps whose response the document's schema describes
};

struct ImportResult {
  nlohmann::ordered_json workflow;
  ImportSummary summary;
};

// Throws core::InputError (naming `options.source_name`) when nothing is left
// to import.
ImportResult build_workflow(std::vector<RecordedExchange> exchanges, const ImportOptions& options);

}  // namespace golive::imports
