// Escaping for the three output languages of the reporters (XML, HTML,
// Markdown). Text from the result stream is untrusted: it may hold response
// bodies, attacker payloads from the injection corpus, control characters or
// broken UTF-8. Every reporter routes stream text through one of these.
#pragma once

#include <string>
#include <string_view>

namespace golive::report {

// Returns valid UTF-8: each malformed byte sequence becomes U+FFFD.
std::string sanitize_utf8(std::string_view text);

// XML 1.0 character data. Besides & < > it escapes quotes (so the result is
// also safe inside an attribute) and replaces characters XML 1.0 forbids
// outright (C0 controls other than tab/newline/CR, U+FFFE, U+FFFF, broken
// UTF-8) with a visible "\uXXXX" so nothing is silently lost.
std::string xml_escape(std::string_view text);

// Like xml_escape, and additionally encodes tab, newline and CR as character
// references so attribute-value normalisation keeps them.
std::string xml_escape_attribute(std::string_view text);

// HTML text or attribute content (same rules as xml_escape; HTML5 accepts
// every character reference XML does).
std::string html_escape(std::string_view text);

// One Markdown table cell: escapes | and the characters that start inline
// markup (`*_[]<>\), and folds newlines into spaces.
std::string markdown_cell(std::string_view text);

// Inline code in Markdown: wraps in enough backticks that none inside closes it.
std::string markdown_code(std::string_view text);

// Cuts text to at most max_bytes without splitting a UTF-8 sequence; appends
// "… (N bytes more)" when it cut.
std::string truncate_utf8(std::string_view text, std::size_t max_bytes);

}  // namespace golive::report
