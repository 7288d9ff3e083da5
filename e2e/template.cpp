#include "e2e/template.hpp"

#include <array>
#include <chrono>
#include <stdexcept>

#include "core/encoding.hpp"

namespace golive::e2e {

namespace {

struct Builtin {
  std::string_view name;
  Template::SegmentKind kind;
};
constexpr std::array<Builtin, 5> kBuiltins{{
    {"uuid", Template::SegmentKind::kUuid},
    {"now", Template::SegmentKind::kNowSeconds},
    {"now_ms", Template::SegmentKind::kNowMilliseconds},
    {"random.email", Template::SegmentKind::kRandomEmail},
    {"random.hex", Template::SegmentKind::kRandomHex},
}};

constexpr char kHexDigits[] = "0123456789abcdef";

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

std::int64_t unix_now(bool milliseconds) {
  auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  if (milliseconds) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count();
  }
  return std::chrono::duration_cast<std::chrono::seconds>(since_epoch).count();
}

void append_json_escaped(std::string& out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += "\\u00";
          out += kHexDigits[(c >> 4) & 0xF];
          out += kHexDigits[c & 0xF];
        } else {
          out += c;
        }
    }
  }
}

}  // namespace

std::size_t TemplateSymbols::declare(std::string_view name) {
  std::string key(name);
  auto it = slots_.find(key);
  if (it != slots_.end()) return it->second;
  std::size_t slot = names_.size();
  names_.push_back(key);
  slots_.emplace(std::move(key), slot);
  return slot;
}

std::optional<std::size_t> TemplateSymbols::find(std::string_view name) const {
  auto it = slots_.find(std::string(name));
  if (it == slots_.end()) return std::nullopt;
  return it->second;
}

bool is_template_builtin(std::string_view name) {
  for (const auto& builtin : kBuiltins) {
    if (builtin.name == name) return true;
  }
  return false;
}

TemplateValues::TemplateValues(std::size_t slot_count, std::uint64_t seed)
    : values_(slot_count), set_(slot_count, false), random_(seed) {}

void TemplateValues::set(std::size_t slot, std::string value) {
  if (slot >= values_.size()) {
    values_.resize(slot + 1);
    set_.resize(slot + 1, false);
  }
  values_[slot] = std::move(value);
  set_[slot] = true;
}

void TemplateValues::unset(std::size_t slot) {
  if (slot < set_.size()) {
    set_[slot] = false;
    values_[slot].clear();
  }
}

Template Template::compile(std::string_view text, const TemplateSymbols& symbols,
                           TemplateEscape escape) {
  Template compiled;
  std::size_t position = 0;
  auto add_literal = [&compiled](std::string_view piece) { compiled.append_literal(piece); };
  while (position < text.size()) {
    std::size_t open = text.find("{{", position);
    if (open == std::string_view::npos) {
      add_literal(text.substr(position));
      break;
    }
    add_literal(text.substr(position, open - position));
    std::size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      throw TemplateError("unterminated \"{{\" (no matching \"}}\")", open);
    }
    std::string_view name = trim(text.substr(open + 2, close - open - 2));
    if (name.empty()) throw TemplateError("empty placeholder \"{{}}\"", open);
    for (char c : name) {
      if (!is_name_char(c)) {
        throw TemplateError("invalid character '" + std::string(1, c) + "' in placeholder \"{{" +
                                std::string(name) + "}}\"",
                            open);
      }
    }
    bool resolved = false;
    for (const auto& builtin : kBuiltins) {
      if (builtin.name == name) {
        compiled.segments_.push_back({builtin.kind, {}, 0, escape});
        resolved = true;
        break;
      }
    }
    if (!resolved) {
      auto slot = symbols.find(name);
      if (!slot) {
        throw TemplateError("unknown variable \"" + std::string(name) +
                                "\" (not declared in variables or dataset, not captured by an "
                                "earlier step, not an env field or built-in)",
                            open);
      }
      compiled.segments_.push_back({SegmentKind::kVariable, {}, *slot, escape});
    }
    position = close + 2;
  }
  return compiled;
}

Template Template::literal(std::string text) {
  Template compiled;
  compiled.append_literal(text);
  return compiled;
}

