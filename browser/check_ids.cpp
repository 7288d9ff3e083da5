#include "browser/check_ids.hpp"

namespace golive::browser {

std::vector<std::string> browser_check_ids() {
  return {
      // The suite as a whole: skipped when frontend.enabled is false.
      "browser",
      // Legal pages (terms, privacy): public, readable, linked from the landing page.
      "browser.legal.{page}",
      // Cookie consent before tracking.
      "browser.consent.banner",
      "browser.consent.before_consent",
      "browser.consent.after_reject",
      // Per page: console errors and uncaught exceptions, CSP violations, load timings.
      "browser.console.{page}",
      "browser.csp.{page}",
      "browser.timing.{page}",
      // The scripts the pages loaded.
      "browser.bundle.secrets",
      "browser.bundle.mockai",
      // A new user's empty state.
      "browser.empty_state",
      // An error thrown in the page reaches the frontend's Sentry DSN.
      "browser.sentry.error_reported",
      // Signed in as a fresh test user through the sign-in page (frontend.sign_in).
      "browser.signed_in.sign_in",
      "browser.signed_in.pending_state",
      "browser.signed_in.lazy_load",
      "browser.signed_in.tooltips",
      "browser.signed_in.optimistic_ui",
      "browser.signed_in.customer_portal",
  };
}

}  // namespace golive::browser
