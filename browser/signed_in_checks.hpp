// The signed-in checks of the browser suite. A fresh golive test user
// (target::TestUsers: created through the admin API or signup, deleted
// afterwards) signs in through the frontend's sign-in page
// (frontend.sign_in: the page, the email, password and submit selectors, the
// path it must reach), and on the page it reaches, in one tab:
//   browser.signed_in.sign_in         the page signed the user in (and the user was deleted after);
//   browser.signed_in.pending_state   a request's trigger shows a pending state while the request is
//                                     in flight, and a second click does not send it again;
//   browser.signed_in.lazy_load       a heavy view's chunk is fetched when the view opens, not with the page;
//   browser.signed_in.tooltips        every icon-only button carries a tooltip (title);
//   browser.signed_in.optimistic_ui   with the page's API calls failing, a control changes at once
//                                     and is rolled back when its request fails;
//   browser.signed_in.customer_portal "Manage billing" POSTs to the app's portal endpoint.
// Without frontend.sign_in.path every one of them is a skip naming it.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "browser/browser_settings.hpp"
#include "browser/cdp_connection.hpp"
#include "config/environment.hpp"
#include "core/result_stream.hpp"

namespace golive::browser {

std::vector<std::string> signed_in_check_ids();

// Why a page could not be visited ({url, error, category, ...}): the suite's
// failure evidence, shared by every browser check.
using FailureEvidence = std::function<nlohmann::json(const std::string& url, const std::string& error)>;

// Screenshots (browser-signed_in.png) go to `screenshot_dir` unless it is "".
void run_signed_in_checks(const config::Environment& env, const BrowserSettings& settings, CdpConnection& cdp,
                          const std::string& screenshot_dir, const FailureEvidence& failure_evidence,
                          core::ResultSink& sink);

}  // namespace golive::browser
