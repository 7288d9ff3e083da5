// libFuzzer target: the Sentry ingest parsers golive's sink runs on every
// body a target's SDK sends (observability/sentry_envelope): envelopes (JSON
// header line, items with or without "length"), their events, the DSN key in
// X-Sentry-Auth, the query and the DSN, and gzip/deflate bodies inflated under
// a cap. A malformed body must be an error, never a crash; an inflated body
// never exceeds its cap.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz/fuzz_input.hpp"
#include "observability/sentry_envelope.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body = golive::fuzz::as_text(data, size);
  namespace obs = golive::observability;
  std::string error;
  if (const auto envelope = obs::parse_envelope(body, error)) {
    std::string events_error;
    for (const auto& event : obs::envelope_events(*envelope, events_error)) {
      if (!event.is_object()) std::abort();
    }
    for (const auto& item : envelope->items) (void)item.type();
  } else if (error.empty()) {
    std::abort();  // a refusal always says why
  }
  (void)obs::sentry_key_from_auth_header(body);
  (void)obs::sentry_key_from_query(body);
  (void)obs::sentry_key_from_dsn(body);
  (void)obs::sentry_project_from_dsn(body);
  constexpr std::size_t kCap = 1 << 20;
  std::string inflate_error;
  if (const auto inflated = obs::inflate_body(body, kCap, inflate_error)) {
    if (inflated->size() > kCap) std::abort();
  }
  return 0;
}
