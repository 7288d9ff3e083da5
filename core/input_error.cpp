#include "core/input_error.hpp"

#include <fstream>
#include <sstream>

namespace golive::core {

namespace {

std::string compose(const std::string& file, const std::string& location,
                    const std::string& problem) {
  std::string text = file;
  if (!location.empty()) text += location.front() == '/' ? " at " + location : ": " + location;
  return text + ": " + problem;
}

std::string type_name(const nlohmann::json& v) { return v.type_name(); }

// Converts a byte offset to "line L, column C" (both 1-based).
std::string line_column(const std::string& text, std::size_t byte) {
  std::size_t line = 1;
  std::size_t column = 1;
  for (std::size_t i = 0; i < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

}  // namespace

InputError::InputError(std::string file, std::string location, std::string problem)
    : std::runtime_error(compose(file, location, problem)),
      file_(std::move(file)),
      location_(std::move(location)),
      problem_(std::move(problem)) {}

nlohmann::json parse_json_text(const std::string& text, const std::string& origin) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte is 1-based and points just past the offending character.
    std::size_t offset = e.byte > 0 ? e.byte - 1 : 0;
    std::string what = e.what();
    auto pos = what.find("syntax error");
    throw InputError(origin, line_column(text, offset),
                     "invalid JSON: " + (pos == std::string::npos ? what : what.substr(pos)));
  } catch (const nlohmann::json::out_of_range& e) {
    // A number too large for a double ("1e999"): nlohmann throws out_of_range 406 with
    // no position, so locate the number it quotes (found by fuzzing).
    std::string what = e.what();
    const auto quote = what.find("parsing '");
    std::string location;
    if (quote != std::string::npos) {
      const std::string number = what.substr(quote + 9, what.find('\'', quote + 9) - quote - 9);
      if (const auto at = text.find(number); !number.empty() && at != std::string::npos) {
        location = line_column(text, at);
      }
    }
    auto pos = what.find("number overflow");
    throw InputError(origin, location,
                     "invalid JSON: " + (pos == std::string::npos ? what : what.substr(pos)));
  }
}

nlohmann::json load_json_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "", "cannot open file");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return parse_json_text(buffer.str(), path);
}

std::string escape_pointer_token(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

JsonReader::JsonReader(const nlohmann::json& value, std::string file, std::string pointer)
    : value_(value), file_(std::move(file)), pointer_(std::move(pointer)) {}

void JsonReader::fail(const std::string& problem) const {
  throw InputError(file_, pointer_.empty() ? "/" : pointer_, problem);
}

bool JsonReader::has(const std::string& key) const {
  return value_.is_object() && value_.contains(key);
}

JsonReader JsonReader::at(const std::string& key) const {
  as_object();
  auto it = value_.find(key);
  if (it == value_.end()) fail("missing required key \"" + key + "\"");
  return JsonReader(*it, file_, pointer_ + "/" + escape_pointer_token(key));
}

JsonReader JsonReader::at(std::size_t index) const {
  as_array();
  if (index >= value_.size()) fail("index " + std::to_string(index) + " out of range");
  return JsonReader(value_[index], file_, pointer_ + "/" + std::to_string(index));
}

std::string JsonReader::as_string() const {
  if (!value_.is_string()) fail("expected a string, found " + type_name(value_));
  return value_.get<std::string>();
}

bool JsonReader::as_bool() const {
  if (!value_.is_boolean()) fail("expected true or false, found " + type_name(value_));
  return value_.get<bool>();
}

double JsonReader::as_number() const {
  if (!value_.is_number()) fail("expected a number, found " + type_name(value_));
  return value_.get<double>();
}

std::int64_t JsonReader::as_integer() const {
  if (!value_.is_number_integer()) fail("expected an integer, found " + type_name(value_));
  return value_.get<std::int64_t>();
}

const nlohmann::json& JsonReader::as_object() const {
  if (!value_.is_object()) fail("expected an object, found " + type_name(value_));
  return value_;
}

const nlohmann::json& JsonReader::as_array() const {
  if (!value_.is_array()) fail("expected an array, found " + type_name(value_));
  return value_;
}

std::string JsonReader::string_or(const std::string& key, const std::string& fallback) const {
  return has(key) ? at(key).as_string() : fallback;
}

bool JsonReader::bool_or(const std::string& key, bool fallback) const {
  return has(key) ? at(key).as_bool() : fallback;
}

double JsonReader::number_or(const std::string& key, double fallback) const {
  return has(key) ? at(key).as_number() : fallback;
}

void JsonReader::reject_unknown_keys(std::initializer_list<const char*> allowed) const {
  for (const auto& item : as_object().items()) {
    bool known = false;
    for (const char* name : allowed) known = known || item.key() == name;
    if (!known) {
      std::string list;
      for (const char* name : allowed) list += (list.empty() ? "" : ", ") + std::string(name);
      JsonReader(item.value(), file_, pointer_ + "/" + escape_pointer_token(item.key()))
          .fail("unknown key \"" + item.key() + "\" (expected one of: " + list + ")");
    }
  }
}

}  // namespace golive::core
