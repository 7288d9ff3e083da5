#include "e2e/digest_auth.hpp"

#include <openssl/evp.h>

#include <cctype>
#include <memory>

#include "core/ascii_case.hpp"

namespace golive::e2e {

namespace {

struct MdContextDeleter {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};

std::string hex_digest(const std::string& algorithm, std::string_view data) {
  std::unique_ptr<EVP_MD_CTX, MdContextDeleter> context(EVP_MD_CTX_new());
  const EVP_MD* md = algorithm == "SHA-256" ? EVP_sha256() : EVP_md5();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestInit_ex(context.get(), md, nullptr);
  EVP_DigestUpdate(context.get(), data.data(), data.size());
  EVP_DigestFinal_ex(context.get(), digest, &length);
  static const char* const kHex = "0123456789abcdef";
  std::string text;
  for (unsigned int i = 0; i < length; ++i) {
    text += kHex[digest[i] >> 4];
    text += kHex[digest[i] & 15];
  }
  return text;
}

}  // namespace

std::optional<DigestChallenge> parse_digest_challenge(std::string_view value) {
  const std::string lower = core::ascii_lower(std::string(value));
  std::size_t at = lower.find("digest ");
  if (at == std::string::npos) return std::nullopt;
  at += 7;
  DigestChallenge challenge;
  bool offered_qop = false;
  while (at < value.size()) {
    while (at < value.size() && (value[at] == ' ' || value[at] == ',')) ++at;
    const std::size_t equals = value.find('=', at);
    if (equals == std::string_view::npos) break;
    std::string key = core::ascii_lower(std::string(value.substr(at, equals - at)));
    while (!key.empty() && key.back() == ' ') key.pop_back();
    at = equals + 1;
    std::string item;
    if (at < value.size() && value[at] == '"') {
      ++at;
      while (at < value.size() && value[at] != '"') {
        if (value[at] == '\\' && at + 1 < value.size()) ++at;
        item += value[at++];
      }
      ++at;
    } else {
      const std::size_t end = value.find(',', at);
      item = std::string(value.substr(at, end == std::string_view::npos ? std::string_view::npos
                                                                         : end - at));
      at = end == std::string_view::npos ? value.size() : end;
    }
    if (key == "realm") challenge.realm = item;
    if (key == "nonce") challenge.nonce = item;
    if (key == "opaque") challenge.opaque = item;
    if (key == "algorithm") challenge.algorithm = core::ascii_upper(item);
    if (key == "qop") {
      offered_qop = true;
      challenge.qop_auth = core::ascii_lower(item).find("auth") != std::string::npos &&
                           (core::ascii_lower(item) != "auth-int");
    }
  }
  if (challenge.nonce.empty()) return std::nullopt;
  if (challenge.algorithm != "MD5" && challenge.algorithm != "SHA-256") return std::nullopt;
  if (offered_qop && !challenge.qop_auth) return std::nullopt;
  return challenge;
}

std::string digest_authorization(const DigestChallenge& challenge, std::string_view username,
                                 std::string_view password, std::string_view method,
                                 std::string_view uri, std::string_view cnonce) {
  const std::string& algorithm = challenge.algorithm;
  const std::string ha1 = hex_digest(algorithm, std::string(username) + ":" + challenge.realm +
                                                    ":" + std::string(password));
  const std::string ha2 = hex_digest(algorithm, std::string(method) + ":" + std::string(uri));
  const std::string nc = "00000001";
  const std::string response =
      challenge.qop_auth
          ? hex_digest(algorithm, ha1 + ":" + challenge.nonce + ":" + nc + ":" +
                                      std::string(cnonce) + ":auth:" + ha2)
          : hex_digest(algorithm, ha1 + ":" + challenge.nonce + ":" + ha2);
  std::string header = "Digest username=\"" + std::string(username) + "\", realm=\"" +
                       challenge.realm + "\", nonce=\"" + challenge.nonce + "\", uri=\"" +
                       std::string(uri) + "\", algorithm=" + algorithm + ", response=\"" +
                       response + "\"";
  if (challenge.qop_auth) {
    header += ", qop=auth, nc=" + nc + ", cnonce=\"" + std::string(cnonce) + "\"";
  }
  if (!challenge.opaque.empty()) header += ", opaque=\"" + challenge.opaque + "\"";
  return header;
}

}  // namespace golive::e2e
