// HTTP Digest access authentication (RFC 7616) for `auth: {"digest": ...}`:
// the answer to a server's 401 challenge. MD5 and SHA-256, qop "auth" (or
// none, the RFC 2069 form); auth-int and the -sess variants are refused.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace golive::e2e {

struct DigestChallenge {
  std::string realm;
  std::string nonce;
  std::string opaque;
  std::string algorithm = "MD5";  // MD5 | SHA-256
  bool qop_auth = false;          // the server offered qop="auth"
};

// The Digest challenge in a WWW-Authenticate value; nullopt when there is
// none or it asks for what is not supported.
std::optional<DigestChallenge> parse_digest_challenge(std::string_view www_authenticate);

// The Authorization header value answering `challenge` for `method` and
// `uri` (the request target: path and query). `cnonce` is the client nonce.
std::string digest_authorization(const DigestChallenge& challenge, std::string_view username,
                                 std::string_view password, std::string_view method,
                                 std::string_view uri, std::string_view cnonce);

}  // namespace golive::e2e
