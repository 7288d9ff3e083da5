// target/stripe_signature: a known-answer signature (Python hmac), header
// building with secret rotation, parsing edge cases and every verify error.
// stripe_crosscheck_test.cpp checks the same behaviour against stripe-node.
#include "target/stripe_signature.hpp"

#include <gtest/gtest.h>

namespace golive::contract {
namespace {

constexpr std::int64_t kSignedAt = 1'700'000'000;  // unix seconds
constexpr const char* kSecret = "whsec_test_secret";
constexpr const char* kPayload = R"({"id":"evt_test","object":"event"})";
// hmac.new(b"whsec_test_secret", b"1700000000." + payload, sha256).hexdigest()
constexpr const char* kExpectedV1 =
    "8042376f6ca064adbe037642a718227dfd59047137eb49497a54c49eb0cfb724";

target::StripeVerifyOptions at(std::int64_t now_unix) {
  target::StripeVerifyOptions options;
  options.now_unix = now_unix;
  return options;
}

std::string valid_header() {
  return target::stripe_signature_header(kPayload, kSignedAt, {kSecret});
}

TEST(StripeSign, MatchesIndependentlyComputedSignature) {
  EXPECT_EQ(target::stripe_signature_v1(kPayload, kSecret, kSignedAt), kExpectedV1);
}

TEST(StripeSign, KeysWithTheWholeSecretString) {
  // The "whsec_" prefix is part of the key: it is not base64-decoded or stripped.
  EXPECT_NE(target::stripe_signature_v1(kPayload, "test_secret", kSignedAt), kExpectedV1);
}

TEST(StripeSign, BuildsOneV1PerSecretInOrder) {
  EXPECT_EQ(valid_header(), std::string("t=1700000000,v1=") + kExpectedV1);
  const std::string rotated = target::stripe_signature_header(kPayload, kSignedAt, {"whsec_new", kSecret});
  EXPECT_EQ(rotated, "t=1700000000,v1=" + target::stripe_signature_v1(kPayload, "whsec_new", kSignedAt) +
                         ",v1=" + kExpectedV1);
  EXPECT_EQ(target::stripe_signature_header(kPayload, kSignedAt, {}), "t=1700000000");
}

TEST(StripeParse, ReadsTimestampAndSchemes) {
  const auto parsed = target::parse_stripe_signature("t=12,v1=aa,v0=bb,v1=cc");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->timestamp, 12);
  EXPECT_EQ(parsed->v1, (std::vector<std::string>{"aa", "cc"}));
  EXPECT_EQ(parsed->v0, (std::vector<std::string>{"bb"}));
}

TEST(StripeParse, IgnoresUnknownSchemesAndItemsWithoutEquals) {
  const auto parsed = target::parse_stripe_signature("v2=zz,t=5,garbage,,v1=aa,=x,V1=bb");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->timestamp, 5);
  EXPECT_EQ(parsed->v1, (std::vector<std::string>{"aa"}));  // keys are case-sensitive
  EXPECT_TRUE(parsed->v0.empty());
}

TEST(StripeParse, DoesNotTrimSpacesLikeTheOfficialLibraries) {
  // " v1" is a different key from "v1", so the v1 after ", " is not seen.
  const auto parsed = target::parse_stripe_signature("t=5, v1=aa");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_TRUE(parsed->v1.empty());
  // A space inside the value is kept and can never match a hex signature.
  const auto padded = target::parse_stripe_signature("t=5,v1= aa");
  ASSERT_TRUE(padded.has_value());
  EXPECT_EQ(padded->v1, (std::vector<std::string>{" aa"}));
  EXPECT_FALSE(target::parse_stripe_signature(" t=5,v1=aa").has_value());
  EXPECT_FALSE(target::parse_stripe_signature("t= 5,v1=aa").has_value());
}

TEST(StripeParse, ValueEndsAtASecondEquals) {
  const auto parsed = target::parse_stripe_signature("t=5=9,v1=a=b,v0==c");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->timestamp, 5);
  EXPECT_EQ(parsed->v1, (std::vector<std::string>{"a"}));
  EXPECT_EQ(parsed->v0, (std::vector<std::string>{""}));
}

TEST(StripeParse, LastTimestampWins) {
  const auto parsed = target::parse_stripe_signature("t=1,v1=aa,t=2");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->timestamp, 2);
}

