#include "browser/sentry_check.hpp"

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "browser/browser_tab.hpp"
#include "core/random_id.hpp"

namespace golive::browser {

namespace {

using core::CheckStatus;
using core::Severity;

// The envelope endpoint a DSN "<scheme>://<key>@<host[:port]>/<project>"
// sends to: "<scheme>://<host[:port]>/api/<project>/envelope/". Also the
// origin and whether its host is a loopback address. Empty when it does not parse.
struct DsnTarget {
  std::string origin;        // "http://127.0.0.1:48200"
  std::string envelope_url;  // origin + "/api/<project>/envelope/"
  bool loopback = false;
};

DsnTarget dsn_target(const std::string& dsn) {
  DsnTarget target;
  const std::size_t scheme_end = dsn.find("://");
  if (scheme_end == std::string::npos) return target;
  std::string rest = dsn.substr(scheme_end + 3);
  const std::size_t path_at = rest.find('/');
  if (path_at == std::string::npos) return target;
  std::string authority = rest.substr(0, path_at);
  std::string path = rest.substr(path_at + 1);
  if (const std::size_t at = authority.rfind('@'); at != std::string::npos) authority = authority.substr(at + 1);
  while (!path.empty() && path.back() == '/') path.pop_back();
  const std::string project = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
  if (authority.empty() || project.empty()) return target;
  const std::string prefix = path.find('/') == std::string::npos ? "" : "/" + path.substr(0, path.rfind('/'));
  target.origin = dsn.substr(0, scheme_end) + "://" + authority;
  target.envelope_url = target.origin + prefix + "/api/" + project + "/envelope/";
  const std::string host = authority.substr(0, authority.rfind(':') == std::string::npos || authority.back() == ']'
                                                   ? authority.size()
                                                   : authority.rfind(':'));
  target.loopback = host == "127.0.0.1" || host == "localhost" || host == "[::1]";
  return target;
}

bool is_envelope(const std::string& url, const DsnTarget& target) {
  if (!target.envelope_url.empty()) return url.rfind(target.envelope_url, 0) == 0;
  const std::size_t api = url.find("/api/");
  return api != std::string::npos && url.find("/envelope/", api) != std::string::npos;
}

}  // namespace

core::CheckResult check_sentry_error_reported(CdpConnection& cdp, std::shared_ptr<const config::HostPolicy> policy,
                                              const BrowserSettings& settings, const std::string& page_url,
                                              const FailureEvidence& failure_evidence) {
  core::CheckResult check;
  check.id = "browser.sentry.error_reported";
  check.suite = "browser";
  check.title = "An error thrown in the page reaches Sentry";
  check.severity = Severity::kHigh;
  const auto start = std::chrono::steady_clock::now();
  const DsnTarget target = dsn_target(settings.sentry.dsn);
  nlohmann::json evidence = {{"url", page_url}, {"timeout_ms", settings.sentry.timeout_ms}};
  if (!settings.sentry.dsn.empty()) evidence["envelope_url"] = target.envelope_url;

  BrowserTab tab(cdp, std::move(policy));
  if (target.loopback) tab.allow_prefix(target.origin + "/");
  if (!tab.ok() || !tab.navigate(page_url, std::chrono::milliseconds(settings.page_timeout_ms))) {
    check.status = CheckStatus::kError;
    check.message = page_url + " could not be loaded: " + tab.error();
    check.evidence = failure_evidence(page_url, tab.error());
    return check;
  }
  tab.settle(std::chrono::milliseconds(300));
  const bool sdk_loaded = tab.evaluate("typeof Sentry !== 'undefined'") == nlohmann::json(true);
  const nlohmann::json client_dsn = tab.evaluate(
      "(function(){try{var c=Sentry.getClient();return c?String(c.getOptions().dsn||''):null}catch(e){return null}})()");
  const bool initialised = client_dsn.is_string();
  evidence["sdk_global_loaded"] = sdk_loaded;
  evidence["sdk_initialised"] = initialised;
  if (settings.sentry.dsn.empty() && !sdk_loaded) {
    check.status = CheckStatus::kSkip;
    check.severity = Severity::kInfo;
    check.message = page_url + ": no Sentry SDK on the page and no frontend.sentry.dsn: set frontend.sentry.dsn "
                    "to the DSN the frontend reports to (the embedded frontend has one when scripts/npm-deps "
                    "has bundled @sentry/browser)";
    check.evidence = evidence;
    return check;
  }

  const std::string marker = "golive-browser-error-" + core::random_hex(8);
  evidence["marker"] = marker;
  tab.evaluate("setTimeout(function () { throw new Error(" + nlohmann::json(marker).dump() + "); }, 0); true");
  const ObservedRequest* accepted = nullptr;
  const auto find_accepted = [&] {
    for (const ObservedRequest& request : tab.observations().requests) {
      if (request.method == "POST" && is_envelope(request.url, target) &&
          request.post_data.find(marker) != std::string::npos && request.status >= 200 && request.status < 300) {
        accepted = &request;
        return true;
      }
    }
    return false;
  };
  tab.wait_for(std::chrono::milliseconds(settings.sentry.timeout_ms), find_accepted);
  find_accepted();
  const double elapsed_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  check.duration_ms = elapsed_ms;

  nlohmann::json envelopes = nlohmann::json::array();
  bool blocked = false;
  for (const ObservedRequest& request : tab.observations().requests) {
    if (request.method != "POST" || !is_envelope(request.url, target)) continue;
    blocked = blocked || request.blocked;
    envelopes.push_back({{"url", request.url.substr(0, request.url.find('?'))},  // no sentry_key
                         {"status", request.status},
                         {"carries_marker", request.post_data.find(marker) != std::string::npos},
                         {"blocked_by_host_policy", request.blocked},
                         {"failure", request.failure}});
  }
  evidence["envelope_requests"] = envelopes;
  check.evidence = evidence;
  if (accepted != nullptr) {
    check.status = CheckStatus::kPass;
    check.message = page_url + ": the thrown error " + marker + " was sent to " + accepted->url.substr(0, accepted->url.find('?')) +
                    " and accepted (HTTP " + std::to_string(accepted->status) + ")";
    return check;
  }
  if (blocked) {
    check.status = CheckStatus::kError;
    check.message = page_url + ": the error report was refused by the host policy: add the DSN's host to "
                    "safety.allowed_hosts";
    return check;
  }
  check.status = CheckStatus::kFail;
  const std::string within = " within " + std::to_string(settings.sentry.timeout_ms) + " ms";
  if (!envelopes.empty()) {
    check.message = page_url + ": an envelope was sent but none carrying " + marker + " was accepted" + within;
  } else if (!sdk_loaded && !initialised) {
    check.message = page_url + ": the thrown error was never reported" + within +
                    " (frontend.sentry.dsn is set, but the page has no Sentry SDK global and sent no envelope)";
  } else if (!initialised) {
    check.message = page_url + ": the thrown error was never reported" + within +
                    ": Sentry's SDK is loaded but not initialised (no client: Sentry.init was not called)";
  } else {
    check.message = page_url + ": the thrown error was never reported" + within + " (Sentry is initialised, but sent no envelope)";
  }
  return check;
}

}  // namespace golive::browser
