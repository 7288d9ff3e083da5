#include "e2e/workflow_parse_support.hpp"

#include <filesystem>

namespace golive::e2e {

std::string resolve_relative(const std::string& from_file, const std::string& path) {
  std::filesystem::path target(path);
  if (target.is_absolute()) return target.string();
  return (std::filesystem::path(from_file).parent_path() / target).lexically_normal().string();
}

std::chrono::milliseconds milliseconds_or(const core::JsonReader& reader, const std::string& key,
                                          std::int64_t fallback, bool allow_zero) {
  if (!reader.has(key)) return std::chrono::milliseconds(fallback);
  auto member = reader.at(key);
  std::int64_t value = member.as_integer();
  if (value < 0 || (!allow_zero && value == 0)) {
    member.fail(allow_zero ? "must be zero or more milliseconds"
                           : "must be at least 1 millisecond");
  }
  return std::chrono::milliseconds(value);
}

std::string scalar_text(const core::JsonReader& reader) {
  const auto& value = reader.value();
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number() || value.is_boolean()) return value.dump();
  reader.fail("expected a string, number or boolean, found " + std::string(value.type_name()));
}

std::regex parse_regex(const core::JsonReader& reader) {
  try {
    return std::regex(reader.as_string(), std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    reader.fail("invalid regular expression \"" + reader.as_string() + "\": " + e.what());
  }
}

Template TemplateCompiler::operator()(const core::JsonReader& at, const std::string& text,
                                      TemplateEscape escape) const {
  try {
    return Template::compile(text, symbols_, escape);
  } catch (const TemplateError& e) {
    at.fail(std::string(e.what()) + " (character " + std::to_string(e.offset() + 1) + ")");
  }
}

}  // namespace golive::e2e