TEST(StripeParse, AcceptsHeaderWithoutSignatures) {
  const auto parsed = target::parse_stripe_signature("t=99");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->timestamp, 99);
  EXPECT_TRUE(parsed->v1.empty());
}

TEST(StripeParse, RejectsMissingOrUnparsableTimestamp) {
  for (const char* header :
       {"", ",", "v1=aa", "t", "t=", "t=abc", "t=12abc", "t=-5", "t=+5", "t=1.5", "t=0x10",
        "t=9999999999999999999", "T=5,v1=aa", "\xff\xfe garbage \x01"}) {
    EXPECT_FALSE(target::parse_stripe_signature(header).has_value()) << header;
  }
}

TEST(StripeVerify, AcceptsOwnHeaderWithinTolerance) {
  const auto result = target::verify_stripe_signature(kPayload, valid_header(), kSecret, at(kSignedAt));
  EXPECT_TRUE(result.ok);
  EXPECT_FALSE(result.error.has_value());
  EXPECT_EQ(result.timestamp, kSignedAt);
  EXPECT_TRUE(target::verify_stripe_signature(kPayload, valid_header(), kSecret, at(kSignedAt + 300)).ok);
}

TEST(StripeVerify, AcceptsAnyMatchingV1DuringRotation) {
  const std::string header =
      target::stripe_signature_header(kPayload, kSignedAt, {"whsec_old", "whsec_new"});
  EXPECT_TRUE(target::verify_stripe_signature(kPayload, header, "whsec_old", at(kSignedAt)).ok);
  EXPECT_TRUE(target::verify_stripe_signature(kPayload, header, "whsec_new", at(kSignedAt)).ok);
  EXPECT_EQ(target::verify_stripe_signature(kPayload, header, kSecret, at(kSignedAt)).error,
            target::StripeVerifyError::kSignatureMismatch);
  const std::string with_junk = "t=1700000000,v1=deadbeef,v1=" + std::string(kExpectedV1);
  EXPECT_TRUE(target::verify_stripe_signature(kPayload, with_junk, kSecret, at(kSignedAt)).ok);
}

TEST(StripeVerify, RejectsMissingHeader) {
  const auto result = target::verify_stripe_signature(kPayload, "", kSecret, at(kSignedAt));
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.error, target::StripeVerifyError::kMissingHeader);
}

TEST(StripeVerify, RejectsMalformedHeader) {
  for (const char* header : {"garbage", "v1=abc", "t=abc,v1=abc", ","}) {
    EXPECT_EQ(target::verify_stripe_signature(kPayload, header, kSecret, at(kSignedAt)).error,
              target::StripeVerifyError::kMalformedHeader)
        << header;
  }
}

TEST(StripeVerify, RejectsHeaderWithOnlyV0) {
  // Even a v0 that carries the correct HMAC is never trusted.
  const std::string header = std::string("t=1700000000,v0=") + kExpectedV1;
  const auto result = target::verify_stripe_signature(kPayload, header, kSecret, at(kSignedAt));
  EXPECT_EQ(result.error, target::StripeVerifyError::kNoV1Signature);
  EXPECT_EQ(result.timestamp, kSignedAt);
  EXPECT_EQ(target::verify_stripe_signature(kPayload, "t=1700000000", kSecret, at(kSignedAt)).error,
            target::StripeVerifyError::kNoV1Signature);
  EXPECT_EQ(target::verify_stripe_signature(kPayload, std::string("t=1700000000, v1=") + kExpectedV1,
                                    kSecret, at(kSignedAt))
                .error,
            target::StripeVerifyError::kNoV1Signature);
}

