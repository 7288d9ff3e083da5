#include "target/target_profile.hpp"

#include "core/input_error.hpp"

namespace golive::target {

TargetProfile read_target_profile(const config::Environment& env) {
  TargetProfile profile;
  profile.public_read_path = env.paths.rest + "/plans?select=id";
  const auto section = env.sections.find("target");
  if (section == env.sections.end()) return profile;
  core::JsonReader reader(section->second, env.source_file, "/target");
  reader.reject_unknown_keys({"$comment", "owned_table", "owner_column", "owned_text_column",
                              "public_read_path", "price_id", "plan_id"});
  auto text = [&](const char* key, std::string& field) {
    if (!reader.has(key)) return;
    field = reader.at(key).as_string();
    if (field.empty() && std::string(key) != "public_read_path") reader.at(key).fail("must not be empty");
  };
  text("owned_table", profile.owned_table);
  text("owner_column", profile.owner_column);
  text("owned_text_column", profile.owned_text_column);
  text("public_read_path", profile.public_read_path);
  text("price_id", profile.price_id);
  text("plan_id", profile.plan_id);
  return profile;
}

}  // namespace golive::target
