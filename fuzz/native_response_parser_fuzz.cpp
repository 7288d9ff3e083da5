// libFuzzer target: the native HTTP/1.1 client's response parser
// (http/native/native_http_parser), what a hostile or broken server's bytes
// meet first: status line, headers, Content-Length and chunked bodies,
// trailers, 1xx interim responses, close-delimited bodies and pipelined
// leftovers. The first input byte chooses the options (HEAD or not, a small
// body cap, where the bytes are split), the rest is the connection's bytes.
//
// Oracles, besides the sanitizers:
//  - `consumed` never exceeds what was given, a body never exceeds its cap;
//  - a complete response has a status of 100..999 and no error;
//  - the same bytes fed at once and split at a chosen boundary (and byte by
//    byte for short inputs) give the same outcome: status, headers, body,
//    error category and the leftover after the response.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz/fuzz_input.hpp"
#include "http/native/native_http_parser.hpp"

namespace {

using golive::http::HttpErrorCategory;
using golive::http::HttpResponse;
using golive::http::NativeResponseParser;

struct Outcome {
  NativeResponseParser::Result result = NativeResponseParser::Result::kNeedMore;
  int status = 0;
  std::string headers;  // name: value lines
  std::string body;
  HttpErrorCategory error = HttpErrorCategory::kNone;
  std::size_t consumed = 0;  // bytes of the input the response used
  bool operator==(const Outcome&) const = default;
};

// Feeds `bytes` in pieces of at most `piece` bytes (0: all at once), keeping
// unconsumed bytes and appending the next piece as the native client does;
// at the end of the input the peer closes the connection.
Outcome parse(std::string_view bytes, bool head, std::size_t max_body, std::size_t piece) {
  HttpResponse response;
  NativeResponseParser parser;
  parser.reset(&response, head, max_body, 4096);
  Outcome outcome;
  std::string buffer;
  std::size_t offset = 0;  // of `bytes`, given to the parser so far
  for (;;) {
    const std::size_t take = piece == 0 ? bytes.size() - offset : std::min(piece, bytes.size() - offset);
    buffer.append(bytes.substr(offset, take));
    offset += take;
    std::size_t used = 0;
    outcome.result = parser.feed(buffer.data(), buffer.size(), used);
    if (used > buffer.size()) std::abort();
    buffer.erase(0, used);
    outcome.consumed = offset - buffer.size();
    if (outcome.result != NativeResponseParser::Result::kNeedMore) break;
    if (offset == bytes.size()) {
      outcome.result = parser.finish_at_eof();
      break;
    }
  }
  if (response.body.size() > max_body) std::abort();
  outcome.status = response.status;
  for (const auto& [name, value] : response.headers) outcome.headers += name + ": " + value + "\n";
  outcome.body = response.body;
  outcome.error = parser.error();
  if (outcome.result == NativeResponseParser::Result::kComplete) {
    if (outcome.error != HttpErrorCategory::kNone) std::abort();
    if (response.status < 100 || response.status > 999) std::abort();
  }
  if (outcome.result == NativeResponseParser::Result::kError && outcome.error == HttpErrorCategory::kNone) {
    std::abort();
  }
  // On an error how far the parser read depends on the pieces; only the
  // verdict is compared then.
  if (outcome.result == NativeResponseParser::Result::kError) {
    outcome.consumed = 0;
    outcome.body.clear();
  }
  return outcome;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t options = data[0];
  const std::string_view bytes = golive::fuzz::as_text(data + 1, size - 1);
  const bool head = (options & 1) != 0;
  const std::size_t max_body = (options & 2) != 0 ? 64 : 1 << 20;
  const std::size_t split = 1 + (options >> 2);  // 1..64

  const Outcome whole = parse(bytes, head, max_body, 0);
  if (parse(bytes, head, max_body, split) != whole) std::abort();
  if (bytes.size() <= 512 && parse(bytes, head, max_body, 1) != whole) std::abort();

  // Pipelined leftovers: what follows a complete response parses as the next one.
  std::string_view rest = bytes.substr(whole.consumed);
  for (int next = 0; next < 4 && whole.result == NativeResponseParser::Result::kComplete && !rest.empty(); ++next) {
    const Outcome following = parse(rest, head, max_body, 0);
    if (following.result != NativeResponseParser::Result::kComplete || following.consumed == 0) break;
    rest = rest.substr(following.consumed);
  }
  return 0;
}
