// browser.sentry.error_reported: the frontend reports its errors to Sentry.
// On the landing page golive throws a marked error from a timer
// (`golive-browser-error-<random>`, uncaught, as an app's bug would be) and
// watches the page's own network for a POST to the DSN's envelope endpoint
// (/api/<project>/envelope/) that carries the marker and is answered 2xx,
// within frontend.sentry.timeout_ms (default 10 s). Bundled SDKs expose no
// global, so only the request counts, never `typeof Sentry`.
//
//   pass   the envelope left the page and the sink accepted it
//   fail   frontend.sentry.dsn is set, or the page has Sentry's SDK loaded,
//          and no accepted envelope carried the marker (evidence: whether
//          the SDK was loaded and initialised, the envelope requests seen)
//   error  the page could not be loaded, or the envelope was refused by the
//          host policy (safety.allowed_hosts)
//   skip   no frontend.sentry.dsn and no Sentry SDK on the page
//
// A DSN on a loopback address (golive's own sink) is let through the host
// policy in this tab.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "browser/browser_settings.hpp"
#include "browser/cdp_connection.hpp"
#include "config/host_policy.hpp"
#include "core/check_result.hpp"

namespace golive::browser {

// Why a page could not be loaded (url, error): the suite's evidence with the
// failure's category and the browser's state.
using FailureEvidence = std::function<nlohmann::json(const std::string& url, const std::string& error)>;

// Opens a fresh tab on `page_url` and runs the check.
core::CheckResult check_sentry_error_reported(CdpConnection& cdp, std::shared_ptr<const config::HostPolicy> policy,
                                              const BrowserSettings& settings, const std::string& page_url,
                                              const FailureEvidence& failure_evidence);

}  // namespace golive::browser
