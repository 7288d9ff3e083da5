// Helpers shared by the workflow parser and the web step parser (private to
// e2e/): reading scalars, durations, regexes and templates out of a workflow
// document. Every problem is a core::InputError at the offending value.
#pragma once

#include <chrono>
#include <cstdint>
#include <regex>
#include <string>

#include "core/input_error.hpp"
#include "e2e/template.hpp"

namespace golive::e2e {

// `path` relative to the directory of `from_file` (absolute paths unchanged).
std::string resolve_relative(const std::string& from_file, const std::string& path);

// Milliseconds from a non-negative integer member, or `fallback` when absent.
std::chrono::milliseconds milliseconds_or(const core::JsonReader& reader, const std::string& key,
                                          std::int64_t fallback, bool allow_zero);

// Text of a scalar used where a string is expected (query values, variables).
std::string scalar_text(const core::JsonReader& reader);

// An ECMAScript regex from a string value.
std::regex parse_regex(const core::JsonReader& reader);

// Compiles template text found at a JSON value against the workflow's
// symbols; a template error names the value and the character.
class TemplateCompiler {
 public:
  explicit TemplateCompiler(const TemplateSymbols& symbols) : symbols_(symbols) {}

  Template operator()(const core::JsonReader& at, const std::string& text,
                      TemplateEscape escape) const;

 private:
  const TemplateSymbols& symbols_;
};

}  // namespace golive::e2e
