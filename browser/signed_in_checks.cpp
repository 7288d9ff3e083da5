#include "browser/signed_in_checks.hpp"

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <thread>

#include "browser/browser_tab.hpp"
#include "core/url.hpp"
#include "http/client_options.hpp"
#include "target/test_users.hpp"

namespace golive::browser {

namespace {

using Clock = std::chrono::steady_clock;
using core::CheckStatus;
using core::Severity;

constexpr const char* kSignIn = "browser.signed_in.sign_in";
constexpr const char* kPending = "browser.signed_in.pending_state";
constexpr const char* kLazy = "browser.signed_in.lazy_load";
constexpr const char* kTooltips = "browser.signed_in.tooltips";
constexpr const char* kOptimistic = "browser.signed_in.optimistic_ui";
constexpr const char* kPortal = "browser.signed_in.customer_portal";

std::string js(const std::string& text) { return nlohmann::json(text).dump(); }

// The page's path without query, fragment or trailing slash.
std::string path_of(const std::string& url) {
  const auto parsed = core::parse_url(url);
  std::string path = parsed ? parsed->target : url;
  path = path.substr(0, path.find_first_of("?#"));
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

constexpr const char* kVisibleFn =
    "function(e){if(!e)return false;var s=getComputedStyle(e),r=e.getBoundingClientRect();"
    "return s.display!=='none'&&s.visibility!=='hidden'&&r.width>0&&r.height>0}";

bool is_api_call(const ObservedRequest& request) {
  return request.resource_type == "Fetch" || request.resource_type == "XHR";
}

// Lets the page run until a request since `from` satisfies `seen` (then
// `after` more, for the page to react), at most `limit`: a slow machine
// waits longer, a fast one does not wait for nothing.
template <typename Seen>
void settle_until(BrowserTab& tab, std::size_t from, Seen seen, std::chrono::milliseconds after,
                  std::chrono::milliseconds limit = std::chrono::seconds(4)) {
  const auto until = Clock::now() + limit;
  while (Clock::now() < until && tab.ok()) {
    const auto& requests = tab.observations().requests;
    for (std::size_t i = from; i < requests.size(); ++i) {
      if (seen(requests[i])) {
        tab.settle(after);
        return;
      }
    }
    tab.settle(std::chrono::milliseconds(50));
  }
}

struct Outcome {
  CheckStatus status;
  std::string message;
  nlohmann::json evidence;
};

class SignedInRun {
 public:
  SignedInRun(const config::Environment& env, const BrowserSettings& settings, CdpConnection& cdp,
              const std::string& screenshot_dir, const FailureEvidence& failure_evidence, core::ResultSink& sink)
      : env_(env),
        settings_(settings),
        cdp_(cdp),
        screenshot_dir_(screenshot_dir),
        failure_evidence_(failure_evidence),
        sink_(sink) {}

  void run() {
    if (settings_.sign_in.path.empty()) {
      for (const std::string& id : signed_in_check_ids()) {
        emit(id, CheckStatus::kSkip, Severity::kInfo,
             "set frontend.sign_in.path (the sign-in page) to check the signed-in app as a fresh test user", {});
      }
      return;
    }
    const target::TestUsers users(env_, http::client_options_for(env_));
    target::TestUserOutcome outcome = users.acquire(0, "golive-browser");
    if (!outcome.user) {
      for (const std::string& id : signed_in_check_ids()) {
        emit(id, outcome.not_configured ? CheckStatus::kSkip : CheckStatus::kError, Severity::kMedium,
             "no test user to sign in with: " + outcome.error, {{"status", outcome.status}});
      }
      return;
    }
    const target::TestUser user = *outcome.user;
    if (user.email.empty() || user.password.empty()) {
      // auth.kind "tokens": a user without credentials cannot type them in.
      for (const std::string& id : signed_in_check_ids()) {
        emit(id, CheckStatus::kSkip, Severity::kMedium,
             "the test user has no email and password to type into the sign-in page (auth.kind \"tokens\"): "
             "set auth.test_users or allow signups (auth.signup_enabled)",
             {});
      }
      users.release(user);
      return;
    }
    Outcome sign_in = sign_in_and_check(user);
    // No residue: the user created for this visit is deleted again.
    const std::string released = users.release(user);
    sign_in.evidence["user_created_here"] = user.created_here;
    sign_in.evidence["user_deleted"] = user.created_here && released.empty();
    if (!released.empty()) {
      sign_in.status = CheckStatus::kError;
      sign_in.message += "; the test user " + user.email + " could not be deleted: " + released;
    }
    emit(kSignIn, sign_in.status, Severity::kHigh, sign_in.message, sign_in.evidence);
  }

 private:
  void emit(const std::string& id, CheckStatus status, Severity severity, const std::string& message,
            nlohmann::json evidence) {
    static const std::map<std::string, std::string> titles = {
        {kSignIn, "A fresh test user signs in through the sign-in page"},
        {kPending, "A pending state while a request is in flight, and no second submission"},
        {kLazy, "A heavy view is loaded when it opens, not with the page"},
        {kTooltips, "Icon-only buttons carry tooltips"},
        {kOptimistic, "An optimistic update, rolled back when its request fails"},
        {kPortal, "\"Manage billing\" opens a customer portal session"}};
    core::CheckResult check;
    check.id = id;
    check.suite = "browser";
    check.title = titles.count(id) ? titles.at(id) : id;
    check.status = status;
    check.severity = severity;
    check.message = message;
    check.evidence = std::move(evidence);
    sink_.record(check);
  }

  void all_others(CheckStatus status, const std::string& message, const nlohmann::json& evidence) {
    for (const std::string& id : signed_in_check_ids()) {
      if (id != kSignIn) emit(id, status, Severity::kMedium, message, evidence);
    }
  }

  std::string screenshot(BrowserTab& tab) {
    if (screenshot_dir_.empty()) return "";
    std::error_code ignored;
    std::filesystem::create_directories(screenshot_dir_, ignored);
    return tab.screenshot(screenshot_dir_ + "/browser-signed_in.png") ? "browser-signed_in.png" : "";
  }

  // Signs in; runs the other checks when it worked. The sign-in check's
  // result as {status, message, evidence}, emitted by run() after the user
  // is deleted.
  Outcome sign_in_and_check(const target::TestUser& user) {
    const SignInSettings& s = settings_.sign_in;
    const std::string url = settings_.url(s.path);
    nlohmann::json evidence = {{"url", url}, {"user", user.email}, {"after_path", s.after_path}};
    auto tab = std::make_unique<BrowserTab>(cdp_, env_.host_policy);
    const auto timeout = std::chrono::milliseconds(settings_.page_timeout_ms);
    if (!tab->ok() || !tab->navigate(url, timeout)) return lost(*tab, url, evidence);
    // A captcha the target requires: its test token into the answer's field.
    const config::AuthSettings& auth = env_.auth;
    const std::string captcha = auth.captcha_required && !auth.captcha_token.empty()
                                    ? "var c=document.querySelector(" + js(s.captcha) + ");if(c)c.value=" +
                                          js(auth.captcha_token) + ";"
                                    : "";
    evidence["captcha_token_given"] = !captcha.empty();
    const nlohmann::json filled = tab->evaluate(
        "(function(){var e=document.querySelector(" + js(s.email) + "),p=document.querySelector(" + js(s.password) +
        "),b=document.querySelector(" + js(s.submit) + ");if(!e||!p||!b)return false;"
        "function put(i,v){i.focus();i.value=v;i.dispatchEvent(new Event('input',{bubbles:true}));"
        "i.dispatchEvent(new Event('change',{bubbles:true}))}"
        "put(e," + js(user.email) + ");put(p," + js(user.password) + ");" + captcha + "b.click();return true})()");
    if (filled != nlohmann::json(true)) {
      all_others(CheckStatus::kError, "not signed in: the sign-in form was not found", evidence);
      return {CheckStatus::kError, url + ": no " + s.email + ", " + s.password + " or " + s.submit +
                              " (frontend.sign_in's selectors)",
              evidence};
    }
    // The page navigates by itself: wait until it shows after_path, loaded.
    const auto until = Clock::now() + timeout;
    std::string at;
    while (Clock::now() < until && tab->ok()) {
      const nlohmann::json where =
          tab->evaluate("document.readyState==='complete'?location.href:''");
      if (where.is_string() && !where.get<std::string>().empty()) {
        at = where.get<std::string>();
        if (path_of(at) == path_of(settings_.url(s.after_path))) break;
      }
      tab->settle(std::chrono::milliseconds(150));
    }
    if (!tab->ok()) return lost(*tab, url, evidence);
    evidence["reached"] = at;
    if (path_of(at) != path_of(settings_.url(s.after_path))) {
      const nlohmann::json text = tab->evaluate("document.body?document.body.innerText.slice(0,400):''");
      evidence["page_text"] = text.is_string() ? text : nlohmann::json("");
      const std::string shot = screenshot(*tab);
      if (!shot.empty()) evidence["screenshot"] = shot;
      all_others(CheckStatus::kError, "not signed in: the sign-in page did not reach " + s.after_path, evidence);
      return {CheckStatus::kFail, url + ": after submitting the test user's email and password the page is at " +
                              (at.empty() ? std::string("(nothing loaded)") : at) + ", not " + s.after_path,
              evidence};
    }
    tab->settle(std::chrono::milliseconds(400));
    const std::string shot = screenshot(*tab);
    if (!shot.empty()) evidence["screenshot"] = shot;
    nlohmann::json base = {{"url", at}};
    if (!shot.empty()) base["screenshot"] = shot;
    using Check = void (SignedInRun::*)(BrowserTab&, nlohmann::json);
    const std::vector<std::pair<const char*, Check>> checks = {
        {kPending, &SignedInRun::pending_state},   {kLazy, &SignedInRun::lazy_load},
        {kTooltips, &SignedInRun::tooltips},       {kOptimistic, &SignedInRun::optimistic_ui},
        {kPortal, &SignedInRun::customer_portal}};  // last: it navigates away
    for (const auto& [id, check] : checks) {
      if (tab->ok() && cdp_.connected()) {
        (this->*check)(*tab, base);
        continue;
      }
      // The page or the browser was lost on the way.
      const std::string error = tab->ok() ? cdp_.error() : tab->error();
      nlohmann::json lost_evidence = base;
      const nlohmann::json failure = failure_evidence_(at, error);
      for (const auto& [key, value] : failure.items()) lost_evidence[key] = value;
      emit(id, CheckStatus::kError, Severity::kMedium, error, lost_evidence);
    }
    return {CheckStatus::kPass, url + ": signed in as a fresh test user and reached " + s.after_path,
            evidence};
  }

  // The tab or the browser failed: every signed-in check is an error with
  // the suite's failure evidence (category, last protocol message).
  Outcome lost(const BrowserTab& tab, const std::string& url, nlohmann::json evidence) {
    const nlohmann::json failure = failure_evidence_(url, tab.error());
    for (const auto& [key, value] : failure.items()) evidence[key] = value;
    all_others(CheckStatus::kError, "not signed in: " + tab.error(), evidence);
    return {CheckStatus::kError, url + ": " + tab.error(), evidence};
  }

  std::size_t api_calls_since(const BrowserTab& tab, std::size_t from, nlohmann::json* list = nullptr) const {
    std::size_t count = 0;
    const auto& requests = tab.observations().requests;
    for (std::size_t i = from; i < requests.size(); ++i) {
      if (!is_api_call(requests[i])) continue;
      ++count;
      if (list != nullptr) list->push_back(requests[i].method + " " + requests[i].url);
    }
    return count;
  }

  void pending_state(BrowserTab& tab, nlohmann::json evidence) {
    const SignedInSelectors& s = settings_.signed_in;
    evidence["trigger"] = s.pending_trigger;
    evidence["indicator"] = s.pending_indicator;
    const std::size_t from = tab.observations().requests.size();
    // Two clicks in one task: the second comes while the first request is
    // still in flight.
    const nlohmann::json seen = tab.evaluate(
        "(function(){var visible=" + std::string(kVisibleFn) + ";var t=document.querySelector(" +
        js(s.pending_trigger) + ");if(!t)return null;t.click();var shown=visible(document.querySelector(" +
        js(s.pending_indicator) + "));t.click();return shown})()");
    if (seen.is_null()) {
      emit(kPending, CheckStatus::kError, Severity::kMedium,
           "no " + s.pending_trigger + " on the signed-in page (frontend.signed_in.pending_trigger)", evidence);
      return;
    }
    settle_until(tab, from, is_api_call, std::chrono::milliseconds(800));
    nlohmann::json calls = nlohmann::json::array();
    const std::size_t sent = api_calls_since(tab, from, &calls);
    evidence["pending_shown"] = seen;
    evidence["requests"] = calls;
    if (sent == 0) {
      emit(kPending, CheckStatus::kSkip, Severity::kMedium,
           "clicking " + s.pending_trigger + " sent no request: nothing was pending (inconclusive)", evidence);
    } else if (seen != nlohmann::json(true)) {
      emit(kPending, CheckStatus::kFail, Severity::kMedium,
           "no pending state (" + s.pending_indicator + ") while the request of " + s.pending_trigger +
               " was in flight" + (sent > 1 ? ", and a second click sent it again (" + std::to_string(sent) +
                                                  " requests)" : ""),
           evidence);
    } else if (sent > 1) {
      emit(kPending, CheckStatus::kFail, Severity::kMedium,
           "a second click on " + s.pending_trigger + " while its request was pending sent it again (" +
               std::to_string(sent) + " requests)",
           evidence);
    } else {
      emit(kPending, CheckStatus::kPass, Severity::kMedium,
           s.pending_trigger + " shows " + s.pending_indicator +
               " while its request is in flight; a second click sent nothing",
           evidence);
    }
  }

  void lazy_load(BrowserTab& tab, nlohmann::json evidence) {
    const SignedInSelectors& s = settings_.signed_in;
    evidence["trigger"] = s.lazy_trigger;
    evidence["resource"] = s.lazy_resource;
    const auto& requests = tab.observations().requests;
    bool early = false;
    for (const ObservedRequest& request : requests) {
      if (request.url.find(s.lazy_resource) != std::string::npos) early = true;
    }
    const std::size_t from = requests.size();
    const nlohmann::json clicked = tab.evaluate("(function(){var t=document.querySelector(" + js(s.lazy_trigger) +
                                                ");if(!t)return false;t.click();return true})()");
    if (clicked != nlohmann::json(true)) {
      emit(kLazy, CheckStatus::kError, Severity::kLow,
           "no " + s.lazy_trigger + " on the signed-in page (frontend.signed_in.lazy_trigger)", evidence);
      return;
    }
    settle_until(tab, from, [&](const ObservedRequest& r) { return r.url.find(s.lazy_resource) != std::string::npos; },
                 std::chrono::milliseconds(100));
    bool on_open = false;
    for (std::size_t i = from; i < tab.observations().requests.size(); ++i) {
      if (tab.observations().requests[i].url.find(s.lazy_resource) != std::string::npos) on_open = true;
    }
    evidence["fetched_with_page"] = early;
    evidence["fetched_on_open"] = on_open;
    if (early) {
      emit(kLazy, CheckStatus::kFail, Severity::kLow,
           s.lazy_resource + " is fetched with the page, before " + s.lazy_trigger + " opens its view", evidence);
    } else if (!on_open) {
      emit(kLazy, CheckStatus::kSkip, Severity::kLow,
           s.lazy_resource + " was not fetched even after " + s.lazy_trigger +
               " (inconclusive: check frontend.signed_in.lazy_resource)",
           evidence);
    } else {
      emit(kLazy, CheckStatus::kPass, Severity::kLow,
           s.lazy_resource + " is fetched only when " + s.lazy_trigger + " opens its view", evidence);
    }
  }

  void tooltips(BrowserTab& tab, nlohmann::json evidence) {
    const nlohmann::json icons = tab.evaluate(
        "(function(){var visible=" + std::string(kVisibleFn) +
        ";return Array.from(document.querySelectorAll('button,[role=button]')).filter(visible)"
        ".filter(function(b){return !/[\\p{L}\\p{N}]/u.test(b.innerText||'')})"
        ".map(function(b){return {html:b.outerHTML.slice(0,200),title:(b.getAttribute('title')||'').trim()}})})()");
    if (!icons.is_array()) {
      emit(kTooltips, CheckStatus::kError, Severity::kLow, "the page's buttons could not be read", evidence);
      return;
    }
    nlohmann::json missing = nlohmann::json::array();
    for (const nlohmann::json& icon : icons) {
      if (icon.value("title", "").empty()) missing.push_back(icon.value("html", ""));
    }
    evidence["icon_buttons"] = icons;
    evidence["without_tooltip"] = missing;
    if (!missing.empty()) {
      emit(kTooltips, CheckStatus::kFail, Severity::kLow,
           std::to_string(missing.size()) + " of " + std::to_string(icons.size()) +
               " icon-only button(s) have no tooltip (title), first: " + missing[0].get<std::string>(),
           evidence);
    } else {
      emit(kTooltips, CheckStatus::kPass, Severity::kLow,
           icons.empty() ? "no icon-only button on the signed-in page"
                         : std::to_string(icons.size()) + " icon-only button(s), each with a tooltip",
           evidence);
    }
  }

  void optimistic_ui(BrowserTab& tab, nlohmann::json evidence) {
    const SignedInSelectors& s = settings_.signed_in;
    evidence["trigger"] = s.optimistic_trigger;
    evidence["attribute"] = s.optimistic_attribute;
    const std::string read = "document.querySelector(" + js(s.optimistic_trigger) + ")";
    const std::size_t from = tab.observations().requests.size();
    tab.fail_api_requests(true);
    const nlohmann::json seen = tab.evaluate(
        "(function(){var t=" + read + ";if(!t)return null;var a=" + js(s.optimistic_attribute) +
        ";var before=t.getAttribute(a);t.click();return {before:before,after_click:" + read +
        ".getAttribute(a)}})()");
    if (!seen.is_object()) {
      tab.fail_api_requests(false);
      emit(kOptimistic, CheckStatus::kError, Severity::kLow,
           "no " + s.optimistic_trigger + " on the signed-in page (frontend.signed_in.optimistic_trigger)", evidence);
      return;
    }
    settle_until(tab, from, [](const ObservedRequest& r) { return r.failed_on_purpose; },
                 std::chrono::milliseconds(400));
    const nlohmann::json after_failure =
        tab.evaluate("(function(){var t=" + read + ";return t?t.getAttribute(" + js(s.optimistic_attribute) +
                     "):null})()");
    tab.fail_api_requests(false);
    nlohmann::json calls = nlohmann::json::array();
    const std::size_t sent = api_calls_since(tab, from, &calls);
    evidence["before"] = seen["before"];
    evidence["after_click"] = seen["after_click"];
    evidence["after_request_failed"] = after_failure;
    evidence["failed_requests"] = calls;
    const std::string what = s.optimistic_trigger + "'s " + s.optimistic_attribute;
    if (sent == 0) {
      emit(kOptimistic, CheckStatus::kSkip, Severity::kLow,
           "clicking " + s.optimistic_trigger + " sent no request (inconclusive)", evidence);
    } else if (seen["after_click"] == seen["before"]) {
      emit(kOptimistic, CheckStatus::kFail, Severity::kLow,
           "no optimistic update: " + what + " did not change when clicked (it waits for the answer)", evidence);
    } else if (after_failure != seen["before"]) {
      emit(kOptimistic, CheckStatus::kFail, Severity::kLow,
           "the optimistic update is not rolled back: " + what + " stays " + after_failure.dump() +
               " after its request failed (was " + seen["before"].dump() + ")",
           evidence);
    } else {
      emit(kOptimistic, CheckStatus::kPass, Severity::kLow,
           what + " changes at once and is rolled back to " + seen["before"].dump() + " when its request fails",
           evidence);
    }
  }

  void customer_portal(BrowserTab& tab, nlohmann::json evidence) {
    const SignedInSelectors& s = settings_.signed_in;
    evidence["button"] = s.portal_button;
    evidence["endpoint"] = s.portal_endpoint;
    const std::size_t from = tab.observations().requests.size();
    const nlohmann::json clicked = tab.evaluate("(function(){var t=document.querySelector(" + js(s.portal_button) +
                                                ");if(!t)return false;t.click();return true})()");
    if (clicked != nlohmann::json(true)) {
      emit(kPortal, CheckStatus::kFail, Severity::kMedium,
           "no \"Manage billing\" button " + s.portal_button + " on the signed-in page", evidence);
      return;
    }
    const std::string endpoint = path_of(settings_.url(s.portal_endpoint));
    settle_until(tab, from, [&](const ObservedRequest& r) { return r.method == "POST" && path_of(r.url) == endpoint; },
                 std::chrono::milliseconds(500));
    bool posted = false;
    nlohmann::json after = nlohmann::json::array();
    const auto& requests = tab.observations().requests;
    for (std::size_t i = from; i < requests.size(); ++i) {
      after.push_back(requests[i].method + " " + requests[i].url + (requests[i].blocked ? " (host policy)" : ""));
      if (requests[i].method == "POST" && path_of(requests[i].url) == endpoint) {
        posted = true;
      }
    }
    evidence["requests_after_click"] = after;
    emit(kPortal, posted ? CheckStatus::kPass : CheckStatus::kFail, Severity::kMedium,
         posted ? s.portal_button + " POSTs to " + s.portal_endpoint + " for a portal session"
                : "clicking " + s.portal_button + " sent no POST to " + s.portal_endpoint,
         evidence);
  }

  const config::Environment& env_;
  const BrowserSettings& settings_;
  CdpConnection& cdp_;
  std::string screenshot_dir_;
  const FailureEvidence& failure_evidence_;
  core::ResultSink& sink_;
};

}  // namespace

std::vector<std::string> signed_in_check_ids() { return {kSignIn, kPending, kLazy, kTooltips, kOptimistic, kPortal}; }

void run_signed_in_checks(const config::Environment& env, const BrowserSettings& settings, CdpConnection& cdp,
                          const std::string& screenshot_dir, const FailureEvidence& failure_evidence,
                          core::ResultSink& sink) {
  SignedInRun(env, settings, cdp, screenshot_dir, failure_evidence, sink).run();
}

}  // namespace golive::browser
