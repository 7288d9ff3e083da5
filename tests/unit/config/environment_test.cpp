// Environment loading: variable resolution, validation with pointers, secret
// registration, the production rail and capability descriptions.
#include "config/environment.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "core/input_error.hpp"
#include "core/random_id.hpp"

namespace golive::core {
namespace {

const std::string kEnvDir = std::string(GOLIVE_TEST_DATA) + "/env/";

config::VariableLookup lookup_from(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

const std::map<std::string, std::string> kFullVars = {
    {"TEST_ANON_KEY", "anon-key-value-123"},       {"TEST_SERVICE_KEY", "service-key-value-456"},
    {"TEST_JWT_SECRET", "jwt-secret-value-789"},   {"TEST_DB_PASSWORD", "db-password-abc"},
    {"TEST_WEBHOOK_SECRET", "whsec_webhook-value"}, {"TEST_USER_PASSWORD", "user-password-xyz"},
};

TEST(Environment, LoadsMinimalFileWithDefaults) {
  Redactor redactor;
  auto env = config::load_environment(kEnvDir + "good/minimal.json", lookup_from({}), redactor);
  EXPECT_EQ(env.name, "minimal");
  EXPECT_FALSE(env.production);
  EXPECT_EQ(env.base_url, "http://127.0.0.1:8080");
  EXPECT_EQ(env.paths.rest, "/rest/v1");
  EXPECT_EQ(env.stripe.webhook_url, "http://127.0.0.1:8080/functions/v1/stripe-webhook");
  EXPECT_DOUBLE_EQ(env.sla.availability, 0.999);
  ASSERT_NE(env.host_policy, nullptr);
  EXPECT_TRUE(env.host_policy->allows_url("http://127.0.0.1:9999/any"));
  EXPECT_FALSE(env.host_policy->allows_url("http://example.com/"));
  EXPECT_FALSE(env.tls.configured());
  EXPECT_EQ(redactor.secret_count(), 0u);
}

TEST(Environment, ResolvesVariablesDefaultsAndSections) {
  Redactor redactor;
  auto env = config::load_environment(kEnvDir + "good/full.json", lookup_from(kFullVars), redactor);
  EXPECT_EQ(env.base_url, "http://127.0.0.1:8080");  // trailing slash stripped
  EXPECT_EQ(env.anon_key, "anon-key-value-123");
  EXPECT_EQ(env.database_url, "postgresql://postgres:db-password-abc@127.0.0.1:5432/app");
  EXPECT_EQ(env.auth.captcha_token, "captcha-ok");  // ${VAR:-default}
  ASSERT_EQ(env.auth.test_users.size(), 1u);
  EXPECT_EQ(env.auth.test_users[0].password, "user-password-xyz");
  EXPECT_DOUBLE_EQ(env.sla.p95_ms, 300);
  EXPECT_DOUBLE_EQ(env.safety.max_rps, 200);
  ASSERT_TRUE(env.sections.count("security"));
  EXPECT_EQ(env.sections["security"]["exposed_schemas"][0], "public");
}

TEST(Environment, RegistersEverySecretWithTheRedactor) {
  Redactor redactor;
  auto env = config::load_environment(kEnvDir + "good/full.json", lookup_from(kFullVars), redactor);
  std::string text = "key " + env.anon_key + " db " + env.database_url + " pw db-password-abc " +
                     env.stripe.webhook_secret + " " + env.jwt_secret + " user-password-xyz";
  std::string redacted = redactor.redact(text);
  for (const auto& [name, value] : kFullVars) {
    EXPECT_EQ(redacted.find(value), std::string::npos) << name << " leaked: " << redacted;
  }
  EXPECT_NE(redacted.find(Redactor::kMask), std::string::npos);
  EXPECT_EQ(redactor.redact(env.base_url), env.base_url);  // not a secret
}

// A reproduction writes "$VAR" for a secret: the loader records which
// ${VAR} each secret value came from (and no variable of a non-secret).
TEST(Environment, RecordsTheVariableEachSecretCameFrom) {
  Redactor redactor;
  auto env = config::load_environment(kEnvDir + "good/full.json", lookup_from(kFullVars), redactor);
  std::map<std::string, std::string> by_name;
  for (const auto& [value, name] : env.secret_variables) by_name[name] = value;
  EXPECT_EQ(by_name["TEST_ANON_KEY"], "anon-key-value-123");
  EXPECT_EQ(by_name["TEST_DB_PASSWORD"], "db-password-abc");  // a part of database_url
  EXPECT_EQ(by_name["TEST_WEBHOOK_SECRET"], "whsec_webhook-value");
  for (const auto& [value, name] : env.secret_variables) {
    EXPECT_NE(redactor.redact(value), value) << name << " is no secret";
  }
}

TEST(Environment, ListsEveryMissingVariableAtOnce) {
  Redactor redactor;
  try {
    config::load_environment(kEnvDir + "broken/missing_vars.json", lookup_from({}), redactor);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("missing_vars.json"), std::string::npos);
    EXPECT_NE(what.find("GOLIVE_TEST_UNSET_BASE, GOLIVE_TEST_UNSET_JWT, GOLIVE_TEST_UNSET_KEY"),
              std::string::npos)
        << what;
  }
}

TEST(Environment, ReadsVariablesFromVarsFileAndProcessWins) {
  std::string dir = testing::TempDir();
  std::string vars = dir + "/golive_vars.env";
  {
    std::FILE* f = std::fopen(vars.c_str(), "w");
    std::fputs("# state\nREF_URL=http://127.0.0.1:9999\nREF_NAME=from-file\n", f);
    std::fclose(f);
  }
  std::string path = dir + "/golive_env_vars.json";
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    std::fputs(R"({"name": "${REF_NAME}", "vars_file": "golive_vars.env", "base_url": "${REF_URL}"})",
               f);
    std::fclose(f);
  }
  Redactor redactor;
  auto env = config::load_environment(path, lookup_from({{"REF_NAME", "from-process"}}), redactor);
  EXPECT_EQ(env.base_url, "http://127.0.0.1:9999");
  EXPECT_EQ(env.name, "from-process");
}

TEST(Environment, ProductionRefusesDestructiveWorkWithoutOverride) {
  Redactor redactor;
  auto env = config::load_environment(kEnvDir + "good/production.json", lookup_from({}), redactor);
  EXPECT_TRUE(env.production);
  EXPECT_THROW(config::require_non_production(env, false, "load"), InputError);
  EXPECT_NO_THROW(config::require_non_production(env, true, "load"));
  auto staging = config::load_environment(kEnvDir + "good/minimal.json", lookup_from({}), redactor);
  EXPECT_NO_THROW(config::require_non_production(staging, false, "load"));
}

}  // namespace
}  // namespace golive::core

