#include "security/header_probe.hpp"

#include <algorithm>
#include <cctype>
#include <functional>
#include <optional>

#include "core/ascii_case.hpp"
#include "core/interrupt.hpp"
#include "core/url.hpp"

namespace golive::security {

namespace {

constexpr long long kMinHstsMaxAgeS = 15552000;  // 180 days, the Observatory's minimum

std::string lowercase(const std::string& text) { return core::ascii_lower(text); }

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

struct ProbedUrl {
  std::string host;  // "host:port" that served it: an API gateway and a frontend differ
  std::string path;
  http::HttpResponse response;
  nlohmann::json reproduction;  // the request as a curl command (ProbeClient::reproduction)
};

// One header rule: `problem` returns why a response fails it, or nullopt.
struct HeaderRule {
  std::string name;  // check id suffix
  std::string title;
  std::string zap_rule;  // OWASP ZAP passive scan rule id(s); "" when ZAP has none
  core::Severity severity;
  int penalty;  // Observatory-style points lost when any URL fails
  std::function<std::optional<std::string>(const http::HttpResponse&)> problem;
};

std::optional<std::string> require_present(const http::HttpResponse& response,
                                           const std::string& header) {
  const auto value = response.header(header);
  if (!value || trim(*value).empty()) return header + " is missing";
  return std::nullopt;
}

std::optional<std::string> csp_problem(const http::HttpResponse& response) {
  return require_present(response, "content-security-policy");
}

std::optional<std::string> unsafe_inline_problem(const http::HttpResponse& response) {
  const auto policy = response.header("content-security-policy");
  if (!policy) return std::nullopt;  // reported by the csp rule
  // script-src governs scripts; without it default-src does.
  std::string sources = csp_directive(*policy, "script-src");
  if (sources.empty()) sources = csp_directive(*policy, "default-src");
  if (sources.empty()) return "the CSP restricts neither script-src nor default-src";
  if (sources.find("'unsafe-inline'") != std::string::npos)
    return "script-src allows 'unsafe-inline'";
  return std::nullopt;
}

std::optional<std::string> hsts_problem(const http::HttpResponse& response) {
  const auto value = response.header("strict-transport-security");
  if (!value) return "Strict-Transport-Security is missing";
  const long long max_age = hsts_max_age(*value);
  if (max_age < kMinHstsMaxAgeS) {
    return "HSTS max-age " + std::to_string(max_age) + " s is below 15552000 s (6 months)";
  }
  return std::nullopt;
}

std::optional<std::string> framing_problem(const http::HttpResponse& response) {
  if (const auto policy = response.header("content-security-policy")) {
    if (!csp_directive(*policy, "frame-ancestors").empty()) return std::nullopt;
  }
  const auto value = response.header("x-frame-options");
  if (!value) return "neither X-Frame-Options nor CSP frame-ancestors is set";
  const std::string option = lowercase(trim(*value));
  if (option != "deny" && option != "sameorigin")
    return "X-Frame-Options is \"" + *value + "\", not DENY or SAMEORIGIN";
  return std::nullopt;
}

std::optional<std::string> nosniff_problem(const http::HttpResponse& response) {
  const auto value = response.header("x-content-type-options");
  if (!value) return "X-Content-Type-Options is missing";
  if (lowercase(trim(*value)) != "nosniff") return "X-Content-Type-Options is not nosniff";
  return std::nullopt;
}

std::optional<std::string> referrer_problem(const http::HttpResponse& response) {
  const auto value = response.header("referrer-policy");
  if (!value) return "Referrer-Policy is missing";
  if (lowercase(*value).find("unsafe-url") != std::string::npos)
    return "Referrer-Policy is unsafe-url";
  return std::nullopt;
}

std::optional<std::string> permissions_problem(const http::HttpResponse& response) {
  return require_present(response, "permissions-policy");
}

std::optional<std::string> cookie_problem(const http::HttpResponse& response) {
  std::string problems;
  for (const auto& [name, value] : response.headers) {
    if (name != "set-cookie") continue;
    const std::string lower = lowercase(value);
    const std::string cookie = trim(value.substr(0, value.find('=')));
    std::vector<std::string> missing;
    if (lower.find("; secure") == std::string::npos && lower.find(";secure") == std::string::npos)
      missing.push_back("Secure");
    if (lower.find("httponly") == std::string::npos) missing.push_back("HttpOnly");
    if (lower.find("samesite") == std::string::npos) missing.push_back("SameSite");
    if (missing.empty()) continue;
    if (!problems.empty()) problems += "; ";
    problems += "cookie " + cookie + " lacks";
    for (const auto& flag : missing) problems += " " + flag;
  }
  if (problems.empty()) return std::nullopt;
  return problems;
}

bool contains_digit(const std::string& text) {
  return std::any_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); });
}

