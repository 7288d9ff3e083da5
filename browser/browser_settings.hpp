// The browser suite's settings: env.sections["frontend"], validated.
//
//   "frontend": {
//     "enabled": true,                              // false or "false": the suite is skipped
//     "base_url": "https://app.example.com",        // default: the environment's base_url
//     "pages": {"landing": "/", "terms": "/terms", "privacy": "/privacy", "signup": "/signup"},
//     "consent": {"banner": "#cookie-consent", "accept": "#cookie-accept", "reject": "#cookie-reject"},
//     "analytics_hosts": ["www.google-analytics.com", ...],   // default: the common trackers
//     "empty_state": {"path": "/app", "text": "Create your first course"},
//     "min_text_chars": 400,                        // a legal page's visible text, at least
//     "page_timeout_ms": 15000,                     // per page, navigation to load event
//     "budget_ms": {"load": 5000, "lcp": 4000},     // 0: no budget
//     "chromium": "chromium",                       // the executable (name in PATH or path)
//     "sign_in": {"path": "/site/signin",           // "" (default): no signed-in checks
//                 "email": "#signin-email", "password": "#signin-password",
//                 "submit": "#signin-submit", "captcha": "#signin-captcha",
//                 "after_path": "/site/dashboard"},
//     "signed_in": {"pending_trigger": "#start-extraction", "pending_indicator": "[aria-busy=true]",
//                   "optimistic_trigger": "#favourite", "optimistic_attribute": "aria-pressed",
//                   "lazy_trigger": "#open-calendar", "lazy_resource": "/site/assets/calendar.js",
//                   "portal_button": "#manage-billing", "portal_endpoint": "/functions/v1/billing-portal"},
//     "sentry": {"dsn": "${FRONTEND_SENTRY_DSN}",  // the DSN the pages report to ("" = none configured)
//                "timeout_ms": 10000}               // from the thrown error to the accepted envelope
//   }
// Every member is optional; a "${VAR:-}" left empty means the default.
// The legal pages are the pages named "terms" and "privacy".
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "config/environment.hpp"

namespace golive::browser {

struct ConsentSelectors {
  std::string banner = "#cookie-consent";
  std::string accept = "#cookie-accept";
  std::string reject = "#cookie-reject";
};

// The sign-in step: a fresh test user (target::TestUsers) types its email
// and password into the sign-in page and submits; the page must reach
// `after_path`, where the signed-in checks run.
struct SignInSettings {
  std::string path;  // "" = no sign-in step, the signed-in checks skip
  std::string email = "#signin-email";
  std::string password = "#signin-password";
  std::string submit = "#signin-submit";
  // Where the captcha's answer goes (a hidden field): with auth.captcha_required
  // the environment's auth.captcha_token (a test token) is put there.
  std::string captcha = "#signin-captcha";
  std::string after_path = "/site/dashboard";
};

// What the signed-in checks click and look at on the `after_path` page.
struct SignedInSelectors {
  std::string pending_trigger = "#start-extraction";      // starts a request
  std::string pending_indicator = "[aria-busy=true]";     // shown while it is in flight
  std::string optimistic_trigger = "#favourite";          // changes state through a request
  std::string optimistic_attribute = "aria-pressed";      // the state it changes
  std::string lazy_trigger = "#open-calendar";            // opens a heavy view
  std::string lazy_resource = "/site/assets/calendar.js"; // fetched only then (URL part)
  std::string portal_button = "#manage-billing";          // "Manage billing"
  std::string portal_endpoint = "/functions/v1/billing-portal";  // it POSTs there
};

// browser.sentry.error_reported: an error thrown in a page must reach the
// DSN's envelope endpoint, accepted.
struct FrontendSentrySettings {
  std::string dsn;  // "" = none configured (the check skips unless the page has Sentry loaded)
  int timeout_ms = 10000;
};

struct BrowserSettings {
  bool enabled = true;
  std::string base_url;  // no trailing slash
  std::vector<std::pair<std::string, std::string>> pages;  // name, path (in order; landing first)
  ConsentSelectors consent;
  std::vector<std::string> analytics_hosts;
  std::string empty_state_path;  // "" = the empty-state check is skipped
  std::string empty_state_text = "Create your first course";
  int min_text_chars = 400;
  int page_timeout_ms = 15000;
  int budget_load_ms = 5000;
  int budget_lcp_ms = 4000;
  std::vector<std::string> chromium = {"chromium", "chromium-browser", "google-chrome"};
  SignInSettings sign_in;
  SignedInSelectors signed_in;
  FrontendSentrySettings sentry;

  std::string url(const std::string& path) const;
  std::string page_path(const std::string& name) const;  // "" when not configured
};

// The tracking hosts watched when the environment lists none.
std::vector<std::string> default_analytics_hosts();

// Throws core::InputError naming the environment file and the JSON pointer.
BrowserSettings read_browser_settings(const config::Environment& env);

}  // namespace golive::browser
