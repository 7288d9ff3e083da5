// OpenAPI 3 reader (JSON or YAML): every operation of the document (or only
// those tagged `tag`), in document order, becomes one smoke request:
//   - URL: servers[0]'s path + the operation's path, relative to env.base_url;
//     path parameters and required query/header parameters take their
//     example (parameter `example`, first of `examples`, schema `example`,
//     `default`, first `enum`), else a {{variable}} the user fills ("to fill");
//   - body: the JSON (or form) request body's example, else a minimal value
//     generated from its JSON Schema (required properties only, type-correct,
//     `minimum`/`minLength` honoured; `format` email -> {{random.email}},
//     uuid -> {{uuid}}, date-time and date -> fixed valid dates, a password ->
//     golive-{{random.hex}});
//   - assertion: the lowest 2xx status the operation declares (a 2xx list
//     when it declares only "2XX" or "default");
//   - security (operation's, else the document's): http bearer ->
//     "Authorization: Bearer {{env.anon_key}}", apiKey in a header or query ->
//     {{env.anon_key}}; never a literal. An operation whose every requirement
//     needs something else (oauth2, openIdConnect, basic, a cookie key) is
//     kept and noted.
// Local $refs ("#/components/...") are resolved inside the document. Bad
// input throws core::InputError naming the file and JSON pointer (YAML
// syntax errors: the line).
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "import/recorded_exchange.hpp"

namespace golive::imports {

struct OpenApiImport {
  std::string title;                                           // info.title
  std::vector<RecordedExchange> exchanges;                     // one per operation kept
  std::vector<std::pair<std::string, std::string>> variables;  // {{name}}s to declare (empty values)
  std::vector<std::string> to_fill;                            // "pet_id: path parameter of GET /pets/{petId}"
  std::vector<std::string> notes;                              // what a step cannot satisfy by itself
  std::size_t operations = 0;                                  // operations in the document
  std::size_t with_response_schema = 0;                        // kept steps whose asserted status has a JSON schema
};

// Which operations to keep: `tag` empty = every tag; `only` empty = all, else
// an operation is kept when "METHOD /path" matches one glob ("GET /health",
// "* /auth/v1/*").
struct OpenApiFilter {
  std::string tag;
  std::vector<std::string> only;
};

// Throws core::InputError (file + JSON pointer).
OpenApiImport read_openapi(const std::string& path, const OpenApiFilter& filter);

}  // namespace golive::imports
