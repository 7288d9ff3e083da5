// The reference service's own cryptography: HMAC/SHA-256, password records,
// access tokens and Stripe webhook signatures, checked against published and
// independently computed (Python hashlib/hmac) known answers. This target
// links the service only; golive's signer (target/) is checked against the
// running service in tests/integration/service/stripe_webhook_test.cpp.
#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <cstdint>
#include <string>

#include "core/encoding.hpp"
#include "fixtures/service/service_crypto.hpp"
#include "fixtures/service/service_tokens.hpp"
#include "fixtures/service/webhook_signature.hpp"

namespace golive::reference {
namespace {

TEST(ServiceCrypto, HmacSha256AndSha256MatchKnownAnswers) {
  // RFC 4231 test case 2.
  EXPECT_EQ(core::to_hex(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Empty key and message (Python: hmac.new(b"", b"", "sha256")).
  EXPECT_EQ(core::to_hex(hmac_sha256("", "")),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
  EXPECT_EQ(hmac_sha256("k", "data").size(), 32u);
  // FIPS 180-2 "abc" and the empty message.
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(ServiceCrypto, ConstantTimeEqualsComparesEveryByteAndTheLength) {
  EXPECT_TRUE(constant_time_equals("", ""));
  EXPECT_TRUE(constant_time_equals("abc", "abc"));
  EXPECT_FALSE(constant_time_equals("abc", "abd"));
  EXPECT_FALSE(constant_time_equals("abc", "bbc"));
  EXPECT_FALSE(constant_time_equals("abc", "ab"));
  EXPECT_FALSE(constant_time_equals("", "a"));
  EXPECT_TRUE(constant_time_equals(std::string("a\0b", 3), std::string("a\0b", 3)));
  EXPECT_FALSE(constant_time_equals(std::string("a\0b", 3), std::string("a\0c", 3)));
}

TEST(PasswordHash, HasDocumentedRecordFormat) {
  const std::string record = hash_password("correct horse");
  // pbkdf2-sha256 $ 10000 $ 32 hex salt chars $ 64 hex key chars
  const std::string prefix = "pbkdf2-sha256$10000$";
  ASSERT_EQ(record.substr(0, prefix.size()), prefix);
  const std::string rest = record.substr(prefix.size());
  ASSERT_EQ(rest.size(), 32u + 1 + 64u);
  EXPECT_EQ(rest[32], '$');
  EXPECT_TRUE(core::from_hex(rest.substr(0, 32)).has_value());
  EXPECT_TRUE(core::from_hex(rest.substr(33)).has_value());
}

TEST(PasswordHash, VerifiesTheRightPasswordOnly) {
  const std::string record = hash_password("correct horse");
  EXPECT_TRUE(verify_password("correct horse", record));
  EXPECT_FALSE(verify_password("correct horse ", record));
  EXPECT_FALSE(verify_password("Correct horse", record));
  EXPECT_FALSE(verify_password("", record));
  EXPECT_NE(hash_password("correct horse"), record);  // fresh salt every time
}

TEST(PasswordHash, HandlesEmptyPassword) {
  const std::string record = hash_password("");
  EXPECT_TRUE(verify_password("", record));
  EXPECT_FALSE(verify_password("x", record));
}

TEST(PasswordHash, VerifiesKnownAnswerRecords) {
  // RFC 7914 section 11: PBKDF2-HMAC-SHA256("passwd", "salt", c = 1, dkLen = 64).
  const std::string rfc7914 =
      "pbkdf2-sha256$1$73616c74$"
      "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
      "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783";
  EXPECT_TRUE(verify_password("passwd", rfc7914));
  EXPECT_FALSE(verify_password("passwd2", rfc7914));
  // Python hashlib.pbkdf2_hmac("sha256", b"correct horse", salt, 10000, 32).
  const std::string python_record =
      "pbkdf2-sha256$10000$00112233445566778899aabbccddeeff$"
      "d9fce707a10b5c62275eb81f7699c7a92cfcda1ead4bc60961a23fefc63e23fb";
  EXPECT_TRUE(verify_password("correct horse", python_record));
}

TEST(PasswordHash, RejectsMalformedRecords) {
  const std::string good =
      "pbkdf2-sha256$10000$00112233445566778899aabbccddeeff$"
      "d9fce707a10b5c62275eb81f7699c7a92cfcda1ead4bc60961a23fefc63e23fb";
  ASSERT_TRUE(verify_password("correct horse", good));
  const std::string key = "d9fce707a10b5c62275eb81f7699c7a92cfcda1ead4bc60961a23fefc63e23fb";
  const std::string salt = "00112233445566778899aabbccddeeff";
  const std::string malformed[] = {
      "",
      "plaintext",
      "pbkdf2-sha256$10000$" + salt,                         // three fields
      "pbkdf2-sha256$10000$" + salt + "$" + key + "$extra",  // five fields
      "pbkdf2-sha1$10000$" + salt + "$" + key,               // other scheme
      "pbkdf2-sha256$0$" + salt + "$" + key,                 // zero iterations
      "pbkdf2-sha256$-1$" + salt + "$" + key,                // negative iterations
      "pbkdf2-sha256$10000x$" + salt + "$" + key,            // trailing junk
      "pbkdf2-sha256$99999999999$" + salt + "$" + key,       // above the CPU bound
      "pbkdf2-sha256$10000$$" + key,                         // empty salt
      "pbkdf2-sha256$10000$zz$" + key,                       // salt not hex
      "pbkdf2-sha256$10000$" + salt + "$" + key.substr(1),   // key odd length
      "pbkdf2-sha256$10000$" + salt + "$abcd",               // key too short
  };
  for (const auto& record : malformed) {
    EXPECT_FALSE(verify_password("correct horse", record)) << record;
  }
}

std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST(ServiceTokens, IssuedTokensCheckOutAndCarryTheirClaims) {
  const std::string token = issue_token({{"sub", "u1"}, {"exp", now_s() + 60}}, "secret");
  const TokenCheck check = check_token(token, "secret", {});
  ASSERT_FALSE(check.rejection) << to_string(*check.rejection);
  EXPECT_EQ(check.claims["sub"], "u1");
}

TEST(ServiceTokens, RejectsTamperingWrongSecretExpiryAndNone) {
  const std::string token = issue_token({{"sub", "u1"}, {"exp", now_s() + 60}}, "secret");
  EXPECT_EQ(check_token(token, "other", {}).rejection, TokenRejection::kBadSignature);
  // Claims swapped for others that still parse, the original signature kept.
  const std::size_t first = token.find('.');
  const std::size_t second = token.find('.', first + 1);
  const std::string forged_claims = token.substr(0, first + 1) +
                                    core::base64url_encode(R"({"exp":4102444800,"sub":"admin"})") +
                                    token.substr(second);
  EXPECT_EQ(check_token(forged_claims, "secret", {}).rejection, TokenRejection::kBadSignature);
  // One signature character changed (still valid base64url).
  std::string bad_signature = token;
  bad_signature[second + 1] = bad_signature[second + 1] == 'A' ? 'B' : 'A';
  EXPECT_EQ(check_token(bad_signature, "secret", {}).rejection, TokenRejection::kBadSignature);
  // Signature dropped.
  EXPECT_EQ(check_token(token.substr(0, second + 1), "secret", {}).rejection,
            TokenRejection::kBadSignature);
  EXPECT_EQ(check_token("a.b", "secret", {}).rejection, TokenRejection::kMalformed);
  const std::string expired = issue_token({{"sub", "u1"}, {"exp", now_s() - 1}}, "secret");
  EXPECT_EQ(check_token(expired, "secret", {}).rejection, TokenRejection::kExpired);
  TokenPolicy ignore_time;
  ignore_time.check_time = false;  // the jwt-ignore-expiry defect
  EXPECT_FALSE(check_token(expired, "secret", ignore_time).rejection);
  const std::string unsigned_token = core::base64url_encode(R"({"alg":"none"})") + "." +
                                     core::base64url_encode(R"({"sub":"u2"})") + ".";
  EXPECT_EQ(check_token(unsigned_token, "secret", {}).rejection, TokenRejection::kBadAlgorithm);
  TokenPolicy accept_none;
  accept_none.accept_unsigned = true;  // the jwt-accept-none defect
  EXPECT_FALSE(check_token(unsigned_token, "secret", accept_none).rejection);
  // Even with the defect on, "none" means an empty signature.
  EXPECT_EQ(check_token(unsigned_token + "c2ln", "secret", accept_none).rejection,
            TokenRejection::kBadSignature);
}

TEST(ServiceTokens, IssuesTheStandardHs256Encoding) {
  // Computed independently with Python's hmac/base64 over
  // {"alg":"HS256","typ":"JWT"} . {"exp":4102444800,"sub":"u1"}.
  const std::string expected =
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjQxMDI0NDQ4MDAsInN1YiI6InUxIn0."
      "sxS77jUorjuLGBkMQwfvQQMp4KFYeBYWIYee4J3s96k";
  EXPECT_EQ(issue_token({{"sub", "u1"}, {"exp", 4102444800}}, "secret"), expected);
  const TokenCheck check = check_token(expected, "secret", {});
  ASSERT_FALSE(check.rejection) << to_string(*check.rejection);
  EXPECT_EQ(check.claims, nlohmann::json({{"sub", "u1"}, {"exp", 4102444800}}));
}

std::string token_with_header(const std::string& header_json, const nlohmann::json& claims,
                              const std::string& secret) {
  const std::string signing_input =
      core::base64url_encode(header_json) + "." + core::base64url_encode(claims.dump());
  return signing_input + "." + core::base64url_encode(hmac_sha256(secret, signing_input));
}

TEST(ServiceTokens, PinsHs256AndChecksNotBeforeAndClaimTypes) {
  const nlohmann::json claims = {{"sub", "u1"}};
  // Correctly HMAC-signed, but the header names another algorithm or none.
  for (const std::string header : {R"({"alg":"HS512"})", R"({"alg":"RS256"})", R"({"alg":"hs256"})",
                                   R"({"typ":"JWT"})", R"({"alg":256})"}) {
    EXPECT_EQ(check_token(token_with_header(header, claims, "secret"), "secret", {}).rejection,
              TokenRejection::kBadAlgorithm)
        << header;
  }
  EXPECT_FALSE(check_token(token_with_header(R"({"alg":"HS256"})", claims, "secret"), "secret", {})
                   .rejection);
  const std::string later = issue_token({{"sub", "u1"}, {"nbf", now_s() + 600}}, "secret");
  EXPECT_EQ(check_token(later, "secret", {}).rejection, TokenRejection::kNotYetValid);
  const std::string text_exp = issue_token({{"sub", "u1"}, {"exp", "tomorrow"}}, "secret");
  EXPECT_EQ(check_token(text_exp, "secret", {}).rejection, TokenRejection::kMalformed);
  // Fractional NumericDate is honoured.
  const std::string fractional =
      issue_token({{"sub", "u1"}, {"exp", static_cast<double>(now_s()) + 60.5}}, "secret");
  EXPECT_FALSE(check_token(fractional, "secret", {}).rejection);
  for (const std::string malformed : {"", "..", "a.b.c.d", "!!.e30.", "e30.WzFd.", "bm90IGpzb24.e30."}) {
    EXPECT_EQ(check_token(malformed, "secret", {}).rejection, TokenRejection::kMalformed)
        << malformed;
  }
  EXPECT_STREQ(to_string(TokenRejection::kBadSignature), "bad_signature");
  EXPECT_STREQ(to_string(TokenRejection::kNotYetValid), "not_yet_valid");
}

std::string stripe_header(const std::string& body, const std::string& secret, std::int64_t t) {
  return "t=" + std::to_string(t) + ",v1=" +
         core::to_hex(hmac_sha256(secret, std::to_string(t) + "." + body));
}

TEST(WebhookSignature, AcceptsGenuineAndRotatedSignatures) {
  const std::string body = R"({"id":"evt_1"})";
  const std::int64_t t = now_s();
  EXPECT_FALSE(webhook_signature_problem(body, stripe_header(body, "whsec_a", t), "whsec_a", {}));
  // Secret rotation: one of two v1 values is valid.
  const std::string rotated = stripe_header(body, "whsec_old", t) + ",v1=" +
                              stripe_header(body, "whsec_a", t).substr(stripe_header(body, "whsec_a", t).find("v1=") + 3);
  EXPECT_FALSE(webhook_signature_problem(body, rotated, "whsec_a", {}));
}

TEST(WebhookSignature, NamesEachRefusal) {
  const std::string body = R"({"id":"evt_1"})";
  const std::int64_t t = now_s();
  EXPECT_EQ(webhook_signature_problem(body, "", "whsec_a", {}), "missing_header");
  EXPECT_EQ(webhook_signature_problem(body, "v1=00", "whsec_a", {}), "malformed_header");
  EXPECT_EQ(webhook_signature_problem(body, "t=" + std::to_string(t) + ",v0=ab", "whsec_a", {}),
            "no_v1_signature");
  EXPECT_EQ(webhook_signature_problem(body, stripe_header(body, "whsec_b", t), "whsec_a", {}),
            "signature_mismatch");
  EXPECT_EQ(webhook_signature_problem(body + " ", stripe_header(body, "whsec_a", t), "whsec_a", {}),
            "signature_mismatch");
  const std::string stale = stripe_header(body, "whsec_a", t - 301);
  EXPECT_EQ(webhook_signature_problem(body, stale, "whsec_a", {}), "timestamp_outside_tolerance");
  WebhookSignaturePolicy no_tolerance;
  no_tolerance.check_age = false;  // the webhook-no-tolerance defect
  EXPECT_FALSE(webhook_signature_problem(body, stale, "whsec_a", no_tolerance));
}

std::string v1_of(const std::string& body, const std::string& secret, std::int64_t t) {
  return core::to_hex(hmac_sha256(secret, std::to_string(t) + "." + body));
}

TEST(WebhookSignature, MatchesAnIndependentlyComputedSignature) {
  // Python: hmac.new(b"whsec_test", b'1700000000.{"id":"evt_1"}', "sha256").
  const std::string header =
      "t=1700000000,v1=c89214b5b5da833daed6f0b8c5bb6bd58cea9022bd80ccc78230f3942d632925";
  WebhookSignaturePolicy any_age;
  any_age.check_age = false;
  EXPECT_FALSE(webhook_signature_problem(R"({"id":"evt_1"})", header, "whsec_test", any_age));
  EXPECT_EQ(webhook_signature_problem(R"({"id":"evt_2"})", header, "whsec_test", any_age),
            "signature_mismatch");
  // The secret is the whole "whsec_..." string, not what follows the prefix.
  EXPECT_EQ(webhook_signature_problem(R"({"id":"evt_1"})", header, "test", any_age),
            "signature_mismatch");
  // A 2023 timestamp is far outside the window when the age is checked.
  EXPECT_EQ(webhook_signature_problem(R"({"id":"evt_1"})", header, "whsec_test", {}),
            "timestamp_outside_tolerance");
}

TEST(WebhookSignature, AnyOfSeveralV1ValuesMayMatch) {
  const std::string body = R"({"id":"evt_1"})";
  const std::int64_t t = now_s();
  const std::string ts = "t=" + std::to_string(t);
  const std::string good = v1_of(body, "whsec_a", t);
  const std::string old = v1_of(body, "whsec_old", t);
  EXPECT_FALSE(webhook_signature_problem(body, ts + ",v1=" + good + ",v1=" + old, "whsec_a", {}));
  EXPECT_FALSE(webhook_signature_problem(body, ts + ",v1=" + old + ",v1=" + good, "whsec_a", {}));
  EXPECT_FALSE(
      webhook_signature_problem(body, ts + ",v1=00ff,v1=" + old + ",v1=" + good, "whsec_a", {}));
  EXPECT_FALSE(webhook_signature_problem(body, "v1=" + good + "," + ts, "whsec_a", {}));
  EXPECT_FALSE(webhook_signature_problem(body, ts + ",v0=ab,v1=" + good + ",x=1", "whsec_a", {}));
  // Neither v1 is from this secret.
  EXPECT_EQ(webhook_signature_problem(body, ts + ",v1=" + old + ",v1=" + old, "whsec_a", {}),
            "signature_mismatch");
  // Only v1 counts: the right HMAC as v0, or under a key with a space, is not a v1.
  EXPECT_EQ(webhook_signature_problem(body, ts + ",v0=" + good, "whsec_a", {}), "no_v1_signature");
  EXPECT_EQ(webhook_signature_problem(body, ts + ", v1=" + good, "whsec_a", {}), "no_v1_signature");
  // Hex is compared as sent: uppercase is not the signature.
  std::string upper = good;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(webhook_signature_problem(body, ts + ",v1=" + upper, "whsec_a", {}),
            "signature_mismatch");
}

TEST(WebhookSignature, ToleratesThreeHundredSecondsEitherSide) {
  const std::string body = R"({"id":"evt_1"})";
  const std::int64_t t = now_s();
  // Margins of two seconds so a clock tick during the test cannot flip a verdict.
  for (const std::int64_t offset : {-298, -1, 0, 1, 298}) {
    EXPECT_FALSE(webhook_signature_problem(body, stripe_header(body, "whsec_a", t + offset),
                                           "whsec_a", {}))
        << offset;
  }
  for (const std::int64_t offset : {-302, -3600, 302, 3600}) {
    EXPECT_EQ(webhook_signature_problem(body, stripe_header(body, "whsec_a", t + offset), "whsec_a",
                                        {}),
              "timestamp_outside_tolerance")
        << offset;
  }
  WebhookSignaturePolicy wide;
  wide.max_age_s = 7200;
  EXPECT_FALSE(webhook_signature_problem(body, stripe_header(body, "whsec_a", t - 3600), "whsec_a",
                                         wide));
  // The stale header is still refused for its signature first when the secret is wrong.
  EXPECT_EQ(webhook_signature_problem(body, stripe_header(body, "whsec_b", t - 3600), "whsec_a", {}),
            "signature_mismatch");
}

TEST(WebhookSignature, TimestampMustBePlainDecimal) {
  const std::string body = R"({"id":"evt_1"})";
  const std::string v1 = v1_of(body, "whsec_a", now_s());
  for (const std::string t : {"", "abc", "12abc", "-5", "-0", "+5", "1.5", "0x10", " 5",
                              "1234567890123456789"}) {
    EXPECT_EQ(webhook_signature_problem(body, "t=" + t + ",v1=" + v1, "whsec_a", {}),
              "malformed_header")
        << t;
  }
  // The last "t=" counts, so a bad one after a good one leaves no timestamp.
  const std::string ts = std::to_string(now_s());
  EXPECT_EQ(webhook_signature_problem(body, "t=" + ts + ",v1=" + v1 + ",t=x", "whsec_a", {}),
            "malformed_header");
  // A value ends at a second "=", as in Stripe's libraries.
  const std::int64_t t = now_s();
  EXPECT_FALSE(webhook_signature_problem(
      body, "t=" + std::to_string(t) + ",v1=" + v1_of(body, "whsec_a", t) + "=junk", "whsec_a", {}));
}

}  // namespace
}  // namespace golive::reference
