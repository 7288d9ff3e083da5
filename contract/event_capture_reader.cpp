#include "contract/event_capture_reader.hpp"

#include <fstream>
#include <sstream>

#include "core/input_error.hpp"

namespace golive::contract {

namespace {

bool is_list_page(const nlohmann::json& value) {
  return value.is_object() && value.contains("data") && value["data"].is_array() &&
         !value.contains("type");
}

void add_event(const nlohmann::json& value, const std::string& path, const std::string& location,
               std::vector<CapturedEvent>& out) {
  const auto fail = [&](const std::string& problem) {
    throw core::InputError(path, location, problem);
  };
  if (!value.is_object()) fail("an event must be a JSON object");
  if (value.contains("object") && value["object"] == "list") {
    fail("a list page needs a \"data\" array of events");
  }
  if (!value.contains("id") || !value["id"].is_string()) fail("event has no string \"id\"");
  if (!value.contains("type") || !value["type"].is_string()) fail("event has no string \"type\"");
  if (!value.contains("created") || !value["created"].is_number_integer())
    fail("event has no integer \"created\"");
  const nlohmann::json::json_pointer object("/data/object");
  if (!value.contains(object) || !value.at(object).is_object()) fail("event has no data.object");
  out.push_back({value, location, value["created"].get<std::int64_t>()});
}

// An event, a page of events, or a list of either; `location` is the JSON
// pointer (or "line N" plus a pointer) of `value`. `depth` counts the lists
// and pages around it: real exports nest at most a list of pages of events,
// so anything deeper is refused instead of recursing as deep as a hostile
// file nests.
void add_events(const nlohmann::json& value, const std::string& path, const std::string& location,
                std::vector<CapturedEvent>& out, int depth = 0) {
  constexpr int kMaxDepth = 4;
  if ((value.is_array() || is_list_page(value)) && depth >= kMaxDepth) {
    throw core::InputError(path, location, "lists nested deeper than a list of pages of events");
  }
  if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      add_events(value[i], path, location + "/" + std::to_string(i), out, depth + 1);
    }
  } else if (is_list_page(value)) {
    add_events(value["data"], path, location + "/data", out, depth + 1);
  } else {
    add_event(value, path, location.empty() ? "/" : location, out);
  }
}

}  // namespace

std::vector<CapturedEvent> load_event_capture(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw core::InputError(path, "", "cannot open the event capture");
  std::stringstream buffer;
  buffer << file.rdbuf();
  return parse_event_capture(path, buffer.str());
}

std::vector<CapturedEvent> parse_event_capture(const std::string& path, const std::string& text) {
  std::vector<CapturedEvent> events;

  const nlohmann::json whole = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!whole.is_discarded()) {
    add_events(whole, path, "", events);
  } else {
    // JSON Lines: every non-blank line is one event or page.
    std::istringstream lines(text);
    std::string line;
    std::size_t number = 0;
    std::size_t parsed_lines = 0;
    while (std::getline(lines, line)) {
      ++number;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      const std::string where = "line " + std::to_string(number);
      nlohmann::json value;
      try {
        value = core::parse_json_text(line, path);
      } catch (const core::InputError& error) {
        // A first line that is not JSON on its own: the file is one JSON
        // document (pretty-printed, truncated), not JSON Lines; report where
        // the whole document breaks.
        if (parsed_lines == 0) core::parse_json_text(text, path);
        // One line holds no newline, so its location is "line 1, column C".
        const std::string& inner = error.location();
        const auto column = inner.find("column");
        throw core::InputError(
            path, column == std::string::npos ? where : where + ", " + inner.substr(column),
            error.problem());
      }
      add_events(value, path, where, events);
      ++parsed_lines;
    }
    if (parsed_lines == 0) throw core::InputError(path, "", "no events in the capture");
  }
  if (events.empty()) throw core::InputError(path, "", "no events in the capture");
  return events;
}

}  // namespace golive::contract
