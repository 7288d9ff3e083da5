#include "run/notifications.hpp"

#include "config/host_policy.hpp"
#include "core/input_error.hpp"
#include "core/redactor.hpp"
#include "http/client_options.hpp"
#include "http/curl/curl_http_client.hpp"

namespace golive::run {

namespace {

std::string url_at(const core::JsonReader& section, const char* key) {
  if (!section.has(key)) return "";
  const std::string url = section.at(key).as_string();
  if (url.empty()) return "";
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    section.at(key).fail("expected an http:// or https:// URL");
  }
  return url;
}

std::string post_json(const std::string& url, const nlohmann::json& body, const config::Environment& env) {
  http::HttpRequest request;
  request.method = "POST";
  request.url = url;
  request.headers.push_back({"Content-Type", "application/json"});
  request.body = body.dump();
  request.timeout = std::chrono::milliseconds(10000);
  request.max_response_bytes = 64 * 1024;
  http::ClientOptions options = http::client_options_for(env);
  // The webhook is not the target: allow exactly its host.
  options.host_policy = config::HostPolicy::for_target(url, {});
  const http::HttpResponse response = http::fetch(request, options);
  if (!response.transport_ok()) {
    return std::string("POST failed (") + http::to_string(response.error) + "): " + response.error_message;
  }
  if (response.status < 200 || response.status > 299) {
    return "answered HTTP " + std::to_string(response.status);
  }
  return "";
}

}  // namespace

NotifySettings read_notify_settings(const config::Environment& env) {
  NotifySettings settings;
  auto it = env.sections.find("notify");
  if (it == env.sections.end()) return settings;
  core::JsonReader section(it->second, env.source_file, "/notify");
  section.as_object();
  section.reject_unknown_keys({"slack_webhook", "webhook", "report_url", "$comment"});
  settings.slack_webhook = url_at(section, "slack_webhook");
  settings.webhook = url_at(section, "webhook");
  settings.report_url = section.string_or("report_url", "");
  for (const auto* url : {&settings.slack_webhook, &settings.webhook}) {
    if (!url->empty()) core::Redactor::global().add_secret(*url);
  }
  return settings;
}

nlohmann::json notification_payload(const std::string& run_id, const std::string& env_name,
                                    const report::RenderResult& rendered, const std::string& report) {
  const auto& k = rendered.checklist;
  return {{"tool", "golive"},
          {"run_id", run_id},
          {"env", env_name},
          {"verdict", rendered.verdict == report::Verdict::kPass && !rendered.partial ? "GO" : "NO-GO"},
          {"partial", rendered.partial},
          {"gate", rendered.gate_summary},
          {"release", rendered.release_line},
          {"checklist",
           {{"verified", k.verified()}, {"total", k.total()}, {"verified_pass", k.verified_pass},
            {"verified_fail", k.verified_fail}, {"not_verified", k.not_verified},
            {"not_verifiable", k.not_verifiable}}},
          {"report", report}};
}

nlohmann::json slack_payload(const nlohmann::json& payload) {
  const bool go = payload.value("verdict", "") == "GO";
  std::string text = std::string(go ? ":white_check_mark: " : ":no_entry: ") + "golive " +
                     payload.value("verdict", "") + " on " + payload.value("env", "") + " (run " +
                     payload.value("run_id", "") + ")\n" + payload.value("gate", "");
  if (!payload.value("release", "").empty()) text += "\n" + payload.value("release", "");
  text += "\nReport: " + payload.value("report", "");
  return {{"text", text}};
}

std::vector<std::string> send_notifications(const NotifySettings& settings, const config::Environment& env,
                                            const nlohmann::json& payload) {
  std::vector<std::string> problems;
  if (!settings.slack_webhook.empty()) {
    const std::string problem = post_json(settings.slack_webhook, slack_payload(payload), env);
    if (!problem.empty()) problems.push_back("notify.slack_webhook: " + problem);
  }
  if (!settings.webhook.empty()) {
    const std::string problem = post_json(settings.webhook, payload, env);
    if (!problem.empty()) problems.push_back("notify.webhook: " + problem);
  }
  return problems;
}

}  // namespace golive::run
