// OpenSSL 3 backed primitives. The only long-lived OpenSSL object is the
// fetched HMAC algorithm (immutable, shareable between threads); every context
// is created per call and owned by a unique_ptr with the matching free.
#include "target/crypto.hpp"

#include "core/encoding.hpp"
#include "core/random_id.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <climits>
#include <memory>
#include <stdexcept>
#include <vector>

namespace golive::target {
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
  return core::to_hex(std::string_view(reinterpret_cast<const char*>(digest.data()), digest_length));
}

bool constant_time_equals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace golive::target
