// The policy-text helpers of the schema lints: the top-level OR split and
// the NULL-identity test that splinter's null-auth-disjunct lint describes.
#include <gtest/gtest.h>

#include "security/schema_lints.hpp"

namespace {

using golive::security::is_null_auth_test;
using golive::security::top_level_disjuncts;

TEST(SchemaLints, TopLevelDisjunctsSplitOnlyOutsideParenthesesAndQuotes) {
  EXPECT_EQ(top_level_disjuncts("((auth.uid() IS NULL) OR (owner_id = auth.uid()))"),
            (std::vector<std::string>{"auth.uid() IS NULL", "owner_id = auth.uid()"}));
  // An OR under a top-level AND is not a top-level branch.
  EXPECT_EQ(top_level_disjuncts("((owner_id = auth.uid()) AND ((auth.uid() IS NULL) OR is_public))"),
            (std::vector<std::string>{"(owner_id = auth.uid()) AND ((auth.uid() IS NULL) OR is_public)"}));
  EXPECT_EQ(top_level_disjuncts("(title = ' OR '::text)"), (std::vector<std::string>{"title = ' OR '::text"}));
  EXPECT_EQ(top_level_disjuncts("true"), (std::vector<std::string>{"true"}));
}

TEST(SchemaLints, NullAuthTestsAreTheNullableIdentityFunctions) {
  EXPECT_TRUE(is_null_auth_test("auth.uid() IS NULL"));
  EXPECT_TRUE(is_null_auth_test("(auth.jwt() IS NULL)"));
  EXPECT_TRUE(is_null_auth_test("( SELECT auth.uid() AS uid) IS NULL"));
  EXPECT_TRUE(is_null_auth_test("current_setting('request.jwt.claim.sub'::text, true) IS NULL"));
  // Never NULL, or raising when unset: not a bypass.
  EXPECT_FALSE(is_null_auth_test("current_setting('request.jwt.claim.sub'::text) IS NULL"));
  EXPECT_FALSE(is_null_auth_test("CURRENT_USER IS NULL"));
  EXPECT_FALSE(is_null_auth_test("auth.uid() IS NOT NULL"));
  EXPECT_FALSE(is_null_auth_test("deleted_at IS NULL"));
}

}  // namespace
