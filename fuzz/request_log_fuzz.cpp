// libFuzzer target: the replay request-log reader (load/request_log), nginx
// combined or JSONL. Input is the log's bytes, written to a scratch file. A
// malformed line must be a core::InputError naming the line; a read log must
// be sorted by time with targets starting with '/'.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/input_error.hpp"
#include "fuzz/fuzz_input.hpp"
#include "load/request_log.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = golive::fuzz::write_scratch_file("access.log", golive::fuzz::as_text(data, size));
  golive::load::RequestLogOptions options;
  options.methods.insert("POST");
  options.max_requests = 10'000;
  try {
    golive::load::RequestLog log = golive::load::read_request_log(path, options);
    double previous = 0;
    for (const auto& request : log.requests) {
      if (request.at_s < previous || request.target.empty() || request.target[0] != '/') std::abort();
      previous = request.at_s;
      (void)golive::load::route_of(request.method, request.target);
    }
  } catch (const golive::core::InputError&) {
  }
  return 0;
}
