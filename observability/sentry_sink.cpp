#include "observability/sentry_sink.hpp"

#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>

#include "core/ascii_case.hpp"
#include "core/encoding.hpp"
#include "core/random_id.hpp"
#include "http/loopback_server.hpp"
#include "observability/sentry_envelope.hpp"

namespace golive::observability {

namespace {
std::mutex registry_mutex;
std::map<std::string, SentrySink*>& registry() {
  static std::map<std::string, SentrySink*> sinks;
  return sinks;
}

// "/api/<project>/envelope/" -> {"<project>", "envelope"}; std::nullopt otherwise.
std::optional<std::pair<std::string, std::string>> ingest_route(const std::string& path) {
  const std::string prefix = "/api/";
  if (path.rfind(prefix, 0) != 0) return std::nullopt;
  std::string rest = path.substr(prefix.size());
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  const std::size_t slash = rest.find('/');
  if (slash == std::string::npos || slash == 0) return std::nullopt;
  const std::string project = rest.substr(0, slash);
  const std::string endpoint = rest.substr(slash + 1);
  if (endpoint != "envelope" && endpoint != "store") return std::nullopt;
  return std::make_pair(project, endpoint);
}

// An event as Sentry's web API returns it (GET .../events/?full=true): tags
// as [{key, value}] with the environment among them, the release as
// {version}, the exception as an entry, the id as eventID.
nlohmann::json api_shape_of(const nlohmann::json& event) {
  nlohmann::json shaped = {{"eventID", event.value("event_id", "")},
                           {"message", event.value("message", "")},
                           {"platform", event.value("platform", "")},
                           {"user", event.value("user", nlohmann::json())},
                           {"contexts", event.value("contexts", nlohmann::json::object())},
                           {"release", event.contains("release") ? nlohmann::json{{"version", event["release"]}}
                                                                 : nlohmann::json()}};
  nlohmann::json tags = nlohmann::json::array();
  if (event.contains("environment")) tags.push_back({{"key", "environment"}, {"value", event["environment"]}});
  if (event.contains("tags") && event["tags"].is_object()) {
    for (const auto& [key, value] : event["tags"].items()) tags.push_back({{"key", key}, {"value", value}});
  }
  shaped["tags"] = tags;
  shaped["entries"] = nlohmann::json::array();
  if (event.contains("exception")) shaped["entries"].push_back({{"type", "exception"}, {"data", event["exception"]}});
  return shaped;
}

// "/api/0/projects/<org>/<project>/events/": Sentry's list of a project's events.
bool is_events_api(const std::string& path) {
  const std::string prefix = "/api/0/projects/";
  if (path.rfind(prefix, 0) != 0) return false;
  std::string rest = path.substr(prefix.size());
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  const std::size_t first = rest.find('/');
  if (first == std::string::npos) return false;
  const std::size_t second = rest.find('/', first + 1);
  return second != std::string::npos && rest.substr(second + 1) == "events";
}

std::string query_parameter(const std::string& query, const std::string& name) {
  std::size_t start = 0;
  while (start <= query.size()) {
    const std::size_t end = std::min(query.find('&', start), query.size());
    const std::string pair = query.substr(start, end - start);
    if (pair.rfind(name + "=", 0) == 0) return core::percent_decode(pair.substr(name.size() + 1), true);
    start = end + 1;
  }
  return "";
}

}  // namespace

struct SentrySink::State {
  std::string required_key;
  mutable std::mutex mutex;  // guards deliveries
  std::vector<SentryDelivery> deliveries;
  std::unique_ptr<http::LoopbackServer> server;  // last member: stopped first

  // Reads one request into a delivery, decides the answer, records it.
  // Sentry's read API over what the sink accepted, for a check that finds
  // events the way it would on a real Sentry (observability.sentry.api):
  // any bearer token, the events whose JSON contains `query`, newest first.
  http::LoopbackResponse on_events_api(const http::LoopbackRequest& request) {
    if (request.header("authorization").rfind("Bearer ", 0) != 0) {
      return {401, "application/json", R"({"detail":"Authentication credentials were not provided."})"};
    }
    const std::string query = query_parameter(request.query(), "query");
    nlohmann::json list = nlohmann::json::array();
    std::lock_guard lock(mutex);
    for (auto delivery = deliveries.rbegin(); delivery != deliveries.rend(); ++delivery) {
      if (!delivery->accepted()) continue;
      for (const auto& event : delivery->events) {
        if (query.empty() || event.dump().find(query) != std::string::npos) list.push_back(api_shape_of(event));
      }
    }
    return {200, "application/json", list.dump()};
  }

