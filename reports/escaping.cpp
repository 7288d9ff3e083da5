#include "reports/escaping.hpp"

#include <cstdint>
#include <cstdio>
#include <optional>

namespace golive::report {

namespace {

constexpr char32_t kReplacementCharacter = 0xFFFD;

// Decodes one UTF-8 sequence at text[pos]. Returns the code point and moves
// pos past it, or nullopt (moving pos one byte) for a malformed sequence,
// an overlong encoding, a surrogate or a value above U+10FFFF.
std::optional<char32_t> decode_utf8(std::string_view text, std::size_t& pos) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char lead = byte(pos);
  if (lead < 0x80) {
    ++pos;
    return lead;
  }
  std::size_t length = 0;
  char32_t value = 0;
  char32_t minimum = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, value = lead & 0x1F, minimum = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, value = lead & 0x0F, minimum = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, value = lead & 0x07, minimum = 0x10000;
  } else {
    ++pos;
    return std::nullopt;
  }
  if (pos + length > text.size()) {
    ++pos;
    return std::nullopt;
  }
  for (std::size_t i = 1; i < length; ++i) {
    unsigned char next = byte(pos + i);
    if ((next & 0xC0) != 0x80) {
      ++pos;
      return std::nullopt;
    }
    value = (value << 6) | (next & 0x3F);
  }
  if (value < minimum || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
    ++pos;
    return std::nullopt;
  }
  pos += length;
  return value;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// XML 1.0 Char production.
bool allowed_in_xml(char32_t cp) {
  if (cp == 0x9 || cp == 0xA || cp == 0xD) return true;
  if (cp < 0x20) return false;
  if (cp == 0xFFFE || cp == 0xFFFF) return false;
  return true;
}

void append_visible_escape(std::string& out, char32_t cp) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "\\u%04X", static_cast<unsigned>(cp));
  out += buffer;
}

// Shared core of the XML and HTML escapers.
std::string escape_markup(std::string_view text, bool escape_whitespace) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto cp = decode_utf8(text, pos);
    if (!cp) {
      append_utf8(out, kReplacementCharacter);
      continue;
    }
    switch (*cp) {
      case '&':
        out += "&amp;";
        continue;
      case '<':
        out += "&lt;";
        continue;
      case '>':
        out += "&gt;";
        continue;
      case '"':
        out += "&quot;";
        continue;
      case '\'':
        out += "&#39;";
        continue;
      default:
        break;
    }
    if (!allowed_in_xml(*cp)) {
      append_visible_escape(out, *cp);
    } else if (escape_whitespace && (*cp == '\t' || *cp == '\n' || *cp == '\r')) {
      out += "&#" + std::to_string(static_cast<unsigned>(*cp)) + ";";
    } else {
      append_utf8(out, *cp);
    }
  }
  return out;
}

}  // namespace

std::string sanitize_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto cp = decode_utf8(text, pos);
    append_utf8(out, cp ? *cp : kReplacementCharacter);
  }
  return out;
}

std::string xml_escape(std::string_view text) {
  return escape_markup(text, false);
}

std::string xml_escape_attribute(std::string_view text) {
  return escape_markup(text, true);
}

std::string html_escape(std::string_view text) {
  return escape_markup(text, false);
}

std::string markdown_cell(std::string_view text) {
  std::string clean = sanitize_utf8(text);
  std::string out;
  out.reserve(clean.size());
  for (char c : clean) {
    switch (c) {
      case '|':
      case '*':
      case '_':
      case '`':
      case '[':
      case ']':
      case '<':
      case '>':
      case '\\':
        out += '\\';
        out += c;
        break;
      case '\n':
      case '\r':
      case '\t':
        if (!out.empty() && out.back() != ' ') out += ' ';
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) break;  // other controls carry no meaning here
        out += c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string markdown_code(std::string_view text) {
  std::string clean = sanitize_utf8(text);
  std::string spaced;
  spaced.reserve(clean.size());
  for (char c : clean) {
    if (c == '\n' || c == '\r') {
      spaced += ' ';
    } else if (c == '|') {
      spaced += "\\|";  // GFM tables split on | even inside code spans; \| renders as |
    } else {
      spaced += c;
    }
  }
  clean = std::move(spaced);
  std::size_t longest_run = 0;
  std::size_t run = 0;
  for (char c : clean) {
    run = c == '`' ? run + 1 : 0;
    if (run > longest_run) longest_run = run;
  }
  std::string fence(longest_run + 1, '`');
  bool pad = !clean.empty() && (clean.front() == '`' || clean.back() == '`');
  return fence + (pad ? " " : "") + clean + (pad ? " " : "") + fence;
}

std::string truncate_utf8(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  std::size_t cut = max_bytes;
  // Step back over continuation bytes so the cut lands on a sequence start.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  std::string out(text.substr(0, cut));
  out += "\xE2\x80\xA6 (" + std::to_string(text.size() - cut) + " bytes more)";
  return out;
}

}  // namespace golive::report
