#include "core/env_suite.hpp"

#include <chrono>

#include "core/http_engine.hpp"
#include "core/postgres.hpp"

namespace golive::core {

namespace {

using Clock = std::chrono::steady_clock;

double elapsed_ms(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

CheckResult make_check(const std::string& id, const std::string& title, Severity severity,
                       std::vector<std::string> checklist) {
  CheckResult check;
  check.id = id;
  check.suite = "env";
  check.title = title;
  check.severity = severity;
  check.checklist = std::move(checklist);
  return check;
}

void check_valid(const Environment& env, ResultSink& sink) {
  auto check = make_check("env.valid", "Environment file is valid", Severity::kHigh,
                          {"s001.R3.5", "s000.environment.staging"});
  check.message = "environment \"" + env.name + "\" loaded from " + env.source_file;
  nlohmann::json capabilities = nlohmann::json::array();
  for (const auto& c : describe_capabilities(env)) {
    capabilities.push_back({{"suite", c.suite}, {"available", c.available}, {"detail", c.detail}});
  }
  check.evidence = {{"name", env.name},
                    {"production", env.production},
                    {"base_url", env.base_url},
                    {"capabilities", capabilities}};
  sink.record(check);
}

bool check_target(const Environment& env, ResultSink& sink) {
  auto check = make_check("env.target_reachable", "Target answers HTTP", Severity::kCritical,
                          {"s000.environment.staging"});
  auto start = Clock::now();
  HttpRequest request;
  request.url = env.base_url + "/";
  request.timeout = std::chrono::milliseconds(10000);
  HttpResponse response = fetch(request);
  check.duration_ms = elapsed_ms(start);
  check.evidence = {{"url", request.url},
                    {"status", response.status},
                    {"total_ms", response.timing.total_ms}};
  if (response.transport_ok()) {
    check.status = CheckStatus::kPass;
    check.message = "HTTP " + std::to_string(response.status) + " in " +
                    std::to_string(static_cast<int>(response.timing.total_ms)) + " ms";
  } else {
    check.status = CheckStatus::kFail;
    check.message = std::string("unreachable (") + to_string(response.error) +
                    "): " + response.error_message;
    check.evidence["error"] = to_string(response.error);
  }
  sink.record(check);
  return check.status == CheckStatus::kPass;
}

bool check_database(const Environment& env, ResultSink& sink) {
  auto check = make_check("env.database_reachable", "Database accepts a connection",
                          Severity::kHigh, {"s001.R2.1"});
  if (env.database_url.empty()) {
    check.status = CheckStatus::kSkip;
    check.message = "no database_url in the environment";
    sink.record(check);
    return false;
  }
  auto start = Clock::now();
  auto db = connect_database(env.database_url);
  check.duration_ms = elapsed_ms(start);
  if (!db.ok()) {
    check.status = CheckStatus::kFail;
    check.message = "connection failed: " + db.error;
    sink.record(check);
    return false;
  }
  try {
    pqxx::nontransaction txn(*db.connection);
    auto row = txn.exec("SELECT current_setting('server_version'), current_database()")[0];
    check.status = CheckStatus::kPass;
    check.message = "PostgreSQL " + row[0].as<std::string>() + ", database " +
                    row[1].as<std::string>();
    check.evidence = {{"server_version", row[0].as<std::string>()},
                      {"database", row[1].as<std::string>()}};
  } catch (const std::exception& e) {
    check.status = CheckStatus::kError;
    check.message = std::string("query failed: ") + e.what();
  }
  sink.record(check);
  return check.status == CheckStatus::kPass;
}

void check_secrets_not_hardcoded(const Environment& env, ResultSink& sink) {
  auto check = make_check("env.secrets_not_hardcoded",
                          "Secrets come from the environment, not the file", Severity::kHigh,
                          {"s001.R3.4", "s000.security.secrets_env"});
  if (env.literal_secret_pointers.empty()) {
    check.status = CheckStatus::kPass;
    check.message = "every secret-bearing key is a ${VAR} reference";
  } else {
    check.status = CheckStatus::kFail;
    check.message = std::to_string(env.literal_secret_pointers.size()) +
                    " secret(s) written literally in " + env.source_file;
    check.evidence = {{"pointers", env.literal_secret_pointers}};
  }
  sink.record(check);
}

void check_stripe_key_mode(const Environment& env, ResultSink& sink) {
  auto check = make_check("env.stripe_key_mode", "Stripe key mode matches the environment",
                          Severity::kCritical, {"s001.R3.1", "s000.environment.stripe_modes"});
  const std::string& key = env.stripe.secret_key;
  if (key.empty()) {
    check.status = CheckStatus::kSkip;
    check.message = "no stripe.secret_key in the environment";
  } else {
    bool live = key.rfind("sk_live_", 0) == 0 || key.rfind("rk_live_", 0) == 0;
    bool expected_live = env.production;
    check.status = live == expected_live ? CheckStatus::kPass : CheckStatus::kFail;
    check.message = std::string(live ? "live" : "test") + " Stripe key in a " +
                    (env.production ? "production" : "non-production") + " environment";
  }
  sink.record(check);
}

}  // namespace

EnvSuiteOutcome run_env_suite(const Environment& env, ResultSink& sink) {
  EnvSuiteOutcome outcome;
  check_valid(env, sink);
  outcome.target_reachable = check_target(env, sink);
  outcome.database_reachable = check_database(env, sink);
  check_secrets_not_hardcoded(env, sink);
  check_stripe_key_mode(env, sink);
  return outcome;
}

}  // namespace golive::core
