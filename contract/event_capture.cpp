#include "contract/event_capture.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include "contract/stripe_replay_suite.hpp"
#include "contract/webhook_client.hpp"
#include "core/interrupt.hpp"

namespace golive::contract {

namespace {

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

CaptureReplaySummary replay_event_capture(const config::Environment& env,
                                          const std::vector<CapturedEvent>& events,
                                          const CaptureReplayOptions& options,
                                          core::ResultSink& sink) {
  CaptureReplaySummary summary;
  http::ClientOptions engine_options = http::client_options_for(env);
  engine_options.observer = options.request_observer;
  WebhookClient client(stripe_webhook_url(env), env.stripe.webhook_secret, engine_options);
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (core::interrupted()) {
      summary.stopped = true;
      break;
    }
    if (options.keep_timing && i > 0) {
      const std::int64_t gap_ms =
          std::clamp<std::int64_t>((events[i].created - events[i - 1].created) * 1000, 0,
                                   options.max_gap_ms);
      std::this_thread::sleep_for(std::chrono::milliseconds(gap_ms));
    }
    WebhookDelivery delivery;
    delivery.body = events[i].event.dump();
    delivery.timestamp = unix_now();  // re-signed now: the recorded signature is not ours
    const http::HttpRequest request = client.request_for(delivery);
    const auto started = std::chrono::steady_clock::now();
    const http::HttpResponse response = client.send_all({request}, 1).front();

    char index[24];
    std::snprintf(index, sizeof index, "%04zu", i + 1);
    core::CheckResult result;
    result.id = std::string("contract.stripe_capture.") + index;
    result.suite = "contract";
    result.title = "Replay of captured " + events[i].event["type"].get<std::string>() + " " +
                   events[i].event["id"].get<std::string>();
    result.severity = core::Severity::kInfo;
    result.duration_ms = std::chrono::duration<double, std::milli>(
                             std::chrono::steady_clock::now() - started)
                             .count();
    result.evidence = {{"event_id", events[i].event["id"]},
                       {"type", events[i].event["type"]},
                       {"created", events[i].created},
                       {"capture_location", events[i].location},
                       {"signature", signature_evidence(request)},
                       {"response", response_evidence(response)}};
    if (is_2xx(response)) {
      result.status = core::CheckStatus::kPass;
      result.message = "accepted with " + std::to_string(response.status);
      ++summary.delivered;
    } else {
      result.status = core::CheckStatus::kFail;
      result.message = response.transport_ok()
                           ? "answered " + std::to_string(response.status)
                           : std::string("not delivered: ") + http::to_string(response.error);
      ++summary.refused;
      if (response.error == http::HttpErrorCategory::kConnect) summary.target_unreachable = true;
    }
    sink.record(result);
  }
  return summary;
}

}  // namespace golive::contract
