// libFuzzer target: the template engine (e2e/template). The first byte picks
// the escaping context; the rest is template text, compiled against a few
// declared names and rendered with some of them set. A bad template must be a
// e2e::TemplateError with an offset inside the text; rendering must never
// fail except by naming an unset slot.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "e2e/template.hpp"
#include "fuzz/fuzz_input.hpp"

using golive::e2e::Template;
using golive::e2e::TemplateEscape;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const TemplateEscape escape = static_cast<TemplateEscape>(data[0] % 3);
  const std::string_view text = golive::fuzz::as_text(data + 1, size - 1);

  golive::e2e::TemplateSymbols symbols;
  symbols.declare("token");
  symbols.declare("env.base_url");
  symbols.declare("user.id");
  symbols.declare("unset_capture");

  Template compiled;
  try {
    compiled = Template::compile(text, symbols, escape);
  } catch (const golive::e2e::TemplateError& error) {
    if (error.offset() > text.size()) std::abort();  // the offset must point into the text
    return 0;
  }

  golive::e2e::TemplateValues values(symbols.size(), 42);
  values.set(0, "tok\"en\\\n\x01 é&=?");
  values.set(1, "http://127.0.0.1:1");
  values.set(2, "00000000-0000-4000-8000-000000000000");
  std::string out;
  auto unset = compiled.render_into(values, out);
  if (unset && *unset != 3) std::abort();  // only the unset capture may be reported
  for (std::size_t slot : compiled.referenced_slots()) {
    if (slot >= symbols.size()) std::abort();
  }
  if (compiled.is_literal() && compiled.render_into(values, out)) std::abort();
  return 0;
}
