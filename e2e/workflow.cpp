#include "e2e/workflow.hpp"

namespace golive::e2e {

const std::vector<std::string>& environment_field_names() {
  static const std::vector<std::string> kNames{
      "env.name",
      "env.base_url",
      "env.anon_key",
      "env.service_role_key",
      "env.paths.auth",
      "env.paths.rest",
      "env.paths.functions",
      "env.paths.storage",
      "env.stripe.webhook_url",
      "env.stripe.webhook_secret",
      "env.auth.captcha_token",
  };
  return kNames;
}

std::vector<std::string> environment_field_values(const config::Environment& environment) {
  return {
      environment.name,
      environment.base_url,
      environment.anon_key,
      environment.service_role_key,
      environment.paths.auth,
      environment.paths.rest,
      environment.paths.functions,
      environment.paths.storage,
      environment.stripe.webhook_url,
      environment.stripe.webhook_secret,
      environment.auth.captcha_token,
  };
}

bool environment_field_required_when_used(std::size_t slot) {
  return environment_field_names()[slot] != "env.auth.captcha_token";
}

}  // namespace golive::e2e
