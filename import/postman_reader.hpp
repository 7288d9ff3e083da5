// Postman collection v2.1 reader (plus an optional Postman environment):
// every request of the collection, depth first, becomes one exchange whose
// step name is its folder path and name ("users_create"); auth set on the
// collection or a folder applies to the requests inside that do not set
// their own (or say "inherit"), a folder's variables to its requests. Postman's
// {{variables}} are golive's template syntax already:
//   - a variable holding the base URL ({{baseUrl}}, {{base_url}}, {{host}},
//     {{url}}) is dropped so the URL is relative to env.base_url;
//   - dynamic variables map to golive's built-ins ({{$guid}} -> {{uuid}},
//     {{$timestamp}} -> {{now}}, {{$randomEmail}} -> {{random.email}});
//   - every other variable is declared with its collection or environment
//     value, except one whose name says it is a credential: it is declared
//     empty, for the environment file's e2e.variables (a secret is never
//     written into a workflow).
// Test scripts: lines matching simple patterns become assertions and
// captures (pm.response.to.have.status(N), pm.expect(pm.response.code)
// .to.eql(N) / .to.be.oneOf([...]), pm.expect(<json>.a.b).to.eql(V) /
// .to.exist, pm.environment|collectionVariables|globals.set("v", <json>.a.b),
// where <json> is pm.response.json() or a variable assigned from it); every
// other line is kept verbatim in the step's description and reported as not
// converted. Pre-request scripts are never converted (kept likewise).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "import/recorded_exchange.hpp"

namespace golive::imports {

struct PostmanImport {
  std::string name;                                          // info.name
  std::vector<RecordedExchange> exchanges;
  std::vector<std::pair<std::string, std::string>> variables;  // to declare, in first-use order
  std::vector<std::string> not_converted;                    // "step: line" per script line kept as text
  std::string base_host;  // the host the base-URL variable was replaced by (relative URLs)
};

// Throws core::InputError naming the file and JSON pointer.
PostmanImport read_postman(const std::string& collection_path, const std::string& environment_path);

// One import per top-level folder (`name` the folder's; step names without
// the folder), the collection's and folder's auth and variables inherited;
// requests outside every folder come first, in one named after the collection.
std::vector<PostmanImport> read_postman_folders(const std::string& collection_path,
                                                const std::string& environment_path);

}  // namespace golive::imports
