// Templates: strings with {{name}} placeholders, compiled once into segments
// and rendered many times (once per request of every virtual user), so a
// render is a walk over a small vector with no parsing and no lookups by name.
//
//   "Bearer {{token}}"   -> [literal "Bearer "] [variable slot 3]
//   "{{env.base_url}}/x" -> [variable slot 0] [literal "/x"]
//
// Names are resolved to slots of a TemplateSymbols table at compile time, so
// a reference to an undeclared name is a compile error, not an empty string at
// run time. Built-in generators are not symbols; each occurrence renders a
// fresh value:
//   {{uuid}}          random RFC 4122 version 4 UUID
//   {{now}}           unix time, seconds
//   {{now_ms}}        unix time, milliseconds
//   {{random.email}}  golive-<16 hex>@example.test
//   {{random.hex}}    16 random lowercase hex digits
// Whitespace inside the braces is ignored ("{{ token }}"). There is no escape
// for a literal "{{".
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace golive::e2e {

// Name -> slot table shared by every template of one workflow (and the
// sub-workflows it includes, which share its variables).
class TemplateSymbols {
 public:
  // Returns the slot of `name`, adding it when new.
  std::size_t declare(std::string_view name);
  std::optional<std::size_t> find(std::string_view name) const;
  const std::string& name(std::size_t slot) const { return names_[slot]; }
  std::size_t size() const { return names_.size(); }
  const std::vector<std::string>& names() const { return names_; }

 private:
  std::vector<std::string> names_;
  std::unordered_map<std::string, std::size_t> slots_;
};

// True for the generator names above ("uuid", "now", ...).
bool is_template_builtin(std::string_view name);

// The values of one run (one virtual user, one dataset row). A slot may be
// unset: a variable captured by a step that has not run yet.
class TemplateValues {
 public:
  TemplateValues(std::size_t slot_count, std::uint64_t seed);

  void set(std::size_t slot, std::string value);
  void unset(std::size_t slot);
  bool is_set(std::size_t slot) const { return slot < set_.size() && set_[slot]; }
  const std::string& get(std::size_t slot) const { return values_[slot]; }
  std::size_t size() const { return values_.size(); }

  // The random source of {{uuid}}, {{random.*}}: one per run, so runs on one
  // thread never contend on a lock and a fixed seed reproduces a run.
  std::mt19937_64& random() const { return random_; }

 private:
  std::vector<std::string> values_;
  std::vector<bool> set_;
  mutable std::mt19937_64 random_;
};

// How a variable's value is written into the output. Literal text is always
// copied verbatim: it was written by the workflow author for that context.
enum class TemplateEscape {
  kNone,         // headers, URLs
  kJsonString,   // inside a JSON string literal: quotes, backslashes, controls escaped
  kUrlComponent  // query parameter names and values: RFC 3986 percent-encoding
};

// Thrown by Template::compile; `offset` is the byte offset of the problem in
// the template text.
class TemplateError : public std::runtime_error {
 public:
  TemplateError(std::string problem, std::size_t offset)
      : std::runtime_error(std::move(problem)), offset_(offset) {}
  std::size_t offset() const { return offset_; }

 private:
  std::size_t offset_;
};

class Template {
 public:
  enum class SegmentKind : std::uint8_t {
    kLiteral,
    kVariable,
    kUuid,
    kNowSeconds,
    kNowMilliseconds,
    kRandomEmail,
    kRandomHex,
  };
  struct Segment {
    SegmentKind kind;
    std::string literal;                            // kLiteral only
    std::size_t slot = 0;                           // kVariable only
    TemplateEscape escape = TemplateEscape::kNone;  // kVariable only
  };

  Template() = default;

  // Parses `text`. Every {{name}} must be a built-in or declared in
  // `symbols`; otherwise TemplateError names it.
  static Template compile(std::string_view text, const TemplateSymbols& symbols,
                          TemplateEscape escape = TemplateEscape::kNone);
  // A template that renders `text` verbatim.
  static Template literal(std::string text);

  // Appends another template's segments (each keeps its own escaping), so
  // a document can be assembled from parts compiled in different contexts.
  void append(const Template& other);
  void append_literal(std::string_view text);

  // Appends the rendering to `out`. Returns the slot of the first unset
  // variable instead (leaving `out` partly written) when one is referenced.
  std::optional<std::size_t> render_into(const TemplateValues& values, std::string& out) const;
  // Convenience for tests and one-off renders; throws std::logic_error naming
  // the unset variable.
  std::string render(const TemplateValues& values, const TemplateSymbols& symbols) const;

  // The same template with its literal text percent-encoded as its
  // variables are (form fields: "a+b@c" must arrive as written).
  Template with_literals_percent_encoded() const;

  bool is_literal() const;  // no placeholders at all
  const std::vector<Segment>& segments() const { return segments_; }
  // Slots this template reads, in order of appearance (with repeats).
  std::vector<std::size_t> referenced_slots() const;

 private:
  std::vector<Segment> segments_;
};

// Appends `value` to `out` escaped for the context.
void append_escaped(std::string& out, std::string_view value, TemplateEscape escape);

// Generators, exposed for tests and for callers that need one value.
std::string random_uuid_v4(std::mt19937_64& random);
std::string random_hex_digits(std::mt19937_64& random, std::size_t digits);

}  // namespace golive::e2e
