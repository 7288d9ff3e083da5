// The reference service's own cryptography: password records, access
// tokens and Stripe webhook signatures, checked against known answers and
// against golive's signer (target/), which must agree with it byte for byte.
#include <gtest/gtest.h>

#include <chrono>

#include "core/encoding.hpp"
#include "fixtures/service/service_crypto.hpp"
#include "fixtures/service/service_tokens.hpp"
#include "fixtures/service/webhook_signature.hpp"

namespace golive::reference {
namespace {

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
  std::string tampered = token;
  tampered[tampered.find('.') + 2] ^= 1;
  EXPECT_TRUE(check_token(tampered, "secret", {}).rejection.has_value());
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

}  // namespace
}  // namespace golive::reference
