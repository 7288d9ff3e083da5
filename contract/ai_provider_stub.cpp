#include "contract/ai_provider_stub.hpp"

#include <algorithm>
#include <cctype>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "core/ascii_case.hpp"
#include "http/loopback_server.hpp"

namespace golive::contract {


namespace {

// The built-in mock's failure switch, honoured so workflows written for the
// embedded target keep their meaning when it calls the stub.
constexpr std::string_view kMockFailMarker = "MOCK_AI_FAIL";
// A request body larger than this is refused (413): the worker sends a text's topics request.
constexpr std::size_t kMaxRequestBytes = 8 * 1024 * 1024;
constexpr std::size_t kMaxTopics = 50;

std::mutex registry_mutex;
std::map<std::string, AiProviderStub*>& registry() {
  static std::map<std::string, AiProviderStub*> stubs;
  return stubs;
}

// The healthy answer: one title per sentence or line, the part after its
// last ':', trimmed, first letter upper-cased, case-insensitive repeats dropped.
nlohmann::json healthy_body(const std::string& input) {
  std::vector<std::string> topics;
  std::vector<std::string> seen;
  std::string fragment;
  auto flush = [&] {
    std::string title =
        fragment.substr(fragment.rfind(':') == std::string::npos ? 0 : fragment.rfind(':') + 1);
    fragment.clear();
    const auto first = title.find_first_not_of(" \t-*#>");
    if (first == std::string::npos) return;
    title = title.substr(first, title.find_last_not_of(" \t") - first + 1);
    if (std::none_of(title.begin(), title.end(), [](unsigned char c) { return std::isalnum(c); }))
      return;
    title[0] = core::ascii_upper(title[0]);
    const std::string key = core::ascii_lower(title);
    if (std::find(seen.begin(), seen.end(), key) != seen.end() || topics.size() >= kMaxTopics)
      return;
    seen.push_back(key);
    topics.push_back(title);
  };
  for (char c : input) {
    if (c == '\n' || c == '.' || c == '!' || c == '?' || c == ';')
      flush();
    else
      fragment += c;
  }
  flush();
  return {{"topics", topics}, {"model", "golive-stub-1"}};
}

}  // namespace

struct AiProviderStub::State {
  mutable std::mutex mutex;                              // guards scripts and arrivals
  std::map<std::string, std::deque<StubFault>> scripts;  // marker -> faults still to serve
  std::vector<StubArrival> arrivals;

  // Picks the answer for one request and records its arrival.
  StubFault on_request(const std::string& input, const std::string& job_id) {
    std::lock_guard lock(mutex);
    StubArrival arrival{std::chrono::steady_clock::now(), job_id, "", ""};
    StubFault fault = StubFault::success();
    for (auto& [marker, faults] : scripts) {
      if (input.find(marker) == std::string::npos) continue;
      arrival.marker = marker;
      if (!faults.empty()) {
        fault = faults.front();
        faults.pop_front();
      }
      break;
    }
    if (arrival.marker.empty() && input.find(kMockFailMarker) != std::string::npos) {
      fault = StubFault::server_error(503);
    }
    switch (fault.kind) {
      case StubFault::Kind::kServerError:
        arrival.action = std::to_string(fault.status);
        break;
      case StubFault::Kind::kNoAnswer:
        arrival.action = "no_answer";
        break;
      case StubFault::Kind::kSlowBody:
        arrival.action = "slow_body";
        break;
      case StubFault::Kind::kSuccess:
        arrival.action = "200";
        break;
    }
    arrivals.push_back(std::move(arrival));
    return fault;
  }

  // The scripted answer to one request.
  http::LoopbackResponse answer(const http::LoopbackRequest& request) {
    const nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
    std::string input;
    std::string job_id;
    if (body.is_object()) {
      if (body.contains("input") && body["input"].is_string()) input = body["input"];
      if (body.contains("job_id") && body["job_id"].is_string()) job_id = body["job_id"];
    }
    const StubFault fault = on_request(input, job_id);
    http::LoopbackResponse response{200, "application/json", healthy_body(input).dump()};
    switch (fault.kind) {
      case StubFault::Kind::kServerError:
        response.status = fault.status;
        response.body = nlohmann::json{{"error", "injected_fault"},
                                       {"message", "golive stub: scripted " + std::to_string(fault.status)}}
                            .dump();
        break;
      case StubFault::Kind::kNoAnswer:
        response.never_answer = true;
        break;
      case StubFault::Kind::kSlowBody:
        response.trickle = std::chrono::milliseconds(std::max(0, fault.body_ms));
        break;
      case StubFault::Kind::kSuccess:
        break;
    }
    return response;
  }

  std::unique_ptr<http::LoopbackServer> server;  // last member: stopped first
};

AiProviderStub::AiProviderStub(const std::string& host, std::uint16_t port)
    : state_(std::make_unique<State>()) {
  state_->server = std::make_unique<http::LoopbackServer>(
      "AI provider stub", host, port, kMaxRequestBytes,
      [state = state_.get()](const http::LoopbackRequest& request) { return state->answer(request); });
  std::lock_guard lock(registry_mutex);
  registry()[address()] = this;
}

AiProviderStub::~AiProviderStub() {
  {
    std::lock_guard lock(registry_mutex);
    auto found = registry().find(address());
    if (found != registry().end() && found->second == this) registry().erase(found);
  }
  state_->server.reset();
}

std::uint16_t AiProviderStub::port() const {
  return state_->server->port();
}

std::string AiProviderStub::address() const {
  return state_->server->address();
}

std::string AiProviderStub::url() const {
  return "http://" + address() + "/v1/extract";
}

void AiProviderStub::script(const std::string& marker, std::vector<StubFault> faults) {
  std::lock_guard lock(state_->mutex);
  state_->scripts[marker] = std::deque<StubFault>(faults.begin(), faults.end());
}

std::vector<StubArrival> AiProviderStub::arrivals(const std::string& marker) const {
  std::lock_guard lock(state_->mutex);
  std::vector<StubArrival> matched;
  for (const auto& arrival : state_->arrivals) {
    if (arrival.marker == marker) matched.push_back(arrival);
  }
  return matched;
}

std::vector<StubArrival> AiProviderStub::all_arrivals() const {
  std::lock_guard lock(state_->mutex);
  return state_->arrivals;
}

AiProviderStub* AiProviderStub::running_at(const std::string& address) {
  std::lock_guard lock(registry_mutex);
  const auto found = registry().find(address);
  return found == registry().end() ? nullptr : found->second;
}

}  // namespace golive::contract
