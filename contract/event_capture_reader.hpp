// Reading captured Stripe events (an export from the Stripe API or
// dashboard), the input of `golive replay stripe --capture`.
//
// Accepted files: a JSON list of events; a list page {"object": "list",
// "data": [...]} (or a JSON list or JSONL of such pages); JSONL, one event or
// page per line. Stripe's list API returns newest first; the file order is
// kept as given, so sort an export first when chronological delivery matters.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace golive::contract {

struct CapturedEvent {
  nlohmann::json event;     // the event as recorded
  std::string location;     // "/3", "/data/3" or "line 4": where it was in the file
  std::int64_t created = 0; // unix s
};

// Throws InputError naming the file and the JSON pointer or line of the
// first malformed event (each needs a string id and type, an integer created
// and an object data.object).
std::vector<CapturedEvent> load_event_capture(const std::string& path);
// The same for text already read; `path` names it in errors.
std::vector<CapturedEvent> parse_event_capture(const std::string& path, const std::string& text);

}  // namespace golive::contract
