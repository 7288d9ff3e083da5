// Importer: the entry point the CLI wires. Reads one input of a kind ("har",
// "curl", "postman", "openapi"), applies what an environment says (its hosts, API path prefixes and
// secrets, so a recorded credential becomes {{env.*}}), and returns the
// workflow with a summary of what was kept, dropped, captured and replaced.
#pragma once

#include <string>
#include <vector>

#include "config/environment.hpp"
#include "import/workflow_builder.hpp"

namespace golive::imports {

// The kinds `golive import` accepts, in the order --help lists them.
const std::vector<std::string>& import_kinds();

// Hosts (unless `options.hosts` is already set), path prefixes and secret
// values of `environment` into `options`.
void apply_environment(const config::Environment& environment, ImportOptions& options);

// `input` is a file path; for "curl" it may also be the command itself
// (text starting with "curl "). Throws core::InputError (exit 2) on bad input.
ImportResult import_input(const std::string& kind, const std::string& input, ImportOptions options);

// `golive import postman COLLECTION --out DIR/`: one workflow per top-level
// folder (FILE the folder's name slugged, "auth.json"), requests outside
// every folder in one named after the collection. A folder using a variable
// an earlier folder captures includes that folder's workflow first
// ({"include": "auth.json"}). `options.output_path` is the directory; the
// caller writes the files in order (an included one before its includer).
struct FolderWorkflow {
  std::string file;     // "auth.json", relative to the directory
  std::string folder;   // the folder's name in the collection
  std::string include;  // the file it includes, or empty
  ImportResult result;
};
std::vector<FolderWorkflow> import_postman_folders(const std::string& input, ImportOptions options);

// The summary as lines for the console.
std::string describe_summary(const ImportSummary& summary);

}  // namespace golive::imports
