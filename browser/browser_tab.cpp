#include "browser/browser_tab.hpp"

#include <fstream>

#include "core/encoding.hpp"

namespace golive::browser {
namespace {
// DevTools sends standard base64; core has the URL alphabet's decoder.
std::string decode_base64(std::string text) {
  for (char& c : text) {
    if (c == '+') c = '-';
    else if (c == '/') c = '_';
  }
  return core::base64url_decode(text).value_or(std::string());
}
}  // namespace
}  // namespace golive::browser

namespace golive::browser {

namespace {

// Installed before any page script: CSP violations and the largest contentful
// paint are kept on window for collect() to read.
constexpr const char* kObserverScript = R"JS(
(function () {
  window.__goliveCsp = [];
  document.addEventListener('securitypolicyviolation', function (e) {
    window.__goliveCsp.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') +
                            (e.sourceFile ? ' (' + e.sourceFile + ':' + e.lineNumber + ')' : ''));
  });
  window.__goliveLcp = -1;
  try {
    new PerformanceObserver(function (list) {
      var entries = list.getEntries();
      if (entries.length) window.__goliveLcp = entries[entries.length - 1].startTime;
    }).observe({type: 'largest-contentful-paint', buffered: true});
  } catch (e) {}
})();
)JS";

std::string remote_object_text(const nlohmann::json& object) {
  if (object.contains("value")) {
    const nlohmann::json& value = object["value"];
    return value.is_string() ? value.get<std::string>() : value.dump();
  }
  return object.value("description", object.value("type", std::string("?")));
}

}  // namespace

BrowserTab::BrowserTab(CdpConnection& cdp, std::shared_ptr<const config::HostPolicy> policy)
    : cdp_(cdp), policy_(std::move(policy)) {
  CdpReply context = cdp_.call("Target.createBrowserContext", {{"disposeOnDetach", true}});
  if (!context.ok) {
    error_ = context.error;
    return;
  }
  context_id_ = context.result.value("browserContextId", "");
  CdpReply target = cdp_.call("Target.createTarget", {{"url", "about:blank"}, {"browserContextId", context_id_}});
  if (!target.ok) {
    error_ = target.error;
    return;
  }
  target_id_ = target.result.value("targetId", "");
  CdpReply attached = cdp_.call("Target.attachToTarget", {{"targetId", target_id_}, {"flatten", true}});
  if (!attached.ok) {
    error_ = attached.error;
    return;
  }
  session_ = attached.result.value("sessionId", "");
  cdp_.set_event_handler([this](const CdpEvent& event) { handle(event); });
  const std::vector<std::pair<std::string, nlohmann::json>> setup = {
      {"Inspector.enable", nlohmann::json::object()},
      {"Page.enable", nlohmann::json::object()},
      {"Runtime.enable", nlohmann::json::object()},
      {"Log.enable", nlohmann::json::object()},
      {"Network.enable", nlohmann::json::object()},
      {"Network.setCacheDisabled", {{"cacheDisabled", true}}},
      {"Page.addScriptToEvaluateOnNewDocument", {{"source", kObserverScript}}},
      {"Fetch.enable", {{"patterns", nlohmann::json::array({{{"urlPattern", "*"}, {"requestStage", "Request"}}})}}},
  };
  for (const auto& [method, params] : setup) {
    CdpReply reply = cdp_.call(method, params, session_);
    if (!reply.ok) {
      error_ = reply.error;
      return;
    }
  }
}

BrowserTab::~BrowserTab() {
  cdp_.set_event_handler(nullptr);
  if (!target_id_.empty()) cdp_.call("Target.closeTarget", {{"targetId", target_id_}}, "", std::chrono::seconds(2));
  if (!context_id_.empty()) {
    cdp_.call("Target.disposeBrowserContext", {{"browserContextId", context_id_}}, "", std::chrono::seconds(2));
  }
}

