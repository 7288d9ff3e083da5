#include "run/env_suite.hpp"

#include <chrono>

#include "http/curl/curl_http_client.hpp"
#include "run/capabilities.hpp"
#include "target/postgres.hpp"

namespace golive::run {

namespace {

using Clock = std::chrono::steady_clock;

double elapsed_ms(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

core::CheckResult make_check(const std::string& id, const std::string& title, core::Severity severity,
                       std::vector<std::string> checklist) {
  core::CheckResult check;
  check.id = id;
  check.suite = "env";
  check.title = title;
  check.severity = severity;
  check.checklist = std::move(checklist);
  return check;
}

void check_valid(const config::Environment& env, core::ResultSink& sink) {
  auto check = make_check("env.valid", "Environment file is valid", core::Severity::kHigh,
                          {"s001.R3.5"});
  check.message = "environment \"" + env.name + "\" loaded from " + env.source_file;
  nlohmann::json capabilities = nlohmann::json::array();
  for (const auto& c : describe_capabilities(env)) {
    capabilities.push_back({{"suite", c.suite}, {"available", c.available}, {"detail", c.detail}});
  }
  check.evidence = {{"name", env.name},
                    {"production", env.production},
                    {"base_url", env.base_url},
                    {"capabilities", capabilities}};
  if (env.tls.configured()) {
    check.evidence["tls"] = {{"ca_file", env.tls.ca_file},
                             {"client_cert", env.tls.client_cert},
                             {"insecure", env.tls.insecure},
                             {"min_version", env.tls.min_version}};
  }
  sink.record(check);
}

bool check_target(const config::Environment& env, core::ResultSink& sink,
                  http::RequestObserver* observer) {
  auto check = make_check("env.target_reachable", "Target answers HTTP", core::Severity::kCritical,
                          {"s000.checklist.environment"});
  auto start = Clock::now();
  http::HttpRequest request;
  request.url = env.base_url + "/";
  request.timeout = std::chrono::milliseconds(10000);
  http::ClientOptions options = http::client_options_for(env);
  options.observer = observer;
  http::HttpResponse response = http::fetch(request, options);
  check.duration_ms = elapsed_ms(start);
  check.evidence = {{"url", request.url},
                    {"status", response.status},
                    {"total_ms", response.timing.total_ms}};
  if (response.transport_ok()) {
    check.status = core::CheckStatus::kPass;
    check.message = "HTTP " + std::to_string(response.status) + " in " +
                    std::to_string(static_cast<int>(response.timing.total_ms)) + " ms";
  } else {
    check.status = core::CheckStatus::kFail;
    check.message = std::string("unreachable (") + http::to_string(response.error) +
                    "): " + response.error_message;
    check.evidence["error"] = http::to_string(response.error);
  }
  sink.record(check);
  return check.status == core::CheckStatus::kPass;
}

bool check_database(const config::Environment& env, core::ResultSink& sink) {
  auto check = make_check("env.database_reachable", "Database accepts a connection",
                          core::Severity::kHigh, {"s001.R3.3"});
  if (env.database_url.empty()) {
    check.status = core::CheckStatus::kSkip;
    check.message = "no database_url in the environment";
    sink.record(check);
    return false;
  }
  auto start = Clock::now();
  auto db = target::connect_database(env.database_url);
  check.duration_ms = elapsed_ms(start);
  if (!db.ok()) {
    check.status = core::CheckStatus::kFail;
    check.message = "connection failed: " + db.error;
    sink.record(check);
    return false;
  }
  try {
    pqxx::nontransaction txn(*db.connection);
    auto row = txn.exec("SELECT current_setting('server_version'), current_database()")[0];
    check.status = core::CheckStatus::kPass;
    check.message = "PostgreSQL " + row[0].as<std::string>() + ", database " +
                    row[1].as<std::string>();
    check.evidence = {{"server_version", row[0].as<std::string>()},
                      {"database", row[1].as<std::string>()}};
  } catch (const std::exception& e) {
    check.status = core::CheckStatus::kError;
    check.message = std::string("query failed: ") + e.what();
  }
  sink.record(check);
  return check.status == core::CheckStatus::kPass;
}

void check_secrets_not_hardcoded(const config::Environment& env, core::ResultSink& sink) {
  auto check = make_check("env.secrets_not_hardcoded",
                          "Secrets come from the environment, not the file", core::Severity::kHigh,
                          {"s001.R3.4", "s000.security.stripe_keys_not_exposed"});
  if (env.literal_secret_pointers.empty()) {
    check.status = core::CheckStatus::kPass;
    check.message = "every secret-bearing key is a ${VAR} reference";
  } else {
    check.status = core::CheckStatus::kFail;
    check.message = std::to_string(env.literal_secret_pointers.size()) +
                    " secret(s) written literally in " + env.source_file;
    check.evidence = {{"pointers", env.literal_secret_pointers}};
  }
  sink.record(check);
}

void check_stripe_key_mode(const config::Environment& env, core::ResultSink& sink) {
  auto check = make_check("env.stripe_key_mode", "Stripe key mode matches the environment",
                          core::Severity::kCritical, {"s001.R3.1", "s000.environments.stripe_mode"});
  const std::string& key = env.stripe.secret_key;
  if (key.empty()) {
    check.status = core::CheckStatus::kSkip;
    check.message = "no stripe.secret_key in the environment";
  } else {
    bool live = key.rfind("sk_live_", 0) == 0 || key.rfind("rk_live_", 0) == 0;
    bool expected_live = env.production;
    check.status = live == expected_live ? core::CheckStatus::kPass : core::CheckStatus::kFail;
    check.message = std::string(live ? "live" : "test") + " Stripe key in a " +
                    (env.production ? "production" : "non-production") + " environment";
  }
  sink.record(check);
}

}  // namespace

// Only with "tls": {"insecure": true}: every report then says, as a skipped
// check of high severity, that no certificate was verified in this run.
void note_tls_verification_off(const config::Environment& env, core::ResultSink& sink) {
  if (!env.tls.insecure) return;
  auto check = make_check("env.tls_verification_off",
                          "TLS certificates were not verified (tls.insecure)", core::Severity::kHigh,
                          {});
  check.status = core::CheckStatus::kSkip;
  check.message =
      "tls.insecure is set: no https certificate or host name was verified in this run, so a "
      "man in the middle would have gone unnoticed; give tls.ca_file instead";
  check.evidence = {{"insecure", true}, {"base_url", env.base_url}};
  sink.record(check);
}

EnvSuiteOutcome run_env_suite(const config::Environment& env, core::ResultSink& sink,
                              http::RequestObserver* observer) {
  EnvSuiteOutcome outcome;
  check_valid(env, sink);
  note_tls_verification_off(env, sink);
  outcome.target_reachable = check_target(env, sink, observer);
  outcome.database_reachable = check_database(env, sink);
  check_secrets_not_hardcoded(env, sink);
  check_stripe_key_mode(env, sink);
  return outcome;
}

}  // namespace golive::run