namespace golive::core {
namespace {

TEST(Environment, NotesSecretsWrittenLiterallyInTheFile) {
  std::string path = testing::TempDir() + "/golive_literal_secret.json";
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    std::fputs(R"({"name": "x", "base_url": "http://127.0.0.1", "jwt_secret": "hardcoded-123456",
                   "anon_key": "${ANON}", "stripe": {"webhook_secret": "whsec_literal1"}})", f);
    std::fclose(f);
  }
  Redactor redactor;
  auto env = config::load_environment(path, lookup_from({{"ANON", "anon-from-env"}}), redactor);
  EXPECT_EQ(env.literal_secret_pointers,
            (std::vector<std::string>{"/jwt_secret", "/stripe/webhook_secret"}));
  EXPECT_EQ(redactor.redact("hardcoded-123456"), Redactor::kMask);  // still redacted
}

}  // namespace
}  // namespace golive::core

namespace golive::testing {
namespace {

namespace fs = std::filesystem;

// A temporary folder holding one environment file (and whatever else a test
// writes beside it), removed afterwards.
class EnvFolder {
 public:
  EnvFolder() : path_(fs::temp_directory_path() / ("golive-env-" + core::random_hex(6))) {
    fs::create_directories(path_ / "certs");
  }
  ~EnvFolder() { fs::remove_all(path_); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ / name) << text;
    return (path_ / name).string();
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string env_with(const std::string& extra) {
  return R"({"name": "tls-test", "base_url": "https://staging.example.test")" + extra + "}";
}

config::Environment load(const std::string& file) {
  core::Redactor redactor;
  return config::load_environment(file, [](const std::string&) { return std::nullopt; }, redactor);
}

std::string load_error(const std::string& file) {
  try {
    load(file);
  } catch (const core::InputError& e) {
    return e.what();
  }
  return "";
}

TEST(TlsSettings, PathsResolveAgainstTheEnvironmentFile) {
  EnvFolder folder;
  folder.write("certs/ca.pem", "-----BEGIN CERTIFICATE-----\n");
  folder.write("certs/client.pem", "cert");
  folder.write("certs/client.key", "key");
  const auto env = load(folder.write(
      "staging.json", env_with(R"(, "tls": {"ca_file": "certs/ca.pem", "client_cert": "certs/client.pem",
                                   "client_key": "certs/client.key", "min_version": "1.3"})")));
  EXPECT_EQ(env.tls.ca_file, (folder.path() / "certs/ca.pem").string());
  EXPECT_EQ(env.tls.client_key, (folder.path() / "certs/client.key").string());
  EXPECT_EQ(env.tls.min_version, "1.3");
  EXPECT_FALSE(env.tls.insecure);
  EXPECT_TRUE(env.tls.configured());
}

TEST(TlsSettings, BadSettingsNameTheFileAndTheKey) {
  EnvFolder folder;
  const std::string missing =
      load_error(folder.write("a.json", env_with(R"(, "tls": {"ca_file": "certs/none.pem"})")));
  EXPECT_NE(missing.find("a.json"), std::string::npos) << missing;
  EXPECT_NE(missing.find("/tls/ca_file"), std::string::npos) << missing;
  EXPECT_NE(missing.find("cannot read"), std::string::npos) << missing;

  folder.write("certs/client.pem", "cert");
  const std::string half =
      load_error(folder.write("b.json", env_with(R"(, "tls": {"client_cert": "certs/client.pem"})")));
  EXPECT_NE(half.find("go together"), std::string::npos) << half;

  const std::string version =
      load_error(folder.write("c.json", env_with(R"(, "tls": {"min_version": "1.0"})")));
  EXPECT_NE(version.find("/tls/min_version"), std::string::npos) << version;

  const std::string unknown =
      load_error(folder.write("d.json", env_with(R"(, "tls": {"verify": false})")));
  EXPECT_NE(unknown.find("verify"), std::string::npos) << unknown;
}

TEST(TlsSettings, InsecureIsRefusedForProductionOnly) {
  EnvFolder folder;
  EXPECT_TRUE(load(folder.write("staging.json", env_with(R"(, "tls": {"insecure": true})"))).tls.insecure);
  const std::string refused = load_error(folder.write(
      "prod.json", env_with(R"(, "production": true, "tls": {"insecure": true})")));
  EXPECT_NE(refused.find("/tls/insecure"), std::string::npos) << refused;
  EXPECT_NE(refused.find("production"), std::string::npos) << refused;
}

// "release" names where the deployed release is read, "checklist" how the
// checklist gates; bad values name the file and the pointer.
TEST(Environment, ReleaseAndChecklistSections) {
  EnvFolder folder;
  const auto env = load(folder.write(
      "r.json", env_with(R"(, "release": {"version_url": "/version"}, "checklist": {"strict": true})")));
  EXPECT_EQ(env.release.version_url, "/version");
  EXPECT_TRUE(env.checklist.strict);
  const auto defaults = load(folder.write("d.json", env_with("")));
  EXPECT_EQ(defaults.release.version_url, "");
  EXPECT_FALSE(defaults.checklist.strict);
  EXPECT_EQ(load(folder.write("u.json", env_with(R"(, "release": {"version_url": "https://x.test/v"})")))
                .release.version_url,
            "https://x.test/v");

  const std::string bad_url =
      load_error(folder.write("b.json", env_with(R"(, "release": {"version_url": "version"})")));
  EXPECT_NE(bad_url.find("b.json"), std::string::npos) << bad_url;
  EXPECT_NE(bad_url.find("/release/version_url"), std::string::npos) << bad_url;
  const std::string bad_key =
      load_error(folder.write("k.json", env_with(R"(, "checklist": {"waive": []})")));
  EXPECT_NE(bad_key.find("waive"), std::string::npos) << bad_key;
  const std::string bad_type =
      load_error(folder.write("t.json", env_with(R"(, "checklist": {"strict": "yes"})")));
  EXPECT_NE(bad_type.find("/checklist/strict"), std::string::npos) << bad_type;
}

TEST(Environment, CommentsAndDescriptionsAreProseNotTemplates) {
  EnvFolder folder;
  const auto env = load(folder.write(
      "e.json", R"({"$comment": "secrets stay ${VAR}", "description": "uses ${OTHER}",
                    "name": "prose", "base_url": "http://127.0.0.1:1",
                    "security": {"$comment": "and ${NESTED} too"}})"));
  EXPECT_EQ(env.name, "prose");  // no "missing environment variable: VAR"
}

TEST(Environment, UpperCaseAndTrailingDotBaseUrlsAreAllowed) {
  EnvFolder folder;
  for (const std::string base : {"http://LOCALHOST:8080", "http://localhost.:8080", "http://[::1]:8080"}) {
    const auto env = load(folder.write("h.json", R"({"name": "h", "base_url": ")" + base + "\"}"));
    EXPECT_TRUE(env.host_policy->allows_url(base + "/rest/v1/x")) << base;
    EXPECT_FALSE(env.host_policy->allows_url("http://127.0.0.2:8080/")) << base;
  }
}

// auth.kind "tokens": pre-issued bearer tokens with their user ids, redacted.
TEST(AuthKind, TokensAreReadAndRedacted) {
  EnvFolder folder;
  core::Redactor redactor;
  const auto env = config::load_environment(
      folder.write("tokens.json",
                   env_with(R"(, "auth": {"kind": "tokens", "tokens": [
                       {"token": "${A_TOKEN}", "user_id": "user-a"},
                       {"token": "opaque-b-token-value", "user_id": "user-b"}]})")),
      [](const std::string& name) -> std::optional<std::string> {
        if (name == "A_TOKEN") return std::string("opaque-a-token-value");
        return std::nullopt;
      },
      redactor);
  EXPECT_EQ(env.auth.kind, "tokens");
  EXPECT_TRUE(env.auth.declared);
  ASSERT_EQ(env.auth.tokens.size(), 2u);
  EXPECT_EQ(env.auth.tokens[0].user_id, "user-a");
  EXPECT_EQ(env.auth.tokens[0].token, "opaque-a-token-value");
  EXPECT_EQ(redactor.redact("Bearer opaque-a-token-value"), "Bearer " + std::string(core::Redactor::kMask));
}

TEST(AuthKind, MistakesNameThePointer) {
  EnvFolder folder;
  const std::string unknown =
      load_error(folder.write("kind.json", env_with(R"(, "auth": {"kind": "oauth"})")));
  EXPECT_NE(unknown.find("/auth/kind"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("tokens"), std::string::npos) << unknown;
  const std::string empty =
      load_error(folder.write("empty.json", env_with(R"(, "auth": {"kind": "tokens"})")));
  EXPECT_NE(empty.find("auth.tokens"), std::string::npos) << empty;
  const std::string no_id = load_error(folder.write(
      "no_id.json", env_with(R"(, "auth": {"kind": "tokens", "tokens": [{"token": "t"}]})")));
  EXPECT_NE(no_id.find("/auth/tokens/0"), std::string::npos) << no_id;
  EXPECT_NE(no_id.find("user_id"), std::string::npos) << no_id;
  const std::string no_file = load_error(folder.write(
      "no_file.json", env_with(R"(, "auth": {"kind": "workflow", "workflow": "login.json"})")));
  EXPECT_NE(no_file.find("/auth/workflow"), std::string::npos) << no_file;
  EXPECT_NE(no_file.find("no such file"), std::string::npos) << no_file;
  folder.write("login.json", "{}");
  const auto env = load(folder.write(
      "workflow.json", env_with(R"(, "auth": {"kind": "workflow", "workflow": "login.json"})")));
  EXPECT_EQ(env.auth.workflow, (folder.path() / "login.json").string());
}

}  // namespace
}  // namespace golive::testing