void BrowserTab::handle(const CdpEvent& event) {
  if (event.session_id != session_) return;
  const nlohmann::json& p = event.params;
  const double at_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - opened_).count();
  if (event.method == "Fetch.requestPaused") {
    ObservedRequest request;
    request.url = p["request"].value("url", "");
    request.resource_type = p.value("resourceType", "");
    request.method = p["request"].value("method", "");
    request.at_ms = at_ms;
    const bool local = request.url.rfind("data:", 0) == 0 || request.url.rfind("blob:", 0) == 0;
    bool allowed_here = false;
    for (const std::string& prefix : allowed_prefixes_) {
      if (request.url.rfind(prefix, 0) == 0) allowed_here = true;
    }
    request.blocked = !local && !allowed_here && !policy_->allows_url(request.url);
    request.post_data = p["request"].value("postData", "");
    request.network_id = p.value("networkId", "");
    const std::string id = p.value("requestId", "");
    request.failed_on_purpose =
        !request.blocked && fail_api_requests_ && (request.resource_type == "Fetch" || request.resource_type == "XHR");
    if (request.blocked) {
      cdp_.call("Fetch.failRequest", {{"requestId", id}, {"errorReason", "BlockedByClient"}}, session_);
    } else if (request.failed_on_purpose) {
      cdp_.call("Fetch.failRequest", {{"requestId", id}, {"errorReason", "InternetDisconnected"}}, session_);
    } else {
      cdp_.call("Fetch.continueRequest", {{"requestId", id}}, session_);
    }
    observed_.requests.push_back(std::move(request));
  } else if (event.method == "Page.loadEventFired") {
    loaded_ = true;
  } else if (event.method == "Network.responseReceived") {
    const std::string type = p.value("type", "");
    const nlohmann::json& response = p["response"];
    if (type == "Document" && observed_.http_status == 0) observed_.http_status = response.value("status", 0);
    if (type == "Script") script_requests_.emplace_back(p.value("requestId", ""), response.value("url", ""));
    note_status(p.value("requestId", ""), response.value("status", 0));
  } else if (event.method == "Network.responseReceivedExtraInfo") {
    // Sent even when the page may not read the response (no CORS headers).
    note_status(p.value("requestId", ""), p.value("statusCode", 0));
  } else if (event.method == "Network.loadingFailed") {
    for (ObservedRequest& request : observed_.requests) {
      if (!request.network_id.empty() && request.network_id == p.value("requestId", "")) {
        request.failure = p.value("errorText", "");
      }
    }
  } else if (event.method == "Runtime.consoleAPICalled") {
    const std::string type = p.value("type", "");
    if (type == "error" || type == "assert") {
      std::string text;
      for (const nlohmann::json& arg : p.value("args", nlohmann::json::array())) {
        text += (text.empty() ? "" : " ") + remote_object_text(arg);
      }
      observed_.console_errors.push_back("console." + type + ": " + text);
    }
  } else if (event.method == "Runtime.exceptionThrown") {
    const nlohmann::json& details = p["exceptionDetails"];
    std::string text = details.value("text", "exception");
    if (details.contains("exception")) text += " " + details["exception"].value("description", "");
    observed_.console_errors.push_back("uncaught: " + text);
  } else if (event.method == "Log.entryAdded") {
    const nlohmann::json& entry = p["entry"];
    const std::string text = entry.value("text", "");
    const std::string source = entry.value("source", "");
    if (text.find("Content Security Policy") != std::string::npos) {
      observed_.csp_violations.push_back(text);
    } else if (source == "mixed-content" || text.find("Mixed Content") != std::string::npos) {
      observed_.csp_violations.push_back("mixed content: " + text);
    } else if (entry.value("level", "") == "error" && (source == "javascript" || source == "console-api")) {
      observed_.console_errors.push_back("log: " + text);
    }
    // "network" errors are requests that failed, including the ones the
    // host policy blocked on purpose: they are listed as requests, not errors.
  } else if (event.method == "Inspector.targetCrashed") {
    error_ = "the page's renderer crashed";
  }
}

void BrowserTab::note_status(const std::string& network_id, int status) {
  if (network_id.empty() || status == 0) return;
  for (ObservedRequest& request : observed_.requests) {
    if (request.network_id == network_id) request.status = status;
  }
}

