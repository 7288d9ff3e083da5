// HAR 1.2 reader: the HTTP Archive a browser's DevTools or Playwright's
// recordHar writes (log.entries[], each a request, its response and timings)
// read into RecordedExchanges in recorded order. A file that is not HAR is an
// InputError naming the file and the JSON pointer of the first bad value.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "import/recorded_exchange.hpp"

namespace golive::imports {

std::vector<RecordedExchange> read_har(const nlohmann::json& document, const std::string& file);
std::vector<RecordedExchange> read_har_file(const std::string& path);

// Milliseconds since the Unix epoch of an ISO 8601 date-time as HAR writes it
// ("2026-12-06T13:05:01.123Z", "...+01:00"); nullopt when it does not parse.
std::optional<double> parse_iso8601_ms(const std::string& text);

}  // namespace golive::imports
