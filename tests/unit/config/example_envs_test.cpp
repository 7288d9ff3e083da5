// envs/staging.example.json, envs/production.example.json and
// envs/custom-api.example.json are documentation
// that must stay valid: each loads with the environment loader (a lookup
// fills every ${VAR}), staging and production use every top-level key the loader accepts, each keeps
// every secret out of the file, and every suite section passes that suite's
// own settings reader. Production is marked production with conservative
// limits.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "contract/ai_fault_checks.hpp"
#include "contract/stripe_replay_suite.hpp"
#include "contract/subscription_observer.hpp"
#include "config/environment.hpp"
#include "core/input_error.hpp"
#include "core/redactor.hpp"
#include "db/db_suite.hpp"
#include "load/load_settings.hpp"
#include "security/authz_resources.hpp"
#include "security/http_probe_support.hpp"
#include "security/injection_settings.hpp"
#include "security/rls_suite.hpp"
#include "security/secrets_probe.hpp"
#include "security/storage_probe.hpp"

namespace golive::core {
namespace {

namespace fs = std::filesystem;

const fs::path kHome = fs::path(GOLIVE_TEST_DATA).parent_path().parent_path();

// Every top-level key load_environment accepts (config/environment.cpp).
const std::set<std::string> kTopLevelKeys = {
    "$comment", "description", "name",     "production", "vars_file", "base_url", "paths",
    "anon_key", "service_role_key", "jwt_secret", "database_url", "stripe", "auth", "sla",
    "safety",   "e2e",         "load",     "security",   "contract",  "db",
    "release",  "checklist"};

// A value of the right shape for each variable the examples name, so every
// validation (URL schemes, whsec_ prefixes, test-mode keys) really runs.
std::optional<std::string> fill_every_variable(const std::string& name, std::set<std::string>& seen) {
  seen.insert(name);
  if (name.ends_with("_HOST")) return std::nullopt;  // the examples' own defaults
  if (name.ends_with("_ADDRESS")) return "127.0.0.1:8399";
  if (name.ends_with("DATABASE_URL")) return "postgresql://golive:pw-" + name + "@db.internal:5432/app";
  if (name == "STRIPE_WEBHOOK_SECRET") return "whsec_" + name;
  if (name.starts_with("STRIPE_")) return "rk_test_" + name;
  return "value-of-" + name;
}

struct LoadedExample {
  config::Environment env;
  Redactor redactor;
  std::set<std::string> variables;
  nlohmann::json document;
};

std::unique_ptr<LoadedExample> load_example(const std::string& file) {
  auto loaded = std::make_unique<LoadedExample>();
  const fs::path path = kHome / "envs" / file;
  std::ifstream in(path);
  loaded->document = nlohmann::json::parse(in);
  auto* variables = &loaded->variables;
  loaded->env = config::load_environment(
      path.string(), [variables](const std::string& name) { return fill_every_variable(name, *variables); },
      loaded->redactor);
  return loaded;
}

// Runs every suite's settings reader over the environment's sections.
void expect_sections_valid(const config::Environment& env) {
  // The RLS probes read the database: an environment without one skips them.
  if (!env.database_url.empty()) {
    EXPECT_NO_THROW(security::read_rls_settings(env, security::RlsOptions{}));
  }
  EXPECT_NO_THROW(security::read_http_security_settings(env));
  EXPECT_NO_THROW(security::read_injection_settings(env));
  EXPECT_NO_THROW(security::read_storage_settings(env));
  EXPECT_NO_THROW(security::read_secrets_settings(env));
  EXPECT_NO_THROW(db::read_db_settings(env, kHome.string()));
  EXPECT_NO_THROW(load::read_load_stage_settings(env, kHome.string()));
  EXPECT_NO_THROW(contract::read_ai_stub_config(env));
}

TEST(ExampleEnvironments, StagingLoadsAndShowsEveryKey) {
  auto loaded = load_example("staging.example.json");
  const config::Environment& env = loaded->env;
  EXPECT_EQ(env.name, "staging");
  EXPECT_FALSE(env.production);
  EXPECT_EQ(env.base_url, "https://staging.example.com");
  std::set<std::string> keys;
  for (const auto& item : loaded->document.items()) keys.insert(item.key());
  EXPECT_EQ(keys, kTopLevelKeys) << "the staging example shows every top-level key";
  for (const char* section : {"e2e", "load", "security", "contract", "db"}) {
    EXPECT_TRUE(env.sections.count(section)) << section;
  }
  EXPECT_TRUE(env.literal_secret_pointers.empty()) << "every secret is a ${VAR}";
  EXPECT_EQ(env.database_url, "postgresql://golive:pw-STAGING_DATABASE_URL@db.internal:5432/app");
  EXPECT_EQ(env.stripe.webhook_secret, "whsec_STRIPE_WEBHOOK_SECRET");
  EXPECT_EQ(env.auth.test_users.size(), 2u);
  EXPECT_EQ(env.safety.allowed_hosts, std::vector<std::string>{"staging.example.com"});
  EXPECT_EQ(env.release.version_url, "/version");
  for (const char* name : {"SUPABASE_ANON_KEY", "SUPABASE_JWT_SECRET", "STAGING_DATABASE_URL",
                           "STRIPE_WEBHOOK_SECRET", "GOLIVE_TEST_USER_A_PASSWORD"}) {
    EXPECT_TRUE(loaded->variables.count(name)) << name;
  }
  EXPECT_EQ(loaded->redactor.redact("jwt " + env.jwt_secret), "jwt [REDACTED]");
  expect_sections_valid(env);
  contract::ContractOptions contract_options;
  contract_options.events_dir = (kHome / "contract" / "events").string();
  EXPECT_NO_THROW(contract::validate_contract_run(env, contract_options, false));
}

TEST(ExampleEnvironments, ProductionIsMarkedAndConservative) {
  auto loaded = load_example("production.example.json");
  const config::Environment& env = loaded->env;
  EXPECT_EQ(env.name, "production");
  EXPECT_TRUE(env.production);
  EXPECT_GT(env.safety.max_rps, 0) << "production always has a request-rate cap";
  EXPECT_LE(env.safety.max_rps, 20);
  EXPECT_EQ(env.safety.allowed_hosts, std::vector<std::string>{"app.example.com"});
  EXPECT_FALSE(env.auth.signup_enabled) << "no throwaway signups on production";
  EXPECT_TRUE(env.checklist.strict) << "a production gate counts every unverified item";
  EXPECT_TRUE(env.literal_secret_pointers.empty());
  EXPECT_FALSE(env.sections.at("load").at("enabled").get<bool>());
  EXPECT_FALSE(env.sections.at("db").at("allow_backup_drill").get<bool>());
  std::set<std::string> keys;
  for (const auto& item : loaded->document.items()) keys.insert(item.key());
  EXPECT_EQ(keys, kTopLevelKeys);
  expect_sections_valid(env);
  EXPECT_THROW(config::require_non_production(env, false, "load testing"), InputError);
  contract::ContractOptions contract_options;
  EXPECT_THROW(contract::validate_contract_run(env, contract_options, false), InputError)
      << "webhook replay is refused on production without --allow-production";
}

// A target with its own auth, its own API and no database: tokens, BOLA
// resources, rate-limited endpoints of its own, and Stripe replay observed
// through a state URL with per-event post-conditions.
TEST(ExampleEnvironments, CustomApiNeedsNoSupabaseAndNoDatabase) {
  auto loaded = load_example("custom-api.example.json");
  const config::Environment& env = loaded->env;
  EXPECT_EQ(env.auth.kind, "tokens");
  ASSERT_EQ(env.auth.tokens.size(), 2u);
  EXPECT_TRUE(env.database_url.empty());
  EXPECT_TRUE(env.literal_secret_pointers.empty()) << "every secret is a ${VAR}";
  EXPECT_EQ(loaded->redactor.redact(env.auth.tokens[0].token), "[REDACTED]");
  expect_sections_valid(env);
  ASSERT_EQ(security::read_authz_resources(env).size(), 1u);
  const contract::ObserveSettings observe = contract::read_observe_settings(env, false);
  EXPECT_EQ(observe.kind, contract::ObserverKind::kHttp);
  EXPECT_EQ(observe.events.size(), 3u);
  contract::ContractOptions contract_options;
  contract_options.events_dir = (kHome / "contract" / "events").string();
  EXPECT_NO_THROW(contract::validate_contract_run(env, contract_options, false));
}

// A resource that names its table may leave out "create" (the API access
// matrix uses its own rows); without a table "create" is still required.
TEST(ExampleEnvironments, AuthzResourceWithATableNeedsNoCreate) {
  auto loaded = load_example("custom-api.example.json");
  config::Environment env = loaded->env;
  env.sections["security"]["authz"]["resources"] = nlohmann::json::array(
      {{{"name", "course_print"}, {"table", "courses"}, {"read", "/functions/v1/courses/{{id}}/print"}}});
  const auto resources = security::read_authz_resources(env);
  ASSERT_EQ(resources.size(), 1u);
  EXPECT_FALSE(resources[0].has_create);
  EXPECT_EQ(resources[0].table, "public.courses");
  env.sections["security"]["authz"]["resources"][0].erase("table");
  try {
    (void)security::read_authz_resources(env);
    ADD_FAILURE() << "a resource without table or create was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("/security/authz/resources/0"), std::string::npos) << e.what();
  }
}

TEST(ExampleEnvironments, MissingSecretsAreNamedAtOnce) {
  Redactor redactor;
  try {
    config::load_environment((kHome / "envs" / "staging.example.json").string(),
                     [](const std::string&) { return std::optional<std::string>(); }, redactor);
    ADD_FAILURE() << "secrets have no defaults";
  } catch (const InputError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("SUPABASE_ANON_KEY"), std::string::npos) << message;
    EXPECT_NE(message.find("STRIPE_WEBHOOK_SECRET"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace golive::core
