// OpenSSL 3 backed primitives. The only long-lived OpenSSL object is the
// fetched HMAC algorithm (immutable, shareable between threads); every context
// is created per call and owned by a unique_ptr with the matching free.
#include "core/crypto.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <climits>
#include <memory>
#include <stdexcept>
#include <vector>

namespace golive::core {
namespace {

struct EvpMacDeleter {
  void operator()(EVP_MAC* mac) const { EVP_MAC_free(mac); }
};
struct EvpMacCtxDeleter {
  void operator()(EVP_MAC_CTX* ctx) const { EVP_MAC_CTX_free(ctx); }
};
using EvpMacPtr = std::unique_ptr<EVP_MAC, EvpMacDeleter>;
using EvpMacCtxPtr = std::unique_ptr<EVP_MAC_CTX, EvpMacCtxDeleter>;

constexpr std::size_t kSha256Bytes = 32;
constexpr std::string_view kPasswordScheme = "pbkdf2-sha256";
constexpr int kPasswordIterations = 10000;
constexpr std::size_t kPasswordSaltBytes = 16;
constexpr std::size_t kPasswordKeyBytes = 32;
// Upper bound on iterations accepted from a stored record, so a hostile record
// cannot make verify_password burn seconds of CPU.
constexpr long kMaxPasswordIterations = 10'000'000;

[[noreturn]] void throw_openssl(const char* what) {
  throw std::runtime_error(std::string("OpenSSL failure: ") + what);
}

// Fetching an algorithm walks the provider tables, so do it once per process.
// EVP_MAC objects are reference counted and safe to share across threads.
const EVP_MAC* hmac_algorithm() {
  static const EvpMacPtr algorithm{EVP_MAC_fetch(nullptr, "HMAC", nullptr)};
  if (!algorithm) throw_openssl("EVP_MAC_fetch(HMAC)");
  return algorithm.get();
}

const unsigned char* as_bytes(std::string_view text) {
  // A zero-length key still needs a non-null pointer: EVP_MAC_init treats a
  // null key as "keep the previous key" and fails on a fresh context.
  static const unsigned char kEmpty = 0;
  return text.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(text.data());
}

constexpr char kHexDigits[] = "0123456789abcdef";

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

constexpr char kBase64Std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kBase64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string base64_encode_with(std::string_view bytes, const char* alphabet, bool pad) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const auto b0 = static_cast<unsigned char>(bytes[i]);
    const auto b1 = static_cast<unsigned char>(bytes[i + 1]);
    const auto b2 = static_cast<unsigned char>(bytes[i + 2]);
    out += alphabet[b0 >> 2];
    out += alphabet[((b0 & 0x03) << 4) | (b1 >> 4)];
    out += alphabet[((b1 & 0x0f) << 2) | (b2 >> 6)];
    out += alphabet[b2 & 0x3f];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    const auto b0 = static_cast<unsigned char>(bytes[i]);
    out += alphabet[b0 >> 2];
    out += alphabet[(b0 & 0x03) << 4];
    if (pad) out += "==";
  } else if (rest == 2) {
    const auto b0 = static_cast<unsigned char>(bytes[i]);
    const auto b1 = static_cast<unsigned char>(bytes[i + 1]);
    out += alphabet[b0 >> 2];
    out += alphabet[((b0 & 0x03) << 4) | (b1 >> 4)];
    out += alphabet[(b1 & 0x0f) << 2];
    if (pad) out += '=';
  }
  return out;
}

int base64url_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

// PBKDF2-HMAC-SHA256; `key_bytes` is the derived key length in bytes.
std::string pbkdf2_sha256(std::string_view password, std::string_view salt, int iterations,
                          std::size_t key_bytes) {
  std::string key(key_bytes, '\0');
  const int ok =
      PKCS5_PBKDF2_HMAC(password.empty() ? "" : password.data(), static_cast<int>(password.size()),
                        as_bytes(salt), static_cast<int>(salt.size()), iterations, EVP_sha256(),
                        static_cast<int>(key.size()), reinterpret_cast<unsigned char*>(key.data()));
  if (ok != 1) throw_openssl("PKCS5_PBKDF2_HMAC");
  return key;
}

// Splits "a$b$c$d" into exactly four fields; nullopt otherwise.
std::optional<std::array<std::string_view, 4>> split_password_record(std::string_view stored) {
  std::array<std::string_view, 4> fields;
  std::size_t start = 0;
  for (std::size_t index = 0; index < fields.size(); ++index) {
    const std::size_t end = index + 1 < fields.size() ? stored.find('$', start) : stored.size();
    if (end == std::string_view::npos) return std::nullopt;
    fields[index] = stored.substr(start, end - start);
    start = end + 1;
  }
  if (fields[3].find('$') != std::string_view::npos) return std::nullopt;
  return fields;
}

}  // namespace

