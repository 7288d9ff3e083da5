// HS256 JWTs on top of target/crypto. Tokens are handled as text; the signing
// input is always the first two segments exactly as received, never a
// re-serialisation, so verification sees the bytes the issuer signed.
#include "target/jwt.hpp"

#include <chrono>

#include "target/crypto.hpp"

namespace golive::target {
namespace {

// Deterministic headers: nlohmann::json orders object keys, so these always
// serialise as {"alg":"...","typ":"JWT"}.
const nlohmann::json& hs256_header() {
  static const nlohmann::json header = {{"alg", "HS256"}, {"typ", "JWT"}};
  return header;
}
const nlohmann::json& none_header() {
  static const nlohmann::json header = {{"alg", "none"}, {"typ", "JWT"}};
  return header;
}

std::string encode_segment(const nlohmann::json& value) {
  return core::base64url_encode(value.dump());
}

std::string signing_input_for(const nlohmann::json& header, const nlohmann::json& payload) {
  std::string input = encode_segment(header);
  input += '.';
  input += encode_segment(payload);
  return input;
}

// Decodes one base64url segment holding a JSON object; nullopt otherwise.
std::optional<nlohmann::json> decode_object_segment(std::string_view segment) {
  const auto text = core::base64url_decode(segment);
  if (!text) return std::nullopt;
  nlohmann::json value = nlohmann::json::parse(*text, /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (!value.is_object()) return std::nullopt;  // also covers parse failure (discarded)
  return value;
}

std::int64_t system_now_unix() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

JwtVerification failure(JwtError error) {
  return JwtVerification{false, error, nullptr};
}

}  // namespace

std::optional<JwtParts> jwt_decode_unverified(std::string_view token) {
  const std::size_t first_dot = token.find('.');
  if (first_dot == std::string_view::npos) return std::nullopt;
  const std::size_t second_dot = token.find('.', first_dot + 1);
  if (second_dot == std::string_view::npos) return std::nullopt;
  if (token.find('.', second_dot + 1) != std::string_view::npos) return std::nullopt;

  auto header = decode_object_segment(token.substr(0, first_dot));
  auto payload = decode_object_segment(token.substr(first_dot + 1, second_dot - first_dot - 1));
  auto signature = core::base64url_decode(token.substr(second_dot + 1));
  if (!header || !payload || !signature) return std::nullopt;

  return JwtParts{std::move(*header), std::move(*payload), std::string(token.substr(0, second_dot)),
                  std::move(*signature)};
}

std::string jwt_sign_hs256(const nlohmann::json& payload, std::string_view secret) {
  std::string token = signing_input_for(hs256_header(), payload);
  const std::string signature = hmac_sha256(secret, token);
  token += '.';
  token += core::base64url_encode(signature);
  return token;
}

std::string jwt_unsigned_none(const nlohmann::json& payload) {
  return signing_input_for(none_header(), payload) + '.';
}

JwtVerification jwt_verify_hs256(std::string_view token, std::string_view secret,
                                 const JwtVerifyOptions& options) {
  auto parts = jwt_decode_unverified(token);
  if (!parts) return failure(JwtError::kMalformed);

  // Pin the algorithm: the header is attacker-controlled, so it may only
  // choose between HS256 and (when explicitly allowed) "none".
  const auto alg = parts->header.find("alg");
  if (alg == parts->header.end() || !alg->is_string()) return failure(JwtError::kBadAlgorithm);
  const std::string& algorithm = alg->get_ref<const std::string&>();
  if (algorithm == "HS256") {
    const std::string expected = hmac_sha256(secret, parts->signing_input);
    if (!constant_time_equals(expected, parts->signature)) return failure(JwtError::kBadSignature);
  } else if (algorithm == "none" && options.allow_none) {
    if (!parts->signature.empty()) return failure(JwtError::kBadSignature);
  } else {
    return failure(JwtError::kBadAlgorithm);
  }

  if (options.check_expiry) {
    // NumericDate (RFC 7519 section 2) is seconds since the epoch and may be
    // fractional, so compare as double.
    const double now =
        static_cast<double>(options.now_unix != 0 ? options.now_unix : system_now_unix());
    const double leeway = static_cast<double>(options.leeway_s);
    const nlohmann::json& claims = parts->payload;
    if (const auto exp = claims.find("exp"); exp != claims.end()) {
      if (!exp->is_number()) return failure(JwtError::kMalformed);
      // Valid only strictly before exp (RFC 7519 section 4.1.4).
      if (now >= exp->get<double>() + leeway) return failure(JwtError::kExpired);
    }
    if (const auto nbf = claims.find("nbf"); nbf != claims.end()) {
      if (!nbf->is_number()) return failure(JwtError::kMalformed);
      // Valid from nbf on (RFC 7519 section 4.1.5).
      if (now + leeway < nbf->get<double>()) return failure(JwtError::kNotYetValid);
    }
  }
  return JwtVerification{true, std::nullopt, std::move(parts->payload)};
}

const char* to_string(JwtError error) {
  switch (error) {
    case JwtError::kMalformed:
      return "malformed";
    case JwtError::kBadAlgorithm:
      return "bad_algorithm";
    case JwtError::kBadSignature:
      return "bad_signature";
    case JwtError::kExpired:
      return "expired";
    case JwtError::kNotYetValid:
      return "not_yet_valid";
  }
  return "unknown";
}

}  // namespace golive::target
