// The browser suite: the frontend as a user's browser sees it, in a headless
// Chromium that golive starts and drives over the DevTools protocol
// (browser/chromium_process.hpp, browser/cdp_connection.hpp). Checks, all of
// suite "browser" (settings: the environment's "frontend" section):
//   browser.legal.{page}        terms and privacy load without signing in, show
//                               >= min_text_chars of visible text, and the
//                               landing page links to them           (000 §7)
//   browser.consent.banner      the cookie banner shows on a first visit (or no
//                               analytics are used at all)           (000 §7)
//   browser.consent.before_consent   no request to an analytics host before the
//                               user chose                           (000 §7)
//   browser.consent.after_reject     none after "reject" either       (000 §7)
//   browser.console.{page}      no console errors, no uncaught exceptions
//   browser.csp.{page}          no Content Security Policy violations, no mixed content
//   browser.bundle.secrets      the scripts the pages loaded hold no live Stripe
//                               key, service_role JWT or private key
//   browser.bundle.mockai       ... and no mockAI                     (000 checklist)
//   browser.empty_state         a new user's empty state shows its guidance text
//   browser.timing.{page}       DOMContentLoaded, load, LCP; load and LCP within budget
// A page that does not answer, never finishes loading, or a browser that
// crashes makes that page's checks `error` with the URL and the last protocol
// message; the browser is always stopped. Requests to hosts outside the
// environment's HostPolicy are failed in the browser and listed as evidence.
#pragma once

#include <string>

#include "config/environment.hpp"
#include "core/result_stream.hpp"

namespace golive::browser {

struct BrowserOptions {
  // Where page screenshots (browser-<page>.png) are written; "" = none.
  std::string screenshot_dir;
};

// Runs every browser check. Throws core::InputError for a bad "frontend"
// section; a missing browser is `error` checks naming the package.
void run_browser_suite(const config::Environment& env, const BrowserOptions& options,
                       core::ResultSink& sink);

// Available unless "frontend.enabled" is false.
config::Capability browser_capability(const config::Environment& env);

}  // namespace golive::browser
