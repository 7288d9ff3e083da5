// target/jwt: a token from jwt.io and one computed independently (Python hmac)
// pin the wire format; the rest covers round trips and every JwtError.
#include "target/jwt.hpp"

#include <gtest/gtest.h>

#include "target/crypto.hpp"

namespace golive::core {
namespace {

constexpr std::int64_t kNow = 1'700'000'000;  // fixed clock for exp/nbf, unix seconds

target::JwtVerifyOptions at_fixed_time() {
  target::JwtVerifyOptions options;
  options.now_unix = kNow;
  return options;
}

// Rebuilds a token from (possibly altered) segments.
std::string assemble(const std::string& header, const std::string& payload,
                     const std::string& signature) {
  return header + "." + payload + "." + signature;
}

std::string segment(const std::string& token, int index) {
  std::size_t start = 0;
  for (int i = 0; i < index; ++i) start = token.find('.', start) + 1;
  const std::size_t end = token.find('.', start);
  return token.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

TEST(JwtSign, ProducesTheIndependentlyComputedToken) {
  const nlohmann::json payload = {{"sub", "user-1"}, {"role", "authenticated"}};
  EXPECT_EQ(target::jwt_sign_hs256(payload, "super-secret-jwt-token"),
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
            "eyJyb2xlIjoiYXV0aGVudGljYXRlZCIsInN1YiI6InVzZXItMSJ9."
            "BkJ3eAUVQI2L8Qoca44GkHJEUH5FiLl5nJrhPdhpVio");
}

TEST(JwtVerify, AcceptsTheJwtIoExampleToken) {
  const std::string token =
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
      "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ."
      "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
  const auto result = target::jwt_verify_hs256(token, "your-256-bit-secret");
  ASSERT_TRUE(result.ok);
  EXPECT_FALSE(result.error.has_value());
  EXPECT_EQ(result.payload["name"], "John Doe");
  EXPECT_EQ(result.payload["iat"], 1516239022);
}

TEST(JwtVerify, RoundTripsClaims) {
  const nlohmann::json payload = {{"sub", "u-42"},
                                  {"role", "authenticated"},
                                  {"exp", kNow + 3600},
                                  {"app_metadata", {{"tier", "pro"}}},
                                  {"unicode", "caf\xc3\xa9"}};
  const std::string token = target::jwt_sign_hs256(payload, "s3cret");
  const auto result = target::jwt_verify_hs256(token, "s3cret", at_fixed_time());
  ASSERT_TRUE(result.ok) << to_string(*result.error);
  EXPECT_EQ(result.payload, payload);
}

TEST(JwtDecode, ExposesHeaderPayloadAndSigningInput) {
  const std::string token = target::jwt_sign_hs256({{"sub", "a"}}, "k");
  const auto parts = target::jwt_decode_unverified(token);
  ASSERT_TRUE(parts.has_value());
  EXPECT_EQ(parts->header, (nlohmann::json{{"alg", "HS256"}, {"typ", "JWT"}}));
  EXPECT_EQ(parts->payload, (nlohmann::json{{"sub", "a"}}));
  EXPECT_EQ(parts->signing_input, segment(token, 0) + "." + segment(token, 1));
  EXPECT_EQ(parts->signature, target::hmac_sha256("k", parts->signing_input));
}

TEST(JwtDecode, RejectsMalformedTokens) {
  const std::string good = target::jwt_sign_hs256({{"sub", "a"}}, "k");
  const std::string h = segment(good, 0), p = segment(good, 1), s = segment(good, 2);
  const std::string malformed[] = {
      "",
      "abc",
      h + "." + p,                                    // two segments
      good + ".extra",                                // four segments
      assemble("", p, s),                             // empty header
      assemble(h, "", s),                             // empty payload
      assemble(h + "*", p, s),                        // not base64url
      assemble(h, p, s + "=="),                       // over-padded signature
      assemble(base64url_encode("not json"), p, s),   // header not JSON
      assemble(h, base64url_encode("[1,2]"), s),      // payload not an object
      assemble(base64url_encode("\"HS256\""), p, s),  // header not an object
      assemble(h, base64url_encode("{\"a\":1"), s),   // truncated JSON
  };
  for (const auto& token : malformed) {
    EXPECT_FALSE(target::jwt_decode_unverified(token).has_value()) << token;
    const auto result = target::jwt_verify_hs256(token, "k");
    EXPECT_FALSE(result.ok);
    EXPECT_EQ(result.error, target::JwtError::kMalformed) << token;
    EXPECT_TRUE(result.payload.is_null());
  }
}

TEST(JwtVerify, RejectsWrongSecret) {
  const std::string token = target::jwt_sign_hs256({{"sub", "a"}}, "right");
  const auto result = target::jwt_verify_hs256(token, "wrong");
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.error, target::JwtError::kBadSignature);
  EXPECT_TRUE(result.payload.is_null());
}

TEST(JwtVerify, RejectsTamperedPayloadAndSignature) {
  const std::string token = target::jwt_sign_hs256({{"sub", "a"}, {"role", "authenticated"}}, "k");
  const std::string h = segment(token, 0), s = segment(token, 2);
  const std::string escalated = base64url_encode(R"({"role":"service_role","sub":"a"})");
  EXPECT_EQ(target::jwt_verify_hs256(assemble(h, escalated, s), "k").error, target::JwtError::kBadSignature);

  std::string flipped = s;
  flipped[0] = flipped[0] == 'A' ? 'B' : 'A';
  EXPECT_EQ(target::jwt_verify_hs256(assemble(h, segment(token, 1), flipped), "k").error,
            target::JwtError::kBadSignature);
  EXPECT_EQ(target::jwt_verify_hs256(assemble(h, segment(token, 1), ""), "k").error,
            target::JwtError::kBadSignature);
}

TEST(JwtVerify, RejectsAlgNoneUnlessAllowed) {
  const nlohmann::json payload = {{"sub", "a"}, {"role", "service_role"}};
  const std::string token = target::jwt_unsigned_none(payload);
  ASSERT_EQ(token.back(), '.');
  const auto parts = target::jwt_decode_unverified(token);
  ASSERT_TRUE(parts.has_value());
  EXPECT_EQ(parts->header["alg"], "none");
  EXPECT_TRUE(parts->signature.empty());

  EXPECT_EQ(target::jwt_verify_hs256(token, "k").error, target::JwtError::kBadAlgorithm);

  target::JwtVerifyOptions allow;
  allow.allow_none = true;
  const auto allowed = target::jwt_verify_hs256(token, "k", allow);
  ASSERT_TRUE(allowed.ok);
  EXPECT_EQ(allowed.payload, payload);
  // Even when "none" is allowed, a signature segment must be empty.
  EXPECT_EQ(target::jwt_verify_hs256(token + "c2ln", "k", allow).error, target::JwtError::kBadSignature);
}

TEST(JwtVerify, RejectsOtherAlgorithms) {
  const std::string p = base64url_encode(R"({"sub":"a"})");
  for (const char* header : {R"({"alg":"RS256","typ":"JWT"})", R"({"alg":"hs256"})",
                             R"({"alg":"None"})", R"({"typ":"JWT"})", R"({"alg":256})"}) {
    const std::string h = base64url_encode(header);
    const std::string s = base64url_encode(target::hmac_sha256("k", h + "." + p));
    EXPECT_EQ(target::jwt_verify_hs256(assemble(h, p, s), "k").error, target::JwtError::kBadAlgorithm) << header;
  }
}

TEST(JwtVerify, EnforcesExpiryWithLeeway) {
  const std::string token = target::jwt_sign_hs256({{"sub", "a"}, {"exp", kNow}}, "k");
  auto options = at_fixed_time();
  EXPECT_EQ(target::jwt_verify_hs256(token, "k", options).error, target::JwtError::kExpired);  // at exp: expired
  options.now_unix = kNow - 1;
  EXPECT_TRUE(target::jwt_verify_hs256(token, "k", options).ok);
  options.now_unix = kNow + 30;
  options.leeway_s = 60;
  EXPECT_TRUE(target::jwt_verify_hs256(token, "k", options).ok);
  options.check_expiry = false;
  options.now_unix = kNow + 100000;
  EXPECT_TRUE(target::jwt_verify_hs256(token, "k", options).ok);
}

TEST(JwtVerify, EnforcesNotBeforeWithLeeway) {
  const std::string token = target::jwt_sign_hs256({{"sub", "a"}, {"nbf", kNow + 10}}, "k");
  auto options = at_fixed_time();
  EXPECT_EQ(target::jwt_verify_hs256(token, "k", options).error, target::JwtError::kNotYetValid);
  options.leeway_s = 10;
  EXPECT_TRUE(target::jwt_verify_hs256(token, "k", options).ok);
  options.leeway_s = 0;
  options.now_unix = kNow + 10;
  EXPECT_TRUE(target::jwt_verify_hs256(token, "k", options).ok);
}

TEST(JwtVerify, UsesSystemClockWhenNowIsZero) {
  EXPECT_EQ(target::jwt_verify_hs256(target::jwt_sign_hs256({{"exp", 1000}}, "k"), "k").error, target::JwtError::kExpired);
  EXPECT_TRUE(target::jwt_verify_hs256(target::jwt_sign_hs256({{"exp", 4'000'000'000LL}}, "k"), "k").ok);
}

TEST(JwtVerify, TreatsNonNumericTimeClaimsAsMalformed) {
  EXPECT_EQ(target::jwt_verify_hs256(target::jwt_sign_hs256({{"exp", "soon"}}, "k"), "k").error,
            target::JwtError::kMalformed);
  EXPECT_EQ(target::jwt_verify_hs256(target::jwt_sign_hs256({{"nbf", nullptr}}, "k"), "k").error,
            target::JwtError::kMalformed);
}

TEST(JwtVerify, ChecksSignatureBeforeTime) {
  // A forged token must never be reported as merely expired.
  const std::string token = target::jwt_sign_hs256({{"exp", 1000}}, "attacker");
  EXPECT_EQ(target::jwt_verify_hs256(token, "k").error, target::JwtError::kBadSignature);
}

TEST(JwtError, HasStableNames) {
  EXPECT_STREQ(to_string(target::JwtError::kMalformed), "malformed");
  EXPECT_STREQ(to_string(target::JwtError::kBadAlgorithm), "bad_algorithm");
  EXPECT_STREQ(to_string(target::JwtError::kBadSignature), "bad_signature");
  EXPECT_STREQ(to_string(target::JwtError::kExpired), "expired");
  EXPECT_STREQ(to_string(target::JwtError::kNotYetValid), "not_yet_valid");
}

}  // namespace
}  // namespace golive::core
