// Redaction: secrets are masked wherever they appear, longest first.
#include "core/redactor.hpp"

#include <gtest/gtest.h>

namespace golive::core {
namespace {

TEST(Redactor, MasksEveryOccurrence) {
  Redactor r;
  r.add_secret("s3cret-value");
  EXPECT_EQ(r.redact("a s3cret-value b s3cret-value"),
            std::string("a ") + Redactor::kMask + " b " + Redactor::kMask);
}

TEST(Redactor, LongestSecretFirstSoOverlapsMaskFully) {
  Redactor r;
  r.add_secret("abcdef");
  r.add_secret("abcdef-longer");
  EXPECT_EQ(r.redact("x abcdef-longer y"), std::string("x ") + Redactor::kMask + " y");
}

TEST(Redactor, IgnoresTooShortSecretsAndDuplicates) {
  Redactor r;
  r.add_secret("ok");
  r.add_secret("long-enough");
  r.add_secret("long-enough");
  EXPECT_EQ(r.secret_count(), 1u);
  EXPECT_EQ(r.redact("ok"), "ok");
}

TEST(Redactor, RedactsJsonKeysAndNestedValues) {
  Redactor r;
  r.add_secret("whsec_topsecret");
  nlohmann::json v = {{"header", "v1=whsec_topsecret"},
                      {"list", {"whsec_topsecret", 3}},
                      {"whsec_topsecret", true}};
  auto out = r.redact(v);
  EXPECT_EQ(out.dump().find("whsec_topsecret"), std::string::npos);
  EXPECT_EQ(out["list"][1], 3);
}

TEST(Redactor, MaskContainingSecretDoesNotLoop) {
  Redactor r;
  r.add_secret("REDACTED");  // a secret that appears inside the mask itself
  EXPECT_NO_THROW(r.redact("REDACTED REDACTED"));
}

}  // namespace
}  // namespace golive::core