TEST(StripeVerify, RejectsTamperedBodyWrongSecretAndAlteredSignature) {
  const auto options = at(kSignedAt);
  EXPECT_EQ(target::verify_stripe_signature(R"({"id":"evt_test","object":"event" })", valid_header(),
                                    kSecret, options)
                .error,
            target::StripeVerifyError::kSignatureMismatch);
  EXPECT_EQ(target::verify_stripe_signature(kPayload, valid_header(), "whsec_other", options).error,
            target::StripeVerifyError::kSignatureMismatch);

  std::string upper = valid_header();
  for (char& c : upper) c = static_cast<char>(c >= 'a' && c <= 'f' ? c - 32 : c);
  EXPECT_EQ(target::verify_stripe_signature(kPayload, upper, kSecret, options).error,
            target::StripeVerifyError::kSignatureMismatch);  // hex is compared exactly, lowercase
  EXPECT_EQ(target::verify_stripe_signature(kPayload, valid_header() + "00", kSecret, options).error,
            target::StripeVerifyError::kSignatureMismatch);  // longer than a SHA-256 hex digest
  // The timestamp is signed: moving it invalidates the signature.
  const std::string moved = std::string("t=1700000001,v1=") + kExpectedV1;
  EXPECT_EQ(target::verify_stripe_signature(kPayload, moved, kSecret, at(kSignedAt)).error,
            target::StripeVerifyError::kSignatureMismatch);
}

TEST(StripeVerify, RejectsStaleTimestamp) {
  const auto result =
      target::verify_stripe_signature(kPayload, valid_header(), kSecret, at(kSignedAt + 301));
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.error, target::StripeVerifyError::kTimestampOutsideTolerance);
  EXPECT_EQ(result.timestamp, kSignedAt);
}

TEST(StripeVerify, FutureTimestampsFollowTheChosenLibraryBehaviour) {
  auto options = at(kSignedAt - 301);  // header signed 301 s in the future
  EXPECT_EQ(target::verify_stripe_signature(kPayload, valid_header(), kSecret, options).error,
            target::StripeVerifyError::kTimestampOutsideTolerance);  // stripe-php / stripe-dotnet
  options.reject_future_timestamps = false;
  EXPECT_TRUE(target::verify_stripe_signature(kPayload, valid_header(), kSecret, options).ok);  // node
  options.now_unix = kSignedAt - 300;
  options.reject_future_timestamps = true;
  EXPECT_TRUE(target::verify_stripe_signature(kPayload, valid_header(), kSecret, options).ok);
}

TEST(StripeVerify, ToleranceIsConfigurableAndCanBeSkipped) {
  auto options = at(kSignedAt + 1000);
  options.tolerance_s = 1000;
  EXPECT_TRUE(target::verify_stripe_signature(kPayload, valid_header(), kSecret, options).ok);
  options.tolerance_s = 999;
  EXPECT_FALSE(target::verify_stripe_signature(kPayload, valid_header(), kSecret, options).ok);
  options.check_tolerance = false;
  EXPECT_TRUE(target::verify_stripe_signature(kPayload, valid_header(), kSecret, options).ok);
}

TEST(StripeVerify, ChecksSignatureBeforeTolerance) {
  // Like stripe-node: a forged, stale header reports the mismatch.
  EXPECT_EQ(
      target::verify_stripe_signature(kPayload, valid_header(), "whsec_other", at(kSignedAt + 9999)).error,
      target::StripeVerifyError::kSignatureMismatch);
}

TEST(StripeVerify, UsesSystemClockWhenNowIsZero) {
  // kSignedAt is in 2023, far outside a 300 s window of any current clock.
  EXPECT_EQ(target::verify_stripe_signature(kPayload, valid_header(), kSecret).error,
            target::StripeVerifyError::kTimestampOutsideTolerance);
}

TEST(StripeVerify, SignsEmptyAndBinaryPayloads) {
  const std::string binary("\x00\xff{\n}", 5);
  for (const std::string& payload : {std::string(), binary}) {
    const std::string header = target::stripe_signature_header(payload, kSignedAt, {kSecret});
    EXPECT_TRUE(target::verify_stripe_signature(payload, header, kSecret, at(kSignedAt)).ok);
  }
}

TEST(StripeVerifyError, HasStableNames) {
  EXPECT_STREQ(to_string(target::StripeVerifyError::kMissingHeader), "missing_header");
  EXPECT_STREQ(to_string(target::StripeVerifyError::kMalformedHeader), "malformed_header");
  EXPECT_STREQ(to_string(target::StripeVerifyError::kNoV1Signature), "no_v1_signature");
  EXPECT_STREQ(to_string(target::StripeVerifyError::kSignatureMismatch), "signature_mismatch");
  EXPECT_STREQ(to_string(target::StripeVerifyError::kTimestampOutsideTolerance),
               "timestamp_outside_tolerance");
}

}  // namespace
}  // namespace golive::contract