void Template::append(const Template& other) {
  for (const auto& segment : other.segments_) {
    if (segment.kind == SegmentKind::kLiteral) {
      append_literal(segment.literal);
    } else {
      segments_.push_back(segment);
    }
  }
}

void Template::append_literal(std::string_view text) {
  if (text.empty()) return;
  if (!segments_.empty() && segments_.back().kind == SegmentKind::kLiteral) {
    segments_.back().literal.append(text);
  } else {
    segments_.push_back({SegmentKind::kLiteral, std::string(text), 0, TemplateEscape::kNone});
  }
}

std::optional<std::size_t> Template::render_into(const TemplateValues& values,
                                                 std::string& out) const {
  for (const auto& segment : segments_) {
    switch (segment.kind) {
      case SegmentKind::kLiteral:
        out += segment.literal;
        break;
      case SegmentKind::kVariable:
        if (!values.is_set(segment.slot)) return segment.slot;
        append_escaped(out, values.get(segment.slot), segment.escape);
        break;
      case SegmentKind::kUuid:
        out += random_uuid_v4(values.random());
        break;
      case SegmentKind::kNowSeconds:
        out += std::to_string(unix_now(false));
        break;
      case SegmentKind::kNowMilliseconds:
        out += std::to_string(unix_now(true));
        break;
      case SegmentKind::kRandomEmail:
        out += "golive-";
        out += random_hex_digits(values.random(), 16);
        out += "@example.test";
        break;
      case SegmentKind::kRandomHex:
        out += random_hex_digits(values.random(), 16);
        break;
    }
  }
  return std::nullopt;
}

std::string Template::render(const TemplateValues& values, const TemplateSymbols& symbols) const {
  std::string out;
  if (auto missing = render_into(values, out)) {
    throw std::logic_error("template variable \"" + symbols.name(*missing) + "\" is not set");
  }
  return out;
}

bool Template::is_literal() const {
  for (const auto& segment : segments_) {
    if (segment.kind != SegmentKind::kLiteral) return false;
  }
  return true;
}

std::vector<std::size_t> Template::referenced_slots() const {
  std::vector<std::size_t> slots;
  for (const auto& segment : segments_) {
    if (segment.kind == SegmentKind::kVariable) slots.push_back(segment.slot);
  }
  return slots;
}

void append_escaped(std::string& out, std::string_view value, TemplateEscape escape) {
  switch (escape) {
    case TemplateEscape::kNone:
      out.append(value);
      break;
    case TemplateEscape::kJsonString:
      append_json_escaped(out, value);
      break;
    case TemplateEscape::kUrlComponent:
      out += core::percent_encode(value);
      break;
  }
}

Template Template::with_literals_percent_encoded() const {
  Template encoded = *this;
  for (auto& segment : encoded.segments_) {
    if (segment.kind == SegmentKind::kLiteral) segment.literal = core::percent_encode(segment.literal);
  }
  return encoded;
}

std::string random_hex_digits(std::mt19937_64& random, std::size_t digits) {
  std::string out;
  out.reserve(digits);
  std::uint64_t bits = 0;
  for (std::size_t i = 0; i < digits; ++i) {
    if (i % 16 == 0) bits = random();
    out += kHexDigits[bits & 0xF];
    bits >>= 4;
  }
  return out;
}

std::string random_uuid_v4(std::mt19937_64& random) {
  std::array<std::uint8_t, 16> bytes{};
  std::uint64_t high = random();
  std::uint64_t low = random();
  for (int i = 0; i < 8; ++i) {
    bytes[i] = static_cast<std::uint8_t>(high >> (8 * i));
    bytes[8 + i] = static_cast<std::uint8_t>(low >> (8 * i));
  }
  bytes[6] = static_cast<std::uint8_t>((bytes[6] & 0x0F) | 0x40);  // version 4
  bytes[8] = static_cast<std::uint8_t>((bytes[8] & 0x3F) | 0x80);  // RFC 4122 variant
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHexDigits[bytes[i] >> 4];
    out += kHexDigits[bytes[i] & 0xF];
  }
  return out;
}

}  // namespace golive::e2e
