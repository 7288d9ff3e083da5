// TargetProfile: schema-specific names come from the environment's "target"
// section, with the reference target's as defaults.
#include "target/target_profile.hpp"

#include <gtest/gtest.h>

#include "core/input_error.hpp"

namespace golive::testing {
namespace {

config::Environment environment_with(nlohmann::json target) {
  config::Environment env;
  env.source_file = "staging.json";
  env.base_url = "http://127.0.0.1:1";
  if (!target.is_null()) env.sections["target"] = std::move(target);
  return env;
}

TEST(TargetProfile, DefaultsAreTheReferenceTargets) {
  const auto profile = target::read_target_profile(environment_with(nullptr));
  EXPECT_EQ(profile.owned_table, "courses");
  EXPECT_EQ(profile.owner_column, "user_id");
  EXPECT_EQ(profile.owned_text_column, "title");
  EXPECT_EQ(profile.public_read_path, "/rest/v1/plans?select=id");
  EXPECT_EQ(profile.owned_table_path(environment_with(nullptr)), "/rest/v1/courses");
}

TEST(TargetProfile, TheEnvironmentNamesItsOwnSchema) {
  const auto env = environment_with({{"owned_table", "notes"},
                                     {"owner_column", "owner_id"},
                                     {"owned_text_column", "body"},
                                     {"public_read_path", ""},
                                     {"price_id", "price_abc"}});
  const auto profile = target::read_target_profile(env);
  EXPECT_EQ(profile.owned_table_path(env), "/rest/v1/notes");
  EXPECT_EQ(profile.owner_column, "owner_id");
  EXPECT_EQ(profile.owned_text_column, "body");
  EXPECT_TRUE(profile.public_read_path.empty());  // no public read: left out of header paths
  EXPECT_EQ(profile.price_id, "price_abc");
  EXPECT_EQ(profile.plan_id, "11111111-0000-4000-8000-000000000001");
}

TEST(TargetProfile, BadValuesNameTheFileAndPointer) {
  try {
    target::read_target_profile(environment_with({{"owned_table", 3}}));
    FAIL() << "a number accepted as a table name";
  } catch (const core::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("staging.json"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("/target/owned_table"), std::string::npos) << e.what();
  }
  EXPECT_THROW(target::read_target_profile(environment_with({{"owned_tables", "x"}})), core::InputError);
  EXPECT_THROW(target::read_target_profile(environment_with({{"owner_column", ""}})), core::InputError);
}

}  // namespace
}  // namespace golive::testing
