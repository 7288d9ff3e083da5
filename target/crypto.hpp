// Cryptographic building blocks of the tester: HMAC-SHA256, SHA-256 and
// constant-time comparison (hex, base64 and random bytes are core/encoding
// and core/random_id). All of it is a thin, allocation-returning layer over
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

}  // namespace golive::target
