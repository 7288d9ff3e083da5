// Byte codecs used across golive: hex, base64 (standard and URL alphabets)
// and percent-encoding. Pure functions; no OpenSSL, no locale.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace golive::core {

// Lowercase hex of arbitrary bytes (2 characters per byte).
std::string to_hex(std::string_view bytes);

// Bytes from hex (either case). nullopt on odd length or a non-hex character.
std::optional<std::string> from_hex(std::string_view hex);

// RFC 4648 section 5 alphabet ("-", "_"), without "=" padding.
std::string base64url_encode(std::string_view bytes);

// Decodes base64url with or without "=" padding. nullopt on characters
// outside the alphabet, a length that no encoder produces (len % 4 == 1),
// misplaced padding or non-zero trailing bits.
std::optional<std::string> base64url_decode(std::string_view text);

// RFC 4648 section 4 (standard alphabet "+", "/"), with "=" padding.
std::string base64_encode(std::string_view bytes);

// Percent-encodes every byte outside RFC 3986's unreserved set
// (ALPHA / DIGIT / "-" / "." / "_" / "~"), as %XX with uppercase hex.
std::string percent_encode(std::string_view text);

// Decodes %XX sequences (either case); with `plus_as_space`, "+" is a space
// (application/x-www-form-urlencoded). A malformed "%" is kept as it is.
std::string percent_decode(std::string_view text, bool plus_as_space = false);

}  // namespace golive::core
