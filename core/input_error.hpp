// InputError: a user-facing error about a file golive was given (environment,
// workflow, profile, event export). It always names the file and, where known,
// the JSON pointer or line/column, and maps to exit code 2.
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace golive::core {

class InputError : public std::runtime_error {
 public:
  InputError(std::string file, std::string location, std::string problem);

  const std::string& file() const { return file_; }
  // A JSON pointer ("/steps/2/url") or "line L, column C"; may be empty.
  const std::string& location() const { return location_; }
  const std::string& problem() const { return problem_; }

 private:
  std::string file_;
  std::string location_;
  std::string problem_;
};

// Reads and parses a JSON document. Syntax errors become an InputError with
// the line and column of the offending byte.
nlohmann::json load_json_file(const std::string& path);

// Parses JSON text that came from `origin` (a file name or "<stdin>").
nlohmann::json parse_json_text(const std::string& text, const std::string& origin);

// Helpers for schema-like validation of parsed documents. Each throws an
// InputError naming `file` and the pointer of the offending value.
class JsonReader {
 public:
  JsonReader(const nlohmann::json& value, std::string file, std::string pointer = "");

  const nlohmann::json& value() const { return value_; }
  const std::string& pointer() const { return pointer_; }
  const std::string& file() const { return file_; }

  JsonReader at(const std::string& key) const;     // required member
  JsonReader at(std::size_t index) const;          // array element
  bool has(const std::string& key) const;

  std::string as_string() const;
  bool as_bool() const;
  double as_number() const;
  std::int64_t as_integer() const;
  const nlohmann::json& as_object() const;
  const nlohmann::json& as_array() const;

  std::string string_or(const std::string& key, const std::string& fallback) const;
  bool bool_or(const std::string& key, bool fallback) const;
  double number_or(const std::string& key, double fallback) const;

  // Rejects members not in `allowed`, naming the first unknown key.
  void reject_unknown_keys(std::initializer_list<const char*> allowed) const;

  [[noreturn]] void fail(const std::string& problem) const;

 private:
  const nlohmann::json& value_;
  std::string file_;
  std::string pointer_;
};

// Escapes a key for use inside a JSON pointer (RFC 6901: ~ -> ~0, / -> ~1).
std::string escape_pointer_token(const std::string& key);

}  // namespace golive::core