std::optional<std::string> version_leak_problem(const http::HttpResponse& response) {
  if (const auto server = response.header("server"); server && contains_digit(*server))
    return "Server reveals a version: \"" + *server + "\"";
  if (const auto powered = response.header("x-powered-by"))
    return "X-Powered-By reveals the stack: \"" + *powered + "\"";
  if (const auto aspnet = response.header("x-aspnet-version"))
    return "X-AspNet-Version reveals a version: \"" + *aspnet + "\"";
  return std::nullopt;
}

std::vector<HeaderRule> header_rules() {
  using core::Severity;
  return {
      {"csp", "Content-Security-Policy is set", "10038", Severity::kMedium, 25, csp_problem},
      {"csp_unsafe_inline", "CSP script-src forbids 'unsafe-inline'", "10055",
       Severity::kMedium, 20, unsafe_inline_problem},
      {"hsts", "Strict-Transport-Security max-age is at least 6 months", "10035",
       Severity::kMedium, 20, hsts_problem},
      {"x_frame_options", "Framing is forbidden (X-Frame-Options or frame-ancestors)", "10020",
       Severity::kMedium, 20, framing_problem},
      {"x_content_type_options", "X-Content-Type-Options: nosniff", "10021", Severity::kLow, 5,
       nosniff_problem},
      {"referrer_policy", "Referrer-Policy is set", "", Severity::kLow, 5, referrer_problem},
      {"permissions_policy", "Permissions-Policy is set", "10063", Severity::kLow, 5,
       permissions_problem},
      {"cookie_flags", "Cookies carry Secure, HttpOnly and SameSite", "10010,10011,10054",
       Severity::kMedium, 20, cookie_problem},
      {"server_version_leak", "Server and X-Powered-By reveal no versions", "10036,10037",
       Severity::kLow, 0, version_leak_problem},
  };
}

core::CheckResult evaluate_rule(const HeaderRule& rule, const std::vector<ProbedUrl>& urls,
                                ScoreCard& score) {
  const std::string id = "security.headers." + rule.name;
  CheckBuilder check(id, rule.title, rule.severity);
  nlohmann::json evidence = {{"zap_rule", rule.zap_rule.empty() ? nlohmann::json() : nlohmann::json(rule.zap_rule)},
                             {"urls", nlohmann::json::array()}};
  std::size_t failing = 0;
  std::size_t inspected = 0;
  std::string first_problem;
  for (const auto& url : urls) {
    if (!url.response.transport_ok()) continue;
    ++inspected;
    const auto problem = rule.problem(url.response);
    nlohmann::json entry = {
        {"host", url.host}, {"path", url.path}, {"status", url.response.status}};
    if (problem) {
      ++failing;
      if (first_problem.empty()) {
        first_problem = url.host + url.path + ": " + *problem;
        check.reproduce(url.reproduction);
      }
      entry["problem"] = *problem;
    }
    evidence["urls"].push_back(std::move(entry));
  }
  if (inspected == 0) return check.error("no probed URL answered", evidence);
  if (rule.name == "csp_unsafe_inline") {
    const bool any_csp = std::any_of(urls.begin(), urls.end(), [](const ProbedUrl& url) {
      return url.response.header("content-security-policy").has_value();
    });
    if (!any_csp) return check.skip("no response carries a CSP (see security.headers.csp)", evidence);
  }
  if (failing == 0) {
    return check.pass("all " + std::to_string(inspected) + " probed URLs comply", evidence);
  }
  if (rule.penalty > 0) score.deduct(id, rule.penalty);
  return check.fail(first_problem + " (" + std::to_string(failing) + " of " +
                        std::to_string(inspected) + " URLs)",
                    evidence);
}

}  // namespace

