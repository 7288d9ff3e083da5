#include "repo/env_file_checks.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "core/ascii_case.hpp"
#include "core/url.hpp"

namespace golive::repo {

namespace {

using core::Severity;

std::string trim(const std::string& text) {
  std::size_t start = text.find_first_not_of(" \t");
  if (start == std::string::npos) return "";
  std::size_t end = text.find_last_not_of(" \t");
  return text.substr(start, end - start + 1);
}

struct EnvFile {
  std::string role;  // "staging" or "production"
  std::string path;  // relative
  bool present = false;
  std::vector<EnvEntry> entries;
};

// Key-shaped literals, judged by prefix only.
bool key_shaped(const std::string& value) {
  for (const char* prefix : {"sk_live_", "sk_test_", "rk_live_", "rk_test_", "whsec_", "sbp_", "ghp_",
                             "github_pat_", "AKIA", "xoxb-", "eyJ"}) {
    if (value.rfind(prefix, 0) == 0 && value.size() > std::string(prefix).size() + 8) return true;
  }
  return false;
}

bool url_name(const std::string& name) {
  const std::string upper = core::ascii_upper(name);
  for (const char* part : {"SITE_URL", "APP_URL", "PUBLIC_URL", "REDIRECT", "CALLBACK", "ORIGIN", "DOMAIN"}) {
    if (upper.find(part) != std::string::npos) return true;
  }
  return false;
}

// The host of a URL-ish value ("https://app.example.com/cb" or "app.example.com").
std::string host_of(const std::string& value) {
  if (auto url = core::parse_url(value)) return url->host;
  std::string host = value;
  if (auto slash = host.find('/'); slash != std::string::npos) host = host.substr(0, slash);
  return core::ascii_lower(host);
}

bool within(const std::string& host, const std::string& domain) {
  return host == domain ||
         (host.size() > domain.size() && host.compare(host.size() - domain.size() - 1, std::string::npos, "." + domain) == 0);
}

}  // namespace

std::vector<EnvEntry> parse_env_file(const std::string& text) {
  std::vector<EnvEntry> entries;
  const auto lines = split_lines(text);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string line = trim(lines[i]);
    if (line.empty() || line[0] == '#') continue;
    if (line.rfind("export ", 0) == 0) line = trim(line.substr(7));
    const auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    EnvEntry entry;
    entry.name = trim(line.substr(0, eq));
    entry.value = trim(line.substr(eq + 1));
    if (entry.value.size() >= 2 && (entry.value.front() == '"' || entry.value.front() == '\'') &&
        entry.value.back() == entry.value.front()) {
      entry.value = entry.value.substr(1, entry.value.size() - 2);
    } else if (auto hash = entry.value.find(" #"); hash != std::string::npos) {
      entry.value = trim(entry.value.substr(0, hash));
    }
    entry.line = static_cast<int>(i + 1);
    entries.push_back(std::move(entry));
  }
  return entries;
}

std::string stripe_key_mode(const std::string& value) {
  for (const char* prefix : {"sk_live_", "pk_live_", "rk_live_"}) {
    if (value.rfind(prefix, 0) == 0) return "live";
  }
  for (const char* prefix : {"sk_test_", "pk_test_", "rk_test_"}) {
    if (value.rfind(prefix, 0) == 0) return "test";
  }
  return "";
}

