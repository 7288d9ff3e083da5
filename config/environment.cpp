#include "config/environment.hpp"

#include "core/url.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include "core/input_error.hpp"

namespace golive::config {

namespace {

// Keys whose values are secrets wherever they appear in the file.
bool is_secret_key(const std::string& key) {
  static const char* const kMarkers[] = {"secret", "password", "token", "_key", "database_url",
                                         "dsn"};
  std::string lower = key;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  return std::any_of(std::begin(kMarkers), std::end(kMarkers),
                     [&](const char* m) { return lower.find(m) != std::string::npos; });
}

// Registers a database URL's password as well as the whole URL.
void register_secret(core::Redactor& redactor, const std::string& key, const std::string& value) {
  redactor.add_secret(value);
  static const std::regex kUserinfo(R"(^[a-z]+://[^:/@]+:([^@/]+)@)");
  std::smatch m;
  if (std::regex_search(value, m, kUserinfo)) redactor.add_secret(m[1].str());
}

class Resolver {
 public:
  Resolver(const VariableLookup& lookup, const std::map<std::string, std::string>& file_vars)
      : lookup_(lookup), file_vars_(file_vars) {}

  // Replaces ${VAR} and ${VAR:-default} in every string, in place.
  void resolve(nlohmann::json& value) {
    if (value.is_string()) {
      value = substitute(value.get<std::string>());
    } else if (value.is_object()) {
      // "$comment" and "description" are prose for people: "${VAR}" there is
      // an example, not a variable to resolve.
      for (auto& [key, item] : value.items()) {
        if (key == "$comment" || key == "description") continue;
        resolve(item);
      }
    } else if (value.is_array()) {
      for (auto& item : value) resolve(item);
    }
  }

  const std::set<std::string>& missing() const { return missing_; }
  // Every non-empty value a ${VAR} resolved to, with the variable's name.
  const std::map<std::string, std::string>& variable_values() const { return variable_values_; }

 private:
  std::string substitute(const std::string& text) {
    static const std::regex kVariable(R"(\$\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\})");
    std::string out;
    auto begin = std::sregex_iterator(text.begin(), text.end(), kVariable);
    std::size_t last = 0;
    for (auto it = begin; it != std::sregex_iterator(); ++it) {
      const auto& m = *it;
      out += text.substr(last, m.position() - last);
      std::string name = m[1].str();
      if (auto v = find(name)) {
        out += *v;
        if (!v->empty()) variable_values_.emplace(*v, name);
      } else if (m[2].matched) {
        out += m[3].str();
      } else {
        missing_.insert(name);
      }
      last = m.position() + m.length();
    }
    return out + text.substr(last);
  }

  std::optional<std::string> find(const std::string& name) const {
    if (auto v = lookup_(name)) return v;
    auto it = file_vars_.find(name);
    if (it != file_vars_.end()) return it->second;
    return std::nullopt;
  }

  const VariableLookup& lookup_;
  const std::map<std::string, std::string>& file_vars_;
  std::set<std::string> missing_;
  std::map<std::string, std::string> variable_values_;
};

void collect_secrets(const nlohmann::json& value, const std::string& key, core::Redactor& redactor) {
  if (value.is_string()) {
    if (is_secret_key(key)) register_secret(redactor, key, value.get<std::string>());
  } else if (value.is_object()) {
    for (const auto& item : value.items()) collect_secrets(item.value(), item.key(), redactor);
  } else if (value.is_array()) {
    for (const auto& item : value) collect_secrets(item, key, redactor);
  }
}

// Notes secret-bearing keys whose raw (unresolved) value is a literal.
void find_literal_secrets(const nlohmann::json& value, const std::string& key,
                          const std::string& pointer, std::vector<std::string>& out) {
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    if (is_secret_key(key) && !text.empty() && text.find("${") == std::string::npos) {
      out.push_back(pointer);
    }
  } else if (value.is_object()) {
    for (const auto& item : value.items()) {
      find_literal_secrets(item.value(), item.key(), pointer + "/" + core::escape_pointer_token(item.key()),
                           out);
    }
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      find_literal_secrets(value[i], key, pointer + "/" + std::to_string(i), out);
    }
  }
}

std::string strip_trailing_slash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

void require_http_url(const core::JsonReader& reader) {
  std::string url = reader.as_string();
  if (!core::parse_url(url)) {
    reader.fail("expected an http:// or https:// URL with a host, found \"" + url + "\"");
  }
}

}  // namespace

VariableLookup process_variables() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

