#include "browser/browser_suite.hpp"

#include <chrono>
#include <filesystem>
#include <map>
#include <thread>

#include "browser/browser_settings.hpp"
#include "browser/browser_tab.hpp"
#include "browser/cdp_connection.hpp"
#include "browser/chromium_process.hpp"
#include "browser/sentry_check.hpp"
#include "browser/signed_in_checks.hpp"
#include "core/interrupt.hpp"
#include "core/redactor.hpp"
#include "core/url.hpp"
#include "target/secret_scanner.hpp"

namespace golive::browser {

namespace {

using Clock = std::chrono::steady_clock;
using core::CheckStatus;
using core::Severity;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// JSON-quotes a string for use inside a JavaScript expression.
std::string js(const std::string& text) { return nlohmann::json(text).dump(); }

struct Emitter {
  core::ResultSink& sink;
  void emit(const std::string& id, const std::string& title, CheckStatus status, Severity severity,
            const std::string& message, nlohmann::json evidence, double duration_ms = 0) {
    core::CheckResult check;
    check.id = id;
    check.suite = "browser";
    check.title = title;
    check.status = status;
    check.severity = severity;
    check.message = message;
    check.evidence = std::move(evidence);
    check.duration_ms = duration_ms;
    sink.record(check);
  }
};

bool is_legal(const std::string& page) { return page == "terms" || page == "privacy"; }

std::string host_of(const std::string& url) {
  const auto parsed = core::parse_url(url);
  return parsed ? parsed->host : "";
}

// The path without query or fragment ("/terms").
std::string path_of(const std::string& url) {
  const auto parsed = core::parse_url(url);
  if (!parsed) return url;
  std::string path = parsed->target.substr(0, parsed->target.find_first_of("?#"));
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

bool is_analytics(const std::string& url, const std::vector<std::string>& hosts) {
  const std::string host = host_of(url);
  for (const std::string& listed : hosts) {
    if (host == listed) return true;
    if (host.size() > listed.size() && host.compare(host.size() - listed.size(), listed.size(), listed) == 0 &&
        host[host.size() - listed.size() - 1] == '.') {
      return true;
    }
  }
  return false;
}

nlohmann::json urls(const std::vector<ObservedRequest>& requests) {
  nlohmann::json list = nlohmann::json::array();
  for (const ObservedRequest& request : requests) list.push_back(request.url);
  return list;
}

std::string visible_js(const std::string& selector) {
  return "(function(){var e=document.querySelector(" + js(selector) +
         ");if(!e)return false;var s=getComputedStyle(e),r=e.getBoundingClientRect();"
         "return s.display!=='none'&&s.visibility!=='hidden'&&r.width>0&&r.height>0})()";
}

std::string click_js(const std::string& selector) {
  return "(function(){var e=document.querySelector(" + js(selector) + ");if(!e)return false;e.click();return true})()";
}

// What kind of failure a tab's or the browser's error text describes:
// "browser_missing", "browser_start", "unreachable" (a net::ERR_ of the
// navigation), "timeout", "renderer_crashed", "browser_lost" or "protocol".
std::string failure_category(const std::string& error) {
  if (error.find("Debian package chromium") != std::string::npos) return "browser_missing";
  if (error.find("start-up") != std::string::npos || error.find("DevToolsActivePort") != std::string::npos) {
    return "browser_start";
  }
  if (error.find("renderer crashed") != std::string::npos) return "renderer_crashed";
  if (error.find("connection closed") != std::string::npos || error.find("not connected") != std::string::npos) {
    return "browser_lost";
  }
  if (error.find("net::ERR_") != std::string::npos) return "unreachable";
  if (error.find("did not finish loading") != std::string::npos || error.find("no answer within") != std::string::npos) {
    return "timeout";
  }
  return "protocol";
}

// One browser session's state and the checks it emits.
class BrowserRun {
 public:
  BrowserRun(const config::Environment& env, const BrowserSettings& settings, const BrowserOptions& options,
             core::ResultSink& sink)
      : env_(env), settings_(settings), options_(options), out_{sink} {}

  void run() {
    const auto start = Clock::now();
    ChromiumProcess chromium = ChromiumProcess::start(settings_.chromium, std::chrono::seconds(20));
    if (!chromium.ok()) {
      fail_everything(chromium.error(), "");
      return;
    }
    CdpConnection cdp(chromium.websocket_url(), std::chrono::seconds(10));
    if (!cdp.connected()) {
      fail_everything(cdp.error(), "");
      return;
    }
    cdp_ = &cdp;
    chromium_ = &chromium;
    consent_and_landing();
    for (const auto& [name, path] : settings_.pages) {
      if (core::interrupted()) break;  // Ctrl-C: the checks so far stay, the browser is stopped
      if (name != "landing") visit(name, path);
    }
    legal_checks();
    empty_state();
    if (!core::interrupted()) {
      const std::string landing = settings_.page_path("landing").empty() ? "/" : settings_.page_path("landing");
      out_.sink.record(check_sentry_error_reported(
          cdp, env_.host_policy, settings_, settings_.url(landing),
          [this](const std::string& url, const std::string& error) { return failure_evidence(url, error); }));
    }
    if (!core::interrupted()) {
      run_signed_in_checks(
          env_, settings_, cdp, options_.screenshot_dir,
          [this](const std::string& url, const std::string& error) { return failure_evidence(url, error); },
          out_.sink);
    }
    bundle_checks();
    out_.sink.record_meta("browser_pages", {{"pages", pages_meta_},
                                            {"browser", chromium.executable()},
                                            {"duration_ms", ms_since(start)}});
    cdp_ = nullptr;
    chromium_ = nullptr;
  }

 private:
  std::string screenshot(BrowserTab& tab, const std::string& name) {
    if (options_.screenshot_dir.empty()) return "";
    std::error_code ignored;
    std::filesystem::create_directories(options_.screenshot_dir, ignored);
    const std::string file = "browser-" + name + ".png";
    return tab.screenshot(options_.screenshot_dir + "/" + file) ? file : "";
  }

  // Why a page could not be visited: the tab's error, whether the browser is
  // still alive, and the last protocol message.
  nlohmann::json failure_evidence(const std::string& url, const std::string& error) const {
    nlohmann::json evidence = {{"url", url}, {"error", error}, {"category", failure_category(error)}};
    if (cdp_ != nullptr) evidence["last_protocol_message"] = core::Redactor::global().redact(cdp_->last_message());
    if (chromium_ != nullptr) {
      // A lost connection usually means the browser died: give its exit a
      // moment to be reaped, so the evidence says so.
      const auto until = Clock::now() + std::chrono::seconds(1);
      while (cdp_ != nullptr && !cdp_->connected() && chromium_->running() && Clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      evidence["browser_running"] = chromium_->running();
    }
    return evidence;
  }

  void fail_everything(const std::string& why, const std::string& url) {
    const nlohmann::json evidence = failure_evidence(url.empty() ? settings_.url("/") : url, why);
    for (const std::string& id : planned_ids()) {
      out_.emit(id, id, CheckStatus::kError, Severity::kHigh, why, evidence);
    }
  }

  std::vector<std::string> planned_ids() const {
    std::vector<std::string> ids = {"browser.consent.banner", "browser.consent.before_consent",
                                    "browser.consent.after_reject"};
    for (const auto& [name, path] : settings_.pages) {
      if (is_legal(name)) ids.push_back("browser.legal." + name);
      ids.push_back("browser.console." + name);
      ids.push_back("browser.csp." + name);
      ids.push_back("browser.timing." + name);
    }
    ids.push_back("browser.bundle.secrets");
    ids.push_back("browser.bundle.mockai");
    if (!settings_.empty_state_path.empty()) ids.push_back("browser.empty_state");
    ids.push_back("browser.sentry.error_reported");
    for (const std::string& id : signed_in_check_ids()) ids.push_back(id);
    return ids;
  }

  // Console, CSP and timing checks of one loaded page; keeps its scripts.
  void page_checks(BrowserTab& tab, const std::string& name, const std::string& url,
                   const std::string& shot, double duration_ms) {
    const PageObservations& seen = tab.observations();
    for (const LoadedScript& script : seen.scripts) scripts_.emplace(script.url, script.source);
    nlohmann::json base = {{"url", url}, {"http_status", seen.http_status}};
    if (!shot.empty()) base["screenshot"] = shot;
    const auto blocked = tab.blocked();
    if (!blocked.empty()) base["blocked_by_host_policy"] = urls(blocked);

    nlohmann::json console = base;
    console["errors"] = seen.console_errors;
    out_.emit("browser.console." + name, "No console errors or uncaught exceptions on " + name,
              seen.console_errors.empty() ? CheckStatus::kPass : CheckStatus::kFail, Severity::kMedium,
              seen.console_errors.empty()
                  ? url + ": no console error and no uncaught exception"
                  : url + ": " + std::to_string(seen.console_errors.size()) +
                        " console error(s), first: " + seen.console_errors.front(),
              console);

    nlohmann::json csp = base;
    csp["violations"] = seen.csp_violations;
    out_.emit("browser.csp." + name, "No Content Security Policy violation or mixed content on " + name,
              seen.csp_violations.empty() ? CheckStatus::kPass : CheckStatus::kFail, Severity::kMedium,
              seen.csp_violations.empty()
                  ? url + ": no CSP violation, no mixed content"
                  : url + ": " + std::to_string(seen.csp_violations.size()) + " violation(s), first: " +
                        seen.csp_violations.front(),
              csp);

    nlohmann::json timing = base;
    timing["dom_content_loaded_ms"] = seen.dom_content_loaded_ms;
    timing["load_ms"] = seen.load_ms;
    timing["largest_contentful_paint_ms"] = seen.lcp_ms;
    timing["budget_ms"] = {{"load", settings_.budget_load_ms}, {"lcp", settings_.budget_lcp_ms}};
    std::string problem;
    if (settings_.budget_load_ms > 0 && seen.load_ms > settings_.budget_load_ms) {
      problem = "load took " + std::to_string(static_cast<long>(seen.load_ms)) + " ms, budget " +
                std::to_string(settings_.budget_load_ms) + " ms";
    } else if (settings_.budget_lcp_ms > 0 && seen.lcp_ms > settings_.budget_lcp_ms) {
      problem = "largest contentful paint at " + std::to_string(static_cast<long>(seen.lcp_ms)) +
                " ms, budget " + std::to_string(settings_.budget_lcp_ms) + " ms";
    } else if (!is_legal(name) && seen.http_status >= 400) {
      problem = "the page answered HTTP " + std::to_string(seen.http_status);
    }
    char figures[160];
    std::snprintf(figures, sizeof figures, "DOMContentLoaded %.0f ms, load %.0f ms, LCP %.0f ms",
                  seen.dom_content_loaded_ms, seen.load_ms, seen.lcp_ms);
    out_.emit("browser.timing." + name, "Load timing of " + name,
              problem.empty() ? CheckStatus::kPass : CheckStatus::kFail, Severity::kLow,
              url + ": " + (problem.empty() ? std::string(figures) : problem + " (" + figures + ")"), timing,
              duration_ms);
    pages_meta_.push_back({{"page", name},
                           {"url", url},
                           {"screenshot", shot},
                           {"http_status", seen.http_status},
                           {"dom_content_loaded_ms", seen.dom_content_loaded_ms},
                           {"load_ms", seen.load_ms},
                           {"lcp_ms", seen.lcp_ms},
                           {"requests", seen.requests.size()},
                           {"blocked_by_host_policy", urls(blocked)}});
  }

  void page_error(const std::string& name, const std::string& url, const std::string& error) {
    const nlohmann::json evidence = failure_evidence(url, error);
    for (const std::string prefix : {"browser.console.", "browser.csp.", "browser.timing."}) {
      out_.emit(prefix + name, prefix + name, CheckStatus::kError, Severity::kMedium, error, evidence);
    }
    if (is_legal(name)) legal_[name] = {{"error", error}, {"evidence", evidence}};
  }

  // Opens a fresh tab on `url`; nullptr (and the page's checks as errors)
  // when the page could not be loaded.
  std::unique_ptr<BrowserTab> open(const std::string& name, const std::string& url, bool report_errors = true) {
    auto tab = std::make_unique<BrowserTab>(*cdp_, env_.host_policy);
    if (tab->ok() && tab->navigate(url, std::chrono::milliseconds(settings_.page_timeout_ms))) {
      tab->settle(std::chrono::milliseconds(400));
      return tab;
    }
    if (report_errors) page_error(name, url, tab->error());
    return nullptr;
  }

  void visit(const std::string& name, const std::string& path) {
    const std::string url = settings_.url(path);
    const auto start = Clock::now();
    auto tab = open(name, url);
    if (!tab) return;
    tab->collect();
    const std::string shot = screenshot(*tab, name);
    if (is_legal(name)) {
      const nlohmann::json text = tab->evaluate("document.body ? document.body.innerText : ''");
      legal_[name] = {{"url", url},
                      {"http_status", tab->observations().http_status},
                      {"text_chars", text.is_string() ? text.get<std::string>().size() : 0},
                      {"screenshot", shot}};
    }
    page_checks(*tab, name, url, shot, ms_since(start));
  }

  // The landing page on a first visit: the banner, no tracking before a
  // choice, none after "reject"; then a second first visit that accepts,
  // which tells whether the site uses analytics at all.
  void consent_and_landing() {
    const std::string path = settings_.page_path("landing").empty() ? "/" : settings_.page_path("landing");
    const std::string url = settings_.url(path);
    const auto start = Clock::now();
    auto tab = open("landing", url);
    if (!tab) {
      for (const char* id : {"browser.consent.banner", "browser.consent.before_consent", "browser.consent.after_reject"}) {
        out_.emit(id, id, CheckStatus::kError, Severity::kHigh, "the landing page could not be loaded: " + url,
                  failure_evidence(url, "landing page not loaded"));
      }
      return;
    }
    const nlohmann::json links = tab->evaluate(
        "Array.from(document.querySelectorAll('a[href]')).map(function(a){return a.href})");
    if (links.is_array()) {
      for (const nlohmann::json& link : links) {
        if (link.is_string()) landing_links_.push_back(link.get<std::string>());
      }
    }
    const bool banner = tab->evaluate(visible_js(settings_.consent.banner)) == nlohmann::json(true);
    tab->collect();
    const std::string shot = screenshot(*tab, "landing");
    std::vector<ObservedRequest> before;
    for (const ObservedRequest& request : tab->observations().requests) {
      if (is_analytics(request.url, settings_.analytics_hosts)) before.push_back(request);
    }
    const std::size_t seen_before = tab->observations().requests.size();
    const bool rejected = tab->evaluate(click_js(settings_.consent.reject)) == nlohmann::json(true);
    tab->settle(std::chrono::milliseconds(700));
    std::vector<ObservedRequest> after;
    const auto& requests = tab->observations().requests;
    for (std::size_t i = seen_before; i < requests.size(); ++i) {
      if (is_analytics(requests[i].url, settings_.analytics_hosts)) after.push_back(requests[i]);
    }
    page_checks(*tab, "landing", url, shot, ms_since(start));
    tab.reset();

    // A separate first visit that accepts: are analytics used at all?
    std::vector<ObservedRequest> accepted;
    if (auto accept_tab = open("landing", url, false)) {
      accept_tab->evaluate(click_js(settings_.consent.accept));
      accept_tab->settle(std::chrono::milliseconds(700));
      for (const ObservedRequest& request : accept_tab->observations().requests) {
        if (is_analytics(request.url, settings_.analytics_hosts)) accepted.push_back(request);
      }
    }
    const bool analytics_used = !before.empty() || !after.empty() || !accepted.empty();
    nlohmann::json evidence = {{"url", url},
                               {"banner_selector", settings_.consent.banner},
                               {"banner_visible", banner},
                               {"analytics_before_consent", urls(before)},
                               {"analytics_after_reject", urls(after)},
                               {"analytics_after_accept", urls(accepted)},
                               {"analytics_hosts_watched", settings_.analytics_hosts.size()}};
    if (!shot.empty()) evidence["screenshot"] = shot;
    out_.emit("browser.consent.banner", "A cookie consent banner on the first visit",
              banner || !analytics_used ? CheckStatus::kPass : CheckStatus::kFail, Severity::kHigh,
              banner ? url + ": the banner " + settings_.consent.banner + " is shown on a first visit"
              : analytics_used ? url + ": analytics requests are sent but no banner " + settings_.consent.banner +
                                     " is shown"
                               : url + ": no banner, and no analytics request was observed even after accepting",
              evidence);
    out_.emit("browser.consent.before_consent", "No tracking request before the user consents",
              before.empty() ? CheckStatus::kPass : CheckStatus::kFail, Severity::kHigh,
              before.empty() ? url + ": no request to an analytics host before a choice was made"
                             : url + ": " + std::to_string(before.size()) +
                                   " request(s) to analytics hosts before consent, first: " + before.front().url,
              evidence);
    CheckStatus reject_status = after.empty() ? CheckStatus::kPass : CheckStatus::kFail;
    std::string reject_message = after.empty() ? url + ": no request to an analytics host after \"reject\""
                                               : url + ": " + std::to_string(after.size()) +
                                                     " request(s) to analytics hosts after \"reject\", first: " +
                                                     after.front().url;
    if (!rejected && banner) {
      reject_status = CheckStatus::kError;
      reject_message = url + ": the reject button " + settings_.consent.reject + " was not found in the banner";
    } else if (!rejected) {
      reject_message += " (no reject button " + settings_.consent.reject + ": nothing to reject)";
    }
    out_.emit("browser.consent.after_reject", "No tracking request after the user rejects", reject_status,
              Severity::kHigh, reject_message, evidence);
  }

  void legal_checks() {
    for (const auto& [name, path] : settings_.pages) {
      if (!is_legal(name)) continue;
      const std::string id = "browser.legal." + name;
      const std::string title = std::string(name == "terms" ? "Terms of Service" : "Privacy Policy") +
                                " page public, readable and linked from the landing page";
      const nlohmann::json& seen = legal_[name];
      if (seen.contains("error")) {
        out_.emit(id, title, CheckStatus::kError, Severity::kHigh, seen["error"].get<std::string>(),
                  seen["evidence"]);
        continue;
      }
      nlohmann::json evidence = seen;
      const std::string url = seen.value("url", settings_.url(path));
      const std::string want = path_of(url);
      bool linked = false;
      for (const std::string& link : landing_links_) {
        if (host_of(link) == host_of(url) && path_of(link) == want) linked = true;
      }
      evidence["linked_from_landing"] = linked;
      evidence["min_text_chars"] = settings_.min_text_chars;
      const int status = seen.value("http_status", 0);
      const std::size_t chars = seen.value("text_chars", std::size_t{0});
      std::string problem;
      if (status >= 400 || status == 0) {
        problem = "answered HTTP " + std::to_string(status) + " without signing in";
      } else if (chars < static_cast<std::size_t>(settings_.min_text_chars)) {
        problem = "shows only " + std::to_string(chars) + " characters of text (at least " +
                  std::to_string(settings_.min_text_chars) + " expected)";
      } else if (!landing_links_.empty() && !linked) {
        problem = "is not linked from the landing page";
      } else if (landing_links_.empty()) {
        problem = "is not linked from the landing page (it has no links, or it did not load)";
      }
      out_.emit(id, title, problem.empty() ? CheckStatus::kPass : CheckStatus::kFail, Severity::kHigh,
                url + (problem.empty() ? ": public, " + std::to_string(chars) + " characters, linked from the landing page"
                                       : " " + problem),
                evidence);
    }
  }

  void empty_state() {
    if (settings_.empty_state_path.empty()) {
      out_.emit("browser.empty_state", "A new user's empty state guides them", CheckStatus::kSkip, Severity::kInfo,
                "set frontend.empty_state.path (and .text) to check a new user's first screen", {});
      return;
    }
    const std::string url = settings_.url(settings_.empty_state_path);
    auto tab = open("empty_state", url, false);
    if (!tab) {
      out_.emit("browser.empty_state", "A new user's empty state guides them", CheckStatus::kError,
                Severity::kMedium, url + " could not be loaded", failure_evidence(url, "not loaded"));
      return;
    }
    const nlohmann::json text = tab->evaluate("document.body ? document.body.innerText : ''");
    const std::string shot = screenshot(*tab, "empty_state");
    const bool found = text.is_string() && text.get<std::string>().find(settings_.empty_state_text) != std::string::npos;
    nlohmann::json evidence = {{"url", url}, {"expected_text", settings_.empty_state_text}};
    if (!shot.empty()) evidence["screenshot"] = shot;
    out_.emit("browser.empty_state", "A new user's empty state guides them",
              found ? CheckStatus::kPass : CheckStatus::kFail, Severity::kMedium,
              url + (found ? ": shows \"" : ": does not show \"") + settings_.empty_state_text + "\"", evidence);
  }

  void bundle_checks() {
    nlohmann::json scanned = nlohmann::json::array();
    nlohmann::json secrets = nlohmann::json::array();
    nlohmann::json mock = nlohmann::json::array();
    for (const auto& [url, source] : scripts_) {
      scanned.push_back(url);
      for (const target::SecretFinding& finding : target::scan_for_secrets(source)) {
        core::Redactor::global().add_secret(finding.secret);
        secrets.push_back({{"script", url}, {"kind", target::to_string(finding.kind)},
                           {"what", target::describe(finding.kind)}, {"value", finding.redacted}});
      }
      if (const std::size_t at = source.find("mockAI"); at != std::string::npos) {
        mock.push_back({{"script", url}, {"offset", at}});
      }
    }
    const std::string count = std::to_string(scripts_.size()) + " loaded script(s)";
    if (scripts_.empty()) {
      for (const char* id : {"browser.bundle.secrets", "browser.bundle.mockai"}) {
        out_.emit(id, id, CheckStatus::kSkip, Severity::kInfo, "no page loaded any script: nothing to scan",
                  {{"scripts", scanned}});
      }
      return;
    }
    out_.emit("browser.bundle.secrets", "The loaded scripts carry no secret",
              secrets.empty() ? CheckStatus::kPass : CheckStatus::kFail, Severity::kCritical,
              secrets.empty() ? count + ": no live Stripe key, service_role JWT or private key"
                              : std::string(secrets[0]["what"]) + " in " + std::string(secrets[0]["script"]),
              {{"scripts", scanned}, {"findings", secrets}});
    out_.emit("browser.bundle.mockai", "The loaded scripts carry no mockAI",
              mock.empty() ? CheckStatus::kPass : CheckStatus::kFail, Severity::kHigh,
              mock.empty() ? count + ": no mockAI" : "mockAI in " + std::string(mock[0]["script"]),
              {{"scripts", scanned}, {"findings", mock}});
  }

  const config::Environment& env_;
  const BrowserSettings& settings_;
  const BrowserOptions& options_;
  Emitter out_;
  CdpConnection* cdp_ = nullptr;
  ChromiumProcess* chromium_ = nullptr;
  std::vector<std::string> landing_links_;
  std::map<std::string, nlohmann::json> legal_;
  std::map<std::string, std::string> scripts_;
  nlohmann::json pages_meta_ = nlohmann::json::array();
};

}  // namespace

config::Capability browser_capability(const config::Environment& env) {
  const BrowserSettings settings = read_browser_settings(env);
  if (!settings.enabled) {
    return {"browser", false, "frontend.enabled is false: the frontend is not checked in a browser"};
  }
  return {"browser", true, "legal pages, cookie consent, console and CSP errors, loaded scripts, timings in Chromium"};
}

void run_browser_suite(const config::Environment& env, const BrowserOptions& options, core::ResultSink& sink) {
  const BrowserSettings settings = read_browser_settings(env);
  if (!settings.enabled) {
    Emitter{sink}.emit("browser", "browser", CheckStatus::kSkip, Severity::kInfo,
                       "frontend.enabled is false: the frontend is not checked in a browser", {});
    return;
  }
  BrowserRun(env, settings, options, sink).run();
}

}  // namespace golive::browser
