// Cryptographic building blocks shared by every suite: HMAC-SHA256, SHA-256,
// hex and base64 codecs, constant-time comparison, random bytes and PBKDF2
// password hashing. All of it is a thin, allocation-returning layer over
// OpenSSL 3; every OpenSSL handle lives in exactly one RAII owner.
#pragma once

#include "core/encoding.hpp"
#include "core/random_id.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace golive::target {

// HMAC-SHA256 of `data` under `key`; returns the raw 32-byte tag.
std::string hmac_sha256(std::string_view key, std::string_view data);

// SHA-256 digest of `data` as 64 lowercase hex characters.
std::string sha256_hex(std::string_view data);

// True when both strings hold the same bytes. Time depends only on the
// lengths, never on where the contents differ (CRYPTO_memcmp); different
// lengths compare false.
bool constant_time_equals(std::string_view a, std::string_view b);

// PBKDF2-HMAC-SHA256 with a fresh 16-byte salt and 10000 iterations, stored as
// "pbkdf2-sha256$10000$<salt hex>$<32-byte derived key hex>".
std::string hash_password(std::string_view password);

// Recomputes the key from the stored salt and iteration count and compares it
// in constant time. False for a wrong password and for any malformed record.
bool verify_password(std::string_view password, std::string_view stored);

}  // namespace golive::target
