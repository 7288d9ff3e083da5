#include "contract/event_capture.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "contract/stripe_replay_suite.hpp"
#include "contract/webhook_client.hpp"
#include "core/input_error.hpp"
#include "core/interrupt.hpp"

namespace golive::contract {

namespace {

bool is_list_page(const nlohmann::json& value) {
  return value.is_object() && value.contains("data") && value["data"].is_array() &&
         !value.contains("type");
}

void add_event(const nlohmann::json& value, const std::string& path, const std::string& location,
               std::vector<CapturedEvent>& out) {
  const auto fail = [&](const std::string& problem) {
    throw core::InputError(path, location, problem);
  };
  if (!value.is_object()) fail("an event must be a JSON object");
  if (value.contains("object") && value["object"] == "list") {
    fail("a list page needs a \"data\" array of events");
  }
  if (!value.contains("id") || !value["id"].is_string()) fail("event has no string \"id\"");
  if (!value.contains("type") || !value["type"].is_string()) fail("event has no string \"type\"");
  if (!value.contains("created") || !value["created"].is_number_integer())
    fail("event has no integer \"created\"");
  const nlohmann::json::json_pointer object("/data/object");
  if (!value.contains(object) || !value.at(object).is_object()) fail("event has no data.object");
  out.push_back({value, location, value["created"].get<std::int64_t>()});
}

// An event, a page of events, or a list of either; `location` is the JSON
// pointer (or "line N" plus a pointer) of `value`.
void add_events(const nlohmann::json& value, const std::string& path, const std::string& location,
                std::vector<CapturedEvent>& out) {
  if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      add_events(value[i], path, location + "/" + std::to_string(i), out);
    }
  } else if (is_list_page(value)) {
    add_events(value["data"], path, location + "/data", out);
  } else {
    add_event(value, path, location.empty() ? "/" : location, out);
  }
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::vector<CapturedEvent> load_event_capture(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw core::InputError(path, "", "cannot open the event capture");
  std::stringstream buffer;
  buffer << file.rdbuf();
  const std::string text = buffer.str();
  std::vector<CapturedEvent> events;

  const nlohmann::json whole = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!whole.is_discarded()) {
    add_events(whole, path, "", events);
  } else {
    // JSON Lines: every non-blank line is one event or page.
    std::istringstream lines(text);
    std::string line;
    std::size_t number = 0;
    std::size_t parsed_lines = 0;
    while (std::getline(lines, line)) {
      ++number;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      const std::string where = "line " + std::to_string(number);
      nlohmann::json value;
      try {
        value = core::parse_json_text(line, path);
      } catch (const core::InputError& error) {
        // A first line that is not JSON on its own: the file is one JSON
        // document (pretty-printed, truncated), not JSON Lines; report where
        // the whole document breaks.
        if (parsed_lines == 0) core::parse_json_text(text, path);
        // One line holds no newline, so its location is "line 1, column C".
        const std::string& inner = error.location();
        const auto column = inner.find("column");
        throw core::InputError(
            path, column == std::string::npos ? where : where + ", " + inner.substr(column),
            error.problem());
      }
      add_events(value, path, where, events);
      ++parsed_lines;
    }
    if (parsed_lines == 0) throw core::InputError(path, "", "no events in the capture");
  }
  if (events.empty()) throw core::InputError(path, "", "no events in the capture");
  return events;
}

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
