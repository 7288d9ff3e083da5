// libFuzzer target: the Stripe event export reader (contract/
// event_capture_reader), a JSON list, list pages or JSONL. A malformed file
// must be a core::InputError naming where; every event read has a string id
// and type and an object data.object, as the reader promises.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "contract/event_capture_reader.hpp"
#include "core/input_error.hpp"
#include "fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(golive::fuzz::as_text(data, size));
  try {
    for (const auto& captured : golive::contract::parse_event_capture("capture.jsonl", text)) {
      const auto& event = captured.event;
      if (!event.is_object() || !event["id"].is_string() || !event["type"].is_string()) std::abort();
      if (!event["data"]["object"].is_object() || captured.location.empty()) std::abort();
    }
  } catch (const golive::core::InputError&) {
  }
  return 0;
}
