// Compact JWS (RFC 7515) / JWT (RFC 7519) with HS256: decode without trust,
// sign, forge alg "none" tokens for security probes, and verify with the
// checks a careful server performs (algorithm pinning, signature, exp, nbf).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace golive::target {

// The three segments of a compact token, decoded but NOT verified.
struct JwtParts {
  nlohmann::json header;
  nlohmann::json payload;
  std::string signing_input;  // "<header b64url>.<payload b64url>", exactly as received
  std::string signature;      // raw signature bytes (empty for alg "none")
};

// Splits and decodes a token. nullopt when it does not have exactly three
// segments, a segment is not base64url, or header/payload is not a JSON object.
std::optional<JwtParts> jwt_decode_unverified(std::string_view token);

// {"alg":"HS256","typ":"JWT"} header, HMAC-SHA256 signature under `secret`.
std::string jwt_sign_hs256(const nlohmann::json& payload, std::string_view secret);

// {"alg":"none","typ":"JWT"} header and an empty signature ("h.p."), used to
// probe servers that accept unsigned tokens.
std::string jwt_unsigned_none(const nlohmann::json& payload);

enum class JwtError { kMalformed, kBadAlgorithm, kBadSignature, kExpired, kNotYetValid };

struct JwtVerification {
  bool ok = false;
  std::optional<JwtError> error;  // set exactly when !ok
  nlohmann::json payload;         // the decoded claims when ok, otherwise null
};

struct JwtVerifyOptions {
  bool allow_none = false;    // accept alg "none" with an empty signature (never in production)
  bool check_expiry = true;   // enforce "exp" and "nbf" when present
  std::int64_t now_unix = 0;  // seconds since the epoch; 0 = the system clock
  std::int64_t leeway_s = 0;  // seconds of clock skew tolerated on exp and nbf
};

// Verifies an HS256 token. Order of checks: structure, algorithm, signature,
// then time claims, so a forged token never reports kExpired.
JwtVerification jwt_verify_hs256(std::string_view token, std::string_view secret,
                                 const JwtVerifyOptions& options = {});

// Stable snake_case name of an error, for result records.
const char* to_string(JwtError error);

}  // namespace golive::target
