// Importer: the entry point the CLI wires. Reads one input of a kind ("har",
// "curl"), applies what an environment says (its hosts, API path prefixes and
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

// The summary as lines for the console.
std::string describe_summary(const ImportSummary& summary);

}  // namespace golive::imports
