// The text of an imported workflow, laid out the way the shipped workflows
// are: one line per top-level member and per step key, compact inner values
// with a space after ':' and ','. Pure; the same document gives the same bytes.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace golive::imports {

std::string format_workflow(const nlohmann::ordered_json& workflow);

}  // namespace golive::imports
