// Number and evidence formatting shared by the reporters. Deterministic and
// locale-independent, so golden files compare byte for byte.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>

namespace golive::report {

// Fixed-point with at most `max_decimals` digits after the point, trailing
// zeros trimmed: 12.5 -> "12.5", 3.0 -> "3", 0.12345 (3) -> "0.123".
// Non-finite values print as "n/a".
std::string format_number(double value, int max_decimals = 2);

// Thousands grouped with a thin space-free comma: 1234567 -> "1,234,567".
std::string format_count(double count);

// A ratio (0..1) as a percentage with the decimals an SLA needs: 0.99912 -> "99.912%".
std::string format_ratio_percent(double ratio, int max_decimals = 3);

// Evidence as indented JSON (invalid UTF-8 replaced), cut to max_bytes.
// An empty object or null gives "".
std::string evidence_text(const nlohmann::json& evidence, std::size_t max_bytes);

// A failed HTTP check's curl command (evidence.reproduction) as it is run,
// preceded by the variables it needs ("# export NAME: what it holds"); "" when
// the evidence has none. Never truncated: a cut command does not run.
std::string reproduction_text(const nlohmann::json& evidence);

// A JSON scalar for a table cell: numbers via format_number, strings as-is,
// null as "", anything else as compact JSON.
std::string scalar_text(const nlohmann::json& value);

}  // namespace golive::report