std::map<std::string, std::string> read_vars_file(const std::string& path) {
  std::map<std::string, std::string> vars;
  std::ifstream in(path);
  if (!in) return vars;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    vars[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return vars;
}

Environment load_environment(const std::string& path, const VariableLookup& lookup,
                             core::Redactor& redactor) {
  nlohmann::json doc = core::load_json_file(path);
  core::JsonReader root(doc, path);
  root.as_object();
  root.reject_unknown_keys({"$comment", "description", "name", "production", "vars_file",
                            "base_url", "paths", "anon_key", "service_role_key", "jwt_secret",
                            "database_url", "stripe", "auth", "sla", "safety", "e2e", "load",
                            "security", "contract", "db", "repo", "tls", "target", "release",
                            "checklist",
                            "infra", "observability", "frontend", "waivers", "notify", "http"});

  std::map<std::string, std::string> file_vars;
  if (root.has("vars_file")) {
    std::filesystem::path vars_path = root.at("vars_file").as_string();
    if (vars_path.is_relative()) vars_path = std::filesystem::path(path).parent_path() / vars_path;
    file_vars = read_vars_file(vars_path.string());
  }

  std::vector<std::string> literal_secrets;
  find_literal_secrets(doc, "", "", literal_secrets);

  Resolver resolver(lookup, file_vars);
  resolver.resolve(doc);
  if (!resolver.missing().empty()) {
    std::string names;
    for (const auto& n : resolver.missing()) names += (names.empty() ? "" : ", ") + n;
    throw core::InputError(path, "",
                     "missing environment variable" +
                         std::string(resolver.missing().size() > 1 ? "s: " : ": ") + names);
  }
  collect_secrets(doc, "", redactor);

  Environment env;
  env.source_file = path;
  env.literal_secret_pointers = std::move(literal_secrets);
  for (const auto& [value, name] : resolver.variable_values()) {
    if (redactor.redact(value) != value) env.secret_variables.emplace_back(value, name);
  }
  env.name = root.at("name").as_string();
  env.production = root.bool_or("production", false);
  require_http_url(root.at("base_url"));
  env.base_url = strip_trailing_slash(root.at("base_url").as_string());
  if (root.has("paths")) {
    auto paths = root.at("paths");
    paths.reject_unknown_keys({"auth", "rest", "functions", "storage"});
    env.paths.auth = paths.string_or("auth", env.paths.auth);
    env.paths.rest = paths.string_or("rest", env.paths.rest);
    env.paths.functions = paths.string_or("functions", env.paths.functions);
    env.paths.storage = paths.string_or("storage", env.paths.storage);
  }
  env.anon_key = root.string_or("anon_key", "");
  env.service_role_key = root.string_or("service_role_key", "");
  env.jwt_secret = root.string_or("jwt_secret", "");
  env.database_url = root.string_or("database_url", "");
  if (!env.database_url.empty() && env.database_url.rfind("postgres", 0) != 0) {
    root.at("database_url").fail("expected a postgres:// or postgresql:// URL");
  }

  env.stripe.webhook_url = env.base_url + env.paths.functions + "/stripe-webhook";
  if (root.has("stripe")) {
    auto stripe = root.at("stripe");
    stripe.reject_unknown_keys({"webhook_url", "webhook_secret", "secret_key", "observe"});
    if (stripe.has("webhook_url")) require_http_url(stripe.at("webhook_url"));
    env.stripe.webhook_url = stripe.string_or("webhook_url", env.stripe.webhook_url);
    env.stripe.webhook_secret = stripe.string_or("webhook_secret", "");
    env.stripe.secret_key = stripe.string_or("secret_key", "");
    if (stripe.has("observe")) {
      stripe.at("observe").as_object();
      env.stripe.observe = doc["stripe"]["observe"];
    }
    if (!env.stripe.webhook_secret.empty() && env.stripe.webhook_secret.rfind("whsec_", 0) != 0) {
      stripe.at("webhook_secret").fail("a Stripe webhook secret starts with whsec_");
    }
  }

  if (root.has("auth")) {
    auto auth = root.at("auth");
    env.auth.declared = true;
    auth.reject_unknown_keys(
        {"kind", "tokens", "workflow", "signup_enabled", "captcha_required", "captcha_token",
         "test_users"});
    env.auth.kind = auth.string_or("kind", "supabase");
    if (env.auth.kind != "supabase" && env.auth.kind != "tokens" && env.auth.kind != "workflow") {
      auth.at("kind").fail("expected \"supabase\" (signup or password login on paths.auth), "
                           "\"tokens\" (pre-issued bearer tokens in auth.tokens) or \"workflow\" "
                           "(a login workflow file in auth.workflow)");
    }
    if (env.auth.kind == "workflow") {
      if (!auth.has("workflow")) {
        auth.at("kind").fail("\"workflow\" needs auth.workflow: a login workflow file that "
                             "captures token and user_id");
      }
      std::filesystem::path workflow = auth.at("workflow").as_string();
      if (workflow.is_relative()) workflow = std::filesystem::path(path).parent_path() / workflow;
      if (!std::filesystem::is_regular_file(workflow)) {
        auth.at("workflow").fail("no such file: " + workflow.string());
      }
      env.auth.workflow = workflow.string();
    }
    if (auth.has("tokens")) {
      auto tokens = auth.at("tokens");
      for (std::size_t i = 0; i < tokens.as_array().size(); ++i) {
        auto token = tokens.at(i);
        token.reject_unknown_keys({"token", "user_id"});
        IssuedToken issued{token.at("token").as_string(), token.at("user_id").as_string()};
        if (issued.token.empty()) token.at("token").fail("empty token (is its ${VAR} set?)");
        if (issued.user_id.empty()) token.at("user_id").fail("empty user_id");
        redactor.add_secret(issued.token);
        env.auth.tokens.push_back(std::move(issued));
      }
    }
    if (env.auth.kind == "tokens" && env.auth.tokens.empty()) {
      auth.at("kind").fail("\"tokens\" needs auth.tokens: [{\"token\": \"${USER_A_TOKEN}\", "
                           "\"user_id\": \"...\"}, ...] (user A, user B)");
    }
    env.auth.signup_enabled = auth.bool_or("signup_enabled", true);
    env.auth.captcha_required = auth.bool_or("captcha_required", false);
    env.auth.captcha_token = auth.string_or("captcha_token", "");
    if (auth.has("test_users")) {
      auto users = auth.at("test_users");
      for (std::size_t i = 0; i < users.as_array().size(); ++i) {
        auto user = users.at(i);
        user.reject_unknown_keys({"email", "password"});
        env.auth.test_users.push_back({user.at("email").as_string(), user.at("password").as_string()});
      }
    }
  }

  if (root.has("sla")) {
    auto sla = root.at("sla");
    sla.reject_unknown_keys({"availability", "p95_ms", "p99_ms"});
    env.sla.availability = sla.number_or("availability", env.sla.availability);
    if (env.sla.availability <= 0 || env.sla.availability > 1) {
      sla.at("availability").fail("availability is a ratio in (0, 1], e.g. 0.999");
    }
    env.sla.p95_ms = sla.number_or("p95_ms", env.sla.p95_ms);
    env.sla.p99_ms = sla.number_or("p99_ms", env.sla.p99_ms);
  }

  if (root.has("safety")) {
    auto safety = root.at("safety");
    safety.reject_unknown_keys({"max_rps", "allowed_hosts"});
    env.safety.max_rps = safety.number_or("max_rps", 0);
    if (env.safety.max_rps < 0) safety.at("max_rps").fail("max_rps must be 0 (no cap) or positive");
    if (safety.has("allowed_hosts")) {
      auto hosts = safety.at("allowed_hosts");
      for (std::size_t i = 0; i < hosts.as_array().size(); ++i) {
        env.safety.allowed_hosts.push_back(hosts.at(i).as_string());
      }
    }
  }

  if (root.has("release")) {
    auto release = root.at("release");
    release.reject_unknown_keys({"version_url"});
    env.release.version_url = release.string_or("version_url", "");
    const std::string& url = env.release.version_url;
    if (!url.empty() && url.front() != '/' && !core::parse_url(url)) {
      release.at("version_url")
          .fail("expected a path on base_url such as \"/version\" or an http:// or https:// URL, "
                "found \"" + url + "\"");
    }
  }
  if (root.has("http")) {  // kept in sections; http::client_options_for reads it
    auto http = root.at("http");
    http.reject_unknown_keys({"request_id_header"});
    http.bool_or("request_id_header", true);
  }
  if (root.has("checklist")) {
    auto checklist = root.at("checklist");
    checklist.reject_unknown_keys({"strict"});
    env.checklist.strict = checklist.bool_or("strict", false);
  }

  if (root.has("repo")) {
    // The repository audit reads the rest (repo/repo_settings.hpp); the
    // checkout it names is required here so a typo fails at load.
    root.at("repo").as_object();
    root.at("repo").at("path").as_string();
  }
  for (const char* section : {"http", "e2e", "load", "security", "contract", "db", "repo", "target",
                              "infra", "observability", "frontend"}) {
    if (root.has(section)) {
      root.at(section).as_object();
      env.sections[section] = doc[section];
    }
  }

  // Notifications (run/notifications.hpp) validate their own section.
  if (root.has("notify")) {
    root.at("notify").as_object();
    env.sections["notify"] = doc["notify"];
  }
  // Waivers (core/waivers.hpp): a file path or the list; run/ reads them.
  if (root.has("waivers")) {
    if (!doc["waivers"].is_string() && !doc["waivers"].is_array() && !doc["waivers"].is_object()) {
      root.at("waivers").fail("expected a waiver file path or a list of waivers");
    }
    env.sections["waivers"] = doc["waivers"];
  }
  if (root.has("tls")) env.tls = read_tls_settings(root.at("tls"), path, env.production);
  env.host_policy = HostPolicy::for_target(env.base_url, env.safety.allowed_hosts);
  if (!env.host_policy->allows_url(env.base_url)) {
    root.at("base_url").fail("host \"" + core::parse_url(env.base_url)->host +
                             "\" is not in safety.allowed_hosts");
  }
  return env;
}


void require_non_production(const Environment& env, bool allow_production,
                            const std::string& activity) {
  if (env.production && !allow_production) {
    throw core::InputError(env.source_file, "/production",
                     "environment \"" + env.name + "\" is marked production; refusing " + activity +
                         " without --allow-production");
  }
}

}  // namespace golive::config
