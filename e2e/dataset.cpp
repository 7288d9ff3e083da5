#include "e2e/dataset.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "core/input_error.hpp"

namespace golive::e2e {

namespace {

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw core::InputError(path, "", "cannot open dataset file");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void require_column_name(const std::string& file, const std::string& location,
                         const std::string& name) {
  bool valid = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
  if (!valid) {
    throw core::InputError(
        file, location,
        "dataset column \"" + name + "\" is not a valid variable name (letters, digits, _)");
  }
}

Dataset load_json_dataset(const std::string& path) {
  nlohmann::json document = core::load_json_file(path);
  core::JsonReader root(document, path);
  const auto& rows = root.as_array();
  if (rows.empty()) root.fail("a dataset needs at least one row");
  Dataset dataset;
  dataset.file = path;
  for (const auto& item : root.at(0).as_object().items()) {
    require_column_name(path, "/0/" + core::escape_pointer_token(item.key()), item.key());
    dataset.columns.push_back(item.key());
  }
  for (std::size_t r = 0; r < rows.size(); ++r) {
    auto row = root.at(r);
    row.as_object();
    if (row.value().size() != dataset.columns.size()) {
      row.fail("row has " + std::to_string(row.value().size()) + " fields, the first row has " +
               std::to_string(dataset.columns.size()));
    }
    std::vector<std::string> values;
    for (const auto& column : dataset.columns) {
      auto field = row.at(column);
      const auto& value = field.value();
      if (value.is_string()) {
        values.push_back(value.get<std::string>());
      } else if (value.is_number() || value.is_boolean()) {
        values.push_back(value.dump());
      } else {
        field.fail("dataset values must be strings, numbers or booleans, found " +
                   std::string(value.type_name()));
      }
    }
    dataset.rows.push_back(std::move(values));
  }
  return dataset;
}

Dataset load_csv_dataset(const std::string& path) {
  auto records = parse_csv(read_text(path), path);
  // A trailing blank line parses as one empty field; it is not a row.
  while (!records.empty() && records.back().size() == 1 && records.back()[0].empty()) {
    records.pop_back();
  }
  if (records.size() < 2) {
    throw core::InputError(path, "", "a CSV dataset needs a header line and at least one row");
  }
  Dataset dataset;
  dataset.file = path;
  for (const auto& name : records[0]) require_column_name(path, "line 1", name);
  dataset.columns = records[0];
  for (std::size_t r = 1; r < records.size(); ++r) {
    if (records[r].size() != dataset.columns.size()) {
      throw core::InputError(path, "record " + std::to_string(r + 1),
                             "has " + std::to_string(records[r].size()) +
                                 " fields, the header has " +
                                 std::to_string(dataset.columns.size()));
    }
    dataset.rows.push_back(records[r]);
  }
  return dataset;
}

}  // namespace

std::vector<std::vector<std::string>> parse_csv(const std::string& text,
                                                const std::string& origin) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false;
  std::size_t line = 1;
  std::size_t quote_line = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    switch (c) {
      case '"':
        quoted = true;
        quote_line = line;
        break;
      case ',':
        record.push_back(std::move(field));
        field.clear();
        break;
      case '\r':
        break;  // CRLF: the \n ends the record
      case '\n':
        ++line;
        record.push_back(std::move(field));
        field.clear();
        records.push_back(std::move(record));
        record.clear();
        break;
      default:
        field += c;
    }
  }
  if (quoted) {
    throw core::InputError(origin, "line " + std::to_string(quote_line),
                           "unterminated quoted field");
  }
  if (!field.empty() || !record.empty()) {
    record.push_back(std::move(field));
    records.push_back(std::move(record));
  }
  return records;
}

Dataset load_dataset(const std::string& path) {
  if (ends_with(path, ".json")) return load_json_dataset(path);
  if (ends_with(path, ".csv")) return load_csv_dataset(path);
  throw core::InputError(path, "", "a dataset must be a .json or .csv file");
}

}  // namespace golive::e2e
