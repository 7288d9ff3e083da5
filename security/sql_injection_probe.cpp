#include "security/sql_injection_probe.hpp"

#include <algorithm>
#include <array>

#include "core/encoding.hpp"
#include "core/interrupt.hpp"
#include "security/injection_signals.hpp"

namespace golive::security {

namespace {

constexpr double kSleepShare = 0.8;  // share of the sleep a delayed answer must add

// One payload sent into one target, and what came back.
struct Probe {
  std::string payload;  // the injected value, without the target's prefix
  http::HttpResponse response;
  double elapsed_ms = 0;  // wall time of the request, ms
  nlohmann::json reproduction;  // the request as a curl command (a finding's evidence)
};

class TargetRun {
 public:
  TargetRun(InjectionContext& ctx, const InjectionTarget& target) : ctx_(ctx), target_(target) {}

  // nullopt when the request budget is spent.
  std::optional<Probe> send(const std::string& payload) {
    const std::string value = target_.prefix + payload;
    std::string path = target_.path;
    std::string query = target_.query;
    nlohmann::json body = target_.body;
    if (!target_.param.empty()) {
      query += (query.empty() ? "" : "&") + target_.param + "=" + core::percent_encode(value);
    } else {
      body[target_.field] = value;
    }
    if (!query.empty()) path += "?" + query;
    const std::string json_body = target_.method == "GET" || body.empty() ? "" : body.dump();
    Probe probe;
    probe.payload = payload;
    const auto response =
        ctx_.send(target_.method, path, json_body, target_.as_user, &probe.elapsed_ms);
    if (!response) return std::nullopt;
    probe.response = *response;
    probe.reproduction = ctx_.last_reproduction();
    slowest_ms_ = std::max(slowest_ms_, probe.elapsed_ms);
    ++sent_;
    return probe;
  }

  double slowest_ms() const { return slowest_ms_; }
  int sent() const { return sent_; }