bool BrowserTab::navigate(const std::string& url, std::chrono::milliseconds deadline) {
  if (!ok()) return false;
  loaded_ = false;
  const auto until = std::chrono::steady_clock::now() + deadline;
  // Page.navigate answers once the document's response arrives; the paused
  // document request is answered by handle() while the call waits.
  CdpReply reply = cdp_.call("Page.navigate", {{"url", url}}, session_, deadline);
  if (!reply.ok) {
    error_ = "navigating to " + url + ": " + reply.error;
    return false;
  }
  if (reply.result.contains("errorText")) {
    // An aborted navigation may be a renderer that crashed while loading:
    // Inspector.targetCrashed follows the answer, and names it.
    if (reply.result.value("errorText", "") == "net::ERR_ABORTED") {
      cdp_.wait_until(std::chrono::steady_clock::now() + std::chrono::milliseconds(500), [this] { return !ok(); });
      if (!ok()) return false;
    }
    error_ = url + ": " + reply.result.value("errorText", "");
    return false;
  }
  cdp_.wait_until(until, [this] { return loaded_ || !ok(); });
  if (!ok()) return false;
  if (!cdp_.connected()) {
    error_ = cdp_.error();
    return false;
  }
  if (!loaded_) {
    error_ = url + " did not finish loading within " + std::to_string(deadline.count()) + " ms";
    return false;
  }
  return true;
}

void BrowserTab::settle(std::chrono::milliseconds duration) {
  cdp_.wait_until(std::chrono::steady_clock::now() + duration, [] { return false; });
  if (!cdp_.connected() && error_.empty()) error_ = cdp_.error();
}

bool BrowserTab::wait_for(std::chrono::milliseconds duration, const std::function<bool()>& done) {
  cdp_.wait_until(std::chrono::steady_clock::now() + duration, [&] { return done() || !ok(); });
  if (!cdp_.connected() && error_.empty()) error_ = cdp_.error();
  return done();
}

nlohmann::json BrowserTab::evaluate(const std::string& expression) {
  CdpReply reply = cdp_.call("Runtime.evaluate",
                             {{"expression", expression}, {"returnByValue", true}, {"awaitPromise", true}},
                             session_);
  if (!reply.ok || reply.result.contains("exceptionDetails")) return nullptr;
  return reply.result["result"].value("value", nlohmann::json());
}

void BrowserTab::collect() {
  const nlohmann::json timing = evaluate(
      "(function(){var n=performance.getEntriesByType('navigation')[0];"
      "return n?{dcl:n.domContentLoadedEventEnd,load:n.loadEventEnd,lcp:window.__goliveLcp}:null})()");
  if (timing.is_object()) {
    observed_.dom_content_loaded_ms = timing.value("dcl", -1.0);
    observed_.load_ms = timing.value("load", -1.0);
    observed_.lcp_ms = timing.value("lcp", -1.0);
  }
  const nlohmann::json csp = evaluate("window.__goliveCsp || []");
  if (csp.is_array()) {
    for (const nlohmann::json& line : csp) {
      if (line.is_string()) observed_.csp_violations.push_back(line.get<std::string>());
    }
  }
  observed_.scripts.clear();
  for (const auto& [request_id, url] : script_requests_) {
    CdpReply body = cdp_.call("Network.getResponseBody", {{"requestId", request_id}}, session_);
    if (!body.ok) continue;
    LoadedScript script{url, body.result.value("body", "")};
    if (body.result.value("base64Encoded", false)) script.source = decode_base64(script.source);
    observed_.scripts.push_back(std::move(script));
  }
  // Inline scripts are part of the document.
  const nlohmann::json inline_scripts = evaluate(
      "Array.from(document.scripts).filter(function(s){return !s.src}).map(function(s){return s.text}).join('\\n')");
  if (inline_scripts.is_string() && !inline_scripts.get<std::string>().empty()) {
    observed_.scripts.push_back({"(inline scripts)", inline_scripts.get<std::string>()});
  }
}

bool BrowserTab::screenshot(const std::string& path) {
  CdpReply reply = cdp_.call("Page.captureScreenshot", {{"format", "png"}}, session_, std::chrono::seconds(10));
  if (!reply.ok) return false;
  const std::string png = decode_base64(reply.result.value("data", ""));
  std::ofstream out(path, std::ios::binary);
  out.write(png.data(), static_cast<std::streamsize>(png.size()));
  return static_cast<bool>(out);
}

std::vector<ObservedRequest> BrowserTab::blocked() const {
  std::vector<ObservedRequest> result;
  for (const ObservedRequest& request : observed_.requests) {
    if (request.blocked) result.push_back(request);
  }
  return result;
}

}  // namespace golive::browser
