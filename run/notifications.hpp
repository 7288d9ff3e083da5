// Notifications: when a run ends, its verdict, the checklist's verified
// counts and where the report is are posted to the webhooks the environment
// names:
//   "notify": {"slack_webhook": "${SLACK_WEBHOOK_URL}",   Slack incoming webhook ({"text": ...})
//              "webhook": "${GOLIVE_WEBHOOK_URL}",         generic: the JSON payload below
//              "report_url": "https://ci.example.com/runs/${CI_RUN_ID}/index.html"}
// report_url is optional (default: the report's path on this machine). The
// webhook URLs are secrets (redacted everywhere). A webhook that fails is a
// warning on stderr, never a changed verdict or exit code.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/environment.hpp"
#include "reports/render_all.hpp"

namespace golive::run {

struct NotifySettings {
  std::string slack_webhook;  // https://hooks.slack.com/services/... ; "" = none
  std::string webhook;        // any http(s) URL receiving the generic JSON; "" = none
  std::string report_url;     // what the message links to; "" = the local index.html path

  bool any() const { return !slack_webhook.empty() || !webhook.empty(); }
};

// The environment's "notify" section; registers the URLs with the global
// redactor. Throws core::InputError naming the file and pointer.
NotifySettings read_notify_settings(const config::Environment& env);

// The generic payload: {"tool": "golive", "run_id", "env", "verdict": "GO"|"NO-GO",
// "partial", "gate": "PASS: 112 of 124 items verified, ...", "release",
// "checklist": {"verified", "total", "verified_pass", "verified_fail", ...}, "report"}.
nlohmann::json notification_payload(const std::string& run_id, const std::string& env_name,
                                    const report::RenderResult& rendered, const std::string& report);
// Slack's incoming-webhook body: {"text": "..."} with the same facts.
nlohmann::json slack_payload(const nlohmann::json& payload);

// Posts to every configured webhook; returns one problem per failed post ("" none).
std::vector<std::string> send_notifications(const NotifySettings& settings, const config::Environment& env,
                                            const nlohmann::json& payload);

}  // namespace golive::run
