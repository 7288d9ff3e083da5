// BrowserTab: one page in its own fresh browser context (no cookies, no
// storage from another visit), driven over a CdpConnection. It records what
// a user's browser did while the page loaded and afterwards:
//   - every request (URL, resource type) through the Fetch domain; a request
//     to a host the environment's HostPolicy refuses is failed there
//     (BlockedByClient) and listed in `blocked`, so the safety rail holds in
//     the browser too;
//   - console errors (Runtime.consoleAPICalled error/assert), uncaught
//     exceptions (Runtime.exceptionThrown) and browser log errors (Log domain);
//   - Content Security Policy violations (a securitypolicyviolation listener
//     installed before any page script, plus the browser's CSP log lines);
//   - the scripts it loaded (Network domain: response bodies of type Script);
//   - load timings (DOMContentLoaded, load, largest contentful paint).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "browser/cdp_connection.hpp"
#include "config/host_policy.hpp"

namespace golive::browser {

struct ObservedRequest {
  std::string url;
  std::string resource_type;  // "Document", "Script", "Fetch", "Image", ...
  std::string method;         // "GET", "POST", ...
  bool blocked = false;       // failed by the host policy
  bool failed_on_purpose = false;  // failed by fail_api_requests()
  double at_ms = 0;           // since the tab opened
  std::string post_data;      // the request body, when DevTools gave it
  std::string network_id;     // the Network domain's request id
  int status = 0;             // the response's HTTP status (0: none seen)
  std::string failure;        // Network.loadingFailed's errorText ("" if none)
};

struct LoadedScript {
  std::string url;
  std::string source;
};

struct PageObservations {
  std::vector<ObservedRequest> requests;
  std::vector<std::string> console_errors;  // "console.error: text", "exception: text"
  std::vector<std::string> csp_violations;  // "script-src-elem blocked inline (url)"
  std::vector<LoadedScript> scripts;
  int http_status = 0;                      // the document's status (0: none)
  double dom_content_loaded_ms = -1;        // -1: not measured
  double load_ms = -1;
  double lcp_ms = -1;
};

class BrowserTab {
 public:
  // Opens a new target in a new browser context and enables the domains.
  // ok() false when the browser refused (error() says why).
  BrowserTab(CdpConnection& cdp, std::shared_ptr<const config::HostPolicy> policy);
  ~BrowserTab();
  BrowserTab(const BrowserTab&) = delete;
  BrowserTab& operator=(const BrowserTab&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  // Navigates and waits for the load event, at most `deadline`. Returns false
  // with error() set for a navigation error (net::ERR_...), a page that never
  // finishes loading, or a lost browser.
  bool navigate(const std::string& url, std::chrono::milliseconds deadline);
  // Handles events for `duration` (requests keep being answered meanwhile).
  void settle(std::chrono::milliseconds duration);
  // Handles events until `done` holds or `duration` passed; done()'s value.
  bool wait_for(std::chrono::milliseconds duration, const std::function<bool()>& done);
  // Runtime.evaluate with returnByValue; null on an error (error() is not set).
  nlohmann::json evaluate(const std::string& expression);
  // Reads timings and the CSP listener's findings and fetches loaded scripts' sources.
  void collect();
  // Page.captureScreenshot as PNG bytes into `path`; false when it failed.
  bool screenshot(const std::string& path);

  // While on, the page's own API calls (fetch and XHR) fail as if the network
  // were down (Fetch.failRequest InternetDisconnected): how the page handles
  // a failed request.
  void fail_api_requests(bool on) { fail_api_requests_ = on; }
  // Requests whose URL starts with `prefix` ("http://127.0.0.1:48200/") are
  // let through even where the host policy refuses their host: a sink of
  // golive's own the page must reach.
  void allow_prefix(std::string prefix) { allowed_prefixes_.push_back(std::move(prefix)); }

  const PageObservations& observations() const { return observed_; }
  std::vector<ObservedRequest> blocked() const;

 private:
  void handle(const CdpEvent& event);
  void note_status(const std::string& network_id, int status);

  CdpConnection& cdp_;
  std::shared_ptr<const config::HostPolicy> policy_;
  std::string context_id_;
  std::string target_id_;
  std::string session_;
  std::string error_;
  bool loaded_ = false;
  bool fail_api_requests_ = false;
  std::vector<std::string> allowed_prefixes_;
  std::string document_request_id_;
  std::vector<std::pair<std::string, std::string>> script_requests_;  // request id, url
  PageObservations observed_;
  std::chrono::steady_clock::time_point opened_ = std::chrono::steady_clock::now();
};

}  // namespace golive::browser
