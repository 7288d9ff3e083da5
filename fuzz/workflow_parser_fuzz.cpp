// libFuzzer target: the workflow parser (e2e/workflow_parser). Input is the
// text of a workflow file; it is parsed as e2e/workflows/fuzz.json, so relative
// includes and datasets resolve against the shipped workflows. A malformed
// workflow must become a core::InputError (exit 2); any other exception, a
// crash, a hang or a sanitizer report is a finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/input_error.hpp"
#include "e2e/workflow_parser.hpp"
#include "fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = std::string(GOLIVE_SOURCE_DIR) + "/e2e/workflows/fuzz.json";
  nlohmann::json document;
  try {
    document = golive::core::parse_json_text(std::string(golive::fuzz::as_text(data, size)), path);
  } catch (const golive::core::InputError&) {
    return 0;  // not JSON: the JSON parser's business, reported with line and column
  }
  try {
    golive::e2e::Workflow workflow = golive::e2e::parse_workflow(document, path);
    (void)workflow;
  } catch (const golive::core::InputError&) {
  }
  return 0;
}
