// Cryptographic building blocks shared by every suite: HMAC-SHA256, SHA-256,
// hex and base64 codecs, constant-time comparison, random bytes and PBKDF2
// password hashing. All of it is a thin, allocation-returning layer over
// OpenSSL 3; every OpenSSL handle lives in exactly one RAII owner.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace golive::core {

// HMAC-SHA256 of `data` under `key`; returns the raw 32-byte tag.
std::string hmac_sha256(std::string_view key, std::string_view data);

// SHA-256 digest of `data` as 64 lowercase hex characters.
std::string sha256_hex(std::string_view data);

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

// True when both strings hold the same bytes. Time depends only on the
// lengths, never on where the contents differ (CRYPTO_memcmp); different
// lengths compare false.
bool constant_time_equals(std::string_view a, std::string_view b);

// `n` bytes from the OpenSSL CSPRNG (RAND_bytes). Throws std::runtime_error if
// the generator cannot be seeded: that is a broken invariant, not a failure.
std::string random_bytes(std::size_t n);

// `n_bytes` random bytes rendered as 2 * n_bytes lowercase hex characters.
std::string random_hex(std::size_t n_bytes);

// PBKDF2-HMAC-SHA256 with a fresh 16-byte salt and 10000 iterations, stored as
// "pbkdf2-sha256$10000$<salt hex>$<32-byte derived key hex>".
std::string hash_password(std::string_view password);

// Recomputes the key from the stored salt and iteration count and compares it
// in constant time. False for a wrong password and for any malformed record.
bool verify_password(std::string_view password, std::string_view stored);

}  // namespace golive::core
