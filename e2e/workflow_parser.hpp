// Reads workflow files into compiled Workflows. Every problem is a
// core::InputError naming the file and the JSON pointer of the offending
// value (exit code 2): unknown keys, wrong types, bad regexes and JSON
// pointers, and template variables that no earlier part of the workflow
// declares. Included sub-workflows are inlined; their errors name their own
// file.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "e2e/workflow.hpp"

namespace golive::e2e {

// Loads `path` and every file it includes. The workflow's name is the file
// stem ("e2e/workflows/payment.json" -> "payment").
Workflow load_workflow(const std::string& path);

// Parses an already-loaded document as if it were the file `path` (relative
// includes and datasets resolve against its directory).
Workflow parse_workflow(const nlohmann::json& document, const std::string& path);

// The workflow files of a directory (top level only, *.json, sorted by name).
// Sub-workflows meant only for `include` live in subdirectories.
std::vector<std::string> list_workflow_files(const std::string& directory);

}  // namespace golive::e2e
