// RecordedExchange: one request (and, when the source recorded it, its
// response) as an importer read it from a HAR file or a curl command, before
// any decision about what the workflow keeps. Every reader produces these;
// workflow_builder.hpp turns them into a workflow.
#pragma once

#include <optional>

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace golive::imports {

using HeaderList = std::vector<std::pair<std::string, std::string>>;  // in recorded order, names as sent

struct RecordedResponse {
  int status = 0;
  HeaderList headers;
  std::string mime_type;  // the Content-Type without parameters, lowercase ("application/json")
  std::string body;       // decoded text; empty when the source kept none
};

struct RecordedExchange {
  std::string method = "GET";
  std::string url;          // absolute, as recorded
  HeaderList headers;
  std::string body;         // the request body as sent; empty for none
  std::string body_type;    // Content-Type of the body without parameters, lowercase
  std::optional<RecordedResponse> response;
  double started_ms = 0;    // ms since the first exchange of the recording (0 when unknown)
  double duration_ms = 0;   // ms from send to the last response byte (0 when unknown)
  std::string origin;       // where it came from, for messages: "FILE at /log/entries/3", "FILE line 2"
  // curl only: options that map to step keys of their own.
  bool follow_redirects = false;
  std::optional<std::pair<std::string, std::string>> basic_auth;  // user, password
  std::vector<std::pair<std::string, std::string>> multipart;     // name, value ("@path" for a file)
  std::optional<double> timeout_ms;
  // Postman only: what the collection says about the step.
  std::string name;                               // the step name to use ("users_create")
  std::vector<nlohmann::ordered_json> assertions; // converted tests; empty = the default status check
  std::vector<nlohmann::ordered_json> captures;   // converted variable sets: {"var", "json"}
  std::string description;                        // what was not converted, verbatim
};

}  // namespace golive::imports
