#include "security/api_rls_settings.hpp"

#include <algorithm>

#include "core/input_error.hpp"

namespace golive::security {

namespace {

MatrixUsers read_users(const config::Environment& env, const core::JsonReader& users) {
  const std::string value = users.as_string();
  if (value == "auto") return MatrixUsers::kAuto;
  if (value == "auth") return MatrixUsers::kAuth;
  if (value == "mint") {
    if (env.jwt_secret.empty())
      users.fail("\"mint\" needs the environment's jwt_secret to sign the users' tokens");
    return MatrixUsers::kMint;
  }
  users.fail(
      "unknown value \"" + value +
      "\"; use \"auto\" (the environment's auth, else minted with "
      "jwt_secret), \"auth\" (signup, tokens or the login workflow only) or \"mint\" (minted with "
      "jwt_secret only)");
}

std::vector<std::string> read_schemas(const core::JsonReader& schemas) {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < schemas.as_array().size(); ++i) {
    const core::JsonReader schema = schemas.at(i);
    const std::string name = schema.as_string();
    const bool plain = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
    if (!plain)
      schema.fail("a schema name of lower-case letters, digits and \"_\", e.g. \"public\"");
    if (std::find(names.begin(), names.end(), name) != names.end())
      schema.fail("\"" + name + "\" is listed twice");
    names.push_back(name);
  }
  if (names.empty()) schemas.fail("must name at least one schema, e.g. [\"public\"]");
  return names;
}

}  // namespace

ApiRlsSettings read_api_rls_settings(const config::Environment& env) {
  ApiRlsSettings settings;
  const auto section = env.sections.find("security");
  if (section == env.sections.end()) return settings;
  const core::JsonReader security(section->second, env.source_file, "/security");
  security.as_object();
  if (!security.has("api_rls")) return settings;
  const core::JsonReader matrix = security.at("api_rls");
  matrix.as_object();
  matrix.reject_unknown_keys({"users", "schemas"});
  if (matrix.has("users")) settings.users = read_users(env, matrix.at("users"));
  if (matrix.has("schemas")) settings.schemas = read_schemas(matrix.at("schemas"));
  return settings;
}

}  // namespace golive::security