  http::LoopbackResponse on_request(const http::LoopbackRequest& request) {
    if (request.method == "GET" && is_events_api(request.path())) return on_events_api(request);
    SentryDelivery delivery;
    delivery.at = std::chrono::steady_clock::now();
    const std::string path = request.path();
    const std::string query = request.query();
    delivery.endpoint = path;
    const auto route = ingest_route(path);
    auto finish = [&](int status, std::string error, nlohmann::json body) {
      delivery.status = status;
      delivery.error = std::move(error);
      {
        std::lock_guard lock(mutex);
        deliveries.push_back(std::move(delivery));
      }
      // As Sentry's ingest answers: a browser SDK on any origin may read it.
      return http::LoopbackResponse{status, "application/json", body.dump(),
                                    {{"Access-Control-Allow-Origin", "*"}}};
    };
    if (!route) return finish(404, "not an ingest endpoint: " + path, {{"detail", "not found"}});
    delivery.project_id = route->first;
    delivery.endpoint = route->second;
    if (request.method != "POST") {
      return finish(405, "method " + request.method, {{"detail", "POST only"}});
    }
    delivery.public_key = sentry_key_from_query(query);
    if (const std::string auth = request.header("x-sentry-auth"); !auth.empty()) {
      const std::string key = sentry_key_from_auth_header(auth);
      if (!key.empty()) delivery.public_key = key;
    }
    std::string error;
    delivery.body = request.body;
    if (const std::string encoding = request.header("content-encoding"); !encoding.empty()) {
      delivery.content_encoding = core::ascii_lower(encoding);
      if (delivery.content_encoding == "gzip" || delivery.content_encoding == "deflate") {
        std::optional<std::string> inflated =
            inflate_body(request.body, kSentryMaxInflatedBytes, error);
        if (!inflated) return finish(400, error, {{"detail", error}});
        delivery.body = std::move(*inflated);
      } else if (delivery.content_encoding != "identity") {
        error = "unsupported Content-Encoding " + delivery.content_encoding;
        return finish(400, error, {{"detail", error}});
      }
    }
    std::string event_id;
    if (delivery.endpoint == "envelope") {
      std::optional<Envelope> envelope = parse_envelope(delivery.body, error);
      if (!envelope) return finish(400, error, {{"detail", error}});
      if (delivery.public_key.empty() && envelope->header.contains("dsn") &&
          envelope->header["dsn"].is_string()) {
        delivery.public_key = sentry_key_from_dsn(envelope->header["dsn"].get<std::string>());
      }
      delivery.events = envelope_events(*envelope, error);
      event_id = envelope->header.value("event_id", "");
    } else {
      nlohmann::json event = nlohmann::json::parse(delivery.body, nullptr, false);
      if (!event.is_object()) {
        error = "the store body is not a JSON event";
        return finish(400, error, {{"detail", error}});
      }
      event_id = event.value("event_id", "");
      delivery.events.push_back(std::move(event));
    }
    if (delivery.public_key.empty()) {
      return finish(401, "no sentry_key in X-Sentry-Auth, the query or the envelope's dsn",
                    {{"detail", "missing authorization information"}});
    }
    if (!required_key.empty() && delivery.public_key != required_key) {
      return finish(401, "sentry_key \"" + delivery.public_key + "\" is not the DSN's key",
                    {{"detail", "invalid api key"}});
    }
    if (event_id.empty() && !delivery.events.empty()) {
      event_id = delivery.events.front().value("event_id", "");
    }
    if (event_id.empty()) event_id = core::random_hex(16);
    return finish(200, error, {{"id", event_id}});
  }
};

SentrySink::SentrySink(const std::string& host, std::uint16_t port, std::string required_key)
    : state_(std::make_unique<State>()) {
  state_->required_key = std::move(required_key);
  state_->server = std::make_unique<http::LoopbackServer>(
      "Sentry sink", host, port, kSentryMaxBodyBytes,
      [state = state_.get()](const http::LoopbackRequest& request) { return state->on_request(request); });
  std::lock_guard lock(registry_mutex);
  registry()[address()] = this;
}

SentrySink::~SentrySink() {
  {
    std::lock_guard lock(registry_mutex);
    auto found = registry().find(address());
    if (found != registry().end() && found->second == this) registry().erase(found);
  }
  state_->server.reset();
}

std::uint16_t SentrySink::port() const {
  return state_->server->port();
}

std::string SentrySink::address() const {
  return state_->server->address();
}

const std::string& SentrySink::required_key() const {
  return state_->required_key;
}

std::string SentrySink::dsn(const std::string& project_id) const {
  const std::string key = state_->required_key.empty() ? "golive" : state_->required_key;
  return "http://" + key + "@" + address() + "/" + project_id;
}

std::vector<SentryDelivery> SentrySink::deliveries() const {
  std::lock_guard lock(state_->mutex);
  return state_->deliveries;
}

SentrySink& SentrySink::running_or_start(const std::string& address, const std::string& required_key,
                                         std::unique_ptr<SentrySink>& started) {
  if (SentrySink* running = running_at(address)) return *running;
  std::string host;
  std::uint16_t port = 0;
  if (!http::split_listen_address(address, host, port)) {
    throw std::runtime_error("Sentry sink address \"" + address + "\" is not HOST:PORT");
  }
  started = std::make_unique<SentrySink>(host, port, required_key);
  return *started;
}

SentrySink* SentrySink::running_at(const std::string& address) {
  std::lock_guard lock(registry_mutex);
  const auto found = registry().find(address);
  return found == registry().end() ? nullptr : found->second;
}

}  // namespace golive::observability
