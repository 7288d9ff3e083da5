#include "browser/browser_settings.hpp"

#include "core/input_error.hpp"

namespace golive::browser {

namespace {

bool flag(const core::JsonReader& section, const std::string& key, bool fallback) {
  if (!section.has(key)) return fallback;
  const core::JsonReader member = section.at(key);
  if (member.value().is_boolean()) return member.as_bool();
  if (member.value().is_string()) {
    const std::string text = member.as_string();
    if (text == "true") return true;
    if (text == "false") return false;
    if (text.empty()) return fallback;
  }
  member.fail("must be true or false (a boolean or the string)");
}

int positive_or(const core::JsonReader& section, const std::string& key, int fallback, bool zero_ok) {
  if (!section.has(key)) return fallback;
  const core::JsonReader member = section.at(key);
  const std::int64_t value = member.as_integer();
  if (value < (zero_ok ? 0 : 1) || value > 600000) member.fail(zero_ok ? "must be 0..600000" : "must be 1..600000");
  return static_cast<int>(value);
}

std::string string_or_default(const core::JsonReader& section, const std::string& key, const std::string& fallback) {
  const std::string text = section.string_or(key, fallback);
  return text.empty() ? fallback : text;
}

}  // namespace

std::vector<std::string> default_analytics_hosts() {
  return {"www.google-analytics.com", "google-analytics.com", "region1.google-analytics.com",
          "www.googletagmanager.com", "stats.g.doubleclick.net", "connect.facebook.net",
          "www.facebook.com", "plausible.io", "cdn.segment.com", "api.segment.io",
          "api.mixpanel.com", "api-js.mixpanel.com", "app.posthog.com", "us.i.posthog.com",
          "eu.i.posthog.com", "static.hotjar.com", "script.hotjar.com", "api.amplitude.com",
          "snap.licdn.com", "analytics.tiktok.com", "bat.bing.com"};
}

std::string BrowserSettings::url(const std::string& path) const {
  // An absolute URL of any scheme ("http://", "https://", "chrome://crash") is kept.
  const std::size_t scheme = path.find("://");
  if (scheme != std::string::npos && scheme > 0 && path.find('/') > scheme) return path;
  return base_url + (path.empty() || path[0] != '/' ? "/" : "") + path;
}

std::string BrowserSettings::page_path(const std::string& name) const {
  for (const auto& [page, path] : pages) {
    if (page == name) return path;
  }
  return "";
}

BrowserSettings read_browser_settings(const config::Environment& env) {
  BrowserSettings settings;
  settings.base_url = env.base_url;
  settings.pages = {{"landing", "/"}, {"terms", "/terms"}, {"privacy", "/privacy"}, {"signup", "/signup"}};
  settings.analytics_hosts = default_analytics_hosts();
  const auto found = env.sections.find("frontend");
  if (found == env.sections.end()) return settings;
  const core::JsonReader section(found->second, env.source_file, "/frontend");
  section.as_object();
  section.reject_unknown_keys({"enabled", "base_url", "pages", "consent", "analytics_hosts", "empty_state",
                               "min_text_chars", "page_timeout_ms", "budget_ms", "chromium", "sign_in", "signed_in", "sentry"});
  settings.enabled = flag(section, "enabled", true);
  settings.base_url = string_or_default(section, "base_url", env.base_url);
  while (!settings.base_url.empty() && settings.base_url.back() == '/') settings.base_url.pop_back();
  if (settings.base_url.rfind("http://", 0) != 0 && settings.base_url.rfind("https://", 0) != 0) {
    section.at("base_url").fail("must be an http:// or https:// URL");
  }
  if (section.has("pages")) {
    const core::JsonReader pages = section.at("pages");
    for (const auto& [name, value] : pages.as_object().items()) {
      const std::string path = pages.at(name).as_string();
      bool replaced = false;
      for (auto& [page, old_path] : settings.pages) {
        if (page == name) {
          old_path = path;
          replaced = true;
        }
      }
      if (!replaced) settings.pages.emplace_back(name, path);
    }
    // An empty path switches a page off.
    std::erase_if(settings.pages, [](const auto& page) { return page.second.empty(); });
  }
  if (section.has("consent")) {
    const core::JsonReader consent = section.at("consent");
    consent.as_object();
    consent.reject_unknown_keys({"banner", "accept", "reject"});
    settings.consent.banner = string_or_default(consent, "banner", settings.consent.banner);
    settings.consent.accept = string_or_default(consent, "accept", settings.consent.accept);
    settings.consent.reject = string_or_default(consent, "reject", settings.consent.reject);
  }
  if (section.has("analytics_hosts")) {
    const core::JsonReader hosts = section.at("analytics_hosts");
    settings.analytics_hosts.clear();
    for (std::size_t i = 0; i < hosts.as_array().size(); ++i) {
      const std::string host = hosts.at(i).as_string();
      if (!host.empty()) settings.analytics_hosts.push_back(core::normalize_host(host));
    }
  }
  if (section.has("empty_state")) {
    const core::JsonReader empty = section.at("empty_state");
    empty.as_object();
    empty.reject_unknown_keys({"path", "text"});
    settings.empty_state_path = empty.string_or("path", "");
    settings.empty_state_text = string_or_default(empty, "text", settings.empty_state_text);
  }
  settings.min_text_chars = positive_or(section, "min_text_chars", settings.min_text_chars, true);
  settings.page_timeout_ms = positive_or(section, "page_timeout_ms", settings.page_timeout_ms, false);
  if (section.has("budget_ms")) {
    const core::JsonReader budget = section.at("budget_ms");
    budget.as_object();
    budget.reject_unknown_keys({"load", "lcp"});
    settings.budget_load_ms = positive_or(budget, "load", settings.budget_load_ms, true);
    settings.budget_lcp_ms = positive_or(budget, "lcp", settings.budget_lcp_ms, true);
  }
  if (section.has("sign_in")) {
    const core::JsonReader sign_in = section.at("sign_in");
    sign_in.as_object();
    sign_in.reject_unknown_keys({"path", "email", "password", "submit", "captcha", "after_path"});
    settings.sign_in.path = sign_in.string_or("path", "");
    settings.sign_in.email = string_or_default(sign_in, "email", settings.sign_in.email);
    settings.sign_in.password = string_or_default(sign_in, "password", settings.sign_in.password);
    settings.sign_in.submit = string_or_default(sign_in, "submit", settings.sign_in.submit);
    settings.sign_in.captcha = string_or_default(sign_in, "captcha", settings.sign_in.captcha);
    settings.sign_in.after_path = string_or_default(sign_in, "after_path", settings.sign_in.after_path);
  }
  if (section.has("signed_in")) {
    const core::JsonReader signed_in = section.at("signed_in");
    signed_in.as_object();
    SignedInSelectors& s = settings.signed_in;
    const std::vector<std::pair<std::string, std::string*>> members = {
        {"pending_trigger", &s.pending_trigger},       {"pending_indicator", &s.pending_indicator},
        {"optimistic_trigger", &s.optimistic_trigger}, {"optimistic_attribute", &s.optimistic_attribute},
        {"lazy_trigger", &s.lazy_trigger},             {"lazy_resource", &s.lazy_resource},
        {"portal_button", &s.portal_button},           {"portal_endpoint", &s.portal_endpoint}};
    signed_in.reject_unknown_keys({"pending_trigger", "pending_indicator", "optimistic_trigger",
                                   "optimistic_attribute", "lazy_trigger", "lazy_resource", "portal_button",
                                   "portal_endpoint"});
    for (const auto& [key, target] : members) *target = string_or_default(signed_in, key, *target);
  }
  if (section.has("sentry")) {
    const core::JsonReader sentry = section.at("sentry");
    sentry.as_object();
    sentry.reject_unknown_keys({"dsn", "timeout_ms"});
    settings.sentry.dsn = sentry.string_or("dsn", "");
    if (!settings.sentry.dsn.empty() && settings.sentry.dsn.rfind("http://", 0) != 0 &&
        settings.sentry.dsn.rfind("https://", 0) != 0) {
      sentry.at("dsn").fail("must be a Sentry DSN, http(s)://<public key>@<host>/<project>");
    }
    settings.sentry.timeout_ms = positive_or(sentry, "timeout_ms", settings.sentry.timeout_ms, false);
  }
  if (section.has("chromium")) {
    const std::string chromium = section.at("chromium").as_string();
    if (!chromium.empty()) settings.chromium = {chromium};
  }
  return settings;
}

}  // namespace golive::browser
