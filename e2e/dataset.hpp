// Datasets for data-driven workflows: a JSON array of flat objects or a CSV
// file with a header row. Every row must give every column; values are
// strings (JSON numbers and booleans keep their JSON text).
#pragma once

#include <string>
#include <vector>

#include "e2e/workflow.hpp"

namespace golive::e2e {

// Reads `path` (".json" or ".csv"). Throws core::InputError naming the
// dataset file and the row (a JSON pointer for JSON, "line N" for CSV).
// Returns columns and rows; `slots` is left for the caller to fill.
Dataset load_dataset(const std::string& path);

// Splits CSV text (RFC 4180: quoted fields, "" inside quotes, CRLF or LF)
// into records. Throws core::InputError naming `origin` on an unterminated
// quote.
std::vector<std::vector<std::string>> parse_csv(const std::string& text, const std::string& origin);

}  // namespace golive::e2e
