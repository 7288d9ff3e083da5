#include "security/injection_probe.hpp"

#include <chrono>

#include "target/crypto.hpp"
#include "core/interrupt.hpp"
#include "security/ai_injection_probe.hpp"
#include "security/sql_injection_probe.hpp"
#include "security/stored_xss_probe.hpp"
#include "target/target_profile.hpp"

namespace golive::security {

InjectionContext::InjectionContext(const ProbeClient& client, core::ResultSink& sink,
                                   const InjectionSettings& settings, ProbeUser user)
    : client_(client),
      sink_(sink),
      settings_(settings),
      user_(std::move(user)),
      run_token_("glv" + core::random_hex(4)) {}

std::optional<http::HttpResponse> InjectionContext::send(
    const std::string& method, const std::string& path, const std::string& json_body, bool as_user,
    double* elapsed_ms, const std::vector<std::pair<std::string, std::string>>& extra) {
  if (budget_spent()) return std::nullopt;
  ++requests_sent_;
  const auto started = std::chrono::steady_clock::now();
  last_request_ =
      client_.request_as(as_user ? user_.access_token : "", method, path, json_body, extra);
  http::HttpResponse response = client_.send(last_request_);
  if (elapsed_ms != nullptr) {
    *elapsed_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
  }
  return response;
}

namespace {

// A benign course of the user, so that a widened WHERE has a row to reveal and
// pg_sleep a row to run on. Best effort: a target without courses still gets
// the other techniques.
void create_seed_course(InjectionContext& ctx, nlohmann::json& evidence) {
  const target::TargetProfile profile = target::read_target_profile(ctx.client().env());
  const std::string table = profile.owned_table_path(ctx.client().env());
  const nlohmann::json course = {{profile.owner_column, ctx.user().id},
                                 {profile.owned_text_column, "golive injection seed " + ctx.run_token()}};
  const auto response = ctx.send("POST", table, course.dump(), true, nullptr,
                                 {{"Prefer", "return=representation"}});
  const auto rows =
      response ? nlohmann::json::parse(response->body, nullptr, false) : nlohmann::json();
  if (response && response->status / 100 == 2 && rows.is_array() && !rows.empty() &&
      rows[0].contains("id") && rows[0]["id"].is_string()) {
    const std::string id = rows[0]["id"].get<std::string>();
    ctx.created(table + "?id=eq." + id);
    evidence["seed_course"] = id;
  } else {
    evidence["seed_course_error"] = response ? response_excerpt(*response, 160) : nlohmann::json();
  }
}

// Deletes every row the probe created, then the user it signed up.
void clean_up(InjectionContext& ctx) {
  std::vector<std::string> left_behind;
  for (const auto& path : ctx.created_rows()) {
    // Not counted against the budget: cleanup must always run.
    const auto response = ctx.client().send_as(ctx.user().access_token, "DELETE", path);
    if (!response.transport_ok() || response.status / 100 != 2) left_behind.push_back(path);
  }
  if (ctx.user().created_here && !delete_probe_user(ctx.client(), ctx.user())) {
    left_behind.push_back("user " + ctx.user().email);
  }
  if (!left_behind.empty()) {
    CheckBuilder cleanup("security.injection.cleanup", "Injection probe data is deleted",
                         core::Severity::kLow);
    ctx.sink().record(
        cleanup.error("could not delete what the probe created", {{"left_behind", left_behind}}));
  }
}

}  // namespace

void run_injection_probe(const ProbeClient& client, core::ResultSink& sink) {
  const InjectionSettings settings = read_injection_settings(client.env());
  CheckBuilder setup("security.injection.setup", "A probe user for the injection checks exists",
                     core::Severity::kHigh);
  auto user = probe_user_or_record(
      client, setup,
      "set auth (kind \"tokens\" with auth.tokens, or test_users) and "
      "security.injection.targets to probe this target's API",
      sink);
  if (!user) return;
  InjectionContext ctx(client, sink, settings, std::move(*user));
  nlohmann::json setup_evidence = nlohmann::json::object();
  create_seed_course(ctx, setup_evidence);

  run_sql_injection_probe(ctx);
  if (!core::interrupted()) run_stored_xss_probe(ctx);
  if (!core::interrupted()) run_ai_injection_probe(ctx);
  clean_up(ctx);
  // The budget is a hard cap: say so when it was reached.
  if (ctx.budget_spent()) {
    CheckBuilder budget("security.injection.request_budget",
                        "The injection family finished within its request cap",
                        core::Severity::kLow);
    sink.record(budget.error("the family reached its cap of " +
                                 std::to_string(settings.max_requests) +
                                 " requests; raise security.injection.max_requests",
                             setup_evidence));
  }
}

}  // namespace golive::security