int ScoreCard::score() const {
  int total = 100;
  for (const auto& deduction : deductions) total -= deduction.points;
  return std::max(total, 0);
}

std::string csp_directive(const std::string& policy, const std::string& directive) {
  std::size_t start = 0;
  while (start <= policy.size()) {
    const std::size_t end = std::min(policy.find(';', start), policy.size());
    const std::string part = lowercase(trim(policy.substr(start, end - start)));
    if (part == directive) return "'none'";  // a directive without sources
    if (part.rfind(directive + " ", 0) == 0) return trim(part.substr(directive.size()));
    start = end + 1;
  }
  return "";
}

long long hsts_max_age(const std::string& value) {
  const std::string lower = lowercase(value);
  const std::size_t at = lower.find("max-age");
  if (at == std::string::npos) return -1;
  std::size_t pos = lower.find('=', at);
  if (pos == std::string::npos) return -1;
  ++pos;
  while (pos < lower.size() && (lower[pos] == ' ' || lower[pos] == '"')) ++pos;
  long long seconds = 0;
  bool any = false;
  while (pos < lower.size() && std::isdigit(static_cast<unsigned char>(lower[pos]))) {
    if (seconds < 1'000'000'000'000LL) seconds = seconds * 10 + (lower[pos] - '0');
    any = true;
    ++pos;
  }
  return any ? seconds : -1;
}

void run_header_probe(const ProbeClient& client, const HttpSecuritySettings& settings,
                      core::ResultSink& sink, ScoreCard& score) {
  std::vector<http::HttpRequest> requests;
  std::vector<std::string> hosts;  // parallel to requests
  std::vector<nlohmann::json> reproductions;  // parallel to requests
  for (const auto& path : settings.header_paths) {
    requests.push_back(client.request("GET", path));
    reproductions.push_back(client.reproduction(requests.back()));
    const auto url = core::parse_url(requests.back().url);
    hosts.push_back(url ? url->authority() : "");
  }
  std::vector<http::HttpResponse> responses = client.send_all(std::move(requests));
  if (core::interrupted()) return;
  std::vector<ProbedUrl> urls;
  for (std::size_t i = 0; i < responses.size(); ++i) {
    urls.push_back({hosts[i], settings.header_paths[i], std::move(responses[i]),
                    std::move(reproductions[i])});
  }
  for (const auto& rule : header_rules()) {
    if (core::interrupted()) return;
    sink.record(evaluate_rule(rule, urls, score));
  }
}

void record_header_score(const ScoreCard& score, const HttpSecuritySettings& settings,
                         core::ResultSink& sink) {
  CheckBuilder check("security.headers.score", "Observatory-style header score",
                     core::Severity::kMedium);
  nlohmann::json evidence = {{"score", score.score()},
                             {"min_score", settings.min_header_score},
                             {"deductions", nlohmann::json::array()}};
  for (const auto& deduction : score.deductions) {
    evidence["deductions"].push_back({{"check", deduction.reason}, {"points", -deduction.points}});
  }
  const std::string message = "score " + std::to_string(score.score()) + "/100 (pass at " +
                              std::to_string(settings.min_header_score) + ")";
  sink.record(score.score() >= settings.min_header_score ? check.pass(message, evidence)
                                                         : check.fail(message, evidence));
}

}  // namespace golive::security