std::string hmac_sha256(std::string_view key, std::string_view data) {
  EvpMacCtxPtr ctx{EVP_MAC_CTX_new(const_cast<EVP_MAC*>(hmac_algorithm()))};
  if (!ctx) throw_openssl("EVP_MAC_CTX_new");
  char digest_name[] = "SHA256";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
      OSSL_PARAM_construct_end(),
  };
  if (EVP_MAC_init(ctx.get(), as_bytes(key), key.size(), params) != 1) {
    throw_openssl("EVP_MAC_init");
  }
  if (EVP_MAC_update(ctx.get(), as_bytes(data), data.size()) != 1) {
    throw_openssl("EVP_MAC_update");
  }
  std::string tag(kSha256Bytes, '\0');
  std::size_t tag_length = 0;
  if (EVP_MAC_final(ctx.get(), reinterpret_cast<unsigned char*>(tag.data()), &tag_length,
                    tag.size()) != 1 ||
      tag_length != kSha256Bytes) {
    throw_openssl("EVP_MAC_final");
  }
  return tag;
}

std::string sha256_hex(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int digest_length = 0;
  if (EVP_Digest(as_bytes(data), data.size(), digest.data(), &digest_length, EVP_sha256(),
                 nullptr) != 1) {
    throw_openssl("EVP_Digest(SHA256)");
  }
  return to_hex(std::string_view(reinterpret_cast<const char*>(digest.data()), digest_length));
}

std::string to_hex(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    out += kHexDigits[byte >> 4];
    out += kHexDigits[byte & 0x0f];
  }
  return out;
}

std::optional<std::string> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int high = hex_value(hex[i]);
    const int low = hex_value(hex[i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    out += static_cast<char>((high << 4) | low);
  }
  return out;
}

std::string base64url_encode(std::string_view bytes) {
  return base64_encode_with(bytes, kBase64Url, /*pad=*/false);
}

std::string base64_encode(std::string_view bytes) {
  return base64_encode_with(bytes, kBase64Std, /*pad=*/true);
}

std::optional<std::string> base64url_decode(std::string_view text) {
  // Padding is optional, but when present it must complete the last quantum.
  if (text.size() % 4 == 0 && !text.empty()) {
    std::size_t padding = 0;
    while (padding < 2 && text[text.size() - 1 - padding] == '=') ++padding;
    text.remove_suffix(padding);
  }
  if (text.size() % 4 == 1) return std::nullopt;  // no encoder produces this length
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t accumulator = 0;  // pending bits, most significant first
  int bits = 0;                   // number of pending bits in accumulator
  for (const char c : text) {
    const int value = base64url_value(c);
    if (value < 0) return std::nullopt;  // includes stray '=' and whitespace
    accumulator = (accumulator << 6) | static_cast<std::uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((accumulator >> bits) & 0xff);
    }
  }
  // Canonical encodings leave the unused low bits of the last character zero;
  // rejecting the rest keeps every byte string to exactly one spelling.
  if ((accumulator & ((1U << bits) - 1)) != 0) return std::nullopt;
  return out;
}

bool constant_time_equals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string random_bytes(std::size_t n) {
  std::string out(n, '\0');
  std::size_t filled = 0;
  while (filled < n) {
    const std::size_t chunk = std::min<std::size_t>(n - filled, INT_MAX);
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data() + filled),
                   static_cast<int>(chunk)) != 1) {
      throw_openssl("RAND_bytes");
    }
    filled += chunk;
  }
  return out;
}

std::string random_hex(std::size_t n_bytes) {
  return to_hex(random_bytes(n_bytes));
}

std::string hash_password(std::string_view password) {
  const std::string salt = random_bytes(kPasswordSaltBytes);
  const std::string key = pbkdf2_sha256(password, salt, kPasswordIterations, kPasswordKeyBytes);
  std::string record(kPasswordScheme);
  record += '$';
  record += std::to_string(kPasswordIterations);
  record += '$';
  record += to_hex(salt);
  record += '$';
  record += to_hex(key);
  return record;
}

bool verify_password(std::string_view password, std::string_view stored) {
  const auto fields = split_password_record(stored);
  if (!fields || (*fields)[0] != kPasswordScheme) return false;

  long iterations = 0;
  const std::string_view count = (*fields)[1];
  const auto [end, error] = std::from_chars(count.data(), count.data() + count.size(), iterations);
  if (error != std::errc() || end != count.data() + count.size() || iterations < 1 ||
      iterations > kMaxPasswordIterations) {
    return false;
  }
  const auto salt = from_hex((*fields)[2]);
  const auto expected_key = from_hex((*fields)[3]);
  if (!salt || salt->empty() || !expected_key || expected_key->size() < 16 ||
      expected_key->size() > 64) {
    return false;
  }
  const std::string key =
      pbkdf2_sha256(password, *salt, static_cast<int>(iterations), expected_key->size());
  return constant_time_equals(key, *expected_key);
}

}  // namespace golive::core
