// Random bytes and identifiers from the kernel's CSPRNG: request ids, test
// user names, salts. Throws std::runtime_error when the kernel refuses (a
// broken invariant, not a failure to report).
#pragma once

#include <cstddef>
#include <string>

namespace golive::core {

// `n` bytes from getrandom(2). Throws std::runtime_error if
// the generator cannot be seeded: that is a broken invariant, not a failure.
std::string random_bytes(std::size_t n);

// `n_bytes` random bytes rendered as 2 * n_bytes lowercase hex characters.
std::string random_hex(std::size_t n_bytes);

// A version 4 UUID (RFC 9562) in its 36-character lowercase text form.
std::string random_uuid();

}  // namespace golive::core