 private:
  InjectionContext& ctx_;
  const InjectionTarget& target_;
  double slowest_ms_ = 0;  // slowest answer so far, ms (the time technique's baseline)
  int sent_ = 0;
};

nlohmann::json probe_evidence(const Probe& probe) {
  return {{"payload", probe.payload},
          {"status", probe.response.status},
          {"elapsed_ms", static_cast<long>(probe.elapsed_ms)},
          {"response", response_excerpt(probe.response, 160)}};
}

nlohmann::json target_evidence(const InjectionTarget& target) {
  nlohmann::json evidence = {
      {"method", target.method}, {"path", target.path}, {"auth", target.as_user ? "user" : "anon"}};
  if (!target.param.empty()) evidence["param"] = target.param;
  if (!target.field.empty()) evidence["field"] = target.field;
  if (!target.prefix.empty()) evidence["prefix"] = target.prefix;
  return evidence;
}

// Error-based: the first payload whose answer carries a parse error.
// `culprit` gets the reproduction of the request that shows a finding.
std::optional<nlohmann::json> try_error_based(TargetRun& run, const std::string& token,
                                              bool* budget_spent, nlohmann::json* culprit) {
  for (const auto& suffix : sql_error_payloads()) {
    const auto probe = run.send(token + suffix);
    if (!probe) {
      *budget_spent = true;
      return std::nullopt;
    }
    if (const auto signal = find_sql_error(probe->response.body)) {
      nlohmann::json found = probe_evidence(*probe);
      found["signal"] = signal->signal;
      found["matched"] = signal->excerpt;
      *culprit = probe->reproduction;
      return found;
    }
    if (core::interrupted()) break;
  }
  return std::nullopt;
}

// Boolean-based: true differs from false, false looks like the baseline, and
// a second true answer looks like the first.
std::optional<nlohmann::json> try_boolean_based(TargetRun& run, const std::string& token,
                                                const Probe& baseline, bool* budget_spent,
                                                nlohmann::json* culprit) {
  const auto yes = run.send(sql_boolean_true(token));
  const auto no = yes ? run.send(sql_boolean_false(token)) : std::nullopt;
  if (!yes || !no) {
    *budget_spent = true;
    return std::nullopt;
  }
  const std::string base_shape = response_shape(baseline.response, baseline.payload);
  const std::string yes_shape = response_shape(yes->response, yes->payload);
  const std::string no_shape = response_shape(no->response, no->payload);
  if (yes_shape == no_shape || no_shape != base_shape || yes->response.status / 100 != 2) {
    return std::nullopt;
  }
  const auto again = run.send(sql_boolean_true(token));
  if (!again) {
    *budget_spent = true;
    return std::nullopt;
  }
  if (response_shape(again->response, again->payload) != yes_shape) return std::nullopt;
  *culprit = yes->reproduction;
  return nlohmann::json{{"true", probe_evidence(*yes)},
                        {"false", probe_evidence(*no)},
                        {"signal", "true: " + yes_shape + "; false and baseline: " + no_shape}};
}

// Time-based: two sleeping answers, each slower than every earlier answer by
// most of the sleep.
std::optional<nlohmann::json> try_time_based(TargetRun& run, const std::string& token,
                                             int sleep_seconds, bool* budget_spent,
                                             nlohmann::json* culprit) {
  const double threshold_ms = run.slowest_ms() + kSleepShare * 1000.0 * sleep_seconds;
  nlohmann::json delays = nlohmann::json::array();
  std::optional<Probe> last;
  for (int attempt = 0; attempt < 2; ++attempt) {
    last = run.send(sql_sleep_payload(token, sleep_seconds));
    if (!last) {
      *budget_spent = true;
      return std::nullopt;
    }
    delays.push_back(static_cast<long>(last->elapsed_ms));
    if (last->elapsed_ms < threshold_ms) return std::nullopt;
  }
  nlohmann::json found = probe_evidence(*last);
  *culprit = last->reproduction;
  found["delays_ms"] = delays;
  found["threshold_ms"] = static_cast<long>(threshold_ms);
  found["signal"] = "both answers took at least " +
                    std::to_string(static_cast<long>(threshold_ms)) + " ms (pg_sleep(" +
                    std::to_string(sleep_seconds) + "))";
  return found;
}

// A 405, or a 404 that is a router's or PostgREST's "no such thing" rather
// than the endpoint's own answer (redeem-token's 404 invalid_token is an
// answer worth probing).
bool route_missing(const http::HttpResponse& response) {
  if (response.status == 405) return true;
  if (response.status != 404) return false;
  const auto body = nlohmann::json::parse(response.body, nullptr, false);
  if (!body.is_object() || !body.contains("code") || !body["code"].is_string()) return true;
  const std::string code = body["code"].get<std::string>();
  return code == "not_found" || code == "PGRST202" || code == "PGRST205" || code == "42P01";
}

void probe_target(InjectionContext& ctx, const InjectionTarget& target) {
  CheckBuilder check(
      "security.injection.sqli." + target.name,
      "No SQL injection through " + target.method + " " + target.path + " (" +
          (target.param.empty() ? "field " + target.field : "param " + target.param) + ")",
      core::Severity::kCritical);
  TargetRun run(ctx, target);
  const std::string token = ctx.run_token() + "q";
  nlohmann::json evidence = {{"target", target_evidence(target)}};
  const auto baseline = run.send(token);
  if (!baseline) {
    ctx.sink().record(check.error("the request budget was spent before this target", evidence));
    return;
  }
  evidence["baseline"] = probe_evidence(*baseline);
  // An error of the baseline itself is reproduced by the baseline request.
  check.reproduce(baseline->reproduction);
  if (!baseline->response.transport_ok()) {
    ctx.sink().record(
        check.error("the baseline request failed: " + baseline->response.error_message, evidence));
    return;
  }
  if (route_missing(baseline->response)) {
    ctx.sink().record(check.skip("the target answered " +
                                     std::to_string(baseline->response.status) +
                                     " to a plain value: no such endpoint here",
                                 evidence));
    return;
  }
  if (find_sql_error(baseline->response.body)) {
    ctx.sink().record(
        check.error("the baseline answer already shows an SQL error; nothing to "
                    "compare against",
                    evidence));
    return;
  }

  bool spent = false;
  nlohmann::json findings = nlohmann::json::object();
  // One reproduction per technique that found something; the first one's
  // request is the check's reproduction.
  std::array<nlohmann::json, 3> culprits;
  if (auto found = try_error_based(run, token, &spent, &culprits[0])) {
    findings["error"] = std::move(*found);
  }
  if (!spent && !core::interrupted()) {
    if (auto found = try_boolean_based(run, token, *baseline, &spent, &culprits[1])) {
      findings["boolean"] = std::move(*found);
    }
  }
  if (!spent && !core::interrupted()) {
    if (auto found =
            try_time_based(run, token, ctx.settings().sleep_seconds, &spent, &culprits[2])) {
      findings["time"] = std::move(*found);
    }
  }
  for (const auto& culprit : culprits) {
    if (culprit.is_object()) {
      check.reproduce(culprit);
      break;
    }
  }
  evidence["requests"] = run.sent();
  evidence["findings"] = findings;
  if (!findings.empty()) {
    std::string techniques;
    for (const auto& [name, found] : findings.items()) {
      techniques += (techniques.empty() ? "" : ", ") + name + " (" +
                    found.value("signal", std::string()) + ")";
    }
    ctx.sink().record(check.fail("SQL injection: " + techniques, evidence));
  } else if (spent) {
    ctx.sink().record(
        check.error("the request budget ran out before every technique ran", evidence));
  } else {
    ctx.sink().record(
        check.pass("no parse error, no true/false difference and no pg_sleep delay in " +
                       std::to_string(run.sent()) + " requests",
                   evidence));
  }
}

}  // namespace

void run_sql_injection_probe(InjectionContext& ctx) {
  for (const auto& target : ctx.settings().targets) {
    if (core::interrupted()) return;
    probe_target(ctx, target);
  }
}

}  // namespace golive::security