void check_env_files(const RepoSettings& settings, core::ResultSink& sink) {
  Stopwatch watch;
  std::vector<EnvFile> files = {{"staging", settings.staging_env, false, {}},
                                {"production", settings.production_env, false, {}}};
  for (auto& file : files) {
    if (auto text = read_repo_text(settings, file.path)) {
      file.present = true;
      file.entries = parse_env_file(*text);
    }
  }
  // The required names: declared, else what .env.example lists.
  std::vector<std::string> required = settings.required_vars;
  std::string required_from = "the repo section's required_vars";
  if (required.empty()) {
    required_from = settings.env_example;
    if (auto example = read_repo_text(settings, settings.env_example)) {
      for (const auto& entry : parse_env_file(*example)) required.push_back(entry.name);
    }
  }
  nlohmann::json file_list = nlohmann::json::array();
  for (const auto& file : files) file_list.push_back({{"role", file.role}, {"file", file.path}, {"present", file.present}});
  auto finish = [&](core::CheckResult result, const std::vector<Finding>& findings, const std::string& pass) {
    result.evidence["files"] = file_list;
    conclude(result, findings, pass);
    result.duration_ms = watch.elapsed_ms();
    sink.record(result);
  };

  {
    auto result = repo_result("repo.env.required_vars", "Every required variable is set in the staging and production env files",
                              Severity::kHigh, {"s001.R3.5", "s000.checklist.environment.configs"});
    std::vector<Finding> findings;
    if (required.empty()) {
      findings.push_back({settings.env_example, 0, "no required variable names: neither required_vars nor " + settings.env_example + " declares any", ""});
    }
    for (const auto& file : files) {
      if (!file.present) {
        findings.push_back({file.path, 0, "the " + file.role + " env file does not exist", ""});
        continue;
      }
      std::map<std::string, const EnvEntry*> by_name;
      for (const auto& entry : file.entries) by_name[entry.name] = &entry;
      for (const auto& name : required) {
        auto it = by_name.find(name);
        if (it == by_name.end()) findings.push_back({file.path, 0, name + " is not set", ""});
        else if (it->second->value.empty()) findings.push_back({file.path, it->second->line, name + " is empty", ""});
      }
    }
    result.evidence["required"] = required;
    result.evidence["required_from"] = required_from;
    finish(result, findings, std::to_string(required.size()) + " required variables set in both files");
  }

  {
    auto result = repo_result("repo.env.secrets_are_references",
                              "Secret values in env files are vault or CI references, never literals",
                              Severity::kCritical, {"s001.R3.4", "s000.security.stripe_keys_not_exposed"});
    std::vector<Finding> findings;
    for (const auto& file : files) {
      for (const auto& entry : file.entries) {
        if (is_reference(entry.value)) continue;
        if (is_secret_name(entry.name) || key_shaped(entry.value)) {
          findings.push_back({file.path, entry.line,
                              entry.name + " holds a literal value (" + std::to_string(entry.value.size()) +
                                  " characters), not a reference (${{ secrets.X }}, vault:, op://, sm://)",
                              ""});
        }
      }
    }
    finish(result, findings, "every secret value is a reference");
  }

  {
    auto result = repo_result("repo.env.stripe_key_mode",
                              "No Stripe live key in staging, no Stripe test key in production",
                              Severity::kCritical, {"s001.R3.1", "s000.environments.stripe_mode"});
    std::vector<Finding> findings;
    for (const auto& file : files) {
      for (const auto& entry : file.entries) {
        const std::string mode = stripe_key_mode(entry.value);
        if (file.role == "staging" && mode == "live") {
          findings.push_back({file.path, entry.line, entry.name + " is a Stripe live-mode key in staging", ""});
        }
        if (file.role == "production" && mode == "test") {
          findings.push_back({file.path, entry.line, entry.name + " is a Stripe test-mode key in production", ""});
        }
      }
    }
    finish(result, findings, "no Stripe key of the wrong mode in either file");
  }

  {
    auto result = repo_result("repo.env.production_domain",
                              "Production site and OAuth redirect URLs name the production domain",
                              Severity::kHigh, {"s001.R3.2"});
    std::vector<Finding> findings;
    const EnvFile& production = files[1];
    std::string domain = core::ascii_lower(settings.production_domain);
    std::vector<const EnvEntry*> urls;
    for (const auto& entry : production.entries) {
      if (url_name(entry.name) && !is_reference(entry.value)) urls.push_back(&entry);
    }
    if (domain.empty()) {
      for (const EnvEntry* entry : urls) {
        if (core::ascii_upper(entry->name).find("SITE_URL") != std::string::npos) domain = host_of(entry->value);
      }
    }
    if (!production.present) {
      findings.push_back({production.path, 0, "the production env file does not exist", ""});
    } else if (domain.empty()) {
      findings.push_back({production.path, 0, "no production domain: set repo.production_domain or a *_SITE_URL variable", ""});
    }
    for (const EnvEntry* entry : urls) {
      // One value may list several URLs (comma-separated redirect lists).
      std::string rest = entry->value;
      while (!rest.empty() && !domain.empty()) {
        const auto comma = rest.find(',');
        const std::string one = trim(rest.substr(0, comma));
        rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
        if (one.empty()) continue;
        const std::string host = host_of(one);
        if (!within(host, domain)) {
          findings.push_back({production.path, entry->line,
                              entry->name + " names host " + host + ", not the production domain " + domain, ""});
        }
      }
    }
    result.evidence["production_domain"] = domain;
    result.evidence["urls_checked"] = urls.size();
    finish(result, findings, std::to_string(urls.size()) + " production URL settings name " + domain);
  }
}

}  // namespace golive::repo
