// libFuzzer target: the environment loader (config/environment). Input is the
// bytes of an environment file, written to a scratch directory (next to a
// vars file) and loaded with a fixed variable lookup. Bad input must be a
// core::InputError; a loaded environment is then described as
// `golive env check` does.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "config/environment.hpp"
#include "core/input_error.hpp"
#include "core/redactor.hpp"
#include "fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string vars_path =
      golive::fuzz::write_scratch_file("vars.env", "FROM_FILE=file-value\n# comment\nEMPTY=\n");
  static const std::map<std::string, std::string> variables = {
      {"SUPABASE_ANON_KEY", "anon-key-value"},
      {"SUPABASE_JWT_SECRET", "jwt-secret-value-that-is-long-enough"},
      {"STAGING_HOST", "127.0.0.1"},
      {"STRIPE_WEBHOOK_SECRET", "whsec_fuzz"},
  };
  (void)vars_path;
  const std::string path = golive::fuzz::write_scratch_file("env.json", golive::fuzz::as_text(data, size));
  golive::config::VariableLookup lookup = [](const std::string& name) -> std::optional<std::string> {
    auto found = variables.find(name);
    if (found == variables.end()) return std::nullopt;
    return found->second;
  };
  golive::core::Redactor redactor;
  try {
    golive::config::Environment env = golive::config::load_environment(path, lookup, redactor);
    (void)env.host_policy->allows_url(env.base_url);
  } catch (const golive::core::InputError&) {
  }
  return 0;
}
