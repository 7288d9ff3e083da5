// Unit tests of the feature handlers' pure parts: upload content checks, the
// mock provider's topic extraction, UTF-8 truncation, signed-URL tokens and
// Stripe event parsing. No database, no network.
#include <gtest/gtest.h>

#include "target/jwt.hpp"
#include "fixtures/service/functions/handler_support.hpp"
#include "fixtures/service/functions/mock_ai_provider.hpp"
#include "fixtures/service/functions/signed_url.hpp"
#include "fixtures/service/functions/stripe_events.hpp"
#include "fixtures/service/functions/upload_policy.hpp"

namespace golive::reference::functions {
namespace {

UploadLimits default_limits() {
  UploadLimits limits;
  limits.max_bytes = 100;
  limits.allowed_types = supported_upload_types();
  return limits;
}

TEST(UploadPolicy, AcceptsEachSupportedTypeOnlyWithMatchingBytes) {
  const UploadLimits limits = default_limits();
  EXPECT_EQ(check_upload("application/pdf", "%PDF-1.7 ...", limits).verdict,
            UploadVerdict::kAccepted);
  EXPECT_EQ(check_upload("image/png", std::string("\x89PNG\r\n\x1A\n\0\0", 10), limits).verdict,
            UploadVerdict::kAccepted);
  EXPECT_EQ(check_upload("IMAGE/JPEG", "\xFF\xD8\xFF\xDB", limits).verdict,
            UploadVerdict::kAccepted);
  EXPECT_EQ(check_upload("text/plain; charset=utf-8", "caf\xC3\xA9", limits).verdict,
            UploadVerdict::kAccepted);

  EXPECT_EQ(check_upload("image/png", "%PDF-1.7", limits).verdict, UploadVerdict::kContentMismatch);
  EXPECT_EQ(check_upload("application/pdf", "<html>", limits).verdict,
            UploadVerdict::kContentMismatch);
  EXPECT_EQ(check_upload("text/plain", std::string("a\0b", 3), limits).verdict,
            UploadVerdict::kContentMismatch);
  EXPECT_EQ(check_upload("text/plain", "\xC0\xAF", limits).verdict,
            UploadVerdict::kContentMismatch);  // overlong
  EXPECT_EQ(check_upload("text/plain", "\xED\xA0\x80", limits).verdict,
            UploadVerdict::kContentMismatch);  // surrogate
  EXPECT_EQ(check_upload("text/html", "<p>", limits).verdict, UploadVerdict::kUnsupportedType);
  EXPECT_EQ(check_upload("", "x", limits).verdict, UploadVerdict::kUnsupportedType);
  EXPECT_EQ(check_upload("text/plain", std::string(101, 'x'), limits).verdict,
            UploadVerdict::kTooLarge);
  EXPECT_EQ(check_upload("text/plain", std::string(100, 'x'), limits).verdict,
            UploadVerdict::kAccepted);
}

TEST(UploadPolicy, NormalisesContentTypeHeaders) {
  EXPECT_EQ(normalize_content_type(" Text/Plain ; charset=UTF-8"), "text/plain");
  EXPECT_EQ(normalize_content_type("image/png"), "image/png");
  EXPECT_EQ(normalize_content_type(""), "");
}

TEST(MockAiProvider, ExtractsTitlesFromLinesAndSentences) {
  EXPECT_EQ(extract_topic_titles("Week 1: vectors. Week 2: matrices. Week 3: eigenvalues."),
            (std::vector<std::string>{"Vectors", "Matrices", "Eigenvalues"}));
  EXPECT_EQ(extract_topic_titles("- limits\n* derivatives!\n\n  integrals; Limits"),
            (std::vector<std::string>{"Limits", "Derivatives", "Integrals"}));
  EXPECT_TRUE(extract_topic_titles(" ... ;;; \n").empty());
  EXPECT_EQ(extract_topic_titles(std::string(500, 'a'))[0].size(), kMockMaxTitleChars);
  std::string many;
  for (int i = 0; i < 80; ++i) many += "topic " + std::to_string(i) + ". ";
  EXPECT_EQ(extract_topic_titles(many).size(), kMockMaxTopics);
}

TEST(HandlerSupport, TruncatesAtCodePointsWithoutSplittingSequences) {
  const std::string text = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z";  // a é € 😀 z
  EXPECT_EQ(count_code_points(text), 5u);
  EXPECT_EQ(truncate_code_points(text, 2), "a\xC3\xA9");
  EXPECT_EQ(truncate_code_points(text, 4), "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
  EXPECT_EQ(truncate_code_points(text, 50), text);
  EXPECT_EQ(truncate_code_points("\xE2\x82", 5), "");  // a cut-off sequence is dropped
}

TEST(HandlerSupport, RecognisesUuidsAndEncodesPaths) {
  EXPECT_TRUE(is_uuid("a11ce000-0000-4000-8000-000000000001"));
  EXPECT_FALSE(is_uuid("a11ce000-0000-4000-8000-00000000000"));
  EXPECT_FALSE(is_uuid("a11ce000x0000-4000-8000-000000000001"));
  EXPECT_FALSE(is_uuid("' OR 1=1 --"));
  EXPECT_EQ(percent_encode_path("u/week 1/ä.txt"), "u/week%201/%C3%A4.txt");
}

TEST(SignedUrl, OpensOnlyItsObjectUntilExpiry) {
  const std::int64_t now = unix_now();
  const SignedUrl url = sign_object_url("secret", "uploads", "u1/a b.txt", 60, now);
  EXPECT_EQ(url.expires_at, now + 60);
  ASSERT_EQ(url.path_and_query.rfind("/storage/v1/object/sign/uploads/u1/a%20b.txt?token=", 0), 0u);
  const std::string token = url.path_and_query.substr(url.path_and_query.find("=") + 1);
  EXPECT_EQ(verify_object_token("secret", token, "uploads", "u1/a b.txt", true), std::nullopt);
  EXPECT_EQ(verify_object_token("secret", token, "uploads", "u1/other.txt", true),
            SignedUrlError::kWrongObject);
  EXPECT_EQ(verify_object_token("other-secret", token, "uploads", "u1/a b.txt", true),
            SignedUrlError::kBadSignature);
  // An API access token signed with the JWT secret itself is not a signed URL.
  const std::string access =
      target::jwt_sign_hs256({{"url", "uploads/u1/a b.txt"}, {"exp", now + 60}}, "secret");
  EXPECT_EQ(verify_object_token("secret", access, "uploads", "u1/a b.txt", true),
            SignedUrlError::kBadSignature);

  const SignedUrl expired = sign_object_url("secret", "uploads", "x", 1, now - 10);
  const std::string old_token = expired.path_and_query.substr(expired.path_and_query.find("=") + 1);
  EXPECT_EQ(verify_object_token("secret", old_token, "uploads", "x", true),
            SignedUrlError::kExpired);
  EXPECT_EQ(verify_object_token("secret", old_token, "uploads", "x", false), std::nullopt);
}

TEST(StripeEvents, ParsesTheEnvelopeAndRefusesIncompleteOnes) {
  const auto parsed = parse_stripe_event(
      R"({"id":"evt_1","type":"invoice.payment_failed","created":1700000000,"data":{"object":{"id":"in_1"}}})");
  ASSERT_TRUE(std::holds_alternative<StripeEvent>(parsed));
  const StripeEvent& event = std::get<StripeEvent>(parsed);
  EXPECT_EQ(event.id, "evt_1");
  EXPECT_EQ(event.type, "invoice.payment_failed");
  EXPECT_EQ(event.created, 1700000000);
  EXPECT_EQ(event.object["id"], "in_1");

  for (const char* body : {"", "[]", R"({"type":"x","created":1,"data":{"object":{}}})",
                           R"({"id":"evt","created":1,"data":{"object":{}}})",
                           R"({"id":"evt","type":"x","data":{"object":{}}})",
                           R"({"id":"evt","type":"x","created":1,"data":{}})"}) {
    EXPECT_TRUE(std::holds_alternative<std::string>(parse_stripe_event(body))) << body;
  }
}

}  // namespace
}  // namespace golive::reference::functions
